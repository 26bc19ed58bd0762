"""inrarch: the user-level driver (import, compile, csim).

Each subcommand lives in its own module exposing `add_arguments(parser)` and
`run(args) -> int`; they are imported only when chosen, so `inrarch --help`
is fast and never imports torch.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

from .common import internal_error

#: subcommand -> (module, one-line help)
SUBCOMMANDS = {
    "import": ("import_cmd", "trace a model's derivatives to torch-dialect MLIR"),
    "compile": ("compile_cmd", "the whole flow: model -> balanced dataflow -> HLS project"),
    "csim": ("csim_cmd", "build and run the emitted C++ and compare with PyTorch"),
    "sweep": ("sweep_cmd", "compile (and simulate) a grid of designs, locally or on Dask; results.csv and Pareto plots"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors: one line, exit 2
        self.exit(2, f"{self.prog}: error: {message}\n")


def _available(name: str) -> bool:
    mod = SUBCOMMANDS[name][0]
    return importlib.util.find_spec(f"{__package__}.{mod}") is not None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="inrarch", description=__doc__.splitlines()[0])
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"inrarch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (mod, text) in SUBCOMMANDS.items():
        if not _available(name):
            continue
        p = sub.add_parser(name, help=text, description=text)
        importlib.import_module(f"{__package__}.{mod}").add_arguments(p)
        p.set_defaults(_module=mod)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "command", None):
            parser.print_help(sys.stderr)
            return 2
        return importlib.import_module(f"{__package__}.{args._module}").run(args)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 1
    except KeyboardInterrupt:
        return 130
    except BaseException as e:
        return internal_error("inrarch", e)



if __name__ == "__main__":
    sys.exit(main())
