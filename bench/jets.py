"""Taylor-mode jets against nested reverse mode on INR-Arch's SIREN: the README's jets table (issue 14).

    python bench/jets.py [--orders 1 2 3 4] [--ads taylor reverse] [--batch 64] [--budget 3200]
                         [--timeout 1200] [--json bench/results/jets.json]

SIREN 2 -> 256 x4 -> 3 (w0 = 30), batch 64, float, a 3,200-DSP budget (as
INR-Arch), the U50 (`--allow-overfit`: a design that does not fit is still
measured, and marked). Every (order, ad) pair is compiled by `inrarch
compile` in a fresh subprocess, one after another in this one run (so the
ratios are side by side), and read back from its report.json:

- matmul kernels, kernels, FIFOs, FIFO elements (words x lanes), on-chip weight bits;
- MACs per sample (`macs_per_sample`, counted from the emitted matmul loops)
  against the Taylor count 512 + T x 197,376 (T = C(2 + n, n) coefficient
  rows: the first layer's tangents are columns of W and cost nothing);
- BRAM18K (estimate of `inrarch_mlir.resources`);
- cycles (timing model, final FIFO depths) against the compute bound, the
  Taylor count x batch / (budget / 5 DSPs per float MAC): no design with
  this many DSPs can do the Taylor count faster; and the design's own bound
  (`cycles_lower_bound`: its MAC allocation's);
- compile seconds (wall, the subprocess) and peak memory (its peak RSS).

A point that runs past --timeout is recorded as such. OUR CYCLES AND
RESOURCES ARE ESTIMATES of our models, not synthesis.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import INR_ARCH, RESULTS
from common import SIREN256 as SPEC

#: DSPs per float32 MAC unit (`inrarch_mlir.target.DSP_PER_MAC["float"]`).
FLOAT_MAC_DSP = 5
#: MACs per sample of the forward pass past the first layer (3 x 256 x 256 + 256 x 3)
#: and of the first layer's primal (2 x 256).
FORWARD_MACS, FIRST_LAYER_MACS = 3 * 256 * 256 + 256 * 3, 2 * 256

_CHILD = """
import resource, sys
from inrarch_mlir.cli.main import main
rc = main(sys.argv[1:])
print("PEAK_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
sys.exit(rc)
"""


def taylor_count(order: int, d: int = 2) -> int:
    return FIRST_LAYER_MACS + math.comb(d + order, order) * FORWARD_MACS


def compile_point(order: int, ad: str, args, work: Path) -> dict:
    out = work / f"{ad}{order}"
    argv = ["compile", SPEC, "--order", str(order), "--ad", ad, "--batch", str(args.batch), "--precision", "float",
            "--dsp-budget", str(args.budget), "--part", "u50", "--allow-overfit", "-o", str(out), "-q"]
    t = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-c", _CHILD, *argv], capture_output=True, text=True,
                              timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {"order": order, "ad": ad, "error": f"timed out after {args.timeout} s"}
    row = {"order": order, "ad": ad, "compile_seconds": round(time.perf_counter() - t, 1)}
    peak = [ln for ln in proc.stdout.splitlines() if ln.startswith("PEAK_KB")]
    if peak:
        row["peak_mb"] = round(int(peak[-1].split()[1]) / 1024)
    if proc.returncode != 0:
        row["error"] = (proc.stderr.strip().splitlines() or [""])[-1]
        return row
    r = json.loads((out / "report.json").read_text())
    bound = taylor_count(order) * args.batch / (args.budget / FLOAT_MAC_DSP)
    row.update({
        "matmuls": r["kernel_kinds"].get("matmul", 0), "kernels": r["kernels"], "fifos": r["fifos"],
        "fifo_elements": r["fifo_elements"], "macs_per_sample": r["macs_per_sample"],
        "taylor_count": taylor_count(order), "weight_bits": 8 * r["onchip_bytes"]["weights"],
        "onchip_mb": r["onchip_bytes"]["total"] / 1e6, "bram18k": r["bram18k"], "dsp": r["dsp"],
        "cycles": r["cycles"], "compute_bound": round(bound), "design_bound": r["cycles_lower_bound"],
        "fits": r["fits"], "ad_used": r["ad"],
        # where the cycles go: the period (cycles per sample) the MAC units allow, the
        # DSPs the nonlinearities take, the DSPs left over (the next MAC step does not
        # fit), and the pipeline fill (cycles beyond period x batch)
        "period": r["period"], "mac_units": r["resources"]["by_kind"].get("matmul", {}).get("dsp", 0) // FLOAT_MAC_DSP,
        "nonlinear_dsp": sum(r["resources"]["by_kind"].get(k, {}).get("dsp", 0) for k in ("jet", "map")),
        "unused_dsp": args.budget - r["dsp"], "fill_cycles": r["cycles"] - r["period"] * args.batch,
    })
    return row


def _fmt(row: dict) -> str:
    if "error" in row:
        return f"| {row['order']} | {row['ad']} | {row['error']} |" + " |" * 10
    return (f"| {row['order']} | {row['ad']} | {row['matmuls']} | {row['kernels']} / {row['fifos']} | "
            f"{row['fifo_elements']:,} | {row['macs_per_sample']:,} ({row['macs_per_sample'] / row['taylor_count']:.2f}x) | "
            f"{row['weight_bits'] / 1e6:.2f}M | {row['bram18k']:,} | {row['cycles']:,} "
            f"({row['cycles'] / row['compute_bound']:.2f}x of {row['compute_bound']:,}) | "
            f"{row['compile_seconds']:.1f} | {row.get('peak_mb', '?')} |")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, nargs="+", default=[1, 2, 3, 4])
    ap.add_argument("--ads", nargs="+", default=["taylor", "reverse"], choices=["taylor", "reverse"])
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--budget", type=int, default=3200)
    ap.add_argument("--timeout", type=int, default=1200, help="seconds per compile before it is recorded as timed out")
    ap.add_argument("--json", default=str(RESULTS / "jets.json"))
    args = ap.parse_args(argv)
    print(f"{SPEC}, batch {args.batch}, float, {args.budget} DSPs (U50). Cycles: timing model; compute bound = "
          f"Taylor count x batch / ({args.budget} / {FLOAT_MAC_DSP} MACs per cycle)")
    print("| order | ad | matmul kernels | kernels / FIFOs | FIFO elements | MACs/sample (x Taylor count) | weight bits | "
          "BRAM18K | cycles (x compute bound) | compile s | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    rows = []
    with tempfile.TemporaryDirectory(prefix="inrarch_jets_") as tmp:
        for order in args.orders:
            for ad in args.ads:
                row = compile_point(order, ad, args, Path(tmp))
                rows.append(row)
                print(_fmt(row), flush=True)
    ia = INR_ARCH
    print(f"| {ia['order']} | INR-Arch (paper) | | {ia['processes']} processes / {ia['fifos']} | "
          f"{ia['fifo_elements']:,} | | | {ia['bram18k']} | {ia['cycles']:,} (co-sim) | | |")
    by = {(r["order"], r["ad"]): r for r in rows}
    for order in args.orders:
        t, rv = by.get((order, "taylor")), by.get((order, "reverse"))
        if t and rv and "error" not in t and "error" not in rv:
            print(f"order {order}: reverse/taylor MACs {rv['macs_per_sample'] / t['macs_per_sample']:.2f}x, "
                  f"cycles {rv['cycles'] / t['cycles']:.2f}x, BRAM {rv['bram18k'] / max(t['bram18k'], 1):.2f}x, "
                  f"compile {rv['compile_seconds'] / t['compile_seconds']:.1f}x")
    print("Where the cycles go (cycles / compute bound = MAC shortfall x loop overhead x fill):")
    for r in rows:
        if "period" not in r:
            continue
        ideal = r["taylor_count"] / r["mac_units"]  # cycles per sample at the allocated MACs, no overhead
        units = args.budget / FLOAT_MAC_DSP
        print(f"  order {r['order']} {r['ad']}: {units:.0f} / {r['mac_units']} MAC units "
              f"({units / r['mac_units']:.2f}x; nonlinearities {r['nonlinear_dsp']} DSPs, unused {r['unused_dsp']}) x "
              f"period {r['period']} / {ideal:.0f} ({r['period'] / ideal:.2f}x) x "
              f"fill {r['cycles'] / (r['period'] * args.batch):.2f}x")
    result = {"spec": SPEC, "batch": args.batch, "budget": args.budget, "machine": platform.platform(),
              "python": sys.version.split()[0], "inr_arch": {k: ia[k] for k in ("order", "fifos", "processes",
                                                                              "fifo_elements", "cycles", "bram18k")},
              "rows": rows}
    Path(args.json).write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
