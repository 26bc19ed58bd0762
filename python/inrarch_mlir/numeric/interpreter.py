"""A NumPy float64 interpreter of stream functions (each op by its kind's `evaluate`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from torch_mlir import ir

from ..dialects import stream_types as S
from ..dialects.walk import body_ops
from ..kernels import KINDS
from ..kernels.base import SCALE_NONE
from ..kernels.weights import dense_value
from .rows import result_rows


def combines_samples(func_op) -> bool:
    """Whether a stream function has barrier kernels (its samples interact)."""
    return any(KINDS[op.name].is_barrier(op) for op in body_ops(func_op) if op.name in KINDS)


def design_batch(func_op) -> int:
    """The batch the design was built for: the rows of its coordinate stream."""
    return next(S.channel_info(op.results[0].type).batch for op in body_ops(func_op) if op.name == "stream.load")


@dataclass
class Evaluation:
    """What an op's `evaluate` may ask about the run.

    - rows: coordinates evaluated at once.
    - coupled: the design combines samples, so shapes are the design's own.
    """

    rows: int
    coupled: bool
    block: object
    env: dict
    design_rows: int = 0  # the batch the design was built for (its coordinate stream's rows)

    def batched(self, shape) -> tuple:
        """`shape` with its batch dim set to the evaluated rows; a channel whose
        rows regroup the samples (k rows per sample, e.g. the coefficient rows
        of a jet) keeps k rows per evaluated sample."""
        if self.coupled:
            return tuple(shape)
        per = shape[0] // self.design_rows if self.design_rows and shape[0] % self.design_rows == 0 else 1
        return (self.rows * per,) + tuple(shape[1:])

    def argument(self, i: int) -> np.ndarray:
        """The value of function argument `i`."""
        return self.env[self.block.arguments[i]]


def row_maxima(value: np.ndarray, rows: int, samples: int) -> list[float]:
    """max |value| over each of `rows` equal chunks of a sample's flat stream,
    over the `samples` samples `value` holds (the chunks of `numeric.rows`)."""
    a = np.abs(np.asarray(value, dtype=np.float64)).reshape(samples, rows, -1)
    return [float(m) for m in a.max(axis=(0, 2))] if a.size else [0.0] * rows


def evaluate(func_op, args: Sequence[np.ndarray], *, rows: bool = False) -> tuple[list[np.ndarray], dict]:
    """Runs a stream function on `args` (coordinates first).

    Any batch size works when samples are independent; a design with
    barrier kernels (samples interact) takes exactly its own batch.
    Returns (results in return order, ranges) where ranges maps each kernel
    op to a list of max |value| per result, and each weights op to [max |w|].
    With `rows`, a channel result with R > 1 coefficient rows per sample
    (`numeric.rows.result_rows`; samples independent) has instead the list of
    its R row maxima (`row_maxima`)."""
    block = func_op.regions[0].blocks[0]
    env: dict = {}
    for a, x in zip(block.arguments, args):
        env[a] = np.asarray(x, dtype=np.float64)
    n = int(np.asarray(args[0]).shape[0])
    coupled = combines_samples(func_op)
    if coupled and n != design_batch(func_op):
        raise ValueError(f"the design combines samples (barrier kernels), so it evaluates exactly "
                         f"{design_batch(func_op)} coordinates at a time, got {n}")
    ev = Evaluation(n, coupled, block, env, design_batch(func_op))
    ranges: dict = {}
    results = None
    ops = list(body_ops(func_op))
    # Drop each op's value after its last reader (arguments stay: kinds may ask
    # `ev.argument`): a design of order 4 at 4,096 coordinates holds ~150 MB per
    # coefficient-row channel, and every one alive at once is tens of GB.
    last_read = {v: i for i, op in enumerate(ops) for v in op.operands}
    arguments = set(block.arguments)
    for i, op in enumerate(ops):
        name = op.name
        ins = [env.get(v) for v in op.operands]
        for v in op.operands:
            if last_read[v] == i and v not in arguments:
                env.pop(v, None)
        if name == "builtin.unrealized_conversion_cast":
            if ins[0] is not None:
                env[op.results[0]] = ins[0]
            continue
        if name == "arith.constant" and S.isa(op.results[0].type, ir.RankedTensorType):
            env[op.results[0]] = dense_value(op.attributes["value"], op.results[0].type)
            continue
        if name == "func.return":
            results = ins
            continue
        if not name.startswith("stream."):
            continue  # dead torch ops (weight-only expressions) are not needed
        kind = KINDS.get(name)
        if kind is None:
            raise ValueError(f"the interpreter does not know '{name}'")
        out = kind.evaluate(op, ins, ev)
        for r, v in zip(op.results, out):
            env[r] = v
        if kind.scale_rule(op) != SCALE_NONE:
            ranges[op] = [_range(res, v, n, ev) if rows else _max_abs(v) for res, v in zip(op.results, out)]
    if results is None:
        raise ValueError("function has no return")
    return [np.asarray(r) for r in results], ranges


def _range(result, value, n: int, ev: Evaluation):
    """max |value| of one result: a float, or its row maxima (a list) when it has rows."""
    v = np.asarray(value)
    m = 1
    if not ev.coupled and S.is_channel(result.type) and n > 0 and v.size % n == 0:
        m = result_rows(result, ev.design_rows)
        if (v.size // n) % m:
            m = 1
    return _max_abs(v) if m == 1 else row_maxima(v, m, n)


def _max_abs(value) -> float:
    return float(np.max(np.abs(value))) if np.size(value) else 0.0
