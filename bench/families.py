"""Every built-in INR family through the whole flow: the README's family table.

    python bench/families.py [--hidden 64] [--layers 3] [--batch 16] [--order 2] [--outdir DIR]

Each family at `hidden` x `layers` (other keys at their defaults; ASMR's
input is its level coordinates) is compiled by the default flow (Taylor mode,
the U50 default DSP budget) at `order` (every unique partial of orders
0..order), simulated in C++ with bounded FIFOs in float and, re-emitted from
the same design, in ap_fixed<32,10>, against PyTorch's float64 derivatives.
Printed as a table and written to bench/results/families.json: max relative
error (per output range) in float and fixed point, PyTorch float32's own
error on the same inputs, kernels, MACs per coordinate sample (the emitted
matmul loops), estimated cycles for the batch and compile seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import platform
import re
import shutil
import sys
import time
from pathlib import Path

from common import RESULTS

#: Paper each family follows (the README's INR families table has the details).
PAPERS = {
    "asmr": "ASMR (ICLR 2024)", "ffn": "Fourier features (Tancik 2020)", "finer": "FINER (CVPR 2024)",
    "gauss": "Gaussian act. (Ramasinghe & Lucey)", "patch": "PatchINR", "quad": "QuadINR (2508.14374)",
    "scone": "SCONE (AAAI 2024)", "siren": "SIREN (Sitzmann 2020)", "tanh": "tanh MLP (PINN)",
}


def _quiet(argv):
    from inrarch_mlir.cli.main import main as inrarch

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = inrarch(argv)
    return rc, out.getvalue(), err.getvalue()


def _csim(path: Path) -> dict:
    rc, out, err = _quiet(["csim", str(path), "--bounded"])
    m = re.search(r"max_rel_err=(\S+) torch_f32_rel_err=(\S+)", out)
    res = {"rc": rc}
    if m:
        res.update(max_rel_err=float(m.group(1)), torch_f32_rel_err=float(m.group(2)))
    if rc:
        res["error"] = (err.strip().splitlines() or [""])[-1]
    return res


def _reemit_fixed(src: Path, dst: Path) -> None:
    from inrarch_mlir.context import make_context
    from inrarch_mlir.diagnostics import parse_module
    from inrarch_mlir.emit import hls

    module = parse_module((src / "design.mlir").read_text(), make_context())
    hls.emit_project(module, dst, precision="fixed<32,10>")
    shutil.copytree(src / "data", dst / "data", dirs_exist_ok=True)


def run_family(family: str, args, outdir: Path) -> dict:
    spec = f"{family}:hidden={args.hidden},layers={args.layers}"
    out = outdir / family
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    rc, _, err = _quiet(["compile", spec, "--order", str(args.order), "--batch", str(args.batch),
                         "-o", str(out), "-q"])
    row = {"family": family, "spec": spec, "paper": PAPERS[family], "compile_seconds": time.perf_counter() - t}
    if rc:
        row["error"] = (err.strip().splitlines() or [""])[-1]
        return row
    r = json.loads((out / "report.json").read_text())
    row.update({k: r.get(k) for k in ("ad", "kernels", "fifos", "macs_per_sample", "cycles", "dsp", "bram18k")})
    row["float"] = _csim(out)
    _reemit_fixed(out / "hls", outdir / f"{family}-fixed")
    row["fixed"] = _csim(outdir / f"{family}-fixed")
    return row


def main(argv=None) -> int:
    from inrarch_mlir.frontend.models import FAMILIES

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--order", type=int, default=2)
    ap.add_argument("--families", nargs="*", default=sorted(FAMILIES))
    ap.add_argument("--outdir", default="/tmp/inrarch_families")
    ap.add_argument("--json", default=str(RESULTS / "families.json"))
    args = ap.parse_args(argv)
    outdir = Path(args.outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    rows = []
    print(f"order {args.order}, hidden {args.hidden}, layers {args.layers}, batch {args.batch}; bounded csim")
    print("| family | paper | float error | fixed<32,10> error | PyTorch f32 error | kernels | MACs/sample | "
          "cycles | compile s |")
    print("|---|---|---|---|---|---|---|---|---|")

    def err(r):  # the error, starred when csim's default acceptance refuses it
        if "max_rel_err" not in r:
            return f"FAIL: {r.get('error', '')}"
        return f"{r['max_rel_err']:.1e}" + (" *" if r["rc"] else "")

    for family in args.families:
        row = run_family(family, args, outdir)
        rows.append(row)
        if "error" in row:
            print(f"| {family} | {row['paper']} | compile failed: {row['error']} |")
            continue
        print(f"| `{family}` | {row['paper']} | {err(row['float'])} | {err(row['fixed'])} | "
              f"{row['float'].get('torch_f32_rel_err', float('nan')):.1e} | {row['kernels']} | "
              f"{row['macs_per_sample']:,} | {row['cycles']:,} | {row['compile_seconds']:.1f} |", flush=True)
    result = {"order": args.order, "hidden": args.hidden, "layers": args.layers, "batch": args.batch,
              "machine": platform.platform(), "python": sys.version.split()[0], "rows": rows}
    Path(args.json).write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.json}")
    print("* over csim's default acceptance (1e-3 fixed point): see README, Fixed point")
    bad = [r["family"] for r in rows if "error" in r or r["float"]["rc"]]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
