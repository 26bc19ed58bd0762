"""`stream.broadcast`: a buffer repeated per sample, or a channel along its size-1 dims."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from torch_mlir import ir

from ..dataflow import Kernel
from ..dialects import stream_types as S
from ..target import WEIGHT_LANES, Resources, buffer_resources, kernel_overhead
from .base import (DATA_T, SCALE_OWN, SCALE_THROUGH, CppCall, CppType, LanesRule, OpKind, Reject, cpp_shape, held, in_info, out_info, same_element_type)
from .weights import weight_load_cycles


def broadcast(source: ir.Value, shape: Sequence[int], lanes: int = 1, *, loc=None, ip=None) -> ir.Value:
    """Repeats a buffer per sample, or a channel along its size-1 dims."""
    if S.is_buffer(source.type):
        elt = S.buffer_tensor(source.type).element_type
    else:
        elt = S.channel_info(source.type).element_type
    ty = S.channel_type(shape, elt, lanes)
    return S.create("stream.broadcast", [ty], [source], loc=loc, ip=ip).result


def _from_buffer(op) -> bool:
    return S.is_buffer(op.operands[0].type)


class BroadcastKind(OpKind):
    """From a buffer: read the weight words once, then write every sample
    (`inrarch::broadcast_buffer`). From a channel: per sample, read the sample,
    then write it repeated (`inrarch::broadcast`); one row repeated along the
    batch is a barrier (read once, write every row)."""

    name = "stream.broadcast"
    role = "kernel"
    operand_kinds, result_kinds = "cb", "c"
    build = staticmethod(broadcast)

    def verify(self, op) -> None:
        out = S.channel_info(op.results[0].type)
        src = op.operands[0].type
        if S.is_buffer(src):
            t = S.buffer_tensor(src)
            feat, elt = tuple(t.shape), t.element_type
            while len(feat) > len(out.shape) - 1 and feat and feat[0] == 1:
                feat = feat[1:]  # leading unit dims of the buffer are free
            if len(feat) > len(out.shape) - 1 or any(
                f != 1 and f != o for f, o in zip(reversed(feat), reversed(out.shape[1:]))
            ):
                raise Reject(f"cannot broadcast a buffer of {list(feat)} to samples of {list(out.shape[1:])}")
        else:
            info = S.channel_info(src)
            elt = info.element_type
            if len(info.shape) != len(out.shape) or info.shape[0] not in (1, out.shape[0]):
                raise Reject(f"cannot broadcast a channel of {list(info.shape)} to {list(out.shape)}: "
                             "same rank and batch (or a batch of 1) required")
            if info.shape[0] != out.shape[0] and info.padded:
                raise Reject("a row broadcast along the batch must fill its words (unpadded lanes)")
            if any(i != 1 and i != o for i, o in zip(info.shape[1:], out.shape[1:])):
                raise Reject(f"cannot broadcast {list(info.shape)} to {list(out.shape)}: non-unit dims differ")
        same_element_type(elt, out.element_type, "output")

    def is_barrier(self, op) -> bool:
        return not _from_buffer(op) and in_info(op).batch != out_info(op).batch

    def timing(self, op, name: str) -> Kernel:
        out = out_info(op)
        if _from_buffer(op):
            # broadcast_buffer: load the buffer element by element (a word every WEIGHT_LANES
            # elements, from its `weights` process) before sample 0, then write every sample
            size = math.prod(S.buffer_tensor(op.operands[0].type).shape)
            prologue = weight_load_cycles(op.operands[0].owner, size, WEIGHT_LANES)
            return Kernel.broadcast(name, out.words_per_sample, samples=out.batch, prologue_cycles=prologue)
        inp = in_info(op)
        if self.is_barrier(op):  # one row read element by element, then every sample written
            return Kernel.barrier(name, inp.words_per_sample, out.words_per_sample, samples=inp.batch,
                                  samples_out=out.batch, kind="broadcast", row_in=[inp.elements_per_sample],
                                  lanes_in=[inp.lanes])
        return Kernel.broadcast(name, out.words_per_sample, inp.words_per_sample, samples=out.batch,
                                row_in=inp.elements_per_sample, lanes_in=inp.lanes)

    def evaluate(self, op, ins: list, ev) -> list:
        shape = ev.batched(out_info(op).shape)
        x = ins[0]
        if _from_buffer(op):
            x = x.reshape(x.shape[max(0, x.ndim - (len(shape) - 1)):])  # drop leading (size-1) dims
        return [np.broadcast_to(x, shape).copy()]

    def scale_rule(self, op) -> str:
        return SCALE_OWN if _from_buffer(op) else SCALE_THROUGH

    def lanes(self, op) -> LanesRule:
        return LanesRule(pin="all" if self.is_barrier(op) else "inputs")

    def resources(self, op, family: str, bits: int) -> Resources:
        r = kernel_overhead("broadcast")
        if self.is_barrier(op):  # the repeated row, held whole
            r += buffer_resources(math.prod(in_info(op).shape), bits, 1)
        return r

    def memory(self, op, bits: int) -> dict:
        """A buffer broadcast holds its weights; a channel broadcast one sample; a row along the batch, that row."""
        if _from_buffer(op):
            return {"weights": held(math.prod(S.buffer_tensor(op.operands[0].type).shape), bits)}
        kind = "barrier_buffers" if self.is_barrier(op) else "row_buffers"
        return {kind: held(in_info(op).elements_per_sample if kind == "row_buffers" else math.prod(in_info(op).shape),
                           bits)}

    def emit(self, op, ctx) -> CppCall:
        out = out_info(op)
        out_feat = list(out.shape[1:])
        if _from_buffer(op):
            bshape = list(S.buffer_tensor(op.operands[0].type).shape)
            extra = len(bshape) - len(out_feat)
            if extra > 0:
                if any(d != 1 for d in bshape[:extra]):
                    raise ctx.error(f"broadcast of buffer {bshape} to samples of {out_feat}", op)
                bshape = bshape[extra:]
            in_feat = [1] * (len(out_feat) - len(bshape)) + bshape
            return CppCall("inrarch::broadcast_buffer",
                           {"T": CppType(DATA_T), "InShape": cpp_shape(in_feat), "OutShape": cpp_shape(out_feat),
                            "B": out.batch, "LANES": out.lanes, "WL": ctx.in_lanes(0)}, [ctx.ins[0], ctx.outs[0]])
        inp = in_info(op)
        if inp.batch != out.batch:  # one row repeated along the batch: read it once
            return CppCall("inrarch::broadcast_buffer",
                           {"T": CppType(DATA_T), "InShape": cpp_shape(inp.shape[1:]),
                            "OutShape": cpp_shape(out_feat), "B": out.batch, "LANES": out.lanes, "WL": inp.lanes},
                           [ctx.ins[0], ctx.outs[0]])
        return CppCall("inrarch::broadcast",
                       {"T": CppType(DATA_T), "InShape": cpp_shape(inp.shape[1:]), "OutShape": cpp_shape(out_feat),
                        "B": out.batch, "LI": inp.lanes, "LO": out.lanes}, [ctx.ins[0], ctx.outs[0]])
