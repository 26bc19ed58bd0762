"""`stream.fork`: one channel to N (HLS streams are single-consumer)."""

from __future__ import annotations

from torch_mlir import ir

from ..dataflow import Kernel
from ..dialects import stream_types as S
from ..target import Resources, kernel_overhead
from .base import SCALE_THROUGH, CppCall, LanesRule, OpKind, Reject, in_info, out_info


def fork(channel: ir.Value, n: int, *, loc=None, ip=None) -> list[ir.Value]:
    """Duplicates `channel` into `n` channels."""
    return list(S.create("stream.fork", [channel.type] * n, [channel], loc=loc, ip=ip).results)


class ForkKind(OpKind):
    """Per word: read one word, write it to out0, out1, ... (C++ `inrarch::fork`)."""

    name = "stream.fork"
    role = "kernel"
    operand_kinds, result_kinds = "c", "c*"
    build = staticmethod(fork)

    def verify(self, op) -> None:
        if len(op.results) < 1:
            raise Reject("needs at least one output")
        for i, r in enumerate(op.results):
            if r.type != op.operands[0].type:
                raise Reject(f"output #{i} type {r.type} does not match input type {op.operands[0].type}")

    def is_barrier(self, op) -> bool:
        return False

    def timing(self, op, name: str) -> Kernel:
        out = out_info(op)
        return Kernel.fork(name, out.words_per_sample, len(op.results), samples=out.batch)

    def evaluate(self, op, ins: list, ev) -> list:
        return [ins[0]] * len(op.results)

    def scale_rule(self, op) -> str:
        return SCALE_THROUGH

    def lanes(self, op) -> LanesRule:
        return LanesRule(tie=True)

    def resources(self, op, family: str, bits: int) -> Resources:
        return kernel_overhead("fork")

    def memory(self, op, bits: int) -> dict:
        return {}  # nothing: it copies each word through

    def emit(self, op, ctx) -> CppCall:
        info = in_info(op)
        return CppCall("inrarch::fork", {"B": info.batch, "ROW": info.elements_per_sample, "LANES": info.lanes},
                       ctx.ins + ctx.outs)
