"""Frontend benchmark: trace + import time and op counts per order.

For SIREN-256 (the INR-Arch benchmark) at orders 0..3 and the other built-in
families, imports all unique partials of orders 0..N and records timings and
op counts; also imports a *single* output (channel 0, d^k/dx0^k) per order
0..4 for SIREN-256, to put beside INR-Arch's per-output graph sizes (41, 52,
93, 201, 500 nodes for orders 0..4). Prints a table and writes
bench/results/frontend.json.

    python bench/frontend.py [--batch 64] [--quick] [--ad reverse|taylor]

Reverse mode by default: the committed results (and INR-Arch's per-output
graph sizes they are put beside) are nested reverse-mode graphs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import warnings

from common import INR_ARCH_PER_OUTPUT_NODES as INR_ARCH_PER_OUTPUT
from common import RESULTS
from common import SIREN256 as SIREN
OTHERS = [
    "ffn:in=2,hidden=256,layers=4,out=3,freqs=16,scale=10",
    "gauss:in=2,hidden=256,layers=4,out=3,sigma=0.5",
    "quad:in=2,hidden=256,layers=4,out=3,w0=1",
    "tanh:in=2,hidden=256,layers=4,out=3",
]
#: bookkeeping ops that are not graph nodes in INR-Arch's sense
_NOT_NODES = ("torch.constant.", "torch.prim.ListConstruct")


def compute_nodes(counts: dict) -> int:
    return sum(n for op, n in counts.items() if not op.startswith(_NOT_NODES))


def bench_all(spec: str, order: int, batch: int, ad: str = "reverse") -> dict:
    from inrarch_mlir.frontend import import_model

    r = import_model(spec, order, batch, ad=ad)
    counts = r.op_counts
    return {
        "model": spec, "order": order, "batch": batch, "results": len(r.layout.results),
        "fx_nodes_traced": r.fx_nodes, "ops": compute_nodes(counts), "ops_by_name": counts,
        "mm": counts.get("torch.aten.mm", 0), "sin": counts.get("torch.aten.sin", 0),
        "cos": counts.get("torch.aten.cos", 0),
        "one_hot_selects": getattr(r.fold_stats, "one_hot_selects", 0), "cse_merged": getattr(r.fold_stats, "cse_merged", 0),
        "max_constant_numel": r.fold_stats.max_constant_numel,
        "seconds": {k: round(v, 3) for k, v in r.timings.items()},
    }


def bench_single_output(spec: str, order: int, batch: int) -> dict:
    """One output (channel 0, d^k/dx0...dx0): INR-Arch's per-output graph."""
    from inrarch_mlir.frontend import DerivativeLayout, Partial, derivative_function, example_coords, load_model
    from inrarch_mlir.frontend.folding import fold_constants
    from inrarch_mlir.frontend.importer import import_graph, op_counts
    from inrarch_mlir.frontend.tracing import trace_derivatives

    t = time.perf_counter()
    m = load_model(spec)
    names = [n for n, _ in m.module.named_parameters()]
    params = [p.detach() for _, p in m.module.named_parameters()]
    layout = DerivativeLayout(m.in_features, 3, (order,), (Partial(0, (0,) * order),), ("coords", *names))
    coords = example_coords(batch, m.in_features)
    gm = trace_derivatives(derivative_function(m.module, layout), coords, params)
    gm, _ = fold_constants(gm, [coords, *params])
    counts = op_counts(import_graph(gm, layout))
    return {"model": spec, "order": order, "ops": compute_nodes(counts), "ops_by_name": counts,
            "inr_arch_nodes": INR_ARCH_PER_OUTPUT[order], "seconds": round(time.perf_counter() - t, 3)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--quick", action="store_true", help="SIREN-256 only, orders 0..2")
    parser.add_argument("--ad", choices=["reverse", "taylor"], default="reverse", help="derivative algorithm")
    parser.add_argument("-o", "--output", default=str(RESULTS / "frontend.json"))
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")

    max_order = 2 if args.quick else 3
    rows = []
    for spec in [SIREN] + ([] if args.quick else OTHERS):
        for order in range(max_order + 1):
            print(f"  importing {spec.split(':')[0]} order {order} ...", file=sys.stderr, flush=True)
            rows.append(bench_all(spec, order, args.batch, args.ad))
    single = []
    for order in range(3 if args.quick else 5):
        print(f"  single output, SIREN-256 order {order} ...", file=sys.stderr, flush=True)
        single.append(bench_single_output(SIREN, order, args.batch))

    header = f"{'model':<8}{'order':>6}{'results':>8}{'fx nodes':>10}{'ops':>7}{'mm':>6}{'sin':>5}{'cos':>5}" \
             f"{'trace s':>9}{'import s':>9}{'total s':>9}"
    print(f"\nAll unique partials of orders 0..N, batch {args.batch}")
    print(header)
    print("-" * len(header))
    for r in rows:
        s = r["seconds"]
        print(f"{r['model'].split(':')[0]:<8}{r['order']:>6}{r['results']:>8}{r['fx_nodes_traced']:>10}{r['ops']:>7}"
              f"{r['mm']:>6}{r['sin']:>5}{r['cos']:>5}{s['trace']:>9.2f}{s['import'] + s.get('fold', 0):>9.2f}"
              f"{s['total']:>9.2f}")
    print("\nOne output (y0, d^k/dx0^k), SIREN-256, beside INR-Arch's per-output graph")
    print(f"{'order':>6}{'ops (ours)':>12}{'INR-Arch nodes':>16}")
    for r in single:
        print(f"{r['order']:>6}{r['ops']:>12}{r['inr_arch_nodes']:>16}")

    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    import torch

    with open(args.output, "w") as f:
        json.dump({
            "benchmark": "frontend", "batch": args.batch, "python": platform.python_version(),
            "torch": torch.__version__, "machine": platform.machine(), "cpus": os.cpu_count(),
            "note": "ops = torch-dialect ops after folding + CSE + canonicalize, excluding "
                    "torch.constant.* and torch.prim.ListConstruct; INR-Arch counts its own graph nodes "
                    "per output, so the comparison is indicative",
            "all_partials": rows, "single_output": single,
            "inr_arch_per_output_nodes": INR_ARCH_PER_OUTPUT,
        }, f, indent=1)
    print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
