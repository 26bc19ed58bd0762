"""ASMR's activation sharing in the compiled design: MACs per sample with and without it, against a SIREN.

    python bench/asmr_sharing.py [--hidden 32] [--layers 3] [--base 4] [--batch 256] [--orders 0 1]

For `asmr:in=2,hidden=H,layers=L,out=1,base=b` (L+1 levels of b x b cells),
compiled (float) with `share=1` (hierarchical blocks of --batch pixels:
coarse layers run once per cell, `stream.subsample` / `stream.repeat`) and
without it, and `siren:in=2,hidden=H,layers=L,out=1` of the same depth and
width, at each order: `macs_per_sample` from report.json (K x N per row of
every emitted matmul loop; Taylor mode streams 1 + d rows per sample at
order 1, d = the 2(L+1) level coordinates for ASMR, 2 for SIREN), kernels,
cycles and compile time. Beside them: the block count of the sharing design
(`block_macs`, from the layer sizes and the block's run lengths, counted here)
and the paper's whole-image per-pixel figures (`asmr_macs_per_pixel`,
`siren_macs_per_pixel`, biases counted, order 0). Writes
bench/results/asmr_sharing.json.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time

from common import RESULTS


def block_macs(hidden: int, layers: int, base: int, batch: int, d: int = 2) -> float:
    """MACs per sample of the sharing design at order 0 (no biases, as the matmul loops count):
    layer i and modulator i-1 once per run of R_i samples, R_i = min(batch, pixels per level-i cell)."""
    runs = [min(batch, base ** (d * (layers - lev))) for lev in range(layers + 1)]
    widths = [d] + [hidden] * layers
    total = sum(widths[i] * hidden * batch // runs[i] for i in range(layers))  # sine layers' matmuls
    total += sum(d * hidden * batch // runs[i + 1] for i in range(layers))  # modulators, at the finer level
    return (total + hidden * batch) / batch  # + the output layer (out = 1) on every sample


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--base", type=int, default=4)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--orders", type=int, nargs="+", default=[0, 1])
    args = ap.parse_args()
    import inrarch_mlir as im
    from inrarch_mlir.frontend.families import asmr_macs_per_pixel, siren_macs_per_pixel

    h, L, b = args.hidden, args.layers, args.base
    asmr = f"asmr:in=2,hidden={h},layers={L},out=1,base={b}"
    specs = {"asmr share=1": asmr + ",share=1", "asmr": asmr, "siren": f"siren:in=2,hidden={h},layers={L},out=1"}
    dims = [[b] * (L + 1)] * 2
    paper = {"asmr_macs_per_pixel": asmr_macs_per_pixel(2, h, L, 1, dims),
             "siren_macs_per_pixel": siren_macs_per_pixel(2, h, L, 1)}
    rows = []
    for order in args.orders:
        for label, spec in specs.items():
            with tempfile.TemporaryDirectory() as tmp:
                t = time.perf_counter()
                im.compile(spec, order, args.batch, outdir=tmp, overwrite=True)
                seconds = time.perf_counter() - t
                r = json.loads(open(f"{tmp}/report.json").read())
            rows.append({"order": order, "model": label, "spec": spec, "macs_per_sample": r["macs_per_sample"],
                         "kernels": r["kernels"], "cycles": r["cycles"], "compile_s": round(seconds, 1)})
        base_row = next(x for x in rows if x["order"] == order and x["model"] == "siren")
        for x in rows:
            if x["order"] == order:
                x["vs_siren"] = round(x["macs_per_sample"] / base_row["macs_per_sample"], 3)
                print(f"order {order}  {x['model']:<13} MACs/sample {x['macs_per_sample']:>9,} ({x['vs_siren']:.2f}x "
                      f"SIREN)  kernels {x['kernels']:>4}  cycles {x['cycles']:>9,}  {x['compile_s']:>5.1f} s", flush=True)
    shared0 = block_macs(h, L, b, args.batch)
    print(f"sharing design, order 0, counted from the layer sizes: {shared0:g} MACs/sample "
          f"(x{1 + 2 * (L + 1)} rows at order 1)")
    print(f"paper (whole image, biases counted, order 0): ASMR {paper['asmr_macs_per_pixel']:.1f} "
          f"vs SIREN {paper['siren_macs_per_pixel']} MACs/pixel "
          f"({paper['siren_macs_per_pixel'] / paper['asmr_macs_per_pixel']:.2f}x fewer)")
    out = RESULTS / "asmr_sharing.json"
    out.write_text(json.dumps({"asmr": asmr, "batch": args.batch, "precision": "float", "block_macs_order0": shared0,
                               **paper, "rows": rows}, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
