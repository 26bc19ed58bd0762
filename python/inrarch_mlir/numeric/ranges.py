"""The fixed-point range analysis: `stream.max_abs` on every kernel and weight buffer.

`measure` evaluates the design (NumPy float64) on the testbench batch plus
extra coordinates sampled uniformly in [-1, 1]; `annotate` stores the
largest magnitude of each result as `stream.max_abs`, from which the
fixed-point emitter picks per-channel power-of-two scales.
"""

from __future__ import annotations

import numpy as np
from torch_mlir import ir

from .interpreter import evaluate

#: Attribute holding the measured max |value| of each result of a kernel op
#: (an array of f64, one per result) or of a weights buffer.
MAX_ABS_ATTR = "stream.max_abs"


def measure(func_op, sample: np.ndarray, params, *, coupled: bool, batch: int) -> dict:
    """op -> [max |value| per result] over `sample` (coordinates) with `params`.

    A batch-coupled design (barrier kernels) runs on whole batches only, so
    `sample` is evaluated `batch` rows at a time and the maxima combined."""
    if not coupled:
        return evaluate(func_op, [sample, *params])[1]
    ranges: dict = {}
    for lo in range(0, len(sample), batch):
        _, part = evaluate(func_op, [sample[lo:lo + batch], *params])
        for op, vals in part.items():
            ranges[op] = [max(a, b) for a, b in zip(ranges.get(op, vals), vals)]
    return ranges


def annotate(func_op, ranges: dict, margin: float = 1.0) -> None:
    """Stores `ranges` (from `measure` or `interpreter.evaluate`) as `stream.max_abs` attributes."""
    with func_op.context, ir.Location.unknown():
        f64 = ir.F64Type.get()
        for op, vals in ranges.items():
            op.attributes[MAX_ABS_ATTR] = ir.ArrayAttr.get([ir.FloatAttr.get(f64, v * margin) for v in vals])


def read(op) -> list[float] | None:
    """The `stream.max_abs` values of an op, or None when it has none."""
    if MAX_ABS_ATTR not in op.attributes:
        return None
    return [ir.FloatAttr(a).value for a in ir.ArrayAttr(op.attributes[MAX_ABS_ATTR])]
