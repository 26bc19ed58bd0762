"""`stream.subsample`: every `stride`-th sample from `offset` (a rate down, ASMR's sharing)."""

from __future__ import annotations

from torch_mlir import ir

from ..dataflow import Kernel, Phase
from ..dialects import stream_types as S
from ..target import Resources, kernel_overhead
from .base import DATA_T, SCALE_THROUGH, CppCall, CppType, LanesRule, OpKind, Reject, in_info, out_info
from .repeat import check_same_samples


def subsample(source: ir.Value, stride: int, offset: int = 0, *, loc=None, ip=None) -> ir.Value:
    """[B, F...] -> [B / stride, F...]: output sample j is input sample j*stride + offset.

    - source: the channel (its batch a multiple of `stride`); the result has its lanes.
    - stride: samples per kept one (>= 1).
    - offset: which sample of each group is kept (0 <= offset < stride)."""
    info = S.channel_info(source.type)
    ty = S.channel_type([info.batch // int(stride), *info.shape[1:]], info.element_type, info.lanes,
                        padded=info.padded)
    attrs = {"stride": S.i64_attr(stride), "offset": S.i64_attr(offset)}
    return S.create("stream.subsample", [ty], [source], attrs, loc=loc, ip=ip).result


class SubsampleKind(OpKind):
    """Per output sample: one loop over the stride samples' words, reading
    each and writing it at once when it belongs to sample `offset` of the
    group (C++ `inrarch::subsample`, rate.h). Holds nothing; samples interact
    (the kept ones stand for their group), so the design runs whole batches."""

    name = "stream.subsample"
    role = "kernel"
    operand_kinds, result_kinds = "c", "c"
    build = staticmethod(subsample)

    def verify(self, op) -> None:
        stride, offset = S.int_attr(op, "stride"), S.int_attr(op, "offset")
        if stride is None or stride < 1 or offset is None or not 0 <= offset < stride:
            raise Reject(f"stride = {stride}, offset = {offset}; expected stride >= 1 and 0 <= offset < stride")
        inp, out = in_info(op), out_info(op)
        if inp.batch % stride or out.batch != inp.batch // stride:
            raise Reject(f"every {stride}-th of {inp.batch} samples makes {inp.batch / stride:g}, but the output "
                         f"has {out.batch}; the batch must be a multiple of the stride")
        check_same_samples(op, "subsample")

    def is_barrier(self, op) -> bool:
        return True  # samples interact (whole batches only), though nothing is held

    def timing(self, op, name: str) -> Kernel:
        out = out_info(op)
        stride, offset = S.int_attr(op, "stride"), S.int_attr(op, "offset")
        w = out.words_per_sample
        phase = Phase(stride * w, reads={"in0": stride * w}, writes={"out0": w},
                      write_steps={"out0": range(offset * w, offset * w + w)})
        return Kernel(name, "subsample", (phase,), out.batch, params={"words": w, "stride": stride})

    def evaluate(self, op, ins: list, ev) -> list:
        return [ins[0][S.int_attr(op, "offset")::S.int_attr(op, "stride")].copy()]

    def scale_rule(self, op) -> str:
        return SCALE_THROUGH

    def lanes(self, op) -> LanesRule:
        return LanesRule(tie=True)  # whole words copied

    def resources(self, op, family: str, bits: int) -> Resources:
        return kernel_overhead("subsample")

    def memory(self, op, bits: int) -> dict:
        return {}  # nothing: words pass through or are dropped

    def emit(self, op, ctx) -> CppCall:
        out = out_info(op)
        return CppCall("inrarch::subsample", {"T": CppType(DATA_T), "BO": out.batch, "ROW": out.elements_per_sample,
                                              "LANES": out.lanes, "STRIDE": S.int_attr(op, "stride"),
                                              "OFFSET": S.int_attr(op, "offset")}, [ctx.ins[0], ctx.outs[0]])
