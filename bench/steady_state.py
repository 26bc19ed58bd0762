"""Batch-independent timing: the dataflow stages of one SIREN design at batch 64, 4,096 and 262,144.

For each batch: import the derivative graph, lower it and allocate the DSPs
as `inrarch compile` does, then time the dataflow stages (the passes
stream-annotate-timing, stream-balance and stream-check-deadlock, and the
cycle simulation of the balanced graph); the timing model extrapolates the
full batch from its periodic steady state (`inrarch_mlir.dataflow.steady`).
Where the whole batch is small enough (--full-up-to), the balanced design is
also simulated whole and its figures compared. Prints a Markdown table and
saves bench/results/steady_state.json.

    python bench/steady_state.py [--model SPEC] [--order 1] [--batches 64 4096 262144]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from common import RESULTS, SIREN256

STAGES = ("stream-annotate-timing", "stream-balance", "stream-check-deadlock", "simulate")


def run(spec: str, order: int, batch: int, dsp_budget: int, full_up_to: int) -> dict:
    from torch_mlir import ir

    from inrarch_mlir.context import make_context
    from inrarch_mlir.dataflow import simulate
    from inrarch_mlir.dataflow.regime import full_events
    from inrarch_mlir.dialects.stream_graph import extract
    from inrarch_mlir.dialects.walk import funcs
    from inrarch_mlir.diagnostics import parse_module
    from inrarch_mlir.frontend import import_model
    from inrarch_mlir.pipeline import (BALANCE_PIPELINE, CHECK_PIPELINE, LOWER_PIPELINE, Pipeline,
                                       parallelize_pipeline, set_target_pipeline)

    seconds = {}
    t = time.perf_counter()
    imported = import_model(spec, order, batch)
    seconds["import"] = time.perf_counter() - t
    module = parse_module(imported.asm, make_context())
    last = [time.perf_counter()]

    def timer(name, _module):
        now = time.perf_counter()
        seconds[name] = seconds.get(name, 0.0) + now - last[0]
        last[0] = now

    t = time.perf_counter()
    Pipeline.parse(",".join((LOWER_PIPELINE, set_target_pipeline("u50", 300.0, "float"),
                             parallelize_pipeline(dsp_budget)))).run(module)
    seconds["lower"] = time.perf_counter() - t
    last[0] = time.perf_counter()
    Pipeline.parse(",".join((BALANCE_PIPELINE, CHECK_PIPELINE))).run(module, after_pass=timer)
    f = next(funcs(module))
    with module.context:
        graph = extract(f).graph
    t = time.perf_counter()
    sim = simulate(graph, trace_points=0)
    seconds["simulate"] = time.perf_counter() - t
    attr = lambda k: ir.IntegerAttr(f.attributes[k]).value  # noqa: E731
    row = {
        "batch": batch,
        "kernels": len(graph.kernels),
        "fifos": len(graph.edges),
        "events_full_batch": full_events(graph),
        "fifo_bits": attr("stream.fifo_bits"),
        "cycles": sim.total_cycles,
        "cycles_balance": attr("stream.cycles"),
        "cycles_unbounded": attr("stream.cycles_unbounded"),
        "solver": sim.solver,
        "steady_state": sim.steady_state,
        "seconds": {k: round(v, 3) for k, v in seconds.items() if k in STAGES or k in ("import", "lower")},
    }
    row["seconds"]["dataflow"] = round(sum(seconds.get(k, 0.0) for k in STAGES), 3)
    if row["events_full_batch"] <= full_up_to:
        t = time.perf_counter()
        whole = simulate(graph, trace_points=0, steady=False)
        row["seconds"]["simulate_whole_batch"] = round(time.perf_counter() - t, 3)
        row["whole_batch_equal"] = all(getattr(whole, k) == getattr(sim, k) for k in (
            "total_cycles", "deadlocked", "peak_occupancy", "stall_cycles", "full_stall_cycles"))
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=SIREN256)
    ap.add_argument("--order", type=int, default=1)
    ap.add_argument("--batches", type=int, nargs="+", default=[64, 4096, 262144])
    ap.add_argument("--dsp-budget", type=int, default=3200)
    ap.add_argument("--full-up-to", type=int, default=30_000_000,
                    help="also simulate the whole batch when its model has at most this many events")
    ap.add_argument("-o", "--output", default=str(RESULTS / "steady_state.json"))
    args = ap.parse_args()
    rows = []
    for b in args.batches:
        rows.append(run(args.model, args.order, b, args.dsp_budget, args.full_up_to))
        print(f"batch {b:,}: {rows[-1]['seconds']}", flush=True)
    base = rows[0]["seconds"]["dataflow"]
    print(f"\n{args.model}, order {args.order}, {args.dsp_budget} DSPs\n")
    print("| batch | events (whole batch) | cycles | cycles / sample | annotate s | balance s | deadlock s | "
          "simulate s | dataflow s | vs first | import s | lower s | whole-batch sim s (equal) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        s = r["seconds"]
        whole = (f"{s['simulate_whole_batch']:.1f} ({'yes' if r['whole_batch_equal'] else 'NO'})"
                 if "simulate_whole_batch" in s else "-")
        print(f"| {r['batch']:,} | {r['events_full_batch']:,} | {r['cycles']:,} | {r['cycles'] / r['batch']:.1f} | "
              f"{s.get('stream-annotate-timing', 0):.2f} | {s.get('stream-balance', 0):.2f} | "
              f"{s.get('stream-check-deadlock', 0):.2f} | {s['simulate']:.2f} | {s['dataflow']:.2f} | "
              f"{s['dataflow'] / base:.2f}x | {s['import']:.1f} | {s['lower']:.1f} | {whole} |")
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"model": args.model, "order": args.order, "dsp_budget": args.dsp_budget,
                               "rows": rows}, indent=2) + "\n")
    print(f"saved {out}")


if __name__ == "__main__":
    main()
