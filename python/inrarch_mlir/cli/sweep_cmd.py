"""`inrarch sweep --model SPEC [--model SPEC ...] --orders 0,1 --dsp-budgets 400,800 -o DIR [...]`.

Compiles every point of the cartesian product of the lists (models x orders
x batches x precisions x parts x DSP budgets x FIFO tolerances), each into
its own DIR/<point>/, with `--csim` also C-simulating it, on a local process
pool (`--workers N`) or a Dask cluster (`--scheduler ADDRESS`). DIR/results.csv
gets one row per point (every report.json figure, flattened, plus status,
error and seconds); a rerun skips the points it already holds. Pareto plots
(cycles vs DSP, cycles vs on-chip MB, FIFO bits vs throughput loss) go to
DIR. A failed point is a row, not an error: the exit status is 0 once the
sweep has run; bad options exit 2, an unreachable scheduler 1.
"""

from __future__ import annotations

import argparse
import sys

TOOL = "inrarch sweep"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", action="append", required=True, metavar="SPEC",
                        help="a model spec as for inrarch compile (repeat the option for several models)")
    parser.add_argument("--orders", default="1", metavar="LIST", help="derivative orders, e.g. 0,1 (default 1)")
    parser.add_argument("--batches", default="64", metavar="LIST", help="batch sizes (default 64)")
    parser.add_argument("--precisions", default="float", metavar="LIST",
                        help="float and/or fixed<W,I>, e.g. float,fixed<32,10> (default float)")
    parser.add_argument("--parts", default="u50", metavar="LIST", help="devices, e.g. u50,zcu104 (default u50)")
    parser.add_argument("--dsp-budgets", default=None, metavar="LIST",
                        help="DSP budgets for stream-parallelize (default: 70%% of each part's DSPs)")
    parser.add_argument("--fifo-tolerances", default="0.01", metavar="LIST",
                        help="throughput loss stream-balance may trade for smaller FIFOs, e.g. 0,0.01,0.05 "
                             "(default 0.01)")
    parser.add_argument("--ad", choices=("taylor", "reverse"), default=None,
                        help="derivative algorithm for every point (default: compile's)")
    parser.add_argument("--seed", type=int, default=0, help="seed for weights and coordinates (default 0)")
    parser.add_argument("--csim", action="store_true", help="also run inrarch csim on every compiled point")
    parser.add_argument("--csim-mode", choices=("unbounded", "bounded", "timed"), default="bounded",
                        help="with --csim: unbounded FIFOs, bounded (every FIFO at its depth, deadlocks detected; "
                             "the default) or timed (bounded, and cycles_csim beside the model's cycles)")
    parser.add_argument("--csim-timeout", type=float, default=600, metavar="S",
                        help="with --csim: run time limit of one simulation in seconds (default 600)")
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="sweep directory (resumed if it exists)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="run on the Dask distributed cluster of this scheduler (e.g. tcp://host:8786); the "
                             "workers must see DIR")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="local process pool size (default: the number of CPUs)")
    parser.add_argument("--retry-failed", action="store_true",
                        help="rerun the points whose recorded status is not ok (done points are skipped otherwise)")
    parser.add_argument("--dry-run", action="store_true", help="list the points and whether they are done; run none")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _usage(msg: str) -> int:
    sys.stderr.write(f"{TOOL}: error: {msg}\n")
    return 2


def _positive(what: str):
    return lambda v: None if v >= 1 else f"{what} must be >= 1, got {v}"


def points_from_args(args: argparse.Namespace):
    """The grid of the command line; SweepError (one line) for a bad list or value."""
    from ..sweep.points import SweepError, grid, parse_list, split_list

    orders = parse_list(args.orders, "--orders", int, lambda v: None if v >= 0 else f"orders must be >= 0, got {v}",
                        "an integer")
    batches = parse_list(args.batches, "--batches", int, _positive("batch"), "an integer")
    budgets = [None] if args.dsp_budgets is None else \
        parse_list(args.dsp_budgets, "--dsp-budgets", int, _positive("a DSP budget"), "an integer")
    tolerances = parse_list(args.fifo_tolerances, "--fifo-tolerances", float,
                            lambda v: None if 0 <= v < 1 else f"a tolerance must be in [0, 1), got {v:g}", "a number")
    precisions = [p.replace(" ", "") for p in split_list(args.precisions, "--precisions")]
    parts = split_list(args.parts, "--parts")
    models = [m.strip() for m in args.model]
    if any(not m for m in models):
        raise SweepError("--model: empty model spec")
    _check_precisions_and_parts(precisions, parts)
    return grid(models, orders, batches, precisions, parts, budgets, tolerances, args.ad, args.seed)


def _check_precisions_and_parts(precisions: list[str], parts: list[str]) -> None:
    """Checked once, before any point runs, by the compile's own option checks."""
    from ..compiler.options import CompileFailed, CompileOptions
    from ..emit.hls.precision import Precision
    from ..sweep.points import SweepError

    for p in precisions:
        try:
            CompileOptions("-", precision=p, dsp_budget=1)
            Precision.parse(p)
        except (CompileFailed, ValueError) as e:
            raise SweepError(f"--precisions: {e}") from None
    for part in parts:
        try:
            CompileOptions("-", part=part, dsp_budget=1)
        except CompileFailed as e:
            raise SweepError(f"--parts: {e}") from None


def run(args: argparse.Namespace) -> int:
    from ..sweep.points import SweepError

    if args.workers is not None and args.workers < 1:
        return _usage(f"--workers must be >= 1, got {args.workers}")
    if args.workers is not None and args.scheduler:
        return _usage("--workers sizes the local pool; with --scheduler the cluster's workers run the points")
    if not args.csim_timeout > 0:
        return _usage(f"--csim-timeout must be > 0, got {args.csim_timeout:g}")
    try:
        points = points_from_args(args)
    except SweepError as e:
        return _usage(str(e))
    if args.dry_run:
        return _dry_run(points, args.output)
    try:
        summary = _run_with_progress(points, args)
    except SweepError as e:
        sys.stderr.write(f"{TOOL}: error: {e}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"{TOOL}: interrupted; the points finished so far are in {args.output}/results.csv "
                         "(rerun to resume)\n")
        return 130
    states = ", ".join(f"{n} {s}" for s, n in sorted(summary.statuses.items())) or "none run"
    print(f"{summary.points} point(s): {summary.skipped} already done, {summary.ran} run now ({states}); "
          f"results: {summary.results}")
    for path in summary.plots:
        print(f"plot: {path}")
    return 0


def _dry_run(points, outdir: str) -> int:
    from pathlib import Path

    from ..sweep.driver import RESULTS_CSV
    from ..sweep.results import ResultsTable

    table = ResultsTable(Path(outdir) / RESULTS_CSV)
    for p in points:
        row = table.rows.get(p.id)
        print(f"{p.id}  {row['status'] if row else 'to run'}")
    print(f"{len(points)} point(s), {sum(p.id in table for p in points)} done")
    return 0


def _run_with_progress(points, args):
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..sweep import run_sweep

    console = Console(stderr=True, highlight=False)
    progress = Progress(TextColumn("[bold]sweep[/]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        TextColumn("{task.description}"), console=console, disable=args.quiet)
    bar = None
    failed = [0]

    def on_start(n: int) -> None:
        nonlocal bar
        where = args.scheduler or f"{args.workers or 'all'} local worker(s)"
        if not args.quiet:
            console.print(f"{len(points) - n} of {len(points)} point(s) already done; running {n} on {where}",
                          soft_wrap=True)
        bar = progress.add_task("", total=n)
        progress.start()  # only now: a scheduler that cannot be reached is reported without a bar

    def on_row(task, row) -> None:
        if row["status"] != "ok":
            failed[0] += 1
            console.print(f"[red]✗[/] {escape(task.point.id)}: {row['status']}: {escape(row['error'])}", soft_wrap=True)
        progress.update(bar, advance=1, description=f"{failed[0]} failed")

    try:
        return run_sweep(points, args.output, workers=args.workers, scheduler=args.scheduler,
                         csim=args.csim_mode if args.csim else None, csim_timeout=args.csim_timeout,
                         retry_failed=args.retry_failed, on_start=on_start, on_row=on_row)
    finally:
        if bar is not None:
            progress.stop()
