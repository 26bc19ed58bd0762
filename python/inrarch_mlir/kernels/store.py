"""`stream.store`: stream -> the tensor a function returns."""

from __future__ import annotations

from torch_mlir import ir

from ..dataflow import Kernel
from ..dialects import stream_types as S
from ..target import Resources, kernel_overhead
from .base import DATA_T, SCALE_NONE, CppCall, CppType, LanesRule, OpKind, Reject, in_info


def store(channel: ir.Value, *, loc=None, ip=None) -> ir.Value:
    """Collects a channel into the tensor the function returns."""
    info = S.channel_info(channel.type)
    return S.create("stream.store", [info.tensor_type], [channel], loc=loc, ip=ip).result


class StoreKind(OpKind):
    """Per sample: read ceil(ROW/LANES) words, one per cycle (C++ `inrarch::store`)."""

    name = "stream.store"
    role = "kernel"
    operand_kinds, result_kinds = "c", "t"
    build = staticmethod(store)

    def verify(self, op) -> None:
        inp = S.channel_info(op.operands[0].type)
        res = ir.RankedTensorType(op.results[0].type)
        if tuple(res.shape) != inp.shape or res.element_type != inp.element_type:
            raise Reject(f"stores a channel of {inp.tensor_type} into {res}")

    def is_barrier(self, op) -> bool:
        return False

    def timing(self, op, name: str) -> Kernel:
        info = in_info(op)
        return Kernel.store(name, info.words_per_sample, samples=info.batch)

    def evaluate(self, op, ins: list, ev) -> list:
        return [ins[0].reshape(ev.batched(tuple(ir.RankedTensorType(op.results[0].type).shape)))]

    def scale_rule(self, op) -> str:
        return SCALE_NONE  # its output is memory; the port takes its input's scale

    def lanes(self, op) -> LanesRule:
        return LanesRule()

    def resources(self, op, family: str, bits: int) -> Resources:
        return kernel_overhead("store")

    def memory(self, op, bits: int) -> dict:
        return {}  # nothing: it streams to memory

    def emit(self, op, ctx) -> CppCall:
        info = in_info(op)
        port = ctx.output_port(op)
        port.scale = ctx.scale_in(0)
        config = {"T": CppType(DATA_T), "B": info.batch, "ROW": info.elements_per_sample, "LANES": info.lanes}
        if ctx.precision.fixed:
            return CppCall("inrarch::store_cvt", {**config, "S": port.scale}, [ctx.ins[0], port.cname])
        return CppCall("inrarch::store", config, [ctx.ins[0], port.cname])
