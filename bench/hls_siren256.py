"""Emit the SIREN-256 order-1 batch-64 HLS project and (optionally) C-simulate it.

    python bench/hls_siren256.py [--outdir DIR] [--precision float|fixed<W,I>]... [--csim] [--bounded]

Model: SIREN 2 -> 256 x4 sine layers (w0 = 30) -> 3, the INR-Arch benchmark.
For each precision: build_design (import, stream pipeline, range analysis,
emission, testbench data), then with --csim the g++ build and run of the
unbounded simulation (and with --bounded the threaded bounded-FIFO one).
Times, design sizes and errors go to bench/results/hls_siren256.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

from common import RESULTS
from common import SIREN256 as SPEC


def csim(proj: Path, bounded: bool) -> dict:
    import contextlib
    import io

    from inrarch_mlir.cli.main import main as inrarch

    out, err = io.StringIO(), io.StringIO()
    args = ["csim", str(proj), "--json", str(proj / ("csim_bounded.json" if bounded else "csim_result.json"))]
    if bounded:
        args.append("--bounded")
    t = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = inrarch(args)
    wall = time.perf_counter() - t
    res = {"rc": rc, "wall_seconds": wall}
    jf = proj / ("csim_bounded.json" if bounded else "csim_result.json")
    if jf.is_file():
        r = json.loads(jf.read_text())
        res.update({k: r[k] for k in ("max_abs_err", "max_rel_err", "worst", "build_seconds", "run_seconds",
                                      "overflows")})
        res["outputs"] = [{k: o[k] for k in ("name", "abs_err", "rel_err", "ref_max")} for o in r["outputs"]]
    if rc != 0:
        res["error"] = (err.getvalue().strip().splitlines() or [""])[-1]
    print(f"  csim ({'bounded' if bounded else 'unbounded'}): rc={rc} "
          + next((ln for ln in out.getvalue().splitlines() if ln.startswith("max_abs_err=")), "") + f" ({wall:.1f} s)")
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--outdir", default="/tmp/inrarch_hls_siren256")
    ap.add_argument("--precision", action="append", default=None)
    ap.add_argument("--order", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--csim", action="store_true")
    ap.add_argument("--bounded", action="store_true")
    ap.add_argument("--results", default=str(RESULTS / "hls_siren256.json"))
    args = ap.parse_args(argv)
    from inrarch_mlir.compiler import Compilation, CompileOptions

    rows = []
    for prec in args.precision or ["float", "fixed<32,10>"]:
        tag = "float" if prec == "float" else re.sub(r"[^0-9a-z]+", "_", prec).strip("_")
        out = Path(args.outdir) / tag
        print(f"{SPEC} order {args.order} batch {args.batch} {prec} -> {out}")
        t = time.perf_counter()
        compilation = Compilation(CompileOptions(SPEC, args.order, args.batch, precision=prec, parallelize=False),
                                  progress=lambda e: print(f"  {e.stage}: {e.message}", flush=True))
        r = compilation.build_project(out)
        row = {"precision": prec, "outdir": str(out), "build_design_seconds": time.perf_counter() - t,
               "timings": r["timings"], "processes": r["design"]["processes"], "fifos": r["design"]["fifos"],
               "fifo_words": r["design"]["fifo_words"], "stream": r["stream"],
               "top_cpp_lines": len((out / "top.cpp").read_text().splitlines())}
        print(f"  {row['processes']} processes, {row['fifos']} FIFOs ({row['fifo_words']} words), "
              f"{row['build_design_seconds']:.1f} s")
        if args.csim:
            row["csim"] = csim(out, False)
        if args.bounded:
            row["csim_bounded"] = csim(out, True)
        rows.append(row)
    result = {"model": SPEC, "order": args.order, "batch": args.batch, "machine": platform.machine(),
              "cpus": os.cpu_count(), "runs": rows}
    Path(args.results).parent.mkdir(parents=True, exist_ok=True)
    Path(args.results).write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
