"""The `stream` dialect: FIFO dataflow graphs of streaming kernels.

A `!stream.channel<tensor<BxF...xT>, L>` streams a tensor sample by sample
(batch outermost, row-major) with L elements per FIFO word; kernel ops consume
and produce channels and `stream.fifo` is the only op with a depth. The IRDL
definition in the top-level `dialects/stream.irdl.mlir` is the single source
of truth; this module loads it (`load_dialect`) with its traits and the
kinds' verifiers, and is the dialect's public face: type helpers (from
`stream_types`) and one builder per op (from `inrarch_mlir.kernels`, where
every other fact about each op lives too).

Generic form (IRDL has no custom assembly)::

    %f = "stream.fifo"(%c) {depth = 4 : i64}
        : (!stream.channel<tensor<64x256xf32>, 4 : i64>)
        -> !stream.channel<tensor<64x256xf32>, 4 : i64>
"""

from __future__ import annotations

from torch_mlir import ir
from torch_mlir.dialects import irdl

from ..kernels import KINDS, verify
from ..kernels.broadcast import broadcast
from ..kernels.concat import concat
from ..kernels.fifo import fifo
from ..kernels.fork import fork
from ..kernels.jet import jet
from ..kernels.load import load
from ..kernels.map import map_
from ..kernels.matmul import matmul
from ..kernels.matmul import weight_type as matmul_weight_type
from ..kernels.reduce import reduce
from ..kernels.reshape import reshape
from ..kernels.slice_ import slice_
from ..kernels.store import store
from ..kernels.transpose import transpose
from ..kernels.weights import weights, weights_view
from ..kernels.yield_ import yield_
from .stream_types import (DIALECT, IMPLICIT_FORKS_ATTR, ChannelInfo, array_attr, bool_attr, buffer_tensor,
                           buffer_type, channel_info, channel_type, contiguous_strides, element_bit_width, fifo_depth,
                           i64_attr, int_attr, irdl_path, irdl_text, is_buffer, is_channel, isa, map_body, with_lanes)

__all__ = [
    "DIALECT", "IMPLICIT_FORKS_ATTR", "ChannelInfo", "array_attr", "bool_attr", "broadcast", "buffer_tensor",
    "buffer_type", "channel_info", "channel_type", "concat", "contiguous_strides", "element_bit_width", "fifo",
    "fifo_depth", "fork", "i64_attr", "jet", "int_attr", "irdl_path", "irdl_text", "is_buffer", "is_channel", "isa", "load",
    "load_dialect", "map_", "map_body", "matmul", "matmul_weight_type", "mixes_batch", "reduce", "reshape", "slice_",
    "store", "transpose", "weights", "weights_view", "with_lanes", "yield_",
]


def load_dialect(context: ir.Context) -> None:
    """Loads the stream dialect, its terminator trait and its verifiers."""
    with context, ir.Location.unknown():
        module = ir.Module.parse(irdl_text())
        irdl.load_dialects(module)
        ir.IsTerminatorTrait.attach("stream.yield")
        # Map bodies are self-contained scalar functions: canonicalize must
        # not hoist their constants out (the emitter prints each body alone).
        ir.IsIsolatedFromAboveTrait.attach("stream.map")
        ir.IsIsolatedFromAboveTrait.attach("stream.jet")
        verify.attach_all()


def mixes_batch(op) -> bool:
    """Whether a stream op combines samples, i.e. must see the whole tensor
    (a barrier): a transpose moving dim 0, a reduce/slice/concat over dim 0,
    a broadcast of one row along the batch, a matmul whose weight streams."""
    kind = KINDS.get(op.name)
    return kind is not None and kind.is_barrier(op)
