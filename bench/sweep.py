"""Wall time of a 16-point design-space sweep on the local process pool: N workers against one.

The grid: 2 small SIRENs x orders 0, 1 x DSP budgets 200, 800 x float and
fixed<32,10>, batch 64, U50 (16 compiles, no C simulation). Each run starts
from an empty directory, so nothing is resumed; both runs must produce the
same figures (the sweep is deterministic). Prints a table, writes
bench/results/sweep.json and copies the cycles-vs-DSP Pareto plot to
bench/results/sweep_pareto_cycles_dsp.png.

    python bench/sweep.py [--workers 2] [--repeats 2] [--keep DIR]

The runs alternate (1, N, 1, N, ...) and the ratio is of the best wall time
of each size, the run least disturbed by other work. It is bounded by the
machine's free cores: the load average before each run is recorded.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from common import RESULTS

from inrarch_mlir.sweep import grid, run_sweep
from inrarch_mlir.sweep.results import ResultsTable

MODELS = ["siren:in=2,hidden=16,layers=2,out=1", "siren:in=2,hidden=32,layers=2,out=1"]
FIGURES = ("status", "cycles", "fifo_bits", "dsp", "onchip_bytes.total")


def timed_sweep(points, outdir: Path, workers: int) -> tuple[float, dict]:
    t0 = time.perf_counter()
    summary = run_sweep(points, outdir, workers=workers)
    wall = time.perf_counter() - t0
    return wall, ResultsTable(summary.results).rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2, help="pool size to compare with one worker (default 2)")
    ap.add_argument("--repeats", type=int, default=2, help="runs of each pool size, alternating (default 2)")
    ap.add_argument("--keep", default=None, metavar="DIR", help="keep the sweep directories under DIR")
    args = ap.parse_args()
    points = grid(MODELS, [0, 1], [64], ["float", "fixed<32,10>"], ["u50"], [200, 800], [0.01])
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="inrarch-sweep-bench-"))
    sizes = (1, args.workers)
    runs = {w: [] for w in sizes}
    rows = {}
    for repeat in range(args.repeats):
        for workers in sizes:
            outdir = base / f"workers{workers}"
            shutil.rmtree(outdir, ignore_errors=True)  # a fresh sweep: nothing resumed
            load = os.getloadavg()[0]
            wall, rows[workers] = timed_sweep(points, outdir, workers)
            ok = sum(r["status"] == "ok" for r in rows[workers].values())
            runs[workers].append({"wall_seconds": round(wall, 2), "load_before": round(load, 2), "ok": ok,
                                  "point_seconds": round(sum(float(r["seconds"]) for r in rows[workers].values()), 2)})
            print(f"run {repeat + 1}, {workers} worker(s): {wall:.1f} s wall, {ok}/{len(points)} ok, "
                  f"load average before {load:.2f}", flush=True)
    same = all({k: rows[1][p.id].get(k) for k in FIGURES} == {k: rows[args.workers][p.id].get(k) for k in FIGURES}
               for p in points)
    best = {w: min(r["wall_seconds"] for r in runs[w]) for w in sizes}
    ratio = best[1] / best[args.workers]
    print()
    print("| workers | points | best wall s | every run s | sum of point s (best run) | speed-up |")
    print("|---|---|---|---|---|---|")
    for w in sizes:
        fastest = min(runs[w], key=lambda r: r["wall_seconds"])
        every = ", ".join(f"{r['wall_seconds']:.1f}" for r in runs[w])
        print(f"| {w} | {len(points)} | {best[w]:.1f} | {every} | "
              f"{fastest['point_seconds']:.1f} | {best[1] / best[w]:.2f}x |")
    print(f"\nsame figures with 1 and {args.workers} workers: {'yes' if same else 'NO'}; cpu_count={os.cpu_count()}")
    RESULTS.mkdir(exist_ok=True)
    plot = base / f"workers{args.workers}" / "pareto_cycles_dsp.png"
    if plot.is_file():
        shutil.copyfile(plot, RESULTS / "sweep_pareto_cycles_dsp.png")
    out = {"grid": {"models": MODELS, "orders": [0, 1], "batch": 64, "precisions": ["float", "fixed<32,10>"],
                    "part": "u50", "dsp_budgets": [200, 800], "fifo_tolerance": 0.01},
           "cpu_count": os.cpu_count(), "same_figures": same, "speedup_best_wall": round(ratio, 3),
           "best_wall_seconds": {str(w): v for w, v in best.items()}, "runs": {str(w): r for w, r in runs.items()},
           "points": [{"point": p.id, **{k: rows[args.workers][p.id].get(k) for k in FIGURES}} for p in points]}
    (RESULTS / "sweep.json").write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {RESULTS / 'sweep.json'}")


if __name__ == "__main__":
    main()
