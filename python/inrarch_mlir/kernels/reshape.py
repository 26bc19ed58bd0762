"""`stream.reshape`: a free re-interpretation of a channel's shape."""

from __future__ import annotations

from typing import Sequence

from torch_mlir import ir

from ..dialects import stream_types as S
from ..target import Resources
from .base import SCALE_NONE, LanesRule, OpKind, Reject, same_element_type


def reshape(source: ir.Value, shape: Sequence[int], lanes: int | None = None, *, loc=None, ip=None) -> ir.Value:
    """The same words under another shape (same batch and elements per sample,
    or, regrouping rows, the same element count and unpadded lanes)."""
    info = S.channel_info(source.type)
    ty = S.channel_type(list(shape), info.element_type, lanes or info.lanes)
    return S.create("stream.reshape", [ty], [source], loc=loc, ip=ip).result


class ReshapeKind(OpKind):
    """A wire: the producer's words reach the consumer unchanged (no process)."""

    name = "stream.reshape"
    role = "wire"
    operand_kinds, result_kinds = "c", "c"
    build = staticmethod(reshape)

    def verify(self, op) -> None:
        inp = S.channel_info(op.operands[0].type)
        out = S.channel_info(op.results[0].type)
        same_rows = inp.batch == out.batch and inp.elements_per_sample == out.elements_per_sample
        regroup = (inp.batch * inp.elements_per_sample == out.batch * out.elements_per_sample
                   and not inp.padded and not out.padded and inp.lanes == out.lanes)
        if not (same_rows or regroup):
            raise Reject(
                f"cannot reshape {list(inp.shape)} to {list(out.shape)}: batch and elements per sample must match "
                "(or, to regroup rows, the element counts and unpadded lanes)"
            )
        same_element_type(inp.element_type, out.element_type, "output")

    def is_barrier(self, op) -> bool:
        return False

    def timing(self, op, name: str) -> None:
        return None  # a wire

    def evaluate(self, op, ins: list, ev) -> list:
        return [ins[0].reshape(ev.batched(S.channel_info(op.results[0].type).shape))]

    def scale_rule(self, op) -> str:
        return SCALE_NONE

    def lanes(self, op) -> LanesRule:
        return LanesRule(tie=True)  # the C++ kernels stream whole samples flat: free only at equal lanes

    def resources(self, op, family: str, bits: int) -> Resources:
        return Resources()

    def memory(self, op, bits: int) -> dict:
        return {}  # nothing: a wire

    def emit(self, op, ctx) -> None:
        return None
