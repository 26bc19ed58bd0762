"""Small IR traversal helpers shared by the passes."""

from __future__ import annotations

from typing import Iterator

from torch_mlir import ir


def funcs(module: ir.Module) -> Iterator:
    """The func.func ops at the top level of `module`."""
    for op in module.body.operations:
        if op.operation.name == "func.func":
            yield op.operation


def body_ops(func_op) -> list:
    """Ops of the (single) body block of a function, in order."""
    return [op.operation for op in func_op.regions[0].blocks[0].operations]


def forked_stream_funcs(module: ir.Module, *, needs: str = "stream.") -> Iterator:
    """Functions with an op whose name starts with `needs`, checked to have
    their forks materialized (graph passes need one consumer per channel)."""
    from ..dialects import stream as S
    from .base import PassError

    for f in funcs(module):
        if not any(op.name.startswith(needs) for op in body_ops(f)):
            continue
        if S.IMPLICIT_FORKS_ATTR in f.attributes:
            raise PassError(f, "function still has implicit forks; run stream-insert-forks first")
        yield f


def stream_ops(func_op) -> Iterator:
    """Top-level stream.* ops of a function (map regions not entered)."""
    for op in body_ops(func_op):
        if op.name.startswith("stream.") and op.name != "stream.yield":
            yield op
