"""`stream.yield`: the terminator of a `stream.map` or `stream.jet` region."""

from __future__ import annotations

from typing import Sequence

from torch_mlir import ir

from ..dialects import stream_types as S
from ..target import Resources
from .base import SCALE_NONE, LanesRule, OpKind, Reject


def yield_(values: Sequence[ir.Value], *, loc=None, ip=None) -> None:
    """Ends a map region with the scalar it computes."""
    S.create("stream.yield", [], list(values), loc=loc, ip=ip)


class YieldKind(OpKind):
    """A terminator: part of its map's body, no process, no timing of its own."""

    name = "stream.yield"
    role = "terminator"
    operand_kinds, result_kinds = "", ""
    build = staticmethod(yield_)

    def verify(self, op) -> None:
        parent = op.operation.parent
        if parent is None or parent.name not in ("stream.map", "stream.jet"):
            raise Reject("must be inside a stream.map or stream.jet region")

    def is_barrier(self, op) -> bool:
        return False

    def timing(self, op, name: str) -> None:
        return None  # counted in its map's body latency

    def evaluate(self, op, ins: list, ev) -> list:
        return []  # evaluated with its map's body (numeric.scalar)

    def scale_rule(self, op) -> str:
        return SCALE_NONE

    def lanes(self, op) -> LanesRule:
        return LanesRule()

    def resources(self, op, family: str, bits: int) -> Resources:
        return Resources()

    def memory(self, op, bits: int) -> dict:
        return {}  # nothing: part of its map

    def emit(self, op, ctx) -> None:
        return None  # printed as its map functor's `return`
