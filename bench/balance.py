"""FIFO balancing on the INR-Arch benchmark: SIREN 2->256x4->3, w0=30, batch 64.

For each order: import the derivative graph, lower it to stream kernels,
balance every FIFO, check deadlock freedom; print a Markdown table beside
INR-Arch's published design and save JSON to bench/results/balance.json.

    python bench/balance.py [--orders 1 2] [--batch 64] [--ad reverse|taylor]

The committed table (README, "Balancing") is reverse mode, INR-Arch's
derivative graphs, so that the FIFO counts compare with its design.

All kernels run at lanes = 1 and one MAC per matmul here (no parallelism
allocation yet), so cycles are NOT comparable with INR-Arch's 64-lane design;
FIFO counts and sizes are.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from common import INR_ARCH, RESULTS
from common import SIREN256 as SPEC


def run(order: int, batch: int, ad: str = "reverse") -> dict:
    from torch_mlir import ir

    from inrarch_mlir.context import make_context
    from inrarch_mlir.diagnostics import parse_module
    from inrarch_mlir.frontend import import_model
    from inrarch_mlir.pipeline import STREAM_PIPELINE, Pipeline
    from inrarch_mlir.dialects.walk import funcs

    t0 = time.perf_counter()
    imported = import_model(SPEC, order, batch, ad=ad)
    seconds = {"import": time.perf_counter() - t0}
    module = parse_module(imported.asm, make_context())
    last = [time.perf_counter()]

    def timer(name, _module):
        now = time.perf_counter()
        seconds[name] = now - last[0]
        last[0] = now

    Pipeline.parse(STREAM_PIPELINE).run(module, after_pass=timer)
    f = next(funcs(module))
    ops = [op.operation.name for op in f.regions[0].blocks[0].operations]
    attr = lambda k: ir.IntegerAttr(f.attributes[k]).value  # noqa: E731
    kernels = sum(1 for n in ops if n.startswith("stream.") and n not in ("stream.fifo", "stream.reshape", "stream.weights"))
    return {
        "order": order,
        "batch": batch,
        "kernels": kernels,
        "fifos": ops.count("stream.fifo"),
        "fifo_elements": attr("stream.fifo_words"),  # lanes = 1: one element per word
        "fifo_bits": attr("stream.fifo_bits"),
        "fifo_bits_lp": attr("stream.fifo_bits_lp"),
        "cycles": attr("stream.cycles"),
        "cycles_unbounded": attr("stream.cycles_unbounded"),
        "deadlock_free": True,  # stream-check-deadlock would have failed the pipeline
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--ad", choices=["reverse", "taylor"], default="reverse",
                    help="derivative algorithm (default reverse: INR-Arch's graphs)")
    ap.add_argument("-o", "--output", default=str(RESULTS / "balance.json"))
    args = ap.parse_args()
    rows = [run(o, args.batch, args.ad) for o in args.orders]
    print("| design | kernels | FIFOs | FIFO elements | FIFO bits | LP bits | cycles | cycles (unbounded FIFOs) | balance s |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| INR-Arch order 1 (published, 64 lanes) | {INR_ARCH['processes']} | {INR_ARCH['fifos']} | "
          f"{INR_ARCH['fifo_elements']:,} | - | - | {INR_ARCH['cycles']:,} | - | - |")
    for r in rows:
        print(f"| ours order {r['order']} (lanes 1) | {r['kernels']} | {r['fifos']} | {r['fifo_elements']:,} | "
              f"{r['fifo_bits']:,} | {r['fifo_bits_lp']:,} | {r['cycles']:,} | {r['cycles_unbounded']:,} | "
              f"{r['seconds'].get('stream-balance', 0):.1f} |")
        if r["order"] == 1:
            print(f"\nFIFO elements, order 1: INR-Arch / ours = {INR_ARCH['fifo_elements'] / r['fifo_elements']:.1f}x\n")
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"inr_arch": {k: INR_ARCH[k] for k in ("fifos", "fifo_elements", "cycles", "processes")}, "ours": rows}, indent=2) + "\n")
    print(f"saved {out}")


if __name__ == "__main__":
    main()
