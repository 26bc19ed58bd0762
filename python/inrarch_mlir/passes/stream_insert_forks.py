"""stream-insert-forks: one `stream.fork` per channel with several consumers."""

from __future__ import annotations

import dataclasses

from torch_mlir import ir

from ..dialects import stream as S
from ..dialects.walk import body_ops, funcs, stream_ops
from .base import ModulePass


def _use_order(func_op):
    """Sort key: uses in program order, so fork outputs are numbered stably."""
    position = {op: i for i, op in enumerate(body_ops(func_op))}

    def key(use):
        owner = use.owner
        while owner is not None and owner not in position:
            owner = owner.parent
        return (position.get(owner, -1), use.operand_number)

    return key


def _terminal_uses(value, forks: list) -> list:
    """Uses of `value` by non-fork ops, looking through forks (collected)."""
    out = []
    for use in value.uses:
        owner = use.owner.operation
        if owner.name == "stream.fork":
            forks.append(owner)
            for r in owner.results:
                out.extend(_terminal_uses(r, forks))
        else:
            out.append(use)
    return out


def insert_forks(func_op) -> int:
    """Gives every channel exactly one fork (or none) feeding all its consumers.

    Fork trees (a fork of a fork, forks left with unused or single outputs,
    e.g. after stream-cse) collapse into one fork per producer; returns the
    number of channels whose forks changed.
    """
    changed = 0
    order = _use_order(func_op)
    # Collected before any fork is erased: touching an erased op crashes.
    producers = [op for op in stream_ops(func_op) if op.name != "stream.fork"]
    for op in producers:
        for res in op.results:
            if not S.is_channel(res.type):
                continue
            forks: list = []
            uses = sorted(_terminal_uses(res, forks), key=order)
            if len(forks) == 1 and len(forks[0].results) == len(uses) and all(
                len(list(r.uses)) == 1 for r in forks[0].results
            ):
                continue  # already canonical
            if not forks and len(uses) < 2:
                continue
            targets = [(u.owner.operation, u.operand_number) for u in uses]
            if len(targets) >= 2:
                outs = S.fork(res, len(targets), loc=op.location, ip=ir.InsertionPoint.after(op))
            else:
                outs = [res]
            for (owner, number), out in zip(targets, outs):
                owner.operands[number] = out
            for f in reversed(forks):  # children were collected after parents
                f.erase()
            changed += 1
    return changed


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
