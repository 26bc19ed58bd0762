"""`inrarch import MODEL --order N --batch B [-o out.mlir] [--check]`.

Traces every unique partial derivative of orders 0..N (or N alone with
--only-order) of MODEL to a torch-dialect MLIR module, by Taylor mode or
reverse mode (`--ad`); `--check` JIT-runs it and compares it with torch.func,
printing `max_abs_err=` and `max_rel_err=`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from ..numeric.compare import F32_FACTOR
from .common import write_atomically

TOOL = "inrarch import"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds the `import` options to `parser`."""
    parser.add_argument("model", metavar="MODEL",
                        help="built-in spec such as 'siren:in=2,hidden=256,layers=4,out=3,w0=30' "
                             "(families: asmr, ffn, finer, gauss, patch, quad, scone, siren, tanh) or 'path/file.py:factory'")
    parser.add_argument("--order", type=int, default=None, metavar="N",
                        help="derivative order; results are all unique partials of orders 0..N "
                             "(required without --outputs)")
    parser.add_argument("--outputs", default=None, metavar="LIST",
                        help="import only these, comma-separated: partials (y0_x0x0), operators (value, gradient, "
                             "jacobian, hessian, laplacian, divergence) or linear combinations (lap=y0_x0x0+y0_x1x1)")
    parser.add_argument("--head", default=None, metavar="FILE.py:factory",
                        help="a network applied to the concatenated --outputs")
    parser.add_argument("--batch", type=int, default=64, metavar="B",
                        help="coordinates per call (the batch dimension); default 64")
    parser.add_argument("--only-order", action="store_true",
                        help="return the partials of order N alone")
    parser.add_argument("--ad", choices=("taylor", "reverse"), default=None,
                        help="derivative algorithm: forward multivariate Taylor mode (jets) or nested reverse "
                             "mode; default: taylor, falling back to reverse for a model whose samples interact "
                             "or that uses an op without a jet rule")
    parser.add_argument("-o", "--output", default="-", metavar="FILE",
                        help="where to write the torch-dialect module (default: stdout)")
    parser.add_argument("--check", action="store_true",
                        help="lower to linalg, run with the MLIR ExecutionEngine, compare with torch.func")
    parser.add_argument("--tolerance", type=float, default=None,
                        help=f"max relative error accepted by --check (default 1e-4, or {F32_FACTOR:g}x PyTorch's own float32 "
                             "error when that is larger; an explicit tolerance is applied alone)")
    parser.add_argument("--in-features", type=int, default=None, metavar="K",
                        help="number of input coordinates when it cannot be inferred")
    parser.add_argument("--seed", type=int, default=0, help="weight and coordinate seed (default 0)")
    parser.add_argument("--weights", default=None, metavar="FILE",
                        help="trained weights for the model: a state_dict (.pt, .pth) or a .safetensors file")
    parser.add_argument("--layout", default=None, metavar="FILE",
                        help="also write the result layout (which result is which partial) as JSON")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument("--max-order", type=int, default=None, metavar="N",
                        help="refuse --order above N (default 6: the graph grows exponentially with the order)")
    parser.add_argument("--max-batch", type=int, default=None, metavar="B",
                        help="refuse --batch above B (default 1000000)")
    parser.add_argument("--max-kernels", type=int, default=None, metavar="K",
                        help="refuse models whose estimated kernel count (unique partials x layers) exceeds K "
                             "(default 10000)")


def _usage(message: str) -> int:
    sys.stderr.write(f"{TOOL}: error: {message}\n")
    return 2


def _write_atomically(path: str, text: str) -> None:
    from ..frontend.errors import FrontendError

    try:
        write_atomically(path, text)
    except OSError as e:
        raise FrontendError(f"cannot write '{path}': {e.strerror or e}") from None


def run(args: argparse.Namespace) -> int:
    """Runs the subcommand; 0 ok, 1 error (one line on stderr), 2 usage error."""
    if args.order is None and args.outputs is None:
        return _usage("give --order N (all partials up to N) or --outputs LIST")
    if args.head is not None and args.outputs is None:
        return _usage("--head needs --outputs (the head's inputs)")
    if args.only_order and args.outputs is not None:
        return _usage("--only-order and --outputs exclude each other: --outputs names exactly what is computed")
    if args.order is not None and args.order < 0:
        return _usage(f"--order must be >= 0, got {args.order}")
    if args.batch < 1:
        return _usage(f"--batch must be >= 1, got {args.batch}")
    if args.tolerance is not None and not args.tolerance > 0:
        return _usage(f"--tolerance must be > 0, got {args.tolerance}")
    if args.in_features is not None and args.in_features < 1:
        return _usage(f"--in-features must be >= 1, got {args.in_features}")
    from ..frontend.limits import LimitError, check_sizes, limits_from_args

    limits = limits_from_args(args)
    try:
        check_sizes(args.order or 0, args.batch, limits)
    except LimitError as e:
        return _usage(e.message)

    start = time.perf_counter()

    def progress(msg: str) -> None:
        if not args.quiet:
            sys.stderr.write(f"[{time.perf_counter() - start:6.1f}s] {msg}\n")
            sys.stderr.flush()

    try:
        from ..frontend import FrontendError
    except Exception as e:  # a broken install: still one line
        sys.stderr.write(f"error: cannot load the frontend: {type(e).__name__}: {e}\n")
        return 1
    try:
        progress(f"loading {args.model}")
        from ..frontend import check_module, import_model

        model, in_features = args.model, args.in_features
        if args.weights is not None:
            from ..frontend.models import with_weights

            progress(f"loading weights from {args.weights}")
            model, in_features = with_weights(model, args.weights, in_features, args.seed)
        result = import_model(model, args.order, args.batch, only_order=args.only_order,
                              in_features=in_features, seed=args.seed, progress=progress, limits=limits,
                              ad=args.ad, outputs=args.outputs, head=args.head)
        text = result.asm
        if not text.endswith("\n"):
            text += "\n"
        if args.output == "-":
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            _write_atomically(args.output, text)
        if args.layout:
            _write_atomically(args.layout, result.layout.to_json() + "\n")
        n_ops = sum(result.op_counts.values())
        progress(f"wrote {len(result.layout.results)} results, {n_ops} ops "
                 f"to {'stdout' if args.output == '-' else args.output}")
        if args.check:
            progress("checking: torch -> linalg -> LLVM, JIT run, torch.func reference (float64)")
            report = check_module(result, tolerance=args.tolerance)
            stream = sys.stderr if args.output == "-" else sys.stdout
            stream.write(report.summary() + "\n")
            stream.flush()
            if not report.ok:
                sys.stderr.write(f"error: --check failed: max_rel_err={report.max_rel_err:.3e} exceeds "
                                 f"tolerance {report.tolerance:g} (worst result {report.worst})\n")
                return 1
        return 0
    except FrontendError as e:
        sys.stderr.write(str(e) + "\n")
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # never a traceback for the user
        if os.environ.get("INRARCH_DEBUG"):
            import traceback

            traceback.print_exc()
        first = (str(e).strip().splitlines() or [""])[0]
        sys.stderr.write(f"error: internal error: {type(e).__name__}: {first} "
                         "(set INRARCH_DEBUG=1 for a traceback)\n")
        return 1
