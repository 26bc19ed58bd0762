"""`stream.jet`: a map over the coefficient rows of a sample (the jet kernel of Taylor mode).

Every input is a channel [B, R, N]: per sample, R rows of N elements (the R
Taylor coefficients of a jet, primal first). The region takes, for one
element n, the R values of every input (input-major: input 0's rows, then
input 1's) and yields the RO values of the output's rows at n: the
multivariate Faa di Bruno / Leibniz combinations of a nonlinearity, fused
from the maps `stream-fuse-jets` found between the coefficient slices and
their concatenation.

Optional attribute `unroll` (set by `stream-parallelize`; default: the
lanes): the functor instances, a divisor of the lanes. The DSPs scale with
it, not with the lanes, so a jet can stream wide words (what a matmul's
output needs for fine MAC steps) with few functors: its last input row then
takes lanes/unroll cycles per word.

Optional attribute `ii` (set by `stream-parallelize`; default 1): the
functor's initiation interval, with `unroll` = 1. A functor started once
every `ii` cycles shares each multiplier and adder over `ii` of its
operations (`target.SHARED_OPS`; the C++ bounds their instances with Vitis's
`ALLOCATION operation` pragma), so its DSPs fall about `ii`-fold: a jet of
order 3 has ~46 multiplications per element, and the matmuls' period leaves
it many cycles per element. The last input row then takes lanes x ii cycles
per word, and the functor's latency grows by ii - 1 cycles (`jet_latency`,
an estimate of the modulo schedule's extra depth).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from torch_mlir import ir

from ..dataflow import Kernel, Phase
from ..dialects import stream_types as S
from ..emit import cpp_map
from ..numeric.scalar import eval_region
from ..target import SHARED_OPS, Resources, buffer_resources
from .base import SCALE_OWN, CppCall, CppType, LanesRule, OpKind, Reject, held, in_info, out_info
from .map import body_latency, op_counts, region_resources, shared_instances


def jet(inputs: Sequence[ir.Value], rows_out: int, *, loc=None, ip=None):
    """Creates a jet kernel over `inputs` (channels [B, R, N] of one type) and
    returns `(result [B, rows_out, N], body_block)`; the block has R scalar
    arguments per input and must end with a `stream.yield` of rows_out values."""
    infos = [S.channel_info(v.type) for v in inputs]
    b, r, n = infos[0].shape
    ty = S.channel_type([b, rows_out, n], infos[0].element_type, infos[0].lanes)
    op = S.create("stream.jet", [ty], list(inputs), regions=1, loc=loc, ip=ip)
    block = op.regions[0].blocks.append(*([infos[0].element_type] * (r * len(infos))))
    return op.result, block


def shape_of(op) -> tuple[int, int, int, int, int]:
    """(B, R, RO, N, number of inputs)."""
    b, r, n = in_info(op).shape
    return b, r, out_info(op).shape[1], n, len(op.operands)


def unroll_of(op) -> int:
    """Functor instances: the `unroll` attribute, or the lanes."""
    if "unroll" in op.attributes:
        return ir.IntegerAttr(op.attributes["unroll"]).value
    return out_info(op).lanes


def ii_of(op) -> int:
    """The functor's initiation interval: the `ii` attribute, or 1."""
    return ir.IntegerAttr(op.attributes["ii"]).value if "ii" in op.attributes else 1


def jet_latency(op, ii: int | None = None) -> int:
    """The functor's pipeline depth at initiation interval `ii` (default: the
    op's): the region's critical path, plus ii - 1 cycles at ii > 1 (an
    estimate: operations sharing an instance wait for their turn)."""
    ii = ii_of(op) if ii is None else ii
    return body_latency(op) + ii - 1


def allocation_limits(op, ii: int) -> dict[str, int]:
    """Instances of each shareable operator of the functor at `ii`
    (`target.SHARED_OPS` Vitis name -> count): the C++ ALLOCATION limits."""
    return {SHARED_OPS[name]: shared_instances(c, name, ii)
            for name, c in sorted(op_counts(op).items()) if name in SHARED_OPS}


#: Integer multiplies inside one fixed-point sin or cos of inrarch/math.h
#: (the range reduction and the two of the quadratic interpolation), which
#: is inlined into the functor.
FIXED_SINCOS_MULS = 3


def shared_config(op, fixed: bool = False) -> dict[str, int]:
    """The C++ configuration of a functor run at ii > 1 (inrarch/jet.h): II and
    the instance limit of each shareable operator (MUL/ADD/SUB_LIMIT, the
    ALLOCATION pragmas on fmul/fadd/fsub, and on `mul` in fixed point); empty
    at ii = 1 (no sharing, no pragma). In fixed point the `mul` limit also
    covers the multiplies of the inlined sin and cos (FIXED_SINCOS_MULS each),
    which then share the functor's multipliers: the DSPs stay within the
    estimate, which charges those calls separately."""
    ii = ii_of(op)
    if ii == 1:
        return {}
    limits = allocation_limits(op, ii)
    if fixed:
        counts = op_counts(op)
        limits["fmul"] = limits.get("fmul", 0) + FIXED_SINCOS_MULS * (counts.get("math.sin", 0)
                                                                       + counts.get("math.cos", 0))
    return {"II": ii, **{f"{key}_LIMIT": max(1, limits.get(fname, 0))
                         for key, fname in (("MUL", "fmul"), ("ADD", "fadd"), ("SUB", "fsub"))}}


def jet_kernel(name: str, b: int, r: int, ro: int, n: int, k: int, lanes: int, unroll: int,
               latency: int, ii: int = 1) -> Kernel:
    """The timing of `inrarch::jet` (inrarch/jet.h's program order): per sample,
    inputs 0..k-2 a word per cycle (R rows of W = ceil(N/lanes) words), the
    last input's first R-1 rows a word per cycle and its last row a word every
    lanes/unroll iterations of `ii` cycles each (the functor runs on `unroll`
    elements an iteration), then the RO output rows a word per cycle,
    `latency` after their iteration."""
    words = -(-n // lanes)
    split = lanes // unroll * ii  # cycles per word of the last row
    phases = [Phase(r * words, reads={f"in{i}": r * words}) for i in range(k - 1)]
    head = (r - 1) * words
    if split == 1:
        phases.append(Phase(r * words, reads={f"in{k - 1}": r * words}))
    else:
        steps = list(range(head)) + [head + w * split for w in range(words)]
        phases.append(Phase(head + words * split, reads={f"in{k - 1}": r * words},
                            read_steps={f"in{k - 1}": steps}))
    phases.append(Phase(ro * words, writes={"out0": ro * words}, latency=latency))
    return Kernel(name, "jet", tuple(phases), b, latency,
                  params={"rows": r, "rows_out": ro, "n": n, "inputs": k, "unroll": unroll, "ii": ii})


class JetKind(OpKind):
    """Per sample: read every row of input 0, then of input 1, ... (the region
    runs on `unroll` elements every `ii` cycles as the last input's last row
    arrives, a word every lanes/unroll x ii cycles), then write the RO output
    rows after the functor's latency (C++ `inrarch::jet`, inrarch/jet.h;
    `jet_kernel`)."""

    name = "stream.jet"
    role = "kernel"
    operand_kinds, result_kinds = "c*", "c"
    build = staticmethod(jet)

    def verify(self, op) -> None:
        if len(op.operands) < 1:
            raise Reject("needs at least one input")
        first = S.channel_info(op.operands[0].type)
        out = S.channel_info(op.results[0].type)
        if len(first.shape) != 3 or len(out.shape) != 3:
            raise Reject(f"streams [B, rows, N] channels, got {list(first.shape)} -> {list(out.shape)}")
        if (first.shape[0], first.shape[2]) != (out.shape[0], out.shape[2]):
            raise Reject(f"input {list(first.shape)} and output {list(out.shape)} must share B and N")
        if first.lanes != out.lanes:
            raise Reject(f"input has {first.lanes} lanes but the output has {out.lanes}")
        blocks = list(op.regions[0].blocks)
        if len(blocks) != 1:
            raise Reject(f"region must have exactly one block, got {len(blocks)}")
        want = first.shape[1] * len(op.operands)
        if len(blocks[0].arguments) != want:
            raise Reject(f"region has {len(blocks[0].arguments)} arguments; expected {want} "
                         f"({first.shape[1]} rows x {len(op.operands)} inputs)")
        ops = list(blocks[0].operations)
        term = ops[-1].operation if ops else None
        if term is None or term.name != "stream.yield":
            raise Reject("region must end with stream.yield")
        if len(term.operands) != out.shape[1]:
            raise Reject(f"region yields {len(term.operands)} values but the output has {out.shape[1]} rows")
        if "unroll" in op.attributes:
            u = ir.IntegerAttr(op.attributes["unroll"]).value
            if u < 1 or out.lanes % u:
                raise Reject(f"unroll {u} must be a positive divisor of the lanes ({out.lanes})")
        if "ii" in op.attributes:
            ii = ir.IntegerAttr(op.attributes["ii"]).value
            if ii < 1:
                raise Reject(f"ii {ii} must be >= 1")
            if ii > 1 and unroll_of(op) != 1:
                raise Reject(f"ii {ii} > 1 needs one functor instance (unroll = 1), got {unroll_of(op)}")

    def is_barrier(self, op) -> bool:
        return False

    def timing(self, op, name: str) -> Kernel:
        b, r, ro, n, k = shape_of(op)
        return jet_kernel(name, b, r, ro, n, k, in_info(op).lanes, unroll_of(op), jet_latency(op), ii_of(op))

    def evaluate(self, op, ins: list, ev) -> list:
        args = [x[:, row, :] for x in ins for row in range(x.shape[1])]
        return [np.stack(eval_region(op, args), axis=1)]

    def scale_rule(self, op) -> str:
        return SCALE_OWN

    def lanes(self, op) -> LanesRule:
        return LanesRule(tie=True)  # every port carries one lanes value (`unroll` functors take them)

    def resources(self, op, family: str, bits: int) -> Resources:
        """The region per functor instance (`unroll`: as a map's body per lane;
        at `ii` > 1 its multipliers and adders shared over the interval), plus
        the sample buffers of every input and of the output
        (`target.buffer_resources`, partitioned by lanes)."""
        b, r, ro, n, k = shape_of(op)
        res = region_resources(op, family, unroll_of(op), ii_of(op))
        res += buffer_resources((k * r + ro) * n, bits, out_info(op).lanes)
        return res

    def memory(self, op, bits: int) -> dict:
        b, r, ro, n, k = shape_of(op)
        return {"row_buffers": held((k * r + ro) * n, bits)}

    def emit(self, op, ctx) -> CppCall:
        b, r, ro, n, k = shape_of(op)
        functor = f"{ctx.name}_f"
        fixed = None
        if ctx.precision.fixed:
            counter = ctx.add_counter(ctx.name)
            fixed = cpp_map.FixedScales(tuple(ctx.scale_in(i, row) for i in range(k) for row in range(r)),
                                        tuple(ctx.scale_out(0, row) for row in range(ro)), counter)
        try:
            ctx.add_functor(cpp_map.emit_functor(op, functor, fixed))
        except cpp_map.MapEmitError as e:
            raise ctx.error(str(e), e.op or op) from None
        return CppCall("inrarch::jet", {"F": CppType(functor), "B": b, "R": r, "RO": ro, "N": n,
                                        "LANES": out_info(op).lanes, "UNROLL": unroll_of(op),
                                        "LATENCY": jet_latency(op), **shared_config(op, ctx.precision.fixed)},
                       ctx.outs + ctx.ins)
