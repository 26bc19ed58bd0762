"""stream-fuse-elementwise: chains of `stream.map` become one map kernel."""

from __future__ import annotations

import dataclasses

from torch_mlir import ir

from ..dialects import stream as S
from ..dialects.walk import funcs, stream_ops
from .base import ModulePass, option


def _move_body(src_block, dst_block, arg_values, stop_at_yield: bool):
    """Moves `src_block`'s ops to the end of `dst_block`.

    Block arguments are replaced by `arg_values`. With `stop_at_yield` the
    yield is left behind and its operand returned.
    """
    for arg, new in zip(src_block.arguments, arg_values):
        arg.replace_all_uses_with(new)
    ops = [op.operation for op in src_block.operations]
    yielded = None
    for op in ops:
        if op.name == "stream.yield" and stop_at_yield:
            yielded = op.operands[0]
            continue
        op.detach_from_parent()
        ir.InsertionPoint(dst_block).insert(op)
    return yielded


def fuse_pair(producer, consumer, index: int):
    """Replaces consumer(map) reading producer(map) at operand `index`."""
    c_inputs = list(consumer.operands)
    inputs = c_inputs[:index] + list(producer.operands) + c_inputs[index + 1 :]
    out_elt = S.channel_info(consumer.results[0].type).element_type
    fused, block = S.map_(inputs, out_elt, loc=consumer.location, ip=ir.InsertionPoint(consumer))
    args = list(block.arguments)
    n_p = len(producer.operands)
    p_args = args[index : index + n_p]
    value = _move_body(S.map_body(producer), block, p_args, stop_at_yield=True)
    c_args = args[:index] + [value] + args[index + n_p :]
    _move_body(S.map_body(consumer), block, c_args, stop_at_yield=False)
    consumer.results[0].replace_all_uses_with(fused)
    consumer.erase()
    producer.erase()
    return fused.owner


def _fusable(consumer):
    """(producer, operand index) of the first map input produced by a map
    with this consumer as its only user, else None."""
    for i, v in enumerate(consumer.operands):
        owner = v.owner
        if isinstance(owner, ir.Block) or owner.name != "stream.map":
            continue
        if sum(1 for _ in v.uses) == 1:
            return owner.operation, i
    return None


def fuse_function(func_op, max_inputs: int) -> int:
    fused = 0
    changed = True
    while changed:
        changed = False
        for op in list(stream_ops(func_op)):
            if op.name != "stream.map":
                continue
            hit = _fusable(op)
            if hit is None:
                continue
            producer, index = hit
            if len(op.operands) - 1 + len(producer.operands) > max_inputs:
                continue
            fuse_pair(producer, op, index)
            fused += 1
            changed = True
            break
    return fused


@dataclasses.dataclass(frozen=True)
class StreamFuseElementwisePass(ModulePass):
    """Fuse chains of stream.map kernels into one map with a larger region.

    A map whose result feeds exactly one other map (no fork in between) is
    inlined into it: the fused kernel reads the producer's inputs directly,
    saving a FIFO and a process. Maps with fan-out are left alone, since
    fusing them would recompute the producer. `max-inputs` bounds the
    channels one fused kernel reads.
    """

    name = "stream-fuse-elementwise"
    max_inputs: int = option(8, "most channels one fused map may read")

    def __post_init__(self):
        if self.max_inputs < 1:
            raise ValueError(f"max-inputs must be >= 1, got {self.max_inputs}")

    def apply(self, module: ir.Module) -> None:
        for f in funcs(module):
            fuse_function(f, self.max_inputs)
