"""stream-insert-forks: one `stream.fork` per channel with several consumers."""

from __future__ import annotations

import dataclasses

from torch_mlir import ir

from ..dialects import stream as S
from .base import ModulePass
from .walk import body_ops, funcs, stream_ops


def _use_order(func_op):
    """Sort key: uses in program order, so fork outputs are numbered stably."""
    position = {op: i for i, op in enumerate(body_ops(func_op))}

    def key(use):
        owner = use.owner
        while owner is not None and owner not in position:
            owner = owner.parent
        return (position.get(owner, -1), use.operand_number)

    return key


def insert_forks(func_op) -> int:
    """Forks every multi-consumer channel in `func_op`; returns forks added."""
    added = 0
    for op in list(stream_ops(func_op)):
        for res in op.results:
            uses = sorted(res.uses, key=_use_order(func_op))
            if len(uses) < 2 or not S.is_channel(res.type):
                continue
            outs = S.fork(res, len(uses), loc=op.location, ip=ir.InsertionPoint.after(op))
            for use, out in zip(uses, outs):
                use.owner.operands[use.operand_number] = out
            added += 1
    return added


@dataclasses.dataclass(frozen=True)
class StreamInsertForksPass(ModulePass):
    """Insert stream.fork where a channel has more than one consumer.

    HLS streams are single-producer single-consumer. Channels with one
    consumer are left alone; afterwards the function loses its
    `stream.implicit_forks` marker, so the verifier enforces one consumer.
    """

    name = "stream-insert-forks"

    def apply(self, module: ir.Module) -> None:
        for f in funcs(module):
            insert_forks(f)
            if S.IMPLICIT_FORKS_ATTR in f.attributes:
                del f.attributes[S.IMPLICIT_FORKS_ATTR]
