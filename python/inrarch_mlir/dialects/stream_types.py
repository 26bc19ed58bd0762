"""The core of the `stream` dialect: its types and attribute helpers.

The bottom layer of the dialect bindings: the IRDL text, `!stream.channel`
and `!stream.buffer` types as Python values (`ChannelInfo`), and accessors
for the attributes ops carry. The per-op facts (builders, verifiers, timing,
...) live in `inrarch_mlir.kernels`, which builds on this module; the public
face of the dialect is `inrarch_mlir.dialects.stream`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from torch_mlir import ir

DIALECT = "stream"

#: Unit attribute on a func.func whose channels may still have several
#: consumers: the state between `convert-torch-to-stream` and
#: `stream-insert-forks`. Everywhere else every channel has one consumer.
IMPLICIT_FORKS_ATTR = "stream.implicit_forks"

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
# Building blocks of the builders (in inrarch_mlir.kernels)
# --------------------------------------------------------------------------


def i64_attr(v: int) -> ir.Attribute:
    """An `i64` IntegerAttr (the type of every integer attribute we write)."""
    return ir.IntegerAttr.get(ir.IntegerType.get_signless(64), int(v))


def create(name, results, operands, attributes=None, regions=0, *, loc=None, ip=None):
    """`ir.Operation.create` with keyword-only `loc`/`ip` last (every builder's tail)."""
    return ir.Operation.create(
        name,
        results=results,
        operands=operands,
        attributes=attributes or {},
        regions=regions,
        loc=loc,
        ip=ip,
    )


def contiguous_strides(shape: Sequence[int]) -> tuple[int, ...]:
    """Row-major element strides of `shape`."""
    out, acc = [], 1
    for d in reversed(list(shape)):
        out.append(acc)
        acc *= d
    return tuple(reversed(out))


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
