"""`stream.concat`: channels joined along a dim; along dim 0 a barrier."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from torch_mlir import ir

from ..dataflow import Kernel
from ..dialects import stream_types as S
from ..target import Resources, buffer_resources, kernel_overhead
from .base import (DATA_T, SCALE_THROUGH, CppCall, CppType, LanesRule, OpKind, Reject, cpp_shape,
                   held, out_info, same_element_type, words)


def concat(inputs: Sequence[ir.Value], dim: int, lanes: int = 1, *, loc=None, ip=None) -> ir.Value:
    """The inputs one after the other along `dim`."""
    infos = [S.channel_info(v.type) for v in inputs]
    shape = list(infos[0].shape)
    shape[dim] = sum(i.shape[dim] for i in infos)
    ty = S.channel_type(shape, infos[0].element_type, lanes)
    return S.create("stream.concat", [ty], list(inputs), {"dim": S.i64_attr(dim)}, loc=loc, ip=ip).result


class ConcatKind(OpKind):
    """Per sample: copy input 0's words through, then input 1's, ... (C++
    `inrarch::concat`); along the batch: read every input whole, then write
    (`inrarch::concat_batch`)."""

    name = "stream.concat"
    role = "kernel"
    operand_kinds, result_kinds = "c*", "c"
    build = staticmethod(concat)

    def verify(self, op) -> None:
        out = S.channel_info(op.results[0].type)
        dim = ir.IntegerAttr(op.attributes["dim"]).value
        infos = [S.channel_info(v.type) for v in op.operands]
        rank = len(out.shape)
        if not infos:
            raise Reject("needs at least one input")
        if dim < 0 or dim >= rank:
            raise Reject(f"dim {dim} must be in [0, {rank - 1}]")
        for i, info in enumerate(infos):
            other = [d for j, d in enumerate(info.shape) if j != dim]
            want = [d for j, d in enumerate(out.shape) if j != dim]
            if len(info.shape) != rank or other != want:
                raise Reject(f"input #{i} shape {list(info.shape)} is incompatible with output {list(out.shape)}")
            same_element_type(info.element_type, out.element_type, f"input #{i}")
        total = sum(i.shape[dim] for i in infos)
        if total != out.shape[dim]:
            raise Reject(f"inputs add up to {total} along dim {dim} but the output has {out.shape[dim]}")

    def is_barrier(self, op) -> bool:
        return S.int_attr(op, "dim") == 0

    def timing(self, op, name: str) -> Kernel:
        out = out_info(op)
        infos = [S.channel_info(v.type) for v in op.operands]
        if self.is_barrier(op):  # concat_batch: every row of input 0, then input 1, ..., then all rows out
            return Kernel.barrier(name, [i.words_per_sample for i in infos], out.words_per_sample,
                                  samples=[i.batch for i in infos], samples_out=out.batch, kind="concat",
                                  row_in=[i.elements_per_sample for i in infos], lanes_in=[i.lanes for i in infos],
                                  row_out=out.elements_per_sample, lanes_out=out.lanes)
        dim = S.int_attr(op, "dim")
        return Kernel.concat(name, [words(v) for v in op.operands], samples=out.batch,
                             chunks=[math.prod(i.shape[dim:]) for i in infos], lanes_in=[i.lanes for i in infos],
                             lanes_out=out.lanes, outer=math.prod(out.shape[1:dim]))

    def evaluate(self, op, ins: list, ev) -> list:
        return [np.concatenate(ins, axis=S.int_attr(op, "dim"))]

    def scale_rule(self, op) -> str:
        return SCALE_THROUGH

    def lanes(self, op) -> LanesRule:
        return LanesRule(pin="all")  # element-serial C++ loops

    def resources(self, op, family: str, bits: int) -> Resources:
        r = kernel_overhead("concat")
        if self.is_barrier(op):  # every input, held whole
            r += buffer_resources(sum(math.prod(S.channel_info(v.type).shape) for v in op.operands), bits, 1)
        return r

    def memory(self, op, bits: int) -> dict:
        """Along the batch every input is held whole; along features the words stream through."""
        if not self.is_barrier(op):
            return {}
        return {"barrier_buffers": held(sum(math.prod(S.channel_info(v.type).shape) for v in op.operands), bits)}

    def emit(self, op, ctx) -> CppCall:
        out = out_info(op)
        dim = S.int_attr(op, "dim")
        if dim == 0:  # along the batch: read every input whole, then write
            rows = [S.channel_info(v.type).batch for v in op.operands]
            return CppCall("inrarch::concat_batch", {"T": CppType(DATA_T), "Rows": cpp_shape(rows),
                                                     "ROW": out.elements_per_sample, "LO": out.lanes},
                           ctx.outs + ctx.ins)
        chunks = [math.prod(S.channel_info(v.type).shape[dim:]) for v in op.operands]
        return CppCall("inrarch::concat", {"T": CppType(DATA_T), "Chunks": cpp_shape(chunks), "B": out.batch,
                                           "OUTER": math.prod(out.shape[1:dim]), "LO": out.lanes},
                       ctx.outs + ctx.ins)
