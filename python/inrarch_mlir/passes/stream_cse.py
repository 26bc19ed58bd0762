"""stream-cse: merge kernels that compute the same stream from the same sources.

Upstream `cse` cannot see these duplicates: after fork insertion two equal
kernels read *different* fork outputs of one channel, and their weights come
from different `stream.weights` ops (buffers are single-consumer). Here an
operand is identified by its source (the channel before any fork; for a
buffer, the weight tensor and view it loads), and map bodies by structure.
"""

from __future__ import annotations

import dataclasses

from torch_mlir import ir

from ..dialects import stream as S
from ..dialects.walk import funcs, stream_ops
from .base import ModulePass
from .stream_insert_forks import insert_forks

#: Never merged: memory boundaries (two stores are two results), FIFOs
#: (placed by stream-balance), forks (rebuilt afterwards), weights (a buffer
#: per reader; merged through their readers).
_SKIP = ("stream.store", "stream.fifo", "stream.fork", "stream.weights")
_IGNORED_ATTRS = ("stream.timing",)


def _source(value):
    """What a channel or buffer operand carries, independent of forks."""
    owner = value.owner
    if isinstance(owner, ir.Block):
        return ("arg", value)
    owner = owner.operation
    if owner.name == "stream.fork":
        return _source(owner.operands[0])
    if owner.name == "stream.weights":
        off, strides = S.weights_view(owner)
        return ("weights", owner.operands[0], str(owner.results[0].type), off, tuple(strides))
    return ("value", value)


def _body_signature(op) -> tuple:
    """Structure of a map body: ops, attributes and operand wiring."""
    block = S.map_body(op)
    index = {arg: ("arg", i) for i, arg in enumerate(block.arguments)}
    sig = []
    for n, inner in enumerate(block.operations):
        inner = inner.operation
        operands = tuple(index.get(v, ("outer", str(v.type))) for v in inner.operands)
        attrs = tuple(sorted((k, str(v)) for k, v in inner.attributes.items()))
        sig.append((inner.name, attrs, operands, tuple(str(r.type) for r in inner.results)))
        for i, r in enumerate(inner.results):
            index[r] = ("op", n, i)
    return tuple(sig)


def _key(op) -> tuple:
    attrs = sorted((k, str(v)) for k, v in op.attributes.items() if k not in _IGNORED_ATTRS)
    body = _body_signature(op) if op.name in ("stream.map", "stream.jet") else ()
    return (
        op.name,
        tuple(attrs),
        tuple(_source(v) for v in op.operands),
        tuple(str(r.type) for r in op.results),
        body,
    )


def cse_function(func_op) -> int:
    """Merges duplicate kernels until none is left; returns merges made."""
    merged = 0
    changed = True
    while changed:
        changed = False
        seen: dict = {}
        for op in list(stream_ops(func_op)):
            if op.name in _SKIP:
                continue
            key = _key(op)
            keep = seen.get(key)
            if keep is None:
                seen[key] = op
                continue
            for old, new in zip(op.results, keep.results):
                old.replace_all_uses_with(new)
            operands = list(op.operands)
            op.erase()
            for v in operands:  # weights ops left without a reader
                owner = v.owner
                if not isinstance(owner, ir.Block) and owner.operation.name == "stream.weights" and not list(v.uses):
                    owner.operation.erase()
            merged += 1
            changed = True
            break  # erased ops invalidate the scan: start again
    insert_forks(func_op)  # merged results have several readers now
    return merged


@dataclasses.dataclass(frozen=True)
class StreamCSEPass(ModulePass):
    """Merge kernels computing the same stream from the same sources.

    Two kernels with the same op, attributes, map body and operand sources
    (a channel seen through its forks; a buffer as the weight view it loads)
    become one, whose result is forked to both readers. Reads through forks
    that then have unused outputs are cleaned up by re-running fork
    insertion, so the result verifies without stream.implicit_forks.
    """

    name = "stream-cse"

    def apply(self, module: ir.Module) -> None:
        for f in funcs(module):
            cse_function(f)
