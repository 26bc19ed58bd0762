"""`stream.transpose`: a permutation of dims; moving dim 0 it is a barrier."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Sequence

import numpy as np
from torch_mlir import ir

from ..dataflow import Kernel
from ..dialects import stream_types as S
from ..target import Resources, buffer_resources, kernel_overhead
from .base import (DATA_T, SCALE_THROUGH, CppCall, CppType, LanesRule, OpKind, Reject, cpp_shape,
                   held, in_info, out_info, same_element_type)


def transpose(source: ir.Value, perm: Sequence[int], lanes: int = 1, *, loc=None, ip=None) -> ir.Value:
    """Output dim i is input dim perm[i] (a barrier unless perm[0] == 0)."""
    info = S.channel_info(source.type)
    ty = S.channel_type([info.shape[p] for p in perm], info.element_type, lanes)
    attrs = {"perm": ir.DenseI64ArrayAttr.get(list(perm))}
    return S.create("stream.transpose", [ty], [source], attrs, loc=loc, ip=ip).result


class TransposeKind(OpKind):
    """Per sample (perm[0] == 0): read the sample, then write it permuted; moving
    the batch: read every row, then write every row (C++ `inrarch::transpose`)."""

    name = "stream.transpose"
    role = "kernel"
    operand_kinds, result_kinds = "c", "c"
    build = staticmethod(transpose)

    def verify(self, op) -> None:
        inp = S.channel_info(op.operands[0].type)
        out = S.channel_info(op.results[0].type)
        perm = S.array_attr(op, "perm")
        if sorted(perm) != list(range(len(inp.shape))):
            raise Reject(f"perm {perm} is not a permutation of the {len(inp.shape)} dims")
        expected = tuple(inp.shape[p] for p in perm)
        if out.shape != expected:
            raise Reject(f"output shape {list(out.shape)} does not match expected {list(expected)}")
        same_element_type(inp.element_type, out.element_type, "output")

    def is_barrier(self, op) -> bool:
        return S.array_attr(op, "perm")[0] != 0

    def timing(self, op, name: str) -> Kernel:
        inp, out = in_info(op), out_info(op)
        if self.is_barrier(op):  # read every row, then write every row of the permuted tensor, element-serial
            return Kernel.barrier(name, inp.words_per_sample, out.words_per_sample, samples=inp.batch,
                                  samples_out=out.batch, kind="transpose", row_in=[inp.elements_per_sample],
                                  lanes_in=[inp.lanes], row_out=out.elements_per_sample, lanes_out=out.lanes)
        # per sample: read the sample, write it permuted, both element-serial
        return replace(Kernel.broadcast(name, out.words_per_sample, inp.words_per_sample, samples=out.batch,
                                        row_in=inp.elements_per_sample, lanes_in=inp.lanes,
                                        row_out=out.elements_per_sample, lanes_out=out.lanes),
                       kind="transpose")

    def evaluate(self, op, ins: list, ev) -> list:
        return [np.transpose(ins[0], S.array_attr(op, "perm")).copy()]

    def scale_rule(self, op) -> str:
        return SCALE_THROUGH

    def lanes(self, op) -> LanesRule:
        return LanesRule(pin="all")  # element-serial C++ loops

    def resources(self, op, family: str, bits: int) -> Resources:
        r = kernel_overhead("transpose")
        if self.is_barrier(op):  # the whole input, held
            r += buffer_resources(math.prod(in_info(op).shape), bits, 1)
        return r

    def memory(self, op, bits: int) -> dict:
        """Per sample it holds one sample; moving the batch, the whole tensor."""
        if self.is_barrier(op):
            return {"barrier_buffers": held(math.prod(in_info(op).shape), bits)}
        return {"row_buffers": held(in_info(op).elements_per_sample, bits)}

    def emit(self, op, ctx) -> CppCall:
        inp, out = in_info(op), out_info(op)
        return CppCall("inrarch::transpose", {"T": CppType(DATA_T), "InShape": cpp_shape(inp.shape),
                                              "Perm": cpp_shape(S.array_attr(op, "perm")), "LI": inp.lanes,
                                              "LO": out.lanes}, [ctx.ins[0], ctx.outs[0]])
