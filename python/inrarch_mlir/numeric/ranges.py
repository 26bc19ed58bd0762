"""The fixed-point range analysis: `stream.max_abs` on every kernel and weight buffer.

`measure` evaluates the design (NumPy float64) on the testbench batch plus
extra coordinates sampled uniformly in [-1, 1]; `annotate` stores the
largest magnitude of each result as `stream.max_abs`, from which the
fixed-point emitter picks power-of-two scales (`emit.hls.scales`): one per
coefficient row of a Taylor-mode channel, whose high-order partials can be
1e4 x its primal (`numeric.rows`).
"""

from __future__ import annotations

import numpy as np
from torch_mlir import ir

from ..dialects import stream_types as S
from .interpreter import evaluate

#: Attribute holding the measured max |value| of each result of a kernel op
#: or of a weights buffer: an array with one entry per result, a float (the
#: max over the whole result) or, for a channel with R > 1 coefficient rows
#: per sample (`numeric.rows.result_rows`), an array of R floats (the max of
#: each of the R equal chunks of a sample's flat stream, over every sample).
#: Annotations of one float per result (written before rows were measured)
#: read as that bound on every row.
MAX_ABS_ATTR = "stream.max_abs"


def measure(func_op, sample: np.ndarray, params, *, coupled: bool, batch: int) -> dict:
    """op -> [max |value| per result: a float, or a list of row maxima] over
    `sample` (coordinates) with `params`.

    A batch-coupled design (barrier kernels) runs on whole batches only, so
    `sample` is evaluated `batch` rows at a time and the maxima combined."""
    if not coupled:
        return evaluate(func_op, [sample, *params], rows=True)[1]
    ranges: dict = {}
    for lo in range(0, len(sample), batch):
        _, part = evaluate(func_op, [sample[lo:lo + batch], *params], rows=True)
        for op, vals in part.items():
            ranges[op] = [_combine(a, b) for a, b in zip(ranges.get(op, vals), vals)]
    return ranges


def _combine(a, b):
    if isinstance(a, list) or isinstance(b, list):
        return [float(x) for x in np.maximum(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))]
    return max(a, b)


def annotate(func_op, ranges: dict, margin: float = 1.0) -> None:
    """Stores `ranges` (from `measure` or `interpreter.evaluate`) as `stream.max_abs` attributes."""
    with func_op.context, ir.Location.unknown():
        f64 = ir.F64Type.get()

        def attr(v):
            if isinstance(v, (list, tuple, np.ndarray)):
                return ir.ArrayAttr.get([ir.FloatAttr.get(f64, float(x) * margin) for x in v])
            return ir.FloatAttr.get(f64, float(v) * margin)

        for op, vals in ranges.items():
            op.attributes[MAX_ABS_ATTR] = ir.ArrayAttr.get([attr(v) for v in vals])


def read_rows(op) -> list[list[float]] | None:
    """The `stream.max_abs` of each result of an op as its row maxima (one
    value when the result has no rows), or None when it has no annotation."""
    if MAX_ABS_ATTR not in op.attributes:
        return None
    out = []
    for a in ir.ArrayAttr(op.attributes[MAX_ABS_ATTR]):
        if S.isa(a, ir.ArrayAttr):
            out.append([ir.FloatAttr(x).value for x in ir.ArrayAttr(a)])
        else:
            out.append([ir.FloatAttr(a).value])
    return out


def read(op) -> list[float] | None:
    """The `stream.max_abs` of each result of an op (the max over its rows), or None when it has none."""
    rows = read_rows(op)
    return None if rows is None else [max(r) if r else 0.0 for r in rows]
