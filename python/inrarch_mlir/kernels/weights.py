"""`stream.weights`: a weight tensor (or an affine view of it) -> an on-chip buffer.

A `weights` process streams the tensor once (flat, `WEIGHT_LANES` values
per word) into the single kernel that reads the buffer; that kernel copies
it into its local, partitioned array before its first sample (so the load
is the reader's prologue in the timing model, and the buffer's memory is
charged to the reader).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from torch_mlir import ir

from ..dataflow.graph import stream_in_delay
from ..dialects import stream_types as S
from ..target import WEIGHT_LANES, Resources
from .base import DATA_T, SCALE_WEIGHTS, CppCall, CppType, LanesRule, OpKind, Reject, cpp_shape


def weights(source: ir.Value, shape: Sequence[int] | None = None, offset: int = 0,
            strides: Sequence[int] | None = None, *, loc=None, ip=None) -> ir.Value:
    """Copies a weight tensor, or an affine view of it, into an on-chip buffer.

    - source: the weight tensor (a function argument or a constant).
    - shape: the buffer's shape (default: the source's).
    - offset, strides: element (multi-index i) = source_flat[offset +
      sum(i[d] * strides[d])]; omitted for a plain copy.
    """
    src = ir.RankedTensorType(source.type)
    if shape is None:
        shape = list(src.shape)
    tensor = ir.Type.parse("tensor<" + "".join(f"{d}x" for d in shape) + f"{src.element_type}>")
    attrs = {}
    contiguous = list(S.contiguous_strides(shape))
    # strides of unit dims never matter
    same = strides is None or all(n == 1 or a == b for n, a, b in zip(shape, strides, contiguous))
    if offset != 0 or not same or list(shape) != list(src.shape):
        attrs = {"offset": S.i64_attr(offset), "strides": ir.DenseI64ArrayAttr.get(list(strides or contiguous))}
    return S.create("stream.weights", [S.buffer_type(tensor)], [source], attrs, loc=loc, ip=ip).result


# --------------------------------------------------------------------------
# The view and where the values come from (interpreter and emitter alike)
# --------------------------------------------------------------------------


def weights_view(op) -> tuple[int, list[int]]:
    """(offset, strides) of a stream.weights op (contiguous when absent)."""
    shape = S.buffer_tensor(op.results[0].type).shape
    if "strides" in op.attributes:
        return S.int_attr(op, "offset", 0), S.array_attr(op, "strides")
    return 0, list(S.contiguous_strides(shape))


def view_params(op) -> tuple[tuple[int, ...], int, tuple[int, ...]]:
    """(buffer shape, offset, strides) of a weights op's affine view."""
    shape = tuple(S.buffer_tensor(op.results[0].type).shape)
    offset, strides = weights_view(op)
    return shape, offset, tuple(strides)


def apply_view(base: np.ndarray, shape, offset: int, strides) -> np.ndarray:
    """The buffer a view reads from `base` (ValueError when it reads out of bounds)."""
    flat = np.asarray(base, dtype=np.float64).reshape(-1)
    idx = np.full(shape, offset, dtype=np.int64)
    for d, (n, s) in enumerate(zip(shape, strides)):
        ax = [1] * len(shape)
        ax[d] = n
        idx = idx + np.arange(n, dtype=np.int64).reshape(ax) * s
    if idx.size and (idx.min() < 0 or idx.max() >= flat.size):
        raise ValueError(f"weights view reads element {int(idx.max())} of a {flat.size}-element tensor")
    return flat[idx]


def streams_words(op) -> bool:
    """Whether the C++ process of a weights op writes one word per cycle (a row-major view, any
    offset: `inrarch::weights`, or `weights_view`'s contiguous path) rather than one element per
    cycle (a strided view: `weights_view` gathers element by element)."""
    shape, _, strides = view_params(op)
    return all(n == 1 or s == c for n, s, c in zip(shape, strides, S.contiguous_strides(shape)))


def largest_divisor(n: int, at_most: int) -> int:
    """The largest divisor of `n` that is at most `at_most` (at least 1)."""
    return max(d for d in range(1, max(1, min(n, at_most)) + 1) if n % d == 0)


def tiling(op, lanes: int = WEIGHT_LANES) -> tuple[int, int]:
    """(TR, PR) when the weights of `op` stream in tiles (`inrarch::weights_tiles`) to their
    matmul, else (0, 0): words of TR storage rows x TC = lanes/TR columns, of which the
    matmul stores PR rows (all TC columns) per cycle.

    A matmul stores a flat, row-major weight stream P elements per cycle, P
    limited by its buffer's banks along the storage rows (`matmul.weight_chunk`:
    JU, the output lanes, for a [K, N] weight; KU for [N, K]). When that is
    below a word, a tile word puts its elements in distinct banks instead:
    TC = the largest divisor of a word at most the banks along the rows, TR =
    lanes/TC rows, of which PR = the largest divisor of TR at most the banks
    across the rows go in one cycle (C++ `detail::matmul_run`: PR*TC elements
    per cycle). Chosen when that beats P, the view is row-contiguous, TR
    divides the rows and a word the row length."""
    from ..dataflow.graph import MatmulLoop

    op = getattr(op, "operation", op)
    if getattr(op, "name", None) != "stream.weights":
        return 0, 0
    uses = list(op.results[0].uses)
    if len(uses) != 1:
        return 0, 0
    mm = uses[0].owner.operation
    if mm.name != "stream.matmul" or uses[0].operand_number != 1:
        return 0, 0
    shape, _, strides = view_params(op)
    if len(shape) != 2 or (shape[1] > 1 and strides[1] != 1):
        return 0, 0
    rows, cols = shape
    out = S.channel_info(mm.results[0].type)
    loop = MatmulLoop(1, 1, out.lanes, S.int_attr(mm, "macs", 1))
    fast, slow = (loop.ku, loop.ju) if S.bool_attr(mm, "transpose_w") else (loop.ju, loop.ku)
    if cols % lanes:
        return 0, 0
    tc = largest_divisor(lanes, fast)
    tr = lanes // tc
    pr = largest_divisor(tr, slow)
    flat = max(p for p in range(1, min(lanes, fast) + 1) if lanes % p == 0 and cols % p == 0)
    if rows % tr or pr * tc <= flat:
        return 0, 0
    return tr, pr


def write_cycles(op, lanes: int = WEIGHT_LANES) -> np.ndarray | None:
    """The nominal cycle at which the weights process writes each word of its stream (`op`: the
    weights op; a buffer from anything else is taken as a word per cycle)."""
    op = getattr(op, "operation", op)
    if getattr(op, "name", None) != "stream.weights":
        return None
    shape, _, _ = view_params(op)
    size = max(1, math.prod(shape))
    w = np.arange(-(-size // lanes), dtype=np.int64)
    tr, _ = tiling(op, lanes)
    if tr:  # weights_tiles: word w after the fill of one tile (TR memory words)
        return w + tr
    return w if streams_words(op) else np.minimum((w + 1) * lanes, size) - 1


def weight_load_cycles(op, iterations: int, read_every: int, lanes: int = WEIGHT_LANES) -> int:
    """Cycles of a reader's weight-load loop: `iterations` iterations reading the weight words at
    iterations 0, `read_every`, 2 `read_every`, ..., fed by the weights process of `op` through
    its depth-2 FIFO (`dataflow.stream_in_delay`): the reader's prologue in the timing model."""
    w = write_cycles(op, lanes)
    if w is None:  # not a weights op: a free-running word per cycle
        w = np.arange(-(-iterations // read_every), dtype=np.int64)
    return iterations + stream_in_delay(w, np.arange(len(w), dtype=np.int64) * read_every)


def dense_value(attr, ty) -> np.ndarray:
    """A dense float constant as an ndarray of its tensor type's shape."""
    t = ir.RankedTensorType(ty)
    shape = tuple(t.shape)
    a = ir.DenseElementsAttr(attr)
    if a.is_splat:
        return np.full(shape, float(ir.FloatAttr(a.get_splat_value()).value), dtype=np.float64)
    return np.array(ir.DenseFPElementsAttr(attr), dtype=np.float64).reshape(shape)


def weight_source(op):
    """Where a `stream.weights` op reads from: ("arg", index) or ("const", ndarray).

    Raises ValueError naming the producer for anything else (the weights
    contract allows a cast of a function argument or an arith.constant)."""
    v = op.operands[0]
    owner = v.owner
    if isinstance(owner, ir.Block):
        return "arg", ir.BlockArgument(v).arg_number
    owner = owner.operation
    if owner.name == "builtin.unrealized_conversion_cast":
        src = owner.operands[0]
        if isinstance(src.owner, ir.Block):
            return "arg", ir.BlockArgument(src).arg_number
        raise ValueError(f"stream.weights reads a cast of '{src.owner.operation.name}'; expected a cast of a "
                         "function argument or an arith.constant (the weights contract)")
    if owner.name == "arith.constant":
        return "const", dense_value(owner.attributes["value"], v.type)
    raise ValueError(f"stream.weights reads '{owner.name}'; expected a cast of a function argument or an "
                     "arith.constant (the weights contract)")


class WeightsKind(OpKind):
    """Writes ceil(SIZE/WEIGHT_LANES) words once (C++ `inrarch::weights` / `weights_view`)."""

    name = "stream.weights"
    role = "buffer"
    operand_kinds, result_kinds = "t", "b"
    build = staticmethod(weights)

    def verify(self, op) -> None:
        src = ir.RankedTensorType(op.operands[0].type)
        buf = ir.RankedTensorType(S.buffer_tensor(op.results[0].type))
        if src.element_type != buf.element_type:
            raise Reject(f"copies {src} into a buffer of {buf}")
        has_view = "strides" in op.attributes or "offset" in op.attributes
        if not has_view:
            if tuple(src.shape) != tuple(buf.shape):
                raise Reject(f"copies {src} into a buffer of {buf}; give offset and strides for a view")
            return
        if "strides" not in op.attributes:
            raise Reject("a view needs both offset and strides")
        offset, strides = weights_view(op)
        if len(strides) != len(buf.shape):
            raise Reject(f"has {len(strides)} strides for a buffer of rank {len(buf.shape)}")
        if offset < 0 or any(st < 0 for st in strides):
            raise Reject(f"offset {offset} and strides {strides} must be >= 0")
        last = offset + sum((d - 1) * st for d, st in zip(buf.shape, strides))
        numel = math.prod(src.shape)
        if last >= numel:
            raise Reject(f"view reads element {last} of a source with {numel} elements")

    def is_barrier(self, op) -> bool:
        return False

    def timing(self, op, name: str) -> None:
        return None  # the load is the reader's prologue (Kernel.prologue_cycles)

    def evaluate(self, op, ins: list, ev) -> list:
        kind, src = weight_source(op)
        base = ev.argument(src) if kind == "arg" else src
        shape, offset, strides = view_params(op)
        return [apply_view(base, shape, offset, strides)]

    def scale_rule(self, op) -> str:
        return SCALE_WEIGHTS

    def lanes(self, op) -> LanesRule:
        return LanesRule()  # a buffer has no lanes; its stream is WEIGHT_LANES wide

    def resources(self, op, family: str, bits: int) -> Resources:
        return Resources()  # the buffer is charged to its reader (matmul, broadcast)

    def memory(self, op, bits: int) -> dict:
        return {}  # its buffer is held by its reader (matmul, broadcast), charged there

    def emit(self, op, ctx) -> CppCall:
        shape, offset, strides = view_params(op)
        size = max(1, math.prod(shape))
        mem = ctx.weight_memory(op)
        contiguous = offset == 0 and tuple(strides) == tuple(math.prod(shape[d + 1:]) for d in range(len(shape)))
        lanes = ctx.weight_fifo(op).lanes
        tr, _ = tiling(op, lanes)
        if tr:  # to a matmul with few banks along the storage rows: in tiles (see tiling)
            return CppCall("inrarch::weights_tiles",
                           {"T": CppType(DATA_T), "R": shape[0], "C": shape[1], "ROW_STRIDE": strides[0],
                            "OFFSET": offset, "LANES": lanes, "TR": tr,
                            "S": ctx.weight_scale(op) if ctx.precision.fixed else 0},
                           [mem, ctx.weight_fifo(op).cname])
        if contiguous and not ctx.precision.fixed:
            return CppCall("inrarch::weights", {"T": CppType(DATA_T), "SIZE": size, "LANES": lanes},
                           [mem, ctx.weight_fifo(op).cname])
        return CppCall("inrarch::weights_view",
                       {"T": CppType(DATA_T), "Shape": cpp_shape(shape), "Strides": cpp_shape(strides),
                        "SIZE": size, "OFFSET": offset, "LANES": lanes, "S": ctx.weight_scale(op)},
                       [mem, ctx.weight_fifo(op).cname])
