"""`stream.fifo`: a bounded FIFO between two kernels, the only op with a depth."""

from __future__ import annotations

from torch_mlir import ir

from ..dialects import stream_types as S
from ..target import Resources
from .base import SCALE_NONE, LanesRule, OpKind, Reject, out_info


def fifo(channel: ir.Value, depth: int = 2, *, loc=None, ip=None) -> ir.Value:
    """A bounded FIFO of `depth` words between a producer and a consumer."""
    return S.create("stream.fifo", [channel.type], [channel], {"depth": S.i64_attr(depth)}, loc=loc, ip=ip).result


class FifoKind(OpKind):
    """A wire: an `hls::stream` with `#pragma HLS STREAM depth=` (declared, not a process)."""

    name = "stream.fifo"
    role = "wire"
    operand_kinds, result_kinds = "c", "c"
    build = staticmethod(fifo)

    def verify(self, op) -> None:
        depth = ir.IntegerAttr(op.attributes["depth"]).value
        if depth < 1:
            raise Reject(f"depth must be >= 1, got {depth}")
        if op.operands[0].type != op.results[0].type:
            raise Reject(f"input type {op.operands[0].type} does not match output type {op.results[0].type}")

    def is_barrier(self, op) -> bool:
        return False

    def timing(self, op, name: str) -> None:
        return None  # the dataflow edge carries the depth (dataflow.Edge.depth)

    def evaluate(self, op, ins: list, ev) -> list:
        return [ins[0].reshape(ev.batched(out_info(op).shape))]

    def scale_rule(self, op) -> str:
        return SCALE_NONE  # a wire: the channel keeps its producer's scale

    def lanes(self, op) -> LanesRule:
        return LanesRule(tie=True)

    def resources(self, op, family: str, bits: int) -> Resources:
        return Resources()  # charged per dataflow edge (target.fifo_resources), fifo op or not

    def memory(self, op, bits: int) -> dict:
        return {}  # its words are charged per dataflow edge (MEMORY_KINDS 'fifos')

    def emit(self, op, ctx) -> None:
        return None  # declared by the project writer from the dataflow edges (INRARCH_FIFO)
