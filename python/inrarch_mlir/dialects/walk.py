"""Small IR traversal helpers for stream functions."""

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


def stream_ops(func_op) -> Iterator:
    """Top-level stream.* ops of a function (map regions not entered)."""
    for op in body_ops(func_op):
        if op.name.startswith("stream.") and op.name != "stream.yield":
            yield op


def int_attrs(func_op, prefix: str = "stream.") -> dict:
    """The function's integer attributes under `prefix` (figures passes recorded), without the prefix."""
    out = {}
    for named in func_op.attributes:
        key = named if isinstance(named, str) else named.name
        attr = func_op.attributes[key]
        if key.startswith(prefix) and isinstance(attr.maybe_downcast(), ir.IntegerAttr):
            out[key[len(prefix):]] = ir.IntegerAttr(attr).value
    return out
