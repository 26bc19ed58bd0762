"""Whole images in tiles, and what a huge batch costs the compile (issue 17, point 2).

    python bench/tiles.py [--model SPEC] [--side 512] [--batches 64 262144]

1. Compiles MODEL (order 1) at each batch and reports the compile time by
   stage and the size of the testbench data (capped at
   `emit.testbench.TESTBENCH_SAMPLES` samples, so it does not grow with the
   batch; the timing stages, `dataflow/`, are another issue's).
2. Runs a SIDE x SIDE grid of coordinates in [-1, 1]^2 through the smallest
   batch's design with `inrarch csim --coords` (one top call per tile) and
   reports the run time, the PyTorch float64 reference time and the errors.
Writes bench/results/tiles.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from common import RESULTS


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def compile_at(spec: str, batch: int, out: Path) -> dict:
    t = time.perf_counter()
    subprocess.run(["inrarch", "compile", spec, "--order", "1", "--batch", str(batch), "-o", str(out), "-q"],
                   check=True)
    wall = time.perf_counter() - t
    rep = json.loads((out / "report.json").read_text())
    return {"batch": batch, "wall_seconds": round(wall, 2), "compile_seconds": rep["compile_seconds"],
            "stage_seconds": rep["stage_seconds"], "cycles": rep["cycles"],
            "data_bytes": _size(out / "hls" / "data"), "model_bytes": _size(out / "hls" / "model")}


def image_csim(design: Path, side: int, work: Path) -> dict:
    g = np.linspace(-1, 1, side, dtype=np.float32)
    x, y = np.meshgrid(g, g, indexing="ij")
    coords = work / "image.npy"
    np.save(coords, np.stack([x.ravel(), y.ravel()], axis=1))
    t = time.perf_counter()
    subprocess.run(["inrarch", "csim", str(design), "--coords", str(coords), "--json", str(work / "csim.json")],
                   check=True)
    res = json.loads((work / "csim.json").read_text())
    keep = ("samples", "tiles", "batch", "build_seconds", "run_seconds", "reference_seconds", "max_abs_err",
            "max_rel_err", "torch_f32_rel_err")
    return {"side": side, "wall_seconds": round(time.perf_counter() - t, 2),
            **{k: (round(v, 3) if isinstance(v, float) and k.endswith("seconds") else v) for k, v in res.items()
               if k in keep}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="siren:in=2,hidden=16,layers=2,out=1")
    ap.add_argument("--side", type=int, default=512)
    ap.add_argument("--batches", type=int, nargs="+", default=[64, 262144])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        compiles = [compile_at(args.model, b, root / f"b{b}") for b in args.batches]
        image = image_csim(root / f"b{min(args.batches)}", args.side, root)
    result = {"model": args.model, "order": 1, "compiles": compiles, "image": image}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "tiles.json").write_text(json.dumps(result, indent=1) + "\n")
    print(f"\n{args.model}, order 1")
    print("| batch | compile s | import | balance | check | emit | data | simulate | testbench data | cycles |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for c in compiles:
        s = c["stage_seconds"]
        print(f"| {c['batch']:,} | {c['compile_seconds']:.1f} | {s.get('import', 0):.1f} | {s.get('balance', 0):.1f} | "
              f"{s.get('check', 0):.1f} | {s.get('emit', 0):.2f} | {s.get('data', 0):.2f} | "
              f"{s.get('simulate', 0):.1f} | {c['data_bytes'] / 1024:.0f} KiB | {c['cycles']:,} |")
    i = image
    print(f"\n{i['side']}x{i['side']} image ({i['samples']:,} coordinates) through the batch-{i['batch']} design: "
          f"{i['tiles']:,} tiles, csim run {i['run_seconds']:.2f} s (build {i['build_seconds']:.1f} s), reference "
          f"{i['reference_seconds']:.1f} s; max_rel_err={i['max_rel_err']:.3e} "
          f"torch_f32_rel_err={i['torch_f32_rel_err']:.3e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
