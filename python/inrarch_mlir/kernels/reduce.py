"""`stream.reduce`: a sum over dims (kept with size 1); over dim 0 a barrier."""

from __future__ import annotations

import math
from typing import Sequence

from torch_mlir import ir

from ..dataflow import Kernel
from ..dialects import stream_types as S
from ..target import REDUCE_DSP, REDUCE_LATENCY, Resources, buffer_resources, kernel_overhead
from .base import (DATA_T, SCALE_THROUGH, CppCall, CppType, LanesRule, OpKind, Reject, cpp_shape,
                   held, in_info, out_info, same_element_type, target_of)


def reduce(source: ir.Value, dims: Sequence[int], lanes: int = 1, *, loc=None, ip=None) -> ir.Value:
    """Sums over dims `dims` (dim 0: a barrier); reduced dims are kept with size 1."""
    info = S.channel_info(source.type)
    shape = [1 if i in dims else d for i, d in enumerate(info.shape)]
    ty = S.channel_type(shape, info.element_type, lanes)
    attrs = {"dims": ir.DenseI64ArrayAttr.get(list(dims))}
    return S.create("stream.reduce", [ty], [source], attrs, loc=loc, ip=ip).result


def _shape_mask(op) -> tuple[list[int], list[int]]:
    """The C++ kernel's InShape and Mask: a sample's feature dims, or the whole tensor over the batch."""
    inp = in_info(op)
    dims = S.array_attr(op, "dims")
    first = 0 if 0 in dims else 1
    return list(inp.shape[first:]), [int(d in dims) for d in range(first, len(inp.shape))]


def partial_sums(op) -> int:
    """P: the partial sums each output keeps so that no accumulator is updated twice within
    L (the adder latency) iterations (C++ `inrarch::reduce_sum`, the same rule).

    A full reduction (one output) reads a word per cycle into partial p = word mod P,
    P = min(L, words); a partial one updates output o's accumulator every `stride`
    elements (the stride of its innermost summed dim of size > 1), so it needs P = L
    partials (element e into partial e mod L) only when that stride is below L."""
    L = target_of(op).add_latency
    shape, mask = _shape_mask(op)
    kept = math.prod(d for d, m in zip(shape, mask) if not m)
    if kept == 1:
        return min(L, -(-math.prod(shape) // in_info(op).lanes))
    strides = [math.prod(shape[d + 1:]) for d in range(len(shape))]
    inner = [strides[d] for d in range(len(shape)) if mask[d] and shape[d] > 1]
    stride = inner[-1] if inner else 0
    return 1 if stride == 0 or stride >= L else L


def reduce_latency(op) -> int:
    """Cycles from the last accumulation to the result word: the adder (`REDUCE_LATENCY`) and
    the combine of the P partial sums, a tree of ceil(log2 P) adders of L cycles each."""
    return REDUCE_LATENCY + target_of(op).add_latency * (partial_sums(op) - 1).bit_length()


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
        inp, out = in_info(op), out_info(op)
        latency = reduce_latency(op)
        shape, mask = _shape_mask(op)
        full = all(m or d == 1 for d, m in zip(shape, mask))
        # a partial reduction reads element by element, zeroes its accumulators once
        # (one cycle per output, before sample 0) and writes its outputs element by element
        partial = {} if full else {"row_in": inp.elements_per_sample, "lanes_in": inp.lanes,
                                   "row_out": out.elements_per_sample, "lanes_out": out.lanes,
                                   "prologue_cycles": out.elements_per_sample}
        if self.is_barrier(op):  # over the batch: the whole tensor is one sample
            if partial:
                partial["row_in"] = [partial["row_in"]]
                partial["lanes_in"] = [partial["lanes_in"]]
            return Kernel.barrier(name, inp.words_per_sample, out.words_per_sample, latency=latency,
                                  samples=inp.batch, samples_out=out.batch, kind="reduce", **partial)
        return Kernel.reduce(name, inp.words_per_sample, out.words_per_sample, latency, samples=out.batch, **partial)

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
                       {"T": CppType(DATA_T), "ACC": acc, **config, "LI": inp.lanes, "LO": out_info(op).lanes,
                        "L": target_of(op).add_latency, "LATENCY": reduce_latency(op)},
                       [ctx.ins[0], ctx.outs[0]])
