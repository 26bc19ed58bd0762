"""`stream.load`: memory -> stream, the coordinates (a function argument)."""

from __future__ import annotations

from torch_mlir import ir

from ..dataflow import Kernel
from ..dialects import stream_types as S
from ..target import Resources, kernel_overhead
from .base import DATA_T, SCALE_OWN, CppCall, CppType, LanesRule, OpKind, Reject, out_info


def load(source: ir.Value, lanes: int = 1, *, loc=None, ip=None) -> ir.Value:
    """Streams a tensor argument.

    - source: a ranked tensor value, batch first.
    - lanes: elements per word of the produced channel.
    """
    t = ir.RankedTensorType(source.type)
    ty = S.channel_type(t.shape, t.element_type, lanes)
    return S.create("stream.load", [ty], [source], loc=loc, ip=ip).result


class LoadKind(OpKind):
    """Per sample: write ceil(ROW/LANES) words, one per cycle (C++ `inrarch::load`)."""

    name = "stream.load"
    role = "kernel"
    operand_kinds, result_kinds = "t", "c"
    build = staticmethod(load)

    def verify(self, op) -> None:
        src = ir.RankedTensorType(op.operands[0].type)
        out = S.channel_info(op.results[0].type)
        if tuple(src.shape) != out.shape or src.element_type != out.element_type:
            raise Reject(f"streams {src} but produces a channel of {out.tensor_type}")

    def is_barrier(self, op) -> bool:
        return False

    def timing(self, op, name: str) -> Kernel:
        out = out_info(op)
        return Kernel.load(name, out.words_per_sample, samples=out.batch)

    def evaluate(self, op, ins: list, ev) -> list:
        return [ins[0].reshape(ev.batched(out_info(op).shape))]

    def scale_rule(self, op) -> str:
        return SCALE_OWN

    def lanes(self, op) -> LanesRule:
        return LanesRule()

    def resources(self, op, family: str, bits: int) -> Resources:
        return kernel_overhead("load")

    def memory(self, op, bits: int) -> dict:
        return {}  # nothing: it streams from memory

    def emit(self, op, ctx) -> CppCall:
        info = out_info(op)
        port = ctx.input_port(op)
        port.scale = ctx.scale_out(0)
        config = {"T": CppType(DATA_T), "B": info.batch, "ROW": info.elements_per_sample, "LANES": info.lanes}
        if ctx.precision.fixed:
            return CppCall("inrarch::load_cvt", {**config, "S": port.scale}, [port.cname, ctx.outs[0]])
        return CppCall("inrarch::load", config, [port.cname, ctx.outs[0]])
