"""`stream.reduce`: a sum over dims (kept with size 1); over dim 0 a barrier."""

from __future__ import annotations

import math
from typing import Sequence

from torch_mlir import ir

from ..dataflow import Kernel
from ..dialects import stream_types as S
from ..target import REDUCE_DSP, REDUCE_LATENCY, Resources, buffer_resources, kernel_overhead
from .base import (DATA_T, SCALE_THROUGH, CppCall, CppType, LanesRule, OpKind, Reject, barrier_timing, cpp_shape,
                   held, in_info, out_info, same_element_type, words)


def reduce(source: ir.Value, dims: Sequence[int], lanes: int = 1, *, loc=None, ip=None) -> ir.Value:
    """Sums over dims `dims` (dim 0: a barrier); reduced dims are kept with size 1."""
    info = S.channel_info(source.type)
    shape = [1 if i in dims else d for i, d in enumerate(info.shape)]
    ty = S.channel_type(shape, info.element_type, lanes)
    attrs = {"dims": ir.DenseI64ArrayAttr.get(list(dims))}
    return S.create("stream.reduce", [ty], [source], attrs, loc=loc, ip=ip).result


class ReduceKind(OpKind):
    """Per sample: read every input word, then write the result word(s) after
    the adder (C++ `inrarch::reduce_sum`); over the batch, the whole tensor is
    one sample."""

    name = "stream.reduce"
    role = "kernel"
    operand_kinds, result_kinds = "c", "c"
    build = staticmethod(reduce)

    def verify(self, op) -> None:
        inp = S.channel_info(op.operands[0].type)
        out = S.channel_info(op.results[0].type)
        dims = S.array_attr(op, "dims")
        rank = len(inp.shape)
        if not dims or any(d < 0 or d >= rank for d in dims) or len(set(dims)) != len(dims):
            raise Reject(f"dims {dims} must be distinct dims in [0, {rank - 1}]")
        expected = tuple(1 if i in dims else d for i, d in enumerate(inp.shape))
        if out.shape != expected:
            raise Reject(f"output shape {list(out.shape)} does not match expected {list(expected)}")
        same_element_type(inp.element_type, out.element_type, "output")

    def is_barrier(self, op) -> bool:
        return 0 in S.array_attr(op, "dims")

    def timing(self, op, name: str) -> Kernel:
        if self.is_barrier(op):
            return barrier_timing(op, name, "reduce")
        out = out_info(op)
        return Kernel.reduce(name, words(op.operands[0]), out.words_per_sample, REDUCE_LATENCY, samples=out.batch)

    def evaluate(self, op, ins: list, ev) -> list:
        return [ins[0].sum(axis=tuple(S.array_attr(op, "dims")), keepdims=True)]

    def scale_rule(self, op) -> str:
        return SCALE_THROUGH

    def lanes(self, op) -> LanesRule:
        return LanesRule(pin="all")  # element-serial C++ loops

    def resources(self, op, family: str, bits: int) -> Resources:
        r = kernel_overhead("reduce")
        r.dsp += REDUCE_DSP
        if self.is_barrier(op):  # the kept dims, held whole
            r += buffer_resources(math.prod(out_info(op).shape), bits, 1)
        return r

    def memory(self, op, bits: int) -> dict:
        """The accumulators: the kept dims of a sum over the batch (a barrier) or of one sample."""
        if self.is_barrier(op):
            return {"barrier_buffers": held(math.prod(out_info(op).shape), bits)}
        return {"row_buffers": held(out_info(op).elements_per_sample, bits)}

    def emit(self, op, ctx) -> CppCall:
        inp = in_info(op)
        dims = S.array_attr(op, "dims")
        acc = CppType(f"inrarch::acc_t<{DATA_T}>")
        if 0 in dims:  # over the batch: the whole tensor is one block
            config = {"InShape": cpp_shape(inp.shape), "Mask": cpp_shape([int(d in dims) for d in range(len(inp.shape))]),
                      "B": 1}
        else:
            config = {"InShape": cpp_shape(inp.shape[1:]),
                      "Mask": cpp_shape([int(d in dims) for d in range(1, len(inp.shape))]), "B": out_info(op).batch}
        return CppCall("inrarch::reduce_sum",
                       {"T": CppType(DATA_T), "ACC": acc, **config, "LI": inp.lanes, "LO": out_info(op).lanes},
                       [ctx.ins[0], ctx.outs[0]])
