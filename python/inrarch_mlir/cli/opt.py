"""inrarch-opt: an mlir-opt for the stream dialect and our passes.

    inrarch-opt [options] [--PASS[=OPTS] ...] [input.mlir|-]

Passes named as flags run in command-line order (ours and upstream ones such
as --cse or --canonicalize); `--pass-pipeline=` takes a textual pipeline.
Exit status: 0 success, 1 error diagnostics, 2 usage errors.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from .common import internal_error, read_input, usage_error, write_output

SPLIT_MARKER = "// -----"

_FLAGS_HELP = """\
usage: inrarch-opt [options] [--PASS[=OPTIONS] ...] [input]

Reads MLIR (torch, func, arith, math, linalg, tensor and stream dialects)
from a file or stdin ('-'), runs passes, prints the result.

options:
  -o FILE, --output=FILE        write output to FILE ('-' = stdout, default)
  --pass-pipeline=PIPELINE      e.g. 'builtin.module(cse,stream-balance{min-depth=2})'
  --split-input-file            process each '// -----' chunk separately
  --verify-diagnostics          check '// expected-error @+1 {{...}}' comments
  --mlir-print-ir-after-all     print the IR to stderr after every pass
  --mlir-print-debuginfo        print locations
  --allow-unregistered-dialect  accept ops of unknown dialects
  --version                     print the version and exit
  -h, --help                    show this help and exit

Upstream MLIR passes are accepted by name too (--cse, --canonicalize,
--symbol-dce, ...).
"""


@dataclass
class Options:
    input: str = "-"
    output: str = "-"
    pipeline: list = field(default_factory=list)  # pass texts, in order
    split: bool = False
    verify_diagnostics: bool = False
    print_after_all: bool = False
    debuginfo: bool = False
    allow_unregistered: bool = False


def help_text() -> str:
    from ..passes import all_pass_classes

    lines = [_FLAGS_HELP, "passes (inrarch-mlir):"]
    for name, cls in sorted(all_pass_classes().items()):
        lines.append(f"  --{name:<28}{cls.summary()}")
        for f in cls.options():
            default = f.default if f.default is not None else "none"
            default = str(default).lower() if isinstance(default, bool) else default
            kind = f.type if isinstance(f.type, str) else f.type.__name__
            lines.append(f"      {f.name.replace('_', '-')}={kind} (default {default}): {cls.option_help(f)}")
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str]) -> Options:
    o = Options()
    positional = []
    it = iter(argv)
    for arg in it:
        if arg in ("-h", "--help"):
            sys.stdout.write(help_text())
            raise SystemExit(0)
        if arg == "--version":
            from .. import __version__

            print(f"inrarch-opt {__version__}")
            raise SystemExit(0)
        if arg == "-o" or arg == "--output":
            o.output = next(it, None) or usage_error("inrarch-opt", f"{arg} needs a file name")
        elif arg.startswith("--output=") or (arg.startswith("-o") and len(arg) > 2 and not arg.startswith("--")):
            o.output = arg.split("=", 1)[1] if arg.startswith("--") else arg[2:]
        elif arg == "--split-input-file":
            o.split = True
        elif arg == "--verify-diagnostics":
            o.verify_diagnostics = True
        elif arg == "--mlir-print-ir-after-all":
            o.print_after_all = True
        elif arg == "--mlir-print-debuginfo":
            o.debuginfo = True
        elif arg == "--allow-unregistered-dialect":
            o.allow_unregistered = True
        elif arg.startswith("--pass-pipeline"):
            text = arg.split("=", 1)[1] if "=" in arg else next(it, None)
            if not text:
                usage_error("inrarch-opt", "--pass-pipeline needs a pipeline")
            o.pipeline.append(("pipeline", text))
        elif arg.startswith("--") and len(arg) > 2:
            name, eq, opts = arg[2:].partition("=")
            o.pipeline.append(("pass", name + ("{" + opts.strip("'\"") + "}" if eq else "")))
        elif arg.startswith("-") and arg != "-":
            usage_error("inrarch-opt", f"unknown option '{arg}' (see --help)")
        else:
            positional.append(arg)
    if len(positional) > 1:
        usage_error("inrarch-opt", f"expected one input file, got {len(positional)}: {' '.join(positional)}")
    if positional:
        o.input = positional[0]
    return o


def build_pipeline(opts: Options):
    from ..passes import OptionError
    from ..pipeline import Pipeline, parse_pass, upstream_error

    passes = []
    try:
        for kind, text in opts.pipeline:
            if kind == "pipeline":
                passes.extend(Pipeline.parse(text).passes)
            else:
                passes.append(parse_pass(text))
    except OptionError as e:
        usage_error("inrarch-opt", str(e))
    for p in passes:
        if isinstance(p, str) and (why := upstream_error(p)):
            hint = " (see --help for inrarch passes)" if "registered pass" in why else ""
            usage_error("inrarch-opt", f"{why}{hint}")
    return Pipeline(passes)


def chunks(text: str, split: bool) -> list[tuple[str, int]]:
    """(chunk text, line offset) pairs."""
    if not split:
        return [(text, 0)]
    out, cur, start = [], [], 0
    for i, line in enumerate(text.splitlines(keepends=True)):
        if line.strip() == SPLIT_MARKER:
            out.append(("".join(cur), start))
            cur, start = [], i + 1
        else:
            cur.append(line)
    out.append(("".join(cur), start))
    return out


def process_chunk(text: str, offset: int, pipeline, opts: Options, filename: str):
    """Returns (printed module or None, diagnostics)."""
    from ..context import make_context
    from ..diagnostics import CompileError, collecting, parse_module

    ctx = make_context(allow_unregistered=opts.allow_unregistered)
    printed = None

    def after_pass(name, module):
        sys.stderr.write(f"// -----// IR Dump After {name} //----- //\n{module}\n")

    with collecting(ctx, filename) as sink:
        try:
            module = parse_module(text, ctx, filename, offset)
            pipeline.run(module, filename=filename, after_pass=after_pass if opts.print_after_all else None)
            printed = module.operation.get_asm(enable_debug_info=opts.debuginfo)
            diags = list(sink) + pipeline.warnings
        except CompileError as e:
            diags = list(sink) + pipeline.warnings
            seen = {(d.line, d.col, d.message) for d in diags}
            diags += [d for d in e.diagnostics if (d.line, d.col, d.message) not in seen]
    return printed, diags


def run(opts: Options) -> int:
    from ..diagnostics import expectations, verify_expectations

    filename, text = read_input(opts.input, "inrarch-opt")
    pipeline = build_pipeline(opts)
    outputs, failed = [], False
    for chunk, offset in chunks(text, opts.split):
        printed, diags = process_chunk(chunk, offset, pipeline, opts, filename)
        if opts.verify_diagnostics:
            problems = verify_expectations(diags, expectations(chunk, offset), filename)
            for p in problems:
                sys.stderr.write(p.format() + "\n")
            failed |= bool(problems)
        else:
            for d in diags:
                sys.stderr.write(d.format() + "\n")
            failed |= any(d.severity == "error" for d in diags)
        if printed is not None and not any(d.severity == "error" for d in diags):
            outputs.append(printed)
    # Like mlir-opt: a failed run keeps no output file (stdout still gets the
    # chunks that succeeded, which split-input-file tests check).
    if not failed or (opts.output == "-" and not opts.verify_diagnostics):
        write_output(opts.output, ("\n" + SPLIT_MARKER + "\n").join(outputs), "inrarch-opt")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        return run(parse_args(argv))
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 1
    except KeyboardInterrupt:
        return 130
    except BaseException as e:  # never a traceback for users
        return internal_error("inrarch-opt", e)


if __name__ == "__main__":
    sys.exit(main())
