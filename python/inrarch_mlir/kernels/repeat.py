"""`stream.repeat`: each input sample written `times` times in a row (a rate up, ASMR's sharing)."""

from __future__ import annotations

import numpy as np
from torch_mlir import ir

from ..dataflow import Kernel, Phase
from ..dialects import stream_types as S
from ..target import Resources, buffer_resources, kernel_overhead
from .base import (DATA_T, SCALE_THROUGH, CppCall, CppType, LanesRule, OpKind, Reject, held, in_info, out_info,
                   same_element_type)


def repeat(source: ir.Value, times: int, *, loc=None, ip=None) -> ir.Value:
    """[B, F...] -> [B * times, F...]: sample b becomes samples b*times .. b*times + times - 1.

    - source: the channel; the result has its lanes and feature shape.
    - times: copies of each sample (>= 1)."""
    info = S.channel_info(source.type)
    ty = S.channel_type([info.batch * int(times), *info.shape[1:]], info.element_type, info.lanes,
                        padded=info.padded)
    return S.create("stream.repeat", [ty], [source], {"times": S.i64_attr(times)}, loc=loc, ip=ip).result


def check_same_samples(op, what: str) -> None:
    """A rate changer copies words: per-sample shape, element type, lanes and padding must match."""
    inp, out = in_info(op), out_info(op)
    if inp.shape[1:] != out.shape[1:]:
        raise Reject(f"{what}: samples of {list(inp.shape[1:])} in but {list(out.shape[1:])} out; the sample "
                     "shape must not change")
    if (inp.lanes, inp.padded) != (out.lanes, out.padded):
        raise Reject(f"{what}: lanes {inp.lanes} in but {out.lanes} out; words are copied whole, so the lanes "
                     "(and padding) must match")
    same_element_type(inp.element_type, out.element_type, "output")


class RepeatKind(OpKind):
    """Per input sample: a loop over its words reading each and writing it at
    once (the first copy), then a loop writing the times-1 held copies (C++
    `inrarch::repeat`, rate.h). Samples interact (a fine sample is a coarse
    one's copy), so the design runs whole batches; it holds one sample."""

    name = "stream.repeat"
    role = "kernel"
    operand_kinds, result_kinds = "c", "c"
    build = staticmethod(repeat)

    def verify(self, op) -> None:
        times = S.int_attr(op, "times")
        if times is None or times < 1:
            raise Reject(f"times = {times}; expected an integer >= 1")
        inp, out = in_info(op), out_info(op)
        if out.batch != inp.batch * times:
            raise Reject(f"{inp.batch} samples repeated {times} times make {inp.batch * times}, but the output "
                         f"has {out.batch}")
        check_same_samples(op, "repeat")

    def is_barrier(self, op) -> bool:
        return True  # samples interact (whole batches only), though only one sample is held

    def timing(self, op, name: str) -> Kernel:
        inp, times = in_info(op), S.int_attr(op, "times")
        w = inp.words_per_sample
        phases = [Phase(w, reads={"in0": w}, writes={"out0": w})]
        if times > 1:
            phases.append(Phase((times - 1) * w, writes={"out0": (times - 1) * w}))
        return Kernel(name, "repeat", tuple(phases), inp.batch, params={"words": w, "times": times})

    def evaluate(self, op, ins: list, ev) -> list:
        return [np.repeat(ins[0], S.int_attr(op, "times"), axis=0)]

    def scale_rule(self, op) -> str:
        return SCALE_THROUGH

    def lanes(self, op) -> LanesRule:
        return LanesRule(tie=True)  # whole words copied

    def resources(self, op, family: str, bits: int) -> Resources:
        inp = in_info(op)
        r = kernel_overhead("repeat")
        r += buffer_resources(inp.words_per_sample * inp.lanes, bits, inp.lanes)  # one word read per cycle
        return r

    def memory(self, op, bits: int) -> dict:
        """One sample's words."""
        inp = in_info(op)
        return {"row_buffers": held(inp.words_per_sample * inp.lanes, bits)}

    def emit(self, op, ctx) -> CppCall:
        inp = in_info(op)
        return CppCall("inrarch::repeat", {"T": CppType(DATA_T), "BI": inp.batch, "ROW": inp.elements_per_sample,
                                           "LANES": inp.lanes, "TIMES": S.int_attr(op, "times")},
                       [ctx.ins[0], ctx.outs[0]])
