"""`stream.matmul`: an activation stream x an on-chip weight buffer (or x a streamed matrix)."""

from __future__ import annotations

from torch_mlir import ir

from ..dataflow import Kernel
from ..dataflow.graph import MatmulLoop
from ..dialects import stream_types as S
from ..target import (MATMUL_FF_PER_MAC, MATMUL_LATENCY, MATMUL_LUT_PER_MAC, WEIGHT_LANES, Resources,
                      buffer_resources, dsp_per_mac, kernel_overhead)
from .base import (DATA_T, SCALE_OWN, CppCall, CppType, LanesRule, OpKind, Reject, held, in_info, out_info,
                   same_element_type, target_of)
from .weights import tiling, weight_load_cycles


def matmul(x: ir.Value, w: ir.Value, *, transpose_w: bool = False, lanes: int = 1, macs: int | None = None,
           loc=None, ip=None) -> ir.Value:
    """y[b, n] = sum_k x[b, k] * W[k, n] (W[n, k] if transpose_w).

    - x: channel [B, K].
    - w: buffer [K, N] (or [N, K]), or a channel [K, N] (a barrier).
    - lanes: elements per word of the output channel.
    - macs: multiply-accumulate units (default: no attribute, i.e. 1).
    """
    xi = S.channel_info(x.type)
    wt = S.buffer_tensor(w.type) if S.is_buffer(w.type) else ir.RankedTensorType(S.channel_info(w.type).tensor_type)
    n = wt.shape[0] if transpose_w else wt.shape[1]
    ty = S.channel_type([xi.batch, n], xi.element_type, lanes)
    attrs = {"transpose_w": ir.BoolAttr.get(transpose_w)}
    if macs is not None:
        attrs["macs"] = S.i64_attr(macs)
    return S.create("stream.matmul", [ty], [x, w], attrs, loc=loc, ip=ip).result


def weight_type(op) -> ir.RankedTensorType:
    """The weight matrix of a matmul in its storage layout, buffered or streamed."""
    w = op.operands[1].type
    return S.buffer_tensor(w) if S.is_buffer(w) else ir.RankedTensorType(S.channel_info(w).tensor_type)


#: Attribute naming the memory a matmul's weight buffer binds to ("bram" or "uram"; stream-fit).
WEIGHT_STORAGE_ATTR = "stream.weight_storage"


def weight_storage(op) -> str:
    """Where the weight buffer lives: "uram" when stream-fit moved it there, else "bram"."""
    if WEIGHT_STORAGE_ATTR in op.attributes:
        return ir.StringAttr(op.attributes[WEIGHT_STORAGE_ATTR]).value
    return "bram"


def weight_chunk(k: int, n: int, lanes_out: int, macs: int, transpose_w: bool, weight_lanes: int) -> int:
    """Weight elements the C++ matmul stores per cycle while it loads its buffer (`detail::weight_chunk`).

    The stream is flat in the storage layout, so consecutive elements run along
    k (transposed, [N, K]) or along n ([K, N]); the buffer is partitioned
    cyclically in KU banks along k and JU along n, one write per bank and
    cycle. A chunk of P consecutive elements of one storage row lands in P
    distinct banks when P <= KU (resp. JU); P also divides the weight word and
    the storage row, so chunks never straddle either. P is the largest such."""
    loop = MatmulLoop(k, n, lanes_out, macs)
    row, banks = (k, loop.ku) if transpose_w else (n, loop.ju)
    return max(p for p in range(1, min(weight_lanes, banks) + 1) if weight_lanes % p == 0 and row % p == 0)


def streams_weight(op) -> bool:
    """A matmul whose weight is a channel (read whole before row 0: a barrier)."""
    return S.is_channel(op.operands[1].type)


class MatmulKind(OpKind):
    """Reads the weights once, then row 0; per row, one MAC loop that also reads
    the next row (double-buffered, its words spread evenly); writes each output
    word when its MACs finish (C++ `inrarch::matmul`, `dataflow.Kernel.matmul`)."""

    name = "stream.matmul"
    role = "kernel"
    operand_kinds, result_kinds = "c cb", "c"
    build = staticmethod(matmul)

    def verify(self, op) -> None:
        x = S.channel_info(op.operands[0].type)
        y = S.channel_info(op.results[0].type)
        transpose = S.bool_attr(op, "transpose_w")
        if streams_weight(op):
            wc = S.channel_info(op.operands[1].type)
            if transpose:
                raise Reject("a streamed weight cannot be transposed; stream it as [K, N]")
            if wc.padded:
                raise Reject(f"a streamed weight must fill its words: {wc.lanes} lanes do not divide rows of "
                             f"{wc.row_length}")
            w = ir.RankedTensorType(wc.tensor_type)
        else:
            w = S.buffer_tensor(op.operands[1].type)
        if len(x.shape) != 2 or len(w.shape) != 2 or len(y.shape) != 2:
            raise Reject(
                f"expects rank-2 input, weight and output, got {list(x.shape)}, {list(w.shape)}, {list(y.shape)}")
        k, n = (w.shape[1], w.shape[0]) if transpose else (w.shape[0], w.shape[1])
        if x.shape[1] != k:
            raise Reject(f"input has {x.shape[1]} features but the weight {list(w.shape)}"
                         f"{' (transposed)' if transpose else ''} expects {k}")
        if y.shape != (x.shape[0], n):
            raise Reject(f"output shape {list(y.shape)} does not match expected {[x.shape[0], n]}")
        same_element_type(x.element_type, w.element_type, "weight")
        same_element_type(x.element_type, y.element_type, "output")
        macs = S.int_attr(op, "macs", 1)
        if macs < 1:
            raise Reject(f"macs must be >= 1, got {macs}")

    def is_barrier(self, op) -> bool:
        return streams_weight(op)

    def timing(self, op, name: str) -> Kernel:
        x, out = in_info(op), out_info(op)
        macs = S.int_attr(op, "macs", 1)
        k, n = x.shape[1], out.shape[1]
        interleave = target_of(op).add_latency
        if streams_weight(op):
            w = S.channel_info(op.operands[1].type)
            return Kernel.matmul(name, k, n, x.lanes, out.lanes, macs, MATMUL_LATENCY, samples=x.batch,
                                 weight_rows=w.batch, weight_words=w.words_per_sample, interleave=interleave,
                                 weight_lanes=w.lanes, weight_chunk=weight_chunk(k, n, out.lanes, macs, False, w.lanes))
        chunk = weight_chunk(k, n, out.lanes, macs, S.bool_attr(op, "transpose_w"), WEIGHT_LANES)
        tr, pr = tiling(op.operands[1].owner)
        if tr:  # PR rows of a tile word (all its WEIGHT_LANES/TR columns) per cycle
            chunk = pr * (WEIGHT_LANES // tr)
        prologue = weight_load_cycles(op.operands[1].owner, k * n // chunk, WEIGHT_LANES // chunk)
        return Kernel.matmul(name, k, n, x.lanes, out.lanes, macs, MATMUL_LATENCY, prologue_cycles=prologue,
                             samples=out.batch, interleave=interleave)

    def evaluate(self, op, ins: list, ev) -> list:
        w = ins[1].T if S.bool_attr(op, "transpose_w") else ins[1]
        return [ins[0] @ w]

    def scale_rule(self, op) -> str:
        return SCALE_OWN  # through its weights' scale: s_w = s_y - s_x

    def lanes(self, op) -> LanesRule:
        if streams_weight(op):
            return LanesRule(pin="all")  # a barrier
        return LanesRule()  # input and output lanes are free and independent; MACs follow them

    def resources(self, op, family: str, bits: int) -> Resources:
        """MACs x (DSP, LUT, FF per MAC; DSPs per MAC from the function's
        target part) plus the weight buffer cyclically partitioned over the
        MACs (`target.buffer_resources`), in URAM when `stream.weight_storage`
        says so (stream-fit)."""
        macs = S.int_attr(op, "macs", 1)
        w = weight_type(op)
        r = kernel_overhead("matmul")
        r.dsp += macs * dsp_per_mac(target_of(op).part, family)
        r.lut += macs * MATMUL_LUT_PER_MAC[family]
        r.ff += macs * MATMUL_FF_PER_MAC[family]
        r += buffer_resources(int(w.shape[0]) * int(w.shape[1]), bits, macs, uram=weight_storage(op) == "uram")
        return r

    def memory(self, op, bits: int) -> dict:
        """The weight buffer (a streamed weight is held whole: a barrier) and the double-buffered input row."""
        w = weight_type(op)
        k = in_info(op).shape[1]
        kind = "barrier_buffers" if streams_weight(op) else "weights"
        return {kind: held(int(w.shape[0]) * int(w.shape[1]), bits), "row_buffers": held(2 * k, bits)}

    def emit(self, op, ctx) -> CppCall:
        if streams_weight(op) and ctx.precision.fixed:
            raise ctx.error("fixed-point emission of a matmul whose weight streams (a batch-coupled design) is not "
                            "supported; use --precision float", op)
        x, out = in_info(op), out_info(op)
        wt = weight_type(op)
        tw = S.bool_attr(op, "transpose_w")
        tile = {} if streams_weight(op) else {"WEIGHT_TILE": tiling(op.operands[1].owner)[0]}
        return CppCall("inrarch::matmul",
                       {"T": CppType(DATA_T), "ACC": CppType(f"inrarch::acc_t<{DATA_T}>"), "B": out.batch,
                        "K": x.shape[1], "N": wt.shape[0] if tw else wt.shape[1], "LI": x.lanes, "LO": out.lanes,
                        "MACS": S.int_attr(op, "macs", 1), "L": target_of(op).add_latency,
                        "LATENCY": MATMUL_LATENCY, **{k: v for k, v in tile.items() if v},
                        "TRANSPOSE_W": tw, "WEIGHT_URAM": weight_storage(op) == "uram"},
                       [ctx.ins[0], ctx.ins[1], ctx.outs[0]])

