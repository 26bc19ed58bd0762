"""inrarch-translate: stream-dialect MLIR -> other formats.

    inrarch-translate --emit-hls in.mlir -o outdir/

Targets are looked up in `TARGETS`; each is a module exposing
`emit(module, outdir, args) -> None`.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

from .common import internal_error, read_input

#: flag -> (module, help)
TARGETS = {
    "emit-hls": ("inrarch_mlir.emit.hls", "a Vitis HLS project (top.cpp, testbench, run_hls.tcl, Makefile)"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="inrarch-translate", description="Translate stream-dialect MLIR to other formats.")
    group = p.add_mutually_exclusive_group(required=True)
    for flag, (_, text) in TARGETS.items():
        group.add_argument(f"--{flag}", dest="target", action="store_const", const=flag, help=text)
    p.add_argument("input", nargs="?", default="-", help="input .mlir file ('-' = stdin)")
    p.add_argument("-o", "--output", required=True, help="output directory")
    for module_name, _ in TARGETS.values():  # target-specific options (e.g. --precision)
        if importlib.util.find_spec(module_name) is not None:
            add = getattr(importlib.import_module(module_name), "add_arguments", None)
            if add is not None:
                add(p)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = build_parser().parse_args(argv)
        module_name = TARGETS[args.target][0]
        if importlib.util.find_spec(module_name) is None:
            sys.stderr.write(f"inrarch-translate: error: --{args.target} is not available in this build\n")
            return 1
        from ..context import make_context
        from ..diagnostics import CompileError, parse_module

        filename, text = read_input(args.input, "inrarch-translate")
        try:
            module = parse_module(text, make_context(), filename)
            importlib.import_module(module_name).emit(module, args.output, args)
        except CompileError as e:
            for d in e.diagnostics:
                sys.stderr.write(d.format() + "\n")
            return 1
        return 0
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 1
    except KeyboardInterrupt:
        return 130
    except BaseException as e:
        return internal_error("inrarch-translate", e)


if __name__ == "__main__":
    sys.exit(main())
