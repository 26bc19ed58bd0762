"""`stream.map`: an elementwise kernel whose body is a region of arith/math ops."""

from __future__ import annotations

from typing import Sequence

from torch_mlir import ir

from ..dataflow import Kernel
from ..dialects import stream_types as S
from ..emit import cpp_map
from ..numeric.scalar import eval_map_body
from ..target import (DEFAULT_MAP_OP_LOGIC, DEFAULT_OP_LATENCY, FIXED_LOGIC_SCALE, MAP_OP_DSP, MAP_OP_FF,
                      MAP_OP_LUT, OP_LATENCY, SHARED_MUX_LUT, SHARED_OPS, Resources, kernel_overhead)
from .base import SCALE_OWN, CppCall, CppType, LanesRule, OpKind, Reject, out_info


def map_(inputs: Sequence[ir.Value], result_element_type: ir.Type | None = None, *, loc=None, ip=None):
    """Creates an elementwise kernel and returns `(result, body_block)`.

    The block has one scalar argument per input; the caller fills it and ends
    it with `yield_(...)`.
    """
    infos = [S.channel_info(v.type) for v in inputs]
    elt = result_element_type or infos[0].element_type
    ty = S.channel_type(infos[0].shape, elt, infos[0].lanes)
    op = S.create("stream.map", [ty], list(inputs), regions=1, loc=loc, ip=ip)
    block = op.regions[0].blocks.append(*[i.element_type for i in infos])
    return op.result, block


def body_latency(op) -> int:
    """Critical-path latency of a map body (sum of OP_LATENCY along the longest chain)."""
    ready: dict = {}
    worst = 0
    for inner in S.map_body(op).operations:
        inner = inner.operation
        start = max((ready.get(v, 0) for v in inner.operands), default=0)
        done = start + OP_LATENCY.get(inner.name, DEFAULT_OP_LATENCY)
        for r in inner.results:
            ready[r] = done
        worst = max(worst, done)
    return max(worst, 1)


def lane_dsp(op) -> int:
    """DSPs of one lane of a map (its body's operators, `target.MAP_OP_DSP`)."""
    return shared_dsp(op)


def op_counts(op) -> dict[str, int]:
    """How many times each operator occurs in a map or jet region."""
    counts: dict[str, int] = {}
    for inner in S.map_body(op).operations:
        counts[inner.operation.name] = counts.get(inner.operation.name, 0) + 1
    return counts


def shared_instances(count: int, name: str, ii: int) -> int:
    """Instances of an operator occurring `count` times in a region run once
    every `ii` cycles: a shareable one (`target.SHARED_OPS`) serves `ii` of its
    operations, one per cycle of the interval; any other keeps one per call."""
    return -(-count // ii) if name in SHARED_OPS else count


def shared_dsp(op, ii: int = 1) -> int:
    """DSPs of one functor of a region run once every `ii` cycles (ii = 1: every operator its own)."""
    return sum(MAP_OP_DSP.get(name, 0) * shared_instances(c, name, ii) for name, c in op_counts(op).items())


def region_resources(op, family: str, copies: int, ii: int = 1) -> Resources:
    """A map or jet kernel's control plus `copies` instances of its region's
    operators (`target.MAP_OP_*`; fixed point uses FIXED_LOGIC_SCALE of the
    logic). At `ii` > 1 the shareable operators are shared over the interval
    (`shared_instances`), each extra operation an instance takes adding its
    input multiplexers (`target.SHARED_MUX_LUT`)."""
    r = kernel_overhead("map")
    scale = 1.0 if family == "float" else FIXED_LOGIC_SCALE
    for name, count in op_counts(op).items():
        units = shared_instances(count, name, ii) * copies
        r.dsp += MAP_OP_DSP.get(name, 0) * units
        r.lut += int(MAP_OP_LUT.get(name, DEFAULT_MAP_OP_LOGIC) * scale) * units
        r.ff += int(MAP_OP_FF.get(name, DEFAULT_MAP_OP_LOGIC) * scale) * units
        r.lut += SHARED_MUX_LUT * (count * copies - units) if name in SHARED_OPS else 0
    return r


class MapKind(OpKind):
    """Per word (II=1): read one word of each input in operand order, write one
    word after the body's latency (C++ `inrarch::map`)."""

    name = "stream.map"
    role = "kernel"
    operand_kinds, result_kinds = "c*", "c"
    build = staticmethod(map_)

    def verify(self, op) -> None:
        out = S.channel_info(op.results[0].type)
        if len(op.operands) < 1:
            raise Reject("needs at least one input")
        for i, v in enumerate(op.operands):
            info = S.channel_info(v.type)
            if info.shape != out.shape:
                raise Reject(
                    f"input #{i} has shape {list(info.shape)} but the output has {list(out.shape)}; "
                    "broadcast explicitly with stream.broadcast"
                )
            if info.lanes != out.lanes:
                raise Reject(f"input #{i} has {info.lanes} lanes but the output has {out.lanes}")
        blocks = list(op.regions[0].blocks)
        if len(blocks) != 1:
            raise Reject(f"region must have exactly one block, got {len(blocks)}")
        block = blocks[0]
        if len(block.arguments) != len(op.operands):
            raise Reject(f"region has {len(block.arguments)} arguments but the op has {len(op.operands)} inputs")
        for i, (arg, v) in enumerate(zip(block.arguments, op.operands)):
            elt = S.channel_info(v.type).element_type
            if arg.type != elt:
                raise Reject(f"region argument #{i} has type {arg.type} but input #{i} streams {elt}")
        ops = list(block.operations)
        term = ops[-1] if ops else None
        if term is None or term.operation.name != "stream.yield":
            raise Reject("region must end with stream.yield")
        if len(term.operands) != 1 or term.operands[0].type != out.element_type:
            got = ", ".join(str(o.type) for o in term.operands)
            raise Reject(f"region yields ({got}) but the output streams {out.element_type}")

    def is_barrier(self, op) -> bool:
        return False

    def timing(self, op, name: str) -> Kernel:
        out = out_info(op)
        return Kernel.map(name, out.words_per_sample, len(op.operands), body_latency(op), samples=out.batch)

    def evaluate(self, op, ins: list, ev) -> list:
        return [eval_map_body(op, ins)]

    def scale_rule(self, op) -> str:
        return SCALE_OWN

    def lanes(self, op) -> LanesRule:
        return LanesRule(tie=True)  # the verifier and the C++ template: one lanes value on every port

    def resources(self, op, family: str, bits: int) -> Resources:
        return region_resources(op, family, out_info(op).lanes)  # the body is unrolled over the lanes

    def memory(self, op, bits: int) -> dict:
        return {}  # nothing: one word in flight per input

    def emit(self, op, ctx) -> CppCall:
        functor = f"{ctx.name}_f"
        fixed = None
        if ctx.precision.fixed:
            counter = ctx.add_counter(ctx.name)
            fixed = cpp_map.FixedScales(tuple(ctx.scale_in(i) for i in range(len(op.operands))), ctx.scale_out(0),
                                        counter)
        try:
            ctx.add_functor(cpp_map.emit_functor(op, functor, fixed))
        except cpp_map.MapEmitError as e:
            raise ctx.error(str(e), e.op or op) from None
        info = out_info(op)
        return CppCall("inrarch::map", {"F": CppType(functor), "B": info.batch, "ROW": info.elements_per_sample,
                                        "LANES": info.lanes, "LATENCY": body_latency(op)}, ctx.outs + ctx.ins)
