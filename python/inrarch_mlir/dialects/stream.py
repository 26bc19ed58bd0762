"""The `stream` dialect: FIFO dataflow graphs of streaming kernels.

A `!stream.channel<tensor<BxF...xT>, L>` streams a tensor sample by sample
(batch outermost, row-major) with L elements per FIFO word; kernel ops consume
and produce channels and `stream.fifo` is the only op with a depth. The IRDL
definition in the top-level `dialects/stream.irdl.mlir` is the single source
of truth; this module loads it (`load_dialect`), attaches traits and Python verifiers, and
offers builders (`stream.fifo(value, depth=2)`) and type helpers.

Generic form (IRDL has no custom assembly)::

    %f = "stream.fifo"(%c) {depth = 4 : i64}
        : (!stream.channel<tensor<64x256xf32>, 4 : i64>)
        -> !stream.channel<tensor<64x256xf32>, 4 : i64>
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from torch_mlir import ir
from torch_mlir.dialects import irdl

DIALECT = "stream"

#: Unit attribute on a func.func whose channels may still have several
#: consumers: the state between `convert-torch-to-stream` and
#: `stream-insert-forks`. Everywhere else every channel has one consumer.
IMPLICIT_FORKS_ATTR = "stream.implicit_forks"

#: Ops that are kernels (dataflow processes) in emitted hardware.
KERNEL_OPS = (
    "stream.load",
    "stream.store",
    "stream.weights",
    "stream.fork",
    "stream.matmul",
    "stream.map",
    "stream.broadcast",
    "stream.reduce",
    "stream.slice",
    "stream.reshape",
    "stream.concat",
)


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


def irdl_path() -> Path:
    """Where the dialect definition lives (checkout or installed package)."""
    here = Path(__file__).resolve()
    candidates = [
        here.parents[1] / "_data" / "stream.irdl.mlir",
        here.parents[3] / "dialects" / "stream.irdl.mlir",
    ]
    for c in candidates:
        if c.is_file():
            return c
    raise FileNotFoundError(
        "stream.irdl.mlir not found; looked in: " + ", ".join(map(str, candidates))
    )


@lru_cache(maxsize=1)
def irdl_text() -> str:
    return irdl_path().read_text()


def load_dialect(context: ir.Context) -> None:
    """Loads the stream dialect, its terminator trait and its verifiers."""
    from . import stream_verifiers

    with context, ir.Location.unknown():
        module = ir.Module.parse(irdl_text())
        irdl.load_dialects(module)
        ir.IsTerminatorTrait.attach("stream.yield")
        # Map bodies are self-contained scalar functions: canonicalize must
        # not hoist their constants out (the emitter prints each body alone).
        ir.IsIsolatedFromAboveTrait.attach("stream.map")
        stream_verifiers.attach_all()


# --------------------------------------------------------------------------
# Types
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelInfo:
    """The parameters of a `!stream.channel` type, as plain Python values."""

    shape: tuple[int, ...]
    element_type: ir.Type
    lanes: int
    padded: bool = False

    @property
    def batch(self) -> int:
        return self.shape[0]

    @property
    def row_length(self) -> int:
        """Elements in the innermost dimension (1 for a rank-1 channel)."""
        return self.shape[-1] if len(self.shape) > 1 else 1

    @property
    def rows_per_sample(self) -> int:
        return math.prod(self.shape[1:-1]) if len(self.shape) > 2 else 1

    @property
    def words_per_sample(self) -> int:
        return self.rows_per_sample * math.ceil(self.row_length / self.lanes)

    @property
    def elements_per_sample(self) -> int:
        return math.prod(self.shape[1:])

    @property
    def element_bits(self) -> int:
        return element_bit_width(self.element_type)

    @property
    def bits_per_word(self) -> int:
        return self.lanes * self.element_bits

    @property
    def tensor_type(self) -> ir.Type:
        return ir.Type.parse("tensor<" + "".join(f"{d}x" for d in self.shape) + f"{self.element_type}>",
                             context=self.element_type.context)


def isa(x, cls) -> bool:
    """`isinstance` for MLIR types and attributes (the bindings' downcast)."""
    return isinstance(x.maybe_downcast(), cls)


def element_bit_width(t: ir.Type) -> int:
    t = t.maybe_downcast()
    if isinstance(t, (ir.FloatType, ir.IntegerType)):
        return t.width
    raise ValueError(f"unsupported element type {t}")


def _dynamic(t: ir.Type, name: str):
    try:
        dt = ir.DynamicType(t)
    except (ValueError, TypeError):
        return None
    return dt if dt.type_name == name else None


def is_channel(t: ir.Type) -> bool:
    return _dynamic(t, "stream.channel") is not None


def is_buffer(t: ir.Type) -> bool:
    return _dynamic(t, "stream.buffer") is not None


def channel_info(t: ir.Type) -> ChannelInfo:
    """The parameters of a channel type; ValueError if `t` is not one."""
    dt = _dynamic(t, "stream.channel")
    if dt is None:
        raise ValueError(f"expected !stream.channel, got {t}")
    tensor_attr, lanes_attr = dt.params
    tensor = ir.RankedTensorType(ir.TypeAttr(tensor_attr).value)
    padded = False
    if isa(lanes_attr, ir.IntegerAttr):
        lanes = ir.IntegerAttr(lanes_attr).value
    else:  # #stream.padded<N>
        padded = True
        lanes = ir.IntegerAttr(ir.DynamicAttr(lanes_attr).params[0]).value
    return ChannelInfo(tuple(tensor.shape), tensor.element_type, lanes, padded)


def buffer_tensor(t: ir.Type) -> ir.RankedTensorType:
    dt = _dynamic(t, "stream.buffer")
    if dt is None:
        raise ValueError(f"expected !stream.buffer, got {t}")
    return ir.RankedTensorType(ir.TypeAttr(dt.params[0]).value)


def channel_type(
    shape: Sequence[int],
    element_type: ir.Type,
    lanes: int = 1,
    *,
    padded: bool | None = None,
) -> ir.Type:
    """Builds `!stream.channel<tensor<shape x T>, lanes>`.

    - shape: tensor shape, batch first.
    - element_type: scalar element type.
    - lanes: elements per FIFO word.
    - padded: declare a padded last word per row; default: only when
      `lanes` does not divide the row length.
    """
    row = shape[-1] if len(shape) > 1 else 1
    if padded is None:
        padded = row % lanes != 0
    # Built from text: no Location needed, so passes can call this anywhere.
    tensor = "tensor<" + "".join(f"{d}x" for d in shape) + f"{element_type}>"
    lanes_text = f"#stream.padded<{lanes} : i64>" if padded else f"{lanes} : i64"
    return ir.Type.parse(f"!stream.channel<{tensor}, {lanes_text}>")


def buffer_type(tensor: ir.Type) -> ir.Type:
    return ir.Type.parse(f"!stream.buffer<{tensor}>")


def with_lanes(t: ir.Type, lanes: int) -> ir.Type:
    info = channel_info(t)
    return channel_type(info.shape, info.element_type, lanes)


# --------------------------------------------------------------------------
# Builders: each returns the Value(s) it creates.
# --------------------------------------------------------------------------


def i64_attr(v: int) -> ir.Attribute:
    """An `i64` IntegerAttr (the type of every integer attribute we write)."""
    return ir.IntegerAttr.get(ir.IntegerType.get_signless(64), int(v))


_i64 = i64_attr


def _create(name, results, operands, attributes=None, regions=0, *, loc=None, ip=None):
    return ir.Operation.create(
        name,
        results=results,
        operands=operands,
        attributes=attributes or {},
        regions=regions,
        loc=loc,
        ip=ip,
    )


def load(source: ir.Value, lanes: int = 1, *, loc=None, ip=None) -> ir.Value:
    """Streams a tensor argument.

    - source: a ranked tensor value, batch first.
    - lanes: elements per word of the produced channel.
    """
    t = ir.RankedTensorType(source.type)
    ty = channel_type(t.shape, t.element_type, lanes)
    return _create("stream.load", [ty], [source], loc=loc, ip=ip).result


def store(channel: ir.Value, *, loc=None, ip=None) -> ir.Value:
    """Collects a channel into the tensor the function returns."""
    info = channel_info(channel.type)
    return _create("stream.store", [info.tensor_type], [channel], loc=loc, ip=ip).result


def weights(
    source: ir.Value,
    shape: Sequence[int] | None = None,
    offset: int = 0,
    strides: Sequence[int] | None = None,
    *,
    loc=None,
    ip=None,
) -> ir.Value:
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
    contiguous = list(contiguous_strides(shape))
    # strides of unit dims never matter
    same = strides is None or all(n == 1 or a == b for n, a, b in zip(shape, strides, contiguous))
    if offset != 0 or not same or list(shape) != list(src.shape):
        attrs = {"offset": _i64(offset), "strides": ir.DenseI64ArrayAttr.get(list(strides or contiguous))}
    return _create("stream.weights", [buffer_type(tensor)], [source], attrs, loc=loc, ip=ip).result


def contiguous_strides(shape: Sequence[int]) -> tuple[int, ...]:
    """Row-major element strides of `shape`."""
    out, acc = [], 1
    for d in reversed(list(shape)):
        out.append(acc)
        acc *= d
    return tuple(reversed(out))


def weights_view(op) -> tuple[int, list[int]]:
    """(offset, strides) of a stream.weights op (contiguous when absent)."""
    shape = buffer_tensor(op.results[0].type).shape
    if "strides" in op.attributes:
        return int_attr(op, "offset", 0), array_attr(op, "strides")
    return 0, list(contiguous_strides(shape))


def fifo(channel: ir.Value, depth: int = 2, *, loc=None, ip=None) -> ir.Value:
    """A bounded FIFO of `depth` words between a producer and a consumer."""
    return _create(
        "stream.fifo", [channel.type], [channel], {"depth": _i64(depth)}, loc=loc, ip=ip
    ).result


def fork(channel: ir.Value, n: int, *, loc=None, ip=None) -> list[ir.Value]:
    """Duplicates `channel` into `n` channels."""
    return list(_create("stream.fork", [channel.type] * n, [channel], loc=loc, ip=ip).results)


def matmul(
    x: ir.Value,
    w: ir.Value,
    *,
    transpose_w: bool = False,
    lanes: int = 1,
    macs: int | None = None,
    loc=None,
    ip=None,
) -> ir.Value:
    """y[b, n] = sum_k x[b, k] * W[k, n] (W[n, k] if transpose_w).

    - x: channel [B, K].
    - w: buffer [K, N] (or [N, K]), or a channel [K, N] (a barrier).
    - lanes: elements per word of the output channel.
    - macs: multiply-accumulate units (default: no attribute, i.e. 1).
    """
    xi = channel_info(x.type)
    wt = buffer_tensor(w.type) if is_buffer(w.type) else ir.RankedTensorType(channel_info(w.type).tensor_type)
    n = wt.shape[0] if transpose_w else wt.shape[1]
    ty = channel_type([xi.batch, n], xi.element_type, lanes)
    attrs = {"transpose_w": ir.BoolAttr.get(transpose_w)}
    if macs is not None:
        attrs["macs"] = _i64(macs)
    return _create("stream.matmul", [ty], [x, w], attrs, loc=loc, ip=ip).result


def map_(inputs: Sequence[ir.Value], result_element_type: ir.Type | None = None, *, loc=None, ip=None):
    """Creates an elementwise kernel and returns `(result, body_block)`.

    The block has one scalar argument per input; the caller fills it and ends
    it with `yield_(...)`.
    """
    infos = [channel_info(v.type) for v in inputs]
    elt = result_element_type or infos[0].element_type
    ty = channel_type(infos[0].shape, elt, infos[0].lanes)
    op = _create("stream.map", [ty], list(inputs), regions=1, loc=loc, ip=ip)
    block = op.regions[0].blocks.append(*[i.element_type for i in infos])
    return op.result, block


def yield_(values: Sequence[ir.Value], *, loc=None, ip=None) -> None:
    _create("stream.yield", [], list(values), loc=loc, ip=ip)


def broadcast(source: ir.Value, shape: Sequence[int], lanes: int = 1, *, loc=None, ip=None) -> ir.Value:
    """Repeats a buffer per sample, or a channel along its size-1 dims."""
    if is_buffer(source.type):
        elt = buffer_tensor(source.type).element_type
    else:
        elt = channel_info(source.type).element_type
    ty = channel_type(shape, elt, lanes)
    return _create("stream.broadcast", [ty], [source], loc=loc, ip=ip).result


def transpose(source: ir.Value, perm: Sequence[int], lanes: int = 1, *, loc=None, ip=None) -> ir.Value:
    """Output dim i is input dim perm[i] (a barrier unless perm[0] == 0)."""
    info = channel_info(source.type)
    ty = channel_type([info.shape[p] for p in perm], info.element_type, lanes)
    attrs = {"perm": ir.DenseI64ArrayAttr.get(list(perm))}
    return _create("stream.transpose", [ty], [source], attrs, loc=loc, ip=ip).result


def reduce(source: ir.Value, dims: Sequence[int], lanes: int = 1, *, loc=None, ip=None) -> ir.Value:
    """Sums over dims `dims` (dim 0: a barrier); reduced dims are kept with size 1."""
    info = channel_info(source.type)
    shape = [1 if i in dims else d for i, d in enumerate(info.shape)]
    ty = channel_type(shape, info.element_type, lanes)
    attrs = {"dims": ir.DenseI64ArrayAttr.get(list(dims))}
    return _create("stream.reduce", [ty], [source], attrs, loc=loc, ip=ip).result


def slice_(
    source: ir.Value,
    offsets: Sequence[int],
    sizes: Sequence[int],
    strides: Sequence[int] | None = None,
    lanes: int = 1,
    *,
    loc=None,
    ip=None,
) -> ir.Value:
    info = channel_info(source.type)
    strides = list(strides) if strides is not None else [1] * len(sizes)
    ty = channel_type(list(sizes), info.element_type, lanes)
    attrs = {
        "offsets": ir.DenseI64ArrayAttr.get(list(offsets)),
        "sizes": ir.DenseI64ArrayAttr.get(list(sizes)),
        "strides": ir.DenseI64ArrayAttr.get(strides),
    }
    return _create("stream.slice", [ty], [source], attrs, loc=loc, ip=ip).result


def reshape(source: ir.Value, shape: Sequence[int], lanes: int | None = None, *, loc=None, ip=None) -> ir.Value:
    info = channel_info(source.type)
    ty = channel_type(list(shape), info.element_type, lanes or info.lanes)
    return _create("stream.reshape", [ty], [source], loc=loc, ip=ip).result


def concat(inputs: Sequence[ir.Value], dim: int, lanes: int = 1, *, loc=None, ip=None) -> ir.Value:
    infos = [channel_info(v.type) for v in inputs]
    shape = list(infos[0].shape)
    shape[dim] = sum(i.shape[dim] for i in infos)
    ty = channel_type(shape, infos[0].element_type, lanes)
    return _create("stream.concat", [ty], list(inputs), {"dim": _i64(dim)}, loc=loc, ip=ip).result


# --------------------------------------------------------------------------
# Accessors
# --------------------------------------------------------------------------


def fifo_depth(op) -> int:
    return ir.IntegerAttr(op.attributes["depth"]).value


def int_attr(op, name: str, default: int | None = None) -> int | None:
    if name in op.attributes:
        return ir.IntegerAttr(op.attributes[name]).value
    return default


def array_attr(op, name: str) -> list[int]:
    return list(ir.DenseI64ArrayAttr(op.attributes[name]))


def bool_attr(op, name: str, default: bool = False) -> bool:
    if name in op.attributes:
        return ir.BoolAttr(op.attributes[name]).value
    return default


def map_body(op) -> ir.Block:
    return op.regions[0].blocks[0]


def mixes_batch(op) -> bool:
    """Whether a kernel op combines samples, i.e. must see the whole tensor
    (a barrier): a transpose moving dim 0, a reduce/slice/concat over dim 0,
    a broadcast of one row along the batch, a matmul whose weight streams."""
    name = op.name
    if name == "stream.transpose":
        return array_attr(op, "perm")[0] != 0
    if name == "stream.reduce":
        return 0 in array_attr(op, "dims")
    if name == "stream.slice":
        inp = channel_info(op.operands[0].type)
        return (array_attr(op, "offsets")[0], array_attr(op, "sizes")[0], array_attr(op, "strides")[0]) != (
            0, inp.batch, 1)
    if name == "stream.concat":
        return int_attr(op, "dim") == 0
    if name == "stream.broadcast":
        return is_channel(op.operands[0].type) and channel_info(op.operands[0].type).batch != channel_info(
            op.results[0].type).batch
    if name == "stream.matmul":
        return is_channel(op.operands[1].type)
    return False


def matmul_weight_type(op) -> ir.RankedTensorType:
    """The weight matrix of a matmul in its storage layout, buffered or streamed."""
    w = op.operands[1].type
    return buffer_tensor(w) if is_buffer(w) else ir.RankedTensorType(channel_info(w).tensor_type)


def barrier_elements(op) -> int:
    """Elements a barrier kernel holds on chip at once (0 for other kernels):
    the whole input (transpose, slice, concat), the kept dims of a sum, the
    repeated row of a broadcast, the streamed weight of a matmul."""
    if not mixes_batch(op):
        return 0
    if op.name == "stream.matmul":
        return math.prod(matmul_weight_type(op).shape)
    if op.name in ("stream.reduce", "stream.broadcast"):
        side = op.results[0] if op.name == "stream.reduce" else op.operands[0]
        return math.prod(channel_info(side.type).shape)
    return sum(math.prod(channel_info(v.type).shape) for v in op.operands)
