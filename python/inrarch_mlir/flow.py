"""The whole flow as one function: model -> balanced dataflow -> HLS project.

`build_design(spec_or_module, order, batch, precision=..., outdir=...)`
imports the model's derivatives, runs the stream pipeline, measures value
ranges (for fixed-point scales), emits the HLS project and writes the
testbench data (coordinates, parameters, PyTorch float64 reference).
`inrarch compile` builds on it.
"""

from __future__ import annotations

import dataclasses

import json
import time
from pathlib import Path
from typing import Callable, Optional

#: The stream pipeline run between import and emission (the project-wide one).
from .pipeline import STREAM_PIPELINE  # noqa: E402  (light module, no torch import)

#: Name given to the imported torch-dialect IR in diagnostics: its lines are
#: those of `inrarch import` output and of `--dump-ir`'s 00-import.mlir.
IMPORT_FILENAME = "import.mlir"

#: Extra coordinates (uniform in [-1, 1]) the range analysis samples besides
#: the testbench batch.
RANGE_SAMPLES = 1024


def _func(module):
    for op in module.body.operations:
        if op.operation.name == "func.func":
            return op.operation
    raise ValueError("module has no func.func")


def build_design(spec_or_module, order: int, batch: int, *, precision: str = "float", outdir,
                 progress: Optional[Callable[[str], None]] = None, seed: int = 0,
                 in_features: Optional[int] = None, pipeline: str = STREAM_PIPELINE,
                 range_samples: int = RANGE_SAMPLES,
                 after_pass: Optional[Callable] = None, limits=None) -> dict:
    """Builds the HLS project for `spec_or_module` under `outdir`.

    - spec_or_module: a model spec (`siren:in=2,...`, `path.py:factory`) or an nn.Module.
    - precision: 'float' or 'fixed<W,I>'.
    - progress: called with a short message before each step.
    - after_pass: passed to `Pipeline.run` (called with (pass text, module)
      after each stream pass; `inrarch compile` times and dumps with it).
    - limits: `frontend.Limits` (order, batch, estimated kernels); default `Limits()`.
    Returns a dict with the design summary, stream attributes (cycles, FIFO
    words and bits), the measured value ranges, paths and timings. Writes
    `outdir/design.mlir` (the emitted, range-annotated stream IR) and
    `outdir/design.json` (the returned dict).
    """
    import numpy as np
    import torch

    from .context import make_context
    from .diagnostics import parse_module
    from .emit import data, hls
    from .frontend import derivative_function, example_coords, import_model, reference_partials
    from .pipeline import Pipeline
    from torch_mlir import ir

    say = progress or (lambda msg: None)
    prec = hls.Precision.parse(precision)
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    timings = {}
    t0 = time.perf_counter()

    say(f"importing {spec_or_module if isinstance(spec_or_module, str) else type(spec_or_module).__name__} "
        f"(order {order}, batch {batch})")
    imported = import_model(spec_or_module, order, batch, seed=seed, in_features=in_features, progress=say,
                            limits=limits)
    timings["import"] = time.perf_counter() - t0

    say("stream pipeline: " + pipeline)
    t = time.perf_counter()
    module = parse_module(imported.asm, make_context())
    stream_pipeline = Pipeline.parse(pipeline)
    stream_pipeline.run(module, after_pass=after_pass)
    # Errors keep the in-memory name `-` (the CLI drops it); warnings point
    # at the op, in the lines of the imported IR.
    warnings = [dataclasses.replace(w, file=IMPORT_FILENAME if w.file == "-" else w.file).format()
                for w in stream_pipeline.warnings]
    for w in warnings:
        say(w)
    func = _func(module)
    timings["passes"] = time.perf_counter() - t

    coupled = data.combines_samples(func)
    if coupled:  # a batch-coupled design only runs on whole batches
        range_samples = -(-range_samples // batch) * batch
    say(f"range analysis over {batch + range_samples} coordinates")
    t = time.perf_counter()
    params = [p.detach().double().numpy() for p in imported.params]
    coords = imported.coords.double().numpy()
    extra = example_coords(range_samples, imported.model.in_features, seed + 7).double().numpy()
    sample = np.concatenate([coords, extra], axis=0) if range_samples else coords
    with module.context, ir.Location.unknown():
        if coupled:
            ranges: dict = {}
            for lo in range(0, len(sample), batch):
                _, part = data.evaluate(func, [sample[lo:lo + batch], *params])
                for op, vals in part.items():
                    ranges[op] = [max(a, b) for a, b in zip(ranges.get(op, vals), vals)]
        else:
            _, ranges = data.evaluate(func, [sample, *params])
        data.annotate_ranges(func, ranges)
    timings["ranges"] = time.perf_counter() - t

    say(f"emitting the HLS project ({prec}) to {out}")
    t = time.perf_counter()
    (out / "design.mlir").write_text(str(module) + "\n")
    design = hls.emit_project(module, out, precision=prec, filename=str(out / "design.mlir"))
    timings["emit"] = time.perf_counter() - t

    say("PyTorch reference (float64) and testbench data")
    t = time.perf_counter()
    m64 = _double_copy(imported.model.module)
    p64 = [p.detach().double() for _, p in m64.named_parameters()]
    if coupled:  # samples interact: the reference is the traced function itself, on the batch
        ref = derivative_function(m64, imported.layout)(imported.coords.double(), *p64)
    else:
        ref = reference_partials(m64, imported.layout, imported.coords.double(), p64)
    expected = [r.detach().numpy() for r in ref]
    args = [coords, *params]
    data.write_data(out, design, args, expected, [r.order for r in imported.layout.results])
    timings["data"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0

    attrs = {}
    for key in ("stream.cycles", "stream.cycles_unbounded", "stream.fifo_bits", "stream.fifo_bits_lp",
                "stream.fifo_words"):
        if key in func.attributes:
            attrs[key.split(".", 1)[1]] = int(str(func.attributes[key]).split(":")[0].strip())
    result = {
        "model": spec_or_module if isinstance(spec_or_module, str) else type(spec_or_module).__name__,
        "order": order, "batch": batch, "precision": str(prec), "outdir": str(out),
        "design": design.summary(), "stream": attrs,
        "result_names": [r.name for r in imported.layout.results],
        "warnings": warnings,
        "timings": timings,
    }
    (out / "design.json").write_text(json.dumps(result, indent=1) + "\n")
    return result


def _double_copy(module):
    import copy

    return copy.deepcopy(module).double()
