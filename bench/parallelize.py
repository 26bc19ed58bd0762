"""Throughput under a DSP budget: SIREN 2->256x4->3 (w0 = 30), batch 64.

For orders 1 and 2 at the budget (default 3,200 DSPs, like INR-Arch's
3,199): stream-parallelize, then balance and simulate; cycles beside the
compute bound (total MACs / MAC units the budget buys) and INR-Arch's
557,713 cycles. Then a sweep of budgets from 500 to 6,000 DSPs (period from
the allocation, cycles = period x batch, no balancing) plotted to
bench/results/parallelize_sweep.png. JSON in bench/results/parallelize.json.

    python bench/parallelize.py [--orders 1 2] [--budget 3200] [--batch 64]

All cycle figures are estimates of our timing model (simulated), not
synthesis results. stream-parallelize chooses lanes per channel group and
MAC units per matmul; the timing model counts a matmul's compute as the
iterations of the C++ kernel's MAC loop, ceil(N/LO) * ceil(K/(MACS/LO)).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from common import INR_ARCH, RESULTS
from common import SIREN256 as SPEC

from inrarch_mlir.pipeline import BALANCE_PIPELINE, CHECK_PIPELINE, LOWER_PIPELINE as LOWER

INR_ARCH_CYCLES = INR_ARCH["cycles"]
FINISH = f"{BALANCE_PIPELINE},{CHECK_PIPELINE}"
SWEEP = [500, 750, 1000, 1500, 2000, 2500, 3200, 4000, 5000, 6000]


def lowered(order: int, batch: int) -> str:
    from inrarch_mlir.context import make_context
    from inrarch_mlir.diagnostics import parse_module
    from inrarch_mlir.frontend import import_model
    from inrarch_mlir.pipeline import Pipeline

    module = parse_module(import_model(SPEC, order, batch).asm, make_context())
    Pipeline.parse(LOWER).run(module)
    return str(module)


def at_budget(text: str, budget: int, balance: bool):
    from torch_mlir import ir

    from inrarch_mlir.context import make_context
    from inrarch_mlir.diagnostics import parse_module
    from inrarch_mlir.pipeline import Pipeline

    module = parse_module(text, make_context())
    t0 = time.perf_counter()
    Pipeline.parse(f"stream-parallelize{{dsp-budget={budget}}}" + ("," + FINISH if balance else "")).run(module)
    f = module.body.operations[0]
    a = {k: ir.IntegerAttr(f.attributes[k]).value for k in
         ("stream.dsp", "stream.period", "stream.period_floor", "stream.compute_bound")}
    if balance:
        a.update({k: ir.IntegerAttr(f.attributes[k]).value for k in ("stream.cycles", "stream.cycles_unbounded",
                                                                    "stream.fifo_words")})
    a["seconds"] = round(time.perf_counter() - t0, 2)
    a["max_lanes"] = ir.IntegerAttr(f.attributes["stream.max_lanes"]).value
    return {k.replace("stream.", ""): v for k, v in a.items()}


def minimum_dsp(text: str) -> int:
    """DSPs of the map operators plus one MAC per matmul (budgets below fail)."""
    from inrarch_mlir.diagnostics import CompileError

    try:
        at_budget(text, 1, balance=False)
    except CompileError as e:
        return int(str(e).split("minimum of ")[1].split()[0])
    return 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--budget", type=int, default=3200)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--outdir", default=str(RESULTS))
    args = ap.parse_args()
    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    rows, sweeps = [], {}
    for order in args.orders:
        text = lowered(order, args.batch)
        r = at_budget(text, args.budget, balance=True)
        r.update(order=order, batch=args.batch, budget=args.budget,
                 compute_bound_cycles=r["compute_bound"] * args.batch)
        r["vs_compute_bound"] = r["cycles"] / r["compute_bound_cycles"]
        rows.append(r)
        sweeps[order] = [dict(budget=b, **at_budget(text, b, balance=False)) for b in SWEEP
                         if b >= minimum_dsp(text)]
    print("| design | DSP | cycles (simulated) | compute bound | ratio | period | max lanes "
          "| INR-Arch / ours | FIFO words (elements for INR-Arch) |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| INR-Arch order 1 (published) | 3,199 | {INR_ARCH_CYCLES:,} | - | - | - | - | - | 178,289 |")
    for r in rows:
        print(f"| ours order {r['order']} | {r['dsp']:,} | {r['cycles']:,} | {r['compute_bound_cycles']:,} | "
              f"{r['vs_compute_bound']:.2f}x | {r['period']:,} | {r['max_lanes']} | "
              f"{INR_ARCH_CYCLES / r['cycles']:.1f}x | {r['fifo_words']:,} |")
    print("\nsweep (estimated cycles = period x batch):")
    print("| DSP budget | " + " | ".join(f"order {o}" for o in sweeps) + " |")
    print("|---|" + "---|" * len(sweeps))
    for b in SWEEP:
        cells = []
        for s in sweeps.values():
            hit = [p for p in s if p["budget"] == b]
            cells.append(f"{hit[0]['period'] * args.batch:,}" if hit else "infeasible")
        print(f"| {b:,} | " + " | ".join(cells) + " |")
    (out / "parallelize.json").write_text(json.dumps({"rows": rows, "sweep": sweeps}, indent=2) + "\n")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4))
        for order, s in sweeps.items():
            ax.plot([p["budget"] for p in s], [p["period"] * args.batch for p in s], "o-", label=f"order {order}")
            ax.plot([p["budget"] for p in s], [p["compute_bound"] * args.batch for p in s], ":",
                    label=f"order {order} compute bound")
        ax.axhline(INR_ARCH_CYCLES, color="gray", ls="--", label="INR-Arch order 1 (3,199 DSP)")
        ax.set_xlabel("DSP budget")
        ax.set_ylabel(f"cycles, batch {args.batch} (model estimate)")
        ax.set_yscale("log")
        ax.legend(fontsize=8)
        ax.set_title("SIREN 2-256x4-3: cycles vs DSP budget")
        fig.tight_layout()
        fig.savefig(out / "parallelize_sweep.png", dpi=120)
    except ImportError:  # pragma: no cover
        print("matplotlib not installed: no plot")
    print(f"saved {out / 'parallelize.json'}")


if __name__ == "__main__":
    main()
