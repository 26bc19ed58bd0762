"""`inrarch_mlir.compile(...)` (module `driver`, so the package attribute stays the function): the whole flow with a report (what `inrarch compile` runs).

frontend -> stream passes (with `stream-parallelize{dsp-budget=D}` before
timing annotation and balancing) -> HLS emission and testbench data (via
`flow.build_design`) -> cycle simulation of the balanced graph -> report,
resource estimate, graph.dot and the FIFO occupancy plot.

Everything is written into a temporary directory beside `outdir` and
renamed at the end: a failure leaves no half-written output directory.
Failures raise `CompileFailed` with a one-line message.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable, Optional

from .pipeline import STREAM_PIPELINE
from .report import Report, graph_dot, occupancy_plot, write_dot

DEFAULT_DSP_BUDGET = 3200
CLOCK_MHZ = 300.0
#: Stages in the order they run (progress and `stage_seconds`).
STAGES = ("import", "lower", "parallelize", "balance", "deadlock check", "emit", "data", "simulate", "report")


class CompileFailed(Exception):
    """A user-facing failure; `str()` is one line."""


def compile_pipeline(dsp_budget: int = DEFAULT_DSP_BUDGET, precision: str = "float") -> str:
    """STREAM_PIPELINE with `stream-parallelize{dsp-budget=D}` right before `stream-annotate-timing`."""
    fixed = precision.strip().startswith("fixed")
    par = f"stream-parallelize{{dsp-budget={dsp_budget}" + (",dsp-per-mac=2}" if fixed else "}")
    if "stream-annotate-timing" not in STREAM_PIPELINE:
        raise CompileFailed("STREAM_PIPELINE has no stream-annotate-timing to insert stream-parallelize before")
    return STREAM_PIPELINE.replace("stream-annotate-timing", par + ",stream-annotate-timing", 1)


def _stage_of(pass_text: str) -> str:
    name = pass_text.split("{", 1)[0].strip()
    if name == "stream-parallelize":
        return "parallelize"
    if name in ("stream-annotate-timing", "stream-balance"):
        return "balance"
    if name == "stream-check-deadlock":
        return "deadlock check"
    return "lower"


def _pass_names(pipeline: str) -> list[str]:
    from .pipeline import split_top_level

    return [e.split("{", 1)[0].strip() for e in split_top_level(pipeline)]


def _precision_bits(precision: str) -> tuple[str, Optional[int]]:
    p = precision.replace(" ", "")
    if p == "float":
        return "float", None
    m = re.fullmatch(r"fixed<(\d+),(-?\d+)>", p)
    if not m:
        raise CompileFailed(f"bad precision '{precision}': expected float or fixed<W,I> (e.g. fixed<32,10>)")
    return "fixed", int(m.group(1))


def _one_line(e: BaseException) -> str:
    lines = [ln.strip() for ln in str(e).strip().splitlines() if ln.strip()]
    if not lines:
        return type(e).__name__
    more = f" (+{len(lines) - 1} more line(s))" if len(lines) > 1 else ""
    return lines[0] + more


def compile(model, order: int = 1, batch: int = 64, *, outdir, precision: str = "float",
            dsp_budget: int = DEFAULT_DSP_BUDGET, in_features: Optional[int] = None, seed: int = 0,
            stop_after: Optional[str] = None, dump_ir=None, overwrite: bool = False,
            progress: Optional[Callable[[str, str], None]] = None, clock_mhz: float = CLOCK_MHZ,
            trace_points: int = 256, limits=None) -> Report:
    """Compiles `model` (a spec such as `siren:in=2,hidden=256,layers=4,out=3,w0=30`,
    `path.py:factory`, or an nn.Module) for derivatives up to `order` at `batch`.

    Writes `outdir/` (report.json, report.md, graph.dot[, graph.svg], fifo_occupancy.png,
    hls/ with the HLS project and hls/data/ with the testbench data) and returns the `Report`.

    - stop_after: a pass name of the pipeline (or "import"): stop there and write
      `outdir/<pass>.mlir` and a report.json with `stopped_after`.
    - dump_ir: a directory; the IR after every pass goes to `NN-<pass>.mlir` there.
    - overwrite: replace an existing non-empty `outdir`.
    - progress: called with (stage, message) whenever a step begins.
    - limits: `frontend.Limits` (max order, batch, estimated kernels), checked before anything
      is written; default `Limits()`.
    Raises `CompileFailed` (one-line message) on any user-facing failure.
    """
    say = progress or (lambda stage, msg: None)
    if order < 0:
        raise CompileFailed(f"order must be >= 0, got {order}")
    if batch < 1:
        raise CompileFailed(f"batch must be >= 1, got {batch}")
    if dsp_budget < 1:
        raise CompileFailed(f"dsp-budget must be >= 1, got {dsp_budget}")
    family, element_bits = _precision_bits(precision)
    from .frontend.limits import LimitError, Limits, check_sizes

    limits = limits or Limits()
    try:
        check_sizes(order, batch, limits)
    except LimitError as e:
        raise CompileFailed(e.message) from None
    pipeline = compile_pipeline(dsp_budget, precision)
    names = _pass_names(pipeline)
    if stop_after is not None and stop_after != "import" and stop_after not in names:
        raise CompileFailed(f"--stop-after '{stop_after}' is not a pass of the pipeline (choose from: import, "
                            f"{', '.join(dict.fromkeys(names))})")
    out = Path(outdir)
    if out.exists() and not out.is_dir():
        raise CompileFailed(f"output '{out}' exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise CompileFailed(f"output directory '{out}' exists and is not empty (use --force to replace it)")
    parent = out.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{out.name}.tmp-"))
    except OSError as e:
        raise CompileFailed(f"cannot write the output directory '{out}': {e.strerror or e}") from None
    dump = Path(dump_ir) if dump_ir else None
    try:
        if dump:
            try:
                dump.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise CompileFailed(f"cannot create --dump-ir directory '{dump}': {e.strerror or e}") from None
        report = _compile_into(tmp, out, model, order, batch, precision, family, element_bits, dsp_budget,
                               pipeline, in_features, seed, stop_after, dump, say, clock_mhz, trace_points,
                               limits)
        _commit(tmp, out)
        return report
    except CompileFailed:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except BaseException as e:
        shutil.rmtree(tmp, ignore_errors=True)
        from .diagnostics import CompileError
        from .passes import OptionError

        try:
            from .frontend import FrontendError
        except Exception:  # pragma: no cover
            FrontendError = ()  # noqa: N806
        if isinstance(e, (CompileError, FrontendError, OptionError, OSError, ValueError)) and \
                not isinstance(e, KeyboardInterrupt):
            raise CompileFailed(_one_line(e)) from e
        raise


def _commit(tmp: Path, out: Path) -> None:
    """Moves the finished `tmp` to `out` (replacing an existing `out`)."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _compile_into(tmp: Path, out: Path, model, order, batch, precision, family, element_bits, dsp_budget,
                  pipeline, in_features, seed, stop_after, dump, say, clock_mhz, trace_points, limits) -> Report:
    model_name = model if isinstance(model, str) else type(model).__name__
    report = Report(model=model_name, order=order, batch=batch, precision=precision.replace(" ", ""),
                    dsp_budget=dsp_budget, outdir=str(out), clock_mhz=clock_mhz)
    t0 = time.perf_counter()
    clock = {"stage": None, "t": t0}
    stage_s: dict = {}

    def enter(stage: str, msg: str) -> None:
        now = time.perf_counter()
        if clock["stage"] is not None:
            stage_s[clock["stage"]] = stage_s.get(clock["stage"], 0.0) + now - clock["t"]
        clock.update(stage=stage, t=now)
        say(stage, msg)

    def finish() -> None:
        enter(None, "")  # type: ignore[arg-type]
        stage_s.pop(None, None)

    names = _pass_names(pipeline)
    pass_s: dict = {}
    state = {"i": 0, "t": None, "module": None}

    def after_pass(text: str, module) -> None:
        now = time.perf_counter()
        i = state["i"]
        key = text.split("{", 1)[0]
        pass_s[key] = pass_s.get(key, 0.0) + now - (state["t"] or now)
        state.update(i=i + 1, t=now, module=module)
        if dump is not None:
            (dump / f"{i + 1:02d}-{key.replace('/', '_')}.mlir").write_text(str(module) + "\n")
        nxt = names[i + 1] if i + 1 < len(names) else None
        if nxt is not None:
            enter(_stage_of(nxt), f"running {nxt}")

    if stop_after is not None:
        return _stopped(tmp, out, report, model, order, batch, pipeline, in_features, seed, stop_after, dump,
                        enter, finish, after_pass, state, stage_s, pass_s, t0, limits)

    def flow_progress(msg: str) -> None:
        if msg.startswith("stream pipeline"):
            state["t"] = time.perf_counter()
            enter(_stage_of(names[0]), f"running {names[0]}")
        elif msg.startswith("range analysis"):
            enter("emit", msg)
        elif msg.startswith("emitting"):
            say("emit", msg.replace(str(tmp / "hls"), str(out / "hls")))
        elif msg.startswith("PyTorch reference"):
            enter("data", msg)
        elif clock["stage"] == "import":
            say("import", msg)

    from .flow import build_design

    enter("import", f"importing {model_name} (order {order}, batch {batch})")
    design = build_design(model, order, batch, precision=precision, outdir=tmp / "hls", progress=flow_progress,
                          seed=seed, in_features=in_features, pipeline=pipeline, after_pass=after_pass,
                          limits=limits)
    module = state["module"]
    func = _func(module)

    enter("simulate", "simulating the balanced design (cycle level)")
    from .dataflow import simulate
    from .dialects import stream as S
    from .passes.stream_graph import extract
    from .resources import estimate, word_bits

    with module.context:
        sg = extract(func)
        graph = sg.graph
        sim = simulate(graph, trace_points=trace_points)
        if sim.deadlocked:
            raise CompileFailed(f"the balanced design deadlocks in simulation (FIFOs: "
                                f"{', '.join(sorted(sim.blocked_fifos))})")
        enter("report", "resource estimate, graph and report")
        attrs = {}
        for key in list(func.attributes):
            key = key if isinstance(key, str) else key.name
            val = func.attributes[key]
            if key.startswith("stream.") and _is_int(val):
                attrs[key.split(".", 1)[1]] = int(str(val).split(":")[0].strip())
        lanes = {}
        for name, site in sg.edge_sites.items():
            producer, ri = site[0], site[1]
            lanes[name] = S.channel_info(producer.results[ri].type).lanes
        est = estimate(func, graph, family, element_bits)
        kinds: dict = {}
        for k in graph.kernels:
            kinds[k.kind] = kinds.get(k.kind, 0) + 1
        dot_text = graph_dot(graph, sg.kernel_ops)

    edges = graph.edges
    report.kernels = len(graph.kernels)
    report.fifos = len(edges)
    report.fifo_elements = sum((e.depth or 0) * lanes[e.name] for e in edges)
    report.fifo_bits = sum((e.depth or 0) * word_bits(e, element_bits) for e in edges)
    report.fifo_bits_lower_bound = sum(word_bits(e, element_bits) for e in edges)
    lp = attrs.get("fifo_bits_lp")
    if lp is not None and element_bits is not None:
        lp = round(lp * element_bits / 32)
    report.fifo_bits_lp = lp
    report.cycles = attrs.get("cycles", sim.total_cycles)
    report.cycles_unbounded = attrs.get("cycles_unbounded")
    compute = attrs.get("compute_bound", 0) * batch
    slowest = max((k.total_cycles for k in graph.kernels), default=0)
    report.cycles_lower_bound = max(compute, slowest)
    report.period = attrs.get("period")
    report.dsp_allocated = attrs.get("dsp")
    report.dsp, report.bram18k = est.total.dsp, est.total.bram18k
    report.lut, report.ff = est.total.lut, est.total.ff
    report.resources = est.to_dict()
    report.kernel_kinds = kinds
    report.results = list(design.get("result_names", []))
    report.warnings = list(design.get("warnings", []))
    report.pass_seconds = {k: round(v, 3) for k, v in pass_s.items()}
    report.notes["simulated_cycles"] = (f"the report's own re-simulation gives {sim.total_cycles:,} cycles "
                                        f"({sim.solver})")

    svg = write_dot(tmp / "graph.dot", dot_text)
    files = {"report (JSON)": "report.json", "report (Markdown)": "report.md",
             "kernels and FIFOs (Graphviz)": "graph.dot"}
    if svg:
        files["graph (SVG)"] = "graph.svg"
    if occupancy_plot(sim, tmp / "fifo_occupancy.png",
                      title=f"FIFO occupancy (top 10 by peak), {model_name}, order {order}, batch {batch}"):
        files["FIFO occupancy over time (simulated)"] = "fifo_occupancy.png"
    (tmp / "fifo_occupancy.json").write_text(json.dumps({
        "times": sim.trace_times.tolist(), "peak": sim.peak_occupancy,
        "occupancy": {n: sim.trace[:, i].tolist() for i, n in enumerate(sim.edge_names)}}) + "\n")
    files["FIFO occupancy trace (JSON)"] = "fifo_occupancy.json"
    files["HLS project (open hls/run_hls.tcl in Vitis HLS)"] = "hls/"
    files["testbench data"] = "hls/data/"
    report.files = files
    design["outdir"] = str(out / "hls")
    (tmp / "hls" / "design.json").write_text(json.dumps(design, indent=1) + "\n")
    finish()
    report.stage_seconds = {s: round(stage_s[s], 3) for s in STAGES if s in stage_s}
    report.compile_seconds = round(time.perf_counter() - t0, 3)
    (tmp / "report.json").write_text(report.to_json())
    (tmp / "report.md").write_text(report.to_markdown())
    return report


def _stopped(tmp, out, report, model, order, batch, pipeline, in_features, seed, stop_after, dump, enter, finish,
             after_pass, state, stage_s, pass_s, t0, limits=None) -> Report:
    """--stop-after: import, run the pipeline up to `stop_after`, write its IR."""
    from .context import make_context
    from .diagnostics import parse_module
    from .frontend import import_model
    from .pipeline import Pipeline, split_top_level

    enter("import", f"importing (order {order}, batch {batch})")
    imported = import_model(model, order, batch, seed=seed, in_features=in_features, limits=limits,
                            progress=lambda m: enter("import", m))
    if dump is not None:
        (dump / "00-import.mlir").write_text(imported.asm)
    text = imported.asm
    if stop_after != "import":
        elems = split_top_level(pipeline)
        last = max(i for i, e in enumerate(elems) if e.split("{", 1)[0].strip() == stop_after)
        module = parse_module(imported.asm, make_context())
        state["t"] = time.perf_counter()
        enter(_stage_of(elems[0]), f"running {elems[0].split('{', 1)[0]}")
        Pipeline.parse(",".join(elems[: last + 1])).run(module, after_pass=after_pass)
        text = str(module)
    name = f"{stop_after}.mlir"
    (tmp / name).write_text(text if text.endswith("\n") else text + "\n")
    finish()
    report.stage_seconds = {k: round(v, 3) for k, v in stage_s.items()}
    report.pass_seconds = {k: round(v, 3) for k, v in pass_s.items()}
    report.compile_seconds = round(time.perf_counter() - t0, 3)
    report.files = {f"IR after {stop_after}": name, "report (JSON)": "report.json"}
    report.notes = {"stopped_after": f"--stop-after {stop_after}: no emission, no figures"}
    d = report.to_dict()
    d["stopped_after"] = stop_after
    (tmp / "report.json").write_text(json.dumps(d, indent=1) + "\n")
    return report


def _is_int(attr) -> bool:
    s = str(attr)
    return bool(re.fullmatch(r"-?\d+\s*:\s*i\d+", s.strip()))


def _func(module):
    for op in module.body.operations:
        if op.operation.name == "func.func":
            return op.operation
    raise CompileFailed("the compiled module has no func.func")
