"""Pipelines that mix our Python passes with upstream MLIR passes.

`Pipeline([...])` takes pass instances (ours) and strings (upstream pipeline
elements such as "cse" or "func.func(canonicalize)"). Consecutive upstream
elements run in one PassManager; ours run in Python. The IR is verified after
every pass, and failures become located diagnostics (CompileError).
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

from torch_mlir import ir
from torch_mlir.passmanager import PassManager

from .diagnostics import CompileError, Diagnostic, collecting, from_mlir, location_of
from .passes import ModulePass, OptionError, PassError, get_pass_class
from .passes.base import collecting_warnings


#: torch dialect -> forked, fused stream kernels (the compile's "lower" stage).
LOWER_PIPELINE = ("convert-torch-to-stream,stream-fuse-jets,stream-insert-forks,stream-cse,stream-fuse-elementwise,"
                  "stream-insert-forks,canonicalize")
#: Timing annotation and FIFO depths (the "balance" stage).
BALANCE_PIPELINE = "stream-annotate-timing,stream-balance"
#: The static deadlock proof (the "deadlock check" stage).
CHECK_PIPELINE = "stream-check-deadlock"
#: torch-dialect derivative module -> balanced, deadlock-checked stream design.
STREAM_PIPELINE = ",".join((LOWER_PIPELINE, BALANCE_PIPELINE, CHECK_PIPELINE))


def set_target_pipeline(part: str, clock_mhz: float, precision: str) -> str:
    """`stream-set-target` for a part, clock and precision (what the kernels are timed for)."""
    return f"stream-set-target{{part={part} clock-mhz={clock_mhz:g} precision={precision.replace(' ', '')}}}"


def fit_pipeline(allow_overfit: bool = False) -> str:
    """`stream-fit`: weight buffers in BRAM or URAM, and the design checked against its part."""
    return "stream-fit" + ("{allow-overfit=true}" if allow_overfit else "")


def parallelize_pipeline(dsp_budget: int, fixed: bool = False, dsp_per_mac: int | None = None) -> str:
    """`stream-parallelize` at a DSP budget (DSPs per MAC: given, or 2 in fixed point, else from the element type)."""
    per_mac = dsp_per_mac or (2 if fixed else None)
    return f"stream-parallelize{{dsp-budget={dsp_budget}" + (f",dsp-per-mac={per_mac}}}" if per_mac else "}")


def compile_pipeline(dsp_budget: int, fixed: bool = False, *, part: str = "u50", clock_mhz: float = 300.0,
                     precision: str | None = None) -> str:
    """What `inrarch compile` runs: STREAM_PIPELINE with stream-set-target after the
    lowering and stream-parallelize before the balancing."""
    precision = precision or ("fixed<32,10>" if fixed else "float")
    return ",".join((LOWER_PIPELINE, set_target_pipeline(part, clock_mhz, precision),
                     parallelize_pipeline(dsp_budget, fixed), BALANCE_PIPELINE, CHECK_PIPELINE, fit_pipeline()))


def split_top_level(text: str) -> list[str]:
    """Splits "a,b{x=1,y=2},c(d,e)" at commas outside braces/parens."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
            if depth < 0:
                raise OptionError(f"unbalanced ')' or '}}' in pipeline '{text}'")
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if depth != 0:
        raise OptionError(f"unbalanced '(' or '{{' in pipeline '{text}'")
    if cur.strip():
        parts.append(cur.strip())
    return parts


def parse_pass(element: str) -> ModulePass | str:
    """One pipeline element: ours (`name{opts}`) or an upstream string."""
    name, _, rest = element.partition("{")
    name = name.strip()
    try:
        cls = get_pass_class(name)
    except KeyError:
        return element  # upstream; PassManager.parse reports unknown names
    if rest and not rest.endswith("}"):
        raise OptionError(f"malformed options in '{element}'")
    return cls.from_options(rest[:-1] if rest else "")


def upstream_error(element: str) -> str | None:
    """Why upstream MLIR rejects a pipeline element, or None if it parses."""
    from .context import make_context

    with make_context():
        try:
            PassManager.parse(f"builtin.module({element})")
        except ValueError as e:
            lines = [l.strip() for l in str(e).splitlines() if l.strip()]
            err = next((l.split("error:", 1)[1].strip() for l in lines if "error:" in l), None)
            return err or "; ".join(lines)
    return None


class Pipeline:
    """An ordered list of passes, run on a module.

    - passes: pass instances, upstream pipeline strings, or a mix.
    """

    def __init__(self, passes: Iterable[ModulePass | str] = ()):
        self.passes: list[ModulePass | str] = list(passes)
        #: located warnings of the last `run` (e.g. ops that force buffering)
        self.warnings: list[Diagnostic] = []

    @classmethod
    def parse(cls, text: str) -> "Pipeline":
        """Parses `builtin.module(a,b{opt=1},...)` or a bare `a,b,...`."""
        text = text.strip()
        if text.startswith("builtin.module(") and text.endswith(")"):
            text = text[len("builtin.module(") : -1]
        return cls(parse_pass(e) for e in split_top_level(text))

    def __str__(self) -> str:
        return "builtin.module(" + ",".join(
            p if isinstance(p, str) else p.pipeline_text() for p in self.passes
        ) + ")"

    def _stages(self) -> list[tuple[str, Sequence]]:
        stages: list[tuple[str, list]] = []
        for p in self.passes:
            kind = "upstream" if isinstance(p, str) else "ours"
            if stages and stages[-1][0] == kind == "upstream":
                stages[-1][1].append(p)
            else:
                stages.append((kind, [p]))
        return stages

    def run(
        self,
        module: ir.Module,
        *,
        filename: str = "-",
        after_pass: Callable[[str, ir.Module], None] | None = None,
    ) -> ir.Module:
        """Runs every pass in order; raises CompileError on any failure.

        - after_pass: called with (pass text, module) after each pass, for
          `--mlir-print-ir-after-all` and `--dump-ir`.
        """
        ctx = module.context
        self.warnings: list[Diagnostic] = []
        for kind, group in self._stages():
            with ctx, collecting(ctx, filename) as diags:
                if kind == "upstream":
                    self._run_upstream(module, group, filename, diags, after_pass)
                else:
                    self._run_ours(module, group[0], filename, diags, after_pass)
        return module

    @staticmethod
    def _run_upstream(module, group, filename, diags, after_pass):
        text = "builtin.module(" + ",".join(group) + ")"
        try:
            pm = PassManager.parse(text)
        except (ValueError, ir.MLIRError) as e:
            msg = str(e).strip().splitlines()
            why = msg[0] if msg else str(e)
            raise CompileError([Diagnostic("error", f"invalid pass pipeline '{text}': {why}", filename)]) from None
        try:
            pm.run(module.operation)
        except ir.MLIRError as e:
            raise CompileError(diags + [from_mlir(d, filename) for d in e.error_diagnostics]) from None
        if after_pass:
            after_pass(",".join(group), module)

    def _run_ours(self, module, p: ModulePass, filename, diags, after_pass):
        try:
            with ir.Location.unknown(), collecting_warnings() as warned:
                p.apply(module)
            for loc, message in warned:
                f, line, col = location_of(loc, filename)
                self.warnings.append(Diagnostic("warning", f"{p.name}: {message}", f, line, col))
        except PassError as e:
            loc = e.op.location if e.op is not None else ir.Location.unknown()
            loc.emit_error(f"{p.name}: {e.message}" if not e.message.startswith(p.name) else e.message)
            raise CompileError(list(diags)) from None
        try:
            module.operation.verify()
        except ir.MLIRError as e:
            errs = [from_mlir(d, filename) for d in e.error_diagnostics]
            errs.insert(0, Diagnostic("error", f"IR produced by {p.name} does not verify", filename))
            raise CompileError(errs) from None
        if after_pass:
            after_pass(p.pipeline_text(), module)
