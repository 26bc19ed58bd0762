"""`stream.slice`: a static strided slice; cutting dim 0 it is a barrier."""

from __future__ import annotations

import math
from typing import Sequence

from torch_mlir import ir

from ..dataflow import Kernel
from ..dialects import stream_types as S
from ..target import Resources, buffer_resources, kernel_overhead
from .base import (DATA_T, SCALE_THROUGH, CppCall, CppType, LanesRule, OpKind, Reject, cpp_shape,
                   held, in_info, out_info)


def slice_(source: ir.Value, offsets: Sequence[int], sizes: Sequence[int], strides: Sequence[int] | None = None,
           lanes: int = 1, *, loc=None, ip=None) -> ir.Value:
    """Dim d takes sizes[d] elements from offsets[d] with step strides[d] (default 1)."""
    info = S.channel_info(source.type)
    strides = list(strides) if strides is not None else [1] * len(sizes)
    ty = S.channel_type(list(sizes), info.element_type, lanes)
    attrs = {
        "offsets": ir.DenseI64ArrayAttr.get(list(offsets)),
        "sizes": ir.DenseI64ArrayAttr.get(list(sizes)),
        "strides": ir.DenseI64ArrayAttr.get(strides),
    }
    return S.create("stream.slice", [ty], [source], attrs, loc=loc, ip=ip).result


def _attrs(op):
    return tuple(S.array_attr(op, k) for k in ("offsets", "sizes", "strides"))


def slice_write_steps(op) -> list[int]:
    """The input element (iteration of the C++ element loop) after which each output word of a
    sample is complete: the kept elements in row-major order, packed `lanes` per word."""
    import numpy as np

    inp, out = in_info(op), out_info(op)
    off, size, stride = _attrs(op)
    keep = np.ones((), dtype=bool)
    for d in range(1, len(inp.shape)):
        idx = np.arange(inp.shape[d]) - off[d]
        k = (idx >= 0) & (idx % stride[d] == 0) & (idx // stride[d] < size[d])
        keep = np.logical_and.outer(keep, k) if keep.ndim else k
    kept = np.flatnonzero(keep.reshape(-1)) if keep.ndim else np.zeros(1, dtype=np.int64)
    lanes = out.lanes
    return [int(kept[min(w + lanes, len(kept)) - 1]) for w in range(0, len(kept), lanes)]


class SliceKind(OpKind):
    """Per sample: read every input word; each output word is written as soon as
    its last element has been read (C++ `inrarch::slice`). Cutting the batch:
    read all rows, then write the kept ones (`inrarch::slice_batch`)."""

    name = "stream.slice"
    role = "kernel"
    operand_kinds, result_kinds = "c", "c"
    build = staticmethod(slice_)

    def verify(self, op) -> None:
        inp = S.channel_info(op.operands[0].type)
        out = S.channel_info(op.results[0].type)
        off, size, stride = _attrs(op)
        rank = len(inp.shape)
        if not (len(off) == len(size) == len(stride) == rank):
            raise Reject(f"offsets, sizes and strides must have {rank} entries, got {len(off)}, {len(size)}, "
                         f"{len(stride)}")
        for d in range(rank):
            if stride[d] < 1 or size[d] < 1 or off[d] < 0 or off[d] + (size[d] - 1) * stride[d] >= inp.shape[d]:
                raise Reject(f"dim {d}: offset {off[d]}, size {size[d]}, stride {stride[d]} is out of bounds for size "
                             f"{inp.shape[d]}")
        if out.shape != tuple(size):
            raise Reject(f"output shape {list(out.shape)} does not match sizes {size}")

    def is_barrier(self, op) -> bool:
        off, size, stride = _attrs(op)
        return (off[0], size[0], stride[0]) != (0, in_info(op).batch, 1)

    def timing(self, op, name: str) -> Kernel:
        inp, out = in_info(op), out_info(op)
        if self.is_barrier(op):  # slice_batch: read every row, then write the kept ones, element-serial
            return Kernel.barrier(name, inp.words_per_sample, out.words_per_sample, samples=inp.batch,
                                  samples_out=out.batch, kind="slice", row_in=[inp.elements_per_sample],
                                  lanes_in=[inp.lanes], row_out=out.elements_per_sample, lanes_out=out.lanes)
        return Kernel.slice(name, inp.words_per_sample, out.words_per_sample, samples=out.batch,
                            row_in=inp.elements_per_sample, lanes_in=inp.lanes,
                            write_steps=slice_write_steps(op))

    def evaluate(self, op, ins: list, ev) -> list:
        sl = [slice(o, o + s * st, st) for o, s, st in zip(*_attrs(op))]
        return [ins[0][tuple([sl[0] if ev.coupled else slice(None)] + sl[1:])]]

    def scale_rule(self, op) -> str:
        return SCALE_THROUGH

    def lanes(self, op) -> LanesRule:
        return LanesRule(pin="all")  # element-serial C++ loops

    def resources(self, op, family: str, bits: int) -> Resources:
        r = kernel_overhead("slice")
        if self.is_barrier(op):  # the whole input, held
            r += buffer_resources(math.prod(in_info(op).shape), bits, 1)
        return r

    def memory(self, op, bits: int) -> dict:
        """Cutting the batch holds the whole input; a per-sample slice streams through."""
        return {"barrier_buffers": held(math.prod(in_info(op).shape), bits)} if self.is_barrier(op) else {}

    def emit(self, op, ctx) -> CppCall:
        inp, out = in_info(op), out_info(op)
        offs, sizes, strides = _attrs(op)
        if self.is_barrier(op):
            return CppCall("inrarch::slice_batch",
                           {"T": CppType(DATA_T), "InShape": cpp_shape(inp.shape), "Offsets": cpp_shape(offs),
                            "Sizes": cpp_shape(sizes), "Strides": cpp_shape(strides), "LI": inp.lanes,
                            "LO": out.lanes}, [ctx.ins[0], ctx.outs[0]])
        return CppCall("inrarch::slice",
                       {"T": CppType(DATA_T), "InShape": cpp_shape(inp.shape[1:]), "Offsets": cpp_shape(offs[1:]),
                        "Sizes": cpp_shape(sizes[1:]), "Strides": cpp_shape(strides[1:]), "B": out.batch,
                        "LI": inp.lanes, "LO": out.lanes}, [ctx.ins[0], ctx.outs[0]])
