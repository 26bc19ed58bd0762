"""Coefficient rows of a channel: the unit a fixed-point scale is measured and chosen for.

A Taylor-mode channel streams, per sample, R rows of coefficients (primal
first, then the partials): a jet kernel's [B, R, N], or the [B*R, N] a
matmul streams them as. High-order partials can dwarf the primal, so the
range analysis measures each row apart and the fixed-point emitter gives
each its own scale (`emit.hls.scales`).

Rows are chunks of a sample's flat stream: a channel of per-sample shape
(R, ...) (`sample_shape`, the interpreter's convention: `Evaluation.batched`)
has R rows of equal length. A wire (`stream.reshape`, `stream.fifo`) keeps
the flat stream, so a kernel's result is measured at the finest row count
any view of it along its wires has (`result_rows`): a concatenation of 84
rows into [B, 672], reshaped to [B, 84, 8], has 84.
"""

from __future__ import annotations

import math

from ..dialects import stream_types as S

#: Ops that re-interpret a channel without a process (the flat stream is unchanged).
WIRES = frozenset({"stream.fifo", "stream.reshape", "builtin.unrealized_conversion_cast"})


def sample_shape(shape, batch: int) -> tuple:
    """The shape of one sample of a channel of `shape` in a design of `batch`
    samples: a channel of k*batch rows holds k of them per sample
    (`Evaluation.batched` with one row)."""
    shape = tuple(int(d) for d in shape)
    per = shape[0] // batch if batch > 0 and shape and shape[0] % batch == 0 else 1
    return (per,) + shape[1:] if per > 1 else shape[1:]


def type_rows(shape, batch: int) -> int:
    """Rows per sample a channel of `shape` shows: its per-sample leading dim
    when a sample has two or more dims, else 1."""
    s = sample_shape(shape, batch)
    return s[0] if len(s) >= 2 and s[0] > 0 else 1


def result_rows(value, batch: int) -> int:
    """Rows per sample of a kernel result: the least common multiple of the
    rows of its type and of every view of it along its wires (each divides the
    sample's length, so their lcm does too)."""
    rows, stack = 1, [value]
    while stack:
        v = stack.pop()
        if S.is_channel(v.type):
            rows = math.lcm(rows, type_rows(S.channel_info(v.type).shape, batch))
        for use in v.uses:
            owner = use.owner.operation if hasattr(use.owner, "operation") else use.owner
            if owner.name in WIRES:
                stack.extend(owner.results)
    return rows
