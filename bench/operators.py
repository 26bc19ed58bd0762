"""What an operator costs: MACs, kernels and cycles of `--outputs` designs against all partials.

    python bench/operators.py [--hidden 256] [--layers 4] [--batch 64] [--dsp-budget 3200]

For a SIREN with d = 2 and d = 3 input coordinates (hidden x layers sine
layers, one output channel, w0 = 30), order 2, float: every unique partial of
orders 0..2 (the default), then `--outputs laplacian`, `value,gradient,
laplacian`, `hessian` and `gradient`. A Laplacian propagates 1 + d + 1
coefficient rows (the primal, the tangents, one collapsed second-order row)
instead of C(d+2, 2). Prints a table and writes bench/results/operators.json.
Each design is compiled by `inrarch_mlir.compile` in this process, one after
another (cycles are the timing model's, cross-checked elsewhere by timed csim).
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time

from common import RESULTS

OUTPUTS = [None, "laplacian", "value,gradient,laplacian", "hessian", "gradient"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--dsp-budget", type=int, default=3200)
    ap.add_argument("--dims", type=int, nargs="+", default=[2, 3])
    args = ap.parse_args()
    import inrarch_mlir as im

    rows = []
    for d in args.dims:
        spec = f"siren:in={d},hidden={args.hidden},layers={args.layers},out=1,w0=30"
        base = None
        for outs in OUTPUTS:
            with tempfile.TemporaryDirectory() as tmp:
                t = time.perf_counter()
                im.compile(spec, 2 if outs is None else None, args.batch, outdir=tmp, outputs=outs,
                           dsp_budget=args.dsp_budget, overwrite=True)
                seconds = time.perf_counter() - t
                r = json.loads(open(f"{tmp}/report.json").read())
            row = {"d": d, "outputs": outs or "all partials, orders 0-2", "results": len(r["results"]),
                   "macs_per_sample": r["macs_per_sample"], "kernels": r["kernels"], "fifos": r["fifos"],
                   "cycles": r["cycles"], "bram18k": r["bram18k"], "compile_s": round(seconds, 1)}
            base = base or row
            row["macs_vs_all"] = round(row["macs_per_sample"] / base["macs_per_sample"], 3)
            row["cycles_vs_all"] = round(row["cycles"] / base["cycles"], 3)
            rows.append(row)
            print(f"d={d} {row['outputs']:<28} results {row['results']:>2}  MACs/sample {row['macs_per_sample']:>10,} "
                  f"({row['macs_vs_all']:.2f}x)  kernels {row['kernels']:>4}  cycles {row['cycles']:>9,} "
                  f"({row['cycles_vs_all']:.2f}x)  BRAM18K {row['bram18k']:>5}  {row['compile_s']:>5.1f} s", flush=True)
        print(f"   rows per hidden layer: all partials {math.comb(d + 2, 2)}, Laplacian {1 + d + 1}")
    out = RESULTS / "operators.json"
    out.write_text(json.dumps({"model": f"siren:in=d,hidden={args.hidden},layers={args.layers},out=1,w0=30",
                               "order": 2, "batch": args.batch, "dsp_budget": args.dsp_budget, "precision": "float",
                               "rows": rows}, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
