"""One compile driver: a `Compilation` (options + state) whose methods are the stages.

    import_ -> lower -> parallelize -> balance -> check -> emit -> data -> simulate -> report

Each stage method reads the state the previous ones left (`imported`,
`module`, `design`, ...) and announces itself with typed progress events
(`compiler.events`); the stage timer and the rich display listen to them.
`build_project(dir)` runs the stages that make the HLS project (import ..
data); `run(outdir)` runs them all into a temporary directory beside
`outdir` and renames it at the end, so a failure leaves nothing behind.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable, Optional

from .. import pipeline as P
from ..dialects.walk import funcs, int_attrs
from ..target import dsp_per_mac
from .events import Progress, ProgressEvent, Stage, StageTimer
from .options import IMPORT_FILENAME, CompileFailed, CompileOptions


def the_func(module):
    """The compiled module's func.func."""
    return next(iter(funcs(module)), None) or _no_func()


def _no_func():
    raise CompileFailed("the compiled module has no func.func")


class Compilation:
    """The state of one compile and its stages (see the module docstring)."""

    def __init__(self, options: CompileOptions, progress: Optional[Callable[[ProgressEvent], None]] = None):
        self.options = options
        self.timer = StageTimer()
        self.say = Progress(self.timer, progress)
        self.stages = [(Stage.LOWER, P.LOWER_PIPELINE + "," +
                        P.set_target_pipeline(options.part.name, options.clock_mhz, options.precision))]
        if options.parallelize:
            per_mac = dsp_per_mac(options.part, options.family)
            self.stages.append((Stage.PARALLELIZE, P.parallelize_pipeline(
                options.dsp_budget, options.family == "fixed", per_mac if options.part.family == "versal" else None)))
        balance = P.BALANCE_PIPELINE if options.fifo_tolerance is None else \
            f"{P.BALANCE_PIPELINE}{{tolerance={options.fifo_tolerance!r}}}"  # the pass is the pipeline's last
        self.stages += [(Stage.BALANCE, balance),
                        (Stage.CHECK, P.CHECK_PIPELINE + "," + P.fit_pipeline(options.allow_overfit))]
        self.pipeline = ",".join(text for _, text in self.stages)
        self.pass_names = [e.split("{", 1)[0].strip() for e in P.split_top_level(self.pipeline)]
        self.pass_seconds: dict[str, float] = {}
        self.started = time.perf_counter()
        self.imported = None
        self.module = None
        self.warnings: list[str] = []
        self.design = None
        self.hls_dir: Optional[Path] = None
        self._passes_done = 0
        self._pass_clock = 0.0

    # -- checks before any work --------------------------------------------------------
    def check_request(self) -> None:
        """Limits and the --stop-after pass name, before anything is written."""
        from ..frontend.limits import LimitError, Limits, check_sizes

        o = self.options
        o.limits = dataclasses.replace(o.limits or Limits(), hardware=not o.allow_overfit,
                                       element_bits=o.element_bits or 32)
        try:
            check_sizes(o.order or 0, o.batch, o.limits)
        except LimitError as e:
            raise CompileFailed(e.message) from None
        if o.stop_after is not None and o.stop_after != "import" and o.stop_after not in self.pass_names:
            raise CompileFailed(f"--stop-after '{o.stop_after}' is not a pass of the pipeline (choose from: import, "
                                f"{', '.join(dict.fromkeys(self.pass_names))})")

    @property
    def func(self):
        return the_func(self.module)

    # -- stages ------------------------------------------------------------------------
    def import_(self) -> None:
        """The frontend: every unique partial up to the order, as torch-dialect MLIR."""
        from ..frontend import import_model

        o = self.options
        what = f"outputs {o.outputs}" if o.outputs is not None else f"order {o.order}"
        self.say(Stage.IMPORT, f"importing {o.model_name} ({what}, batch {o.batch})")
        model, in_features = o.model, o.in_features
        if o.weights is not None:
            model, in_features = self._with_weights()
        self.imported = import_model(model, o.order, o.batch, seed=o.seed, in_features=in_features, ad=o.ad,
                                     limits=o.limits, progress=lambda msg: self.say(Stage.IMPORT, msg),
                                     outputs=o.outputs, head=o.head)
        o.order = self.imported.layout.max_order
        if o.dump_ir is not None:
            (o.dump_ir / "00-import.mlir").write_text(self.imported.asm)

    def _with_weights(self):
        """The model with the --weights checkpoint loaded: (module, in_features)."""
        from ..frontend.models import with_weights

        o = self.options
        self.say(Stage.IMPORT, f"loading weights from {o.weights}")
        return with_weights(o.model, str(o.weights), o.in_features, o.seed)

    def _run_passes(self, stage: Stage, text: str, upto: Optional[str] = None) -> bool:
        """Runs one stage's passes (up to and including `upto`); True when `upto` was among them."""
        from ..context import make_context
        from ..diagnostics import parse_module

        elements = P.split_top_level(text)
        names = [e.split("{", 1)[0].strip() for e in elements]
        stop = upto in names
        if stop:
            elements = elements[: max(i for i, n in enumerate(names) if n == upto) + 1]
        self.say(stage, f"running {names[0]}", 0.0)
        if self.module is None:
            self.module = parse_module(self.imported.asm, make_context())
        self._pass_clock = time.perf_counter()
        ran = [0]

        def after_pass(pass_text: str, module) -> None:
            now = time.perf_counter()
            key = pass_text.split("{", 1)[0]
            self.pass_seconds[key] = self.pass_seconds.get(key, 0.0) + now - self._pass_clock
            self._pass_clock = now
            self._passes_done += 1
            if self.options.dump_ir is not None:
                name = f"{self._passes_done:02d}-{key.replace('/', '_')}.mlir"
                (self.options.dump_ir / name).write_text(str(module) + "\n")
            ran[0] += len(P.split_top_level(pass_text))  # an upstream group reports once
            if ran[0] < len(elements):
                self.say(stage, f"running {names[ran[0]]}", ran[0] / len(elements))

        pipeline = P.Pipeline.parse(",".join(elements))
        pipeline.run(self.module, after_pass=after_pass)
        # Errors keep the in-memory name `-` (the CLI drops it); warnings point
        # at the op, in the lines of the imported IR.
        for w in pipeline.warnings:
            self.warnings.append(dataclasses.replace(w, file=IMPORT_FILENAME if w.file == "-" else w.file).format())
        return stop

    def lower(self) -> bool:
        return self._run_stage(Stage.LOWER)

    def parallelize(self) -> bool:
        return self._run_stage(Stage.PARALLELIZE)

    def balance(self) -> bool:
        return self._run_stage(Stage.BALANCE)

    def check(self) -> bool:
        return self._run_stage(Stage.CHECK)

    def _run_stage(self, stage: Stage) -> bool:
        """Runs `stage`'s passes if the pipeline has that stage; True when --stop-after stops in it."""
        text = dict(self.stages).get(stage)
        if text is None:
            return False
        return self._run_passes(stage, text, self.options.stop_after)

    def emit(self, hls_dir: Path) -> None:
        """Range analysis (fixed-point scales) and the HLS project under `hls_dir`."""
        import numpy as np
        from torch_mlir import ir

        from ..emit import hls
        from ..emit.testbench import TESTBENCH_SAMPLES
        from ..frontend.model_import import model_example_coords
        from ..numeric import ranges
        from ..numeric.interpreter import combines_samples

        o, imp, func = self.options, self.imported, self.func
        coupled = combines_samples(func)
        extra_n = o.range_samples
        if coupled:  # a batch-coupled design only runs on whole batches
            extra_n = -(-extra_n // o.batch) * o.batch
        coords = imp.coords.double().numpy()
        if not coupled:  # per-sample ranges need no more than the testbench's samples (random coordinates both)
            coords = coords[:TESTBENCH_SAMPLES]
        self.say(Stage.EMIT, f"range analysis over {len(coords) + extra_n} coordinates")
        t = time.perf_counter()
        params = [p.detach().double().numpy() for p in imp.params]
        extra = model_example_coords(imp.model.module, extra_n, imp.model.in_features, o.seed + 7,
                                     block=o.batch).double().numpy()
        sample = np.concatenate([coords, extra], axis=0) if extra_n else coords
        with self.module.context, ir.Location.unknown():
            ranges.annotate(func, ranges.measure(func, sample, params, coupled=coupled, batch=o.batch))
        self.timings = {"ranges": time.perf_counter() - t}
        prec = hls.Precision.parse(o.precision)
        self.say(Stage.EMIT, f"emitting the HLS project ({prec}) to {self._shown(hls_dir)}")
        t = time.perf_counter()
        hls_dir.mkdir(parents=True, exist_ok=True)
        (hls_dir / "design.mlir").write_text(str(self.module) + "\n")
        self.design = hls.emit_project(self.module, hls_dir, precision=prec, filename=str(hls_dir / "design.mlir"),
                                       part=o.part.part, clock=round(1000.0 / o.clock_mhz, 2))
        self.hls_dir = hls_dir
        self.coupled = coupled
        self.timings["emit"] = time.perf_counter() - t

    def data(self) -> None:
        """The PyTorch float64 reference and the testbench data files."""
        import numpy as np

        from ..emit.model_record import save_record
        from ..emit.testbench import testbench_samples, write_data
        from ..frontend.check import references

        self.say(Stage.DATA, f"PyTorch reference (float64) and testbench data "
                             f"({testbench_samples(self.design)} samples)")
        t = time.perf_counter()
        imp = self.imported
        coords = imp.coords[:testbench_samples(self.design)]  # capped: a huge batch writes no huge files
        ref, f32, _ = references(imp, coords, coupled=self.coupled)
        expected = [r.detach().numpy() for r in ref]
        for r, e in zip(imp.layout.results, expected):
            bad = ~np.isfinite(e)
            if bad.any():
                raise CompileFailed(f"the float64 PyTorch reference of {r.name} has {int(bad.sum())} non-finite "
                                    f"value(s) (first at sample {int(np.argmax(bad.reshape(-1)))}); the model's "
                                    "derivatives are not finite at these coordinates")
        args = [coords.double().numpy(), *[p.detach().double().numpy() for p in imp.params]]
        write_data(self.hls_dir, self.design, args, expected, imp.layout.result_orders(),
                   torch_f32=[t.detach().double().numpy() for t in f32])
        o = self.options  # what `inrarch csim --coords` rebuilds the reference from
        save_record(self.hls_dir, imp, model_spec=o.model, head_spec=getattr(o, "head", None), seed=o.seed)
        self.timings["data"] = time.perf_counter() - t
        self._write_design_json(self.hls_dir)

    def simulate(self):
        """The cycle simulation of the balanced graph (the report's figures)."""
        from ..dataflow import simulate
        from ..dialects.stream_graph import extract

        self.say(Stage.SIMULATE, "simulating the balanced design (cycle level)")
        with self.module.context:
            self.graph = extract(self.func)
            self.sim = simulate(self.graph.graph, trace_points=self.options.trace_points)
        if self.sim.deadlocked:
            raise CompileFailed(f"the balanced design deadlocks in simulation (FIFOs: "
                                f"{', '.join(sorted(self.sim.blocked_fifos))})")
        return self.sim

    def report(self, tmp: Path, out: Path):
        """Figures, resource estimate, graph.dot, occupancy plot, report.json/md."""
        from .figures import write_report

        self.say(Stage.REPORT, "resource estimate, graph and report")
        return write_report(self, tmp, out)

    # -- drivers -----------------------------------------------------------------------
    def build_project(self, hls_dir) -> dict:
        """import .. data: the HLS project and its testbench data under `hls_dir`; returns design.json."""
        self.check_request()
        self.import_()
        for stage in (Stage.LOWER, Stage.PARALLELIZE, Stage.BALANCE, Stage.CHECK):
            self._run_stage(stage)
        self.emit(Path(hls_dir))
        self.data()
        self.timer.stop()
        return json.loads((Path(hls_dir) / "design.json").read_text())

    def run(self, outdir, *, overwrite: bool = False):
        """The whole compile into `outdir` (atomically); returns the `Report`."""
        self.check_request()
        out = Path(outdir)
        if out.exists() and not out.is_dir():
            raise CompileFailed(f"output '{out}' exists and is not a directory")
        if out.is_dir() and any(out.iterdir()) and not overwrite:
            raise CompileFailed(f"output directory '{out}' exists and is not empty (use --force to replace it)")
        try:
            out.absolute().parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(dir=out.absolute().parent, prefix=f".{out.name}.tmp-"))
        except OSError as e:
            raise CompileFailed(f"cannot write the output directory '{out}': {e.strerror or e}") from None
        self._tmp, self._out = tmp, out
        try:
            if self.options.dump_ir is not None:
                try:
                    self.options.dump_ir.mkdir(parents=True, exist_ok=True)
                except OSError as e:
                    raise CompileFailed(f"cannot create --dump-ir directory '{self.options.dump_ir}': "
                                        f"{e.strerror or e}") from None
            report = self._stages_into(tmp, out)
            _commit(tmp, out)
            return report
        except CompileFailed:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        except BaseException as e:
            shutil.rmtree(tmp, ignore_errors=True)
            raise _user_facing(e) from e

    def _stages_into(self, tmp: Path, out: Path):
        self.import_()
        if self.options.stop_after == "import":
            return self._stopped(tmp, out, self.imported.asm)
        for stage in (Stage.LOWER, Stage.PARALLELIZE, Stage.BALANCE, Stage.CHECK):
            if self._run_stage(stage):
                return self._stopped(tmp, out, str(self.module))
        self.emit(tmp / "hls")
        self.data()
        self.simulate()
        return self.report(tmp, out)

    def _stopped(self, tmp: Path, out: Path, text: str):
        """--stop-after: write the IR there and a report.json with `stopped_after`."""

        name = f"{self.options.stop_after}.mlir"
        (tmp / name).write_text(text if text.endswith("\n") else text + "\n")
        report = self.new_report(out)
        self.timer.stop()
        report.stage_seconds = self.timer.rounded()
        report.pass_seconds = {k: round(v, 3) for k, v in self.pass_seconds.items()}
        report.compile_seconds = round(time.perf_counter() - self.started, 3)
        report.files = {f"IR after {self.options.stop_after}": name, "report (JSON)": "report.json"}
        report.notes = {"stopped_after": f"--stop-after {self.options.stop_after}: no emission, no figures"}
        d = report.to_dict()
        d["stopped_after"] = self.options.stop_after
        (tmp / "report.json").write_text(json.dumps(d, indent=1) + "\n")
        return report

    # -- helpers -----------------------------------------------------------------------
    def new_report(self, out: Path):
        from ..report import Report

        o = self.options
        return Report(model=o.model_name, order=o.order, batch=o.batch, precision=o.precision,
                      dsp_budget=o.dsp_budget if o.parallelize else 0, outdir=str(out), clock_mhz=o.clock_mhz,
                      part=o.part.name)

    def _shown(self, path: Path) -> Path:
        """`path` as the user will find it (inside the final outdir, not the temporary one)."""
        tmp, out = getattr(self, "_tmp", None), getattr(self, "_out", None)
        if tmp is not None and Path(path).is_relative_to(tmp):
            return out / Path(path).relative_to(tmp)
        return Path(path)

    def _write_design_json(self, hls_dir: Path) -> None:
        o, imp = self.options, self.imported
        attrs = {k: v for k, v in int_attrs(self.func).items()
                 if k in ("cycles", "cycles_unbounded", "fifo_bits", "fifo_bits_lp", "fifo_words")}
        timings = dict(imp.timings and {"import": imp.timings.get("total", 0.0)} or {})
        timings.update(self.timings)
        result = {
            "model": o.model_name, "order": o.order, "batch": o.batch, "precision": o.precision,
            "outdir": str(self._shown(hls_dir)), "design": self.design.summary(), "stream": attrs,
            "result_names": [r.name for r in imp.layout.results], "warnings": list(self.warnings),
            "timings": timings,
        }
        (hls_dir / "design.json").write_text(json.dumps(result, indent=1) + "\n")


def _commit(tmp: Path, out: Path) -> None:
    """Moves the finished `tmp` to `out` (replacing an existing `out`)."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _one_line(e: BaseException) -> str:
    lines = [ln.strip() for ln in str(e).strip().splitlines() if ln.strip()]
    if not lines:
        return type(e).__name__
    more = f" (+{len(lines) - 1} more line(s))" if len(lines) > 1 else ""
    return lines[0] + more


def _user_facing(e: BaseException) -> BaseException:
    """A failure the user can act on becomes `CompileFailed` (one line); anything else stays itself."""
    from ..diagnostics import CompileError
    from ..frontend.errors import FrontendError
    from ..passes import OptionError

    if isinstance(e, (CompileError, FrontendError, OptionError, OSError, ValueError)):
        return CompileFailed(_one_line(e))
    return e
