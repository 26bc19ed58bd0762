"""`inrarch compile MODEL --order N --batch B [--precision P] [--dsp-budget D] -o OUTDIR`.

The whole flow (frontend -> stream passes -> parallelism under the DSP
budget -> FIFO balancing -> HLS emission -> testbench data -> simulation)
with a progress line per stage on stderr and a summary table at the end.
Writes OUTDIR/report.json, report.md, graph.dot (graph.svg with Graphviz),
fifo_occupancy.png and the HLS project under OUTDIR/hls/. Errors are one
line and exit 1; usage errors exit 2.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

TOOL = "inrarch compile"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL",
                        help="built-in spec (e.g. siren:in=2,hidden=256,layers=4,out=3,w0=30) or path/file.py:factory")
    parser.add_argument("--order", type=int, default=None,
                        help="highest derivative order: all unique partials of orders 0..N (required without --outputs)")
    parser.add_argument("--outputs", default=None, metavar="LIST",
                        help="compute only these, comma-separated: partials (y0_x0x0), operators (value, gradient, "
                             "jacobian, hessian, laplacian, divergence) or linear combinations (lap=y0_x0x0+y0_x1x1)")
    parser.add_argument("--head", default=None, metavar="FILE.py:factory",
                        help="a network applied to the concatenated --outputs, compiled into the same design")
    parser.add_argument("--batch", type=int, required=True, help="samples streamed per run")
    parser.add_argument("--precision", default="float", help="float (default) or fixed<W,I>, e.g. fixed<32,10>")
    parser.add_argument("--dsp-budget", type=int, default=None, metavar="D",
                        help="DSPs for stream-parallelize to spread over the matmuls (default: 70%% of the part's)")
    parser.add_argument("--part", default="u50", metavar="NAME",
                        help="device: u50 (default), u55c, u280, u250, vck5000, zcu104, zcu102, or a Vitis part string")
    parser.add_argument("--clock-mhz", type=float, default=None, metavar="MHZ",
                        help="kernel clock (default: the part's, 300 MHz on the Alveo cards)")
    parser.add_argument("--allow-overfit", action="store_true",
                        help="emit a design that needs more DSP/BRAM/URAM/LUT/FF than the part has (it says so)")
    parser.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="output directory")
    parser.add_argument("--force", action="store_true", help="replace OUTDIR if it exists and is not empty")
    parser.add_argument("--in-features", type=int, default=None, metavar="K",
                        help="input width when it cannot be inferred from the first Linear layer")
    parser.add_argument("--seed", type=int, default=0, help="seed for weights and coordinates (default 0)")
    parser.add_argument("--ad", choices=("taylor", "reverse"), default=None,
                        help="derivative algorithm: taylor (forward Taylor-mode jets; the default, falling back to "
                             "reverse for a model without jet rules or whose samples interact) or reverse (nested "
                             "reverse mode, INR-Arch's)")
    parser.add_argument("--weights", default=None, metavar="FILE",
                        help="trained weights for the model: a state_dict (.pt, .pth) or a .safetensors file")
    parser.add_argument("--stop-after", default=None, metavar="PASS",
                        help="stop after this pass (or 'import') and write OUTDIR/PASS.mlir; no emission")
    parser.add_argument("--dump-ir", default=None, metavar="DIR", help="write the IR after every pass to DIR")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress display or summary")
    parser.add_argument("--max-order", type=int, default=None, metavar="N",
                        help="refuse --order above N (default 6: the graph grows exponentially with the order)")
    parser.add_argument("--max-batch", type=int, default=None, metavar="B",
                        help="refuse --batch above B (default 1000000)")
    parser.add_argument("--max-kernels", type=int, default=None, metavar="K",
                        help="refuse models whose estimated kernel count (unique partials x layers) exceeds K "
                             "(default 10000)")


def _usage(msg: str) -> int:
    sys.stderr.write(f"{TOOL}: error: {msg}\n")
    return 2


_LOCATED = re.compile(r"^(\S+?):(\d+)(?::\d+)?: error: (.*)$", re.S)


def _error_line(msg: str) -> str:
    """One error line: `file:line: error: ...` when located in a user file, else `inrarch compile: error: ...`.

    Locations in the in-memory module (`-:L:C`, no file the user can open) are dropped."""
    m = _LOCATED.match(msg)
    if m and m.group(1) not in ("-", "<stdin>"):
        return msg
    if m:
        msg = m.group(3)
    msg = msg[len("error: "):] if msg.startswith("error: ") else msg
    return f"{TOOL}: error: {msg}"


def run(args: argparse.Namespace) -> int:
    if args.order is None and args.outputs is None:
        return _usage("give --order N (all partials up to N) or --outputs LIST")
    if args.head is not None and args.outputs is None:
        return _usage("--head needs --outputs (the head's inputs)")
    if args.order is not None and args.order < 0:
        return _usage(f"--order must be >= 0, got {args.order}")
    if args.batch < 1:
        return _usage(f"--batch must be >= 1, got {args.batch}")
    if args.dsp_budget is not None and args.dsp_budget < 1:
        return _usage(f"--dsp-budget must be >= 1, got {args.dsp_budget}")
    from ..frontend.limits import LimitError, check_sizes, limits_from_args

    limits = limits_from_args(args)
    try:
        check_sizes(args.order or 0, args.batch, limits)
    except LimitError as e:
        return _usage(e.message)
    from rich.console import Console

    console = Console(stderr=True, highlight=False)
    from ..compiler import CompileFailed, compile
    from ..compiler.events import StageTimer

    timer = StageTimer()  # the display's own clock, fed by the same events as the report's
    status = None if args.quiet else console.status("starting", spinner="dots")

    def done(stage) -> None:
        console.print(f"[green]✓[/] {stage:<15} {timer.seconds[stage]:7.2f}s")

    def progress(event) -> None:
        if args.quiet:
            return
        before = timer.current
        timer(event)
        if before is not None and before != event.stage:
            done(before)
        if status is not None:
            pct = f" ({event.fraction:.0%})" if event.fraction is not None else ""
            status.update(f"[bold]{event.stage}[/]{pct}: {event.message}")

    try:
        if status is not None:
            status.start()
        try:
            report = compile(args.model, args.order, args.batch, outdir=args.output, precision=args.precision,
                             dsp_budget=args.dsp_budget, in_features=args.in_features, weights=args.weights, ad=args.ad,
                             seed=args.seed,
                             stop_after=args.stop_after, dump_ir=args.dump_ir, overwrite=args.force,
                             progress=progress, part=args.part, clock_mhz=args.clock_mhz,
                             allow_overfit=args.allow_overfit, limits=limits,
                             outputs=args.outputs, head=args.head)
        finally:
            if status is not None:
                status.stop()
    except CompileFailed as e:
        sys.stderr.write(_error_line(str(e)) + "\n")
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # never a traceback for the user
        if os.environ.get("INRARCH_DEBUG"):
            import traceback

            traceback.print_exc()
        first = (str(e).strip().splitlines() or [""])[0]
        sys.stderr.write(f"{TOOL}: error: internal error: {type(e).__name__}: {first} "
                         "(set INRARCH_DEBUG=1 for a traceback)\n")
        return 1
    for w in report.warnings:  # shown even with -q: they explain the design
        sys.stderr.write(f"{w}\n")
    last = timer.current
    timer.stop()
    if not args.quiet and last is not None:
        done(last)
    if args.stop_after:
        if not args.quiet:
            console.print(f"stopped after {args.stop_after}: wrote {os.path.join(args.output, args.stop_after)}.mlir")
        return 0
    if not args.quiet:
        from rich.table import Table

        what = f"outputs {args.outputs}" if args.outputs else f"order {args.order}"
        t = Table(title=f"{args.model} {what} batch {args.batch} ({report.precision})",
                  show_header=True)
        t.add_column("figure")
        t.add_column("value", justify="right")
        for k, v in report.summary_rows():
            t.add_row(k, v)
        console.print(t)
        console.print(f"wrote {args.output}/ (report.json, report.md, graph.dot, fifo_occupancy.png, hls/); "
                      f"next: inrarch csim {args.output}")
    return 0
