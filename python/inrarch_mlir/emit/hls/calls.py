"""One C++ call per kernel kind: the context a kind's `emit` sees, and the dispatch.

Each kind builds its own call (`OpKind.emit` in `inrarch_mlir.kernels`);
`CallContext` gives it the names of the FIFOs on its ports, the precision,
the fixed-point scales and the top-level ports, and collects what a call
adds to the project (map functors, overflow counters, ROM constants).
"""

from __future__ import annotations

from dataclasses import dataclass

from torch_mlir import ir

from ...kernels import KINDS
from ...kernels.base import CppCall
from ...dialects import stream_types as S
from .design import Design, EmitError, Fifo, Port
from .scales import ChannelScales


def cast_arg(v):
    """Index of the function argument `v` is (a cast of), or None."""
    if isinstance(v.owner, ir.Block):
        return ir.BlockArgument(v).arg_number
    owner = v.owner.operation
    if owner.name == "builtin.unrealized_conversion_cast" and isinstance(owner.operands[0].owner, ir.Block):
        return ir.BlockArgument(owner.operands[0]).arg_number
    return None


@dataclass
class Wiring:
    """The FIFOs and ports of a function, computed once by `analyze`."""

    out_fifo: dict  # (producer op, result index) -> Fifo
    in_fifo: dict  # (consumer op, operand index) -> Fifo
    in_key: dict  # (consumer op, operand index) -> (producer op, result index)
    weights: dict  # weights op -> (process name, consumer, operand index, Fifo, source)
    arg_port: dict  # function argument index -> Port
    store_port: dict  # stream.store op -> Port
    scales: ChannelScales | None  # fixed point: every channel's and weight buffer's scale exponents


class CallContext:
    """What one op's `emit` may use; `name` is its process name."""

    def __init__(self, op, name: str, design: Design, wiring: Wiring):
        self.op, self.name, self.design, self.wiring = op, name, design, wiring
        self.precision = design.precision
        w = wiring
        self.outs = [w.out_fifo[(op, r)].cname for r in range(len(op.results)) if (op, r) in w.out_fifo]
        self.ins = [w.in_fifo[(op, i)].cname for i in range(len(op.operands)) if (op, i) in w.in_fifo]

    # -- ports and FIFOs ---------------------------------------------------------
    def in_lanes(self, i: int) -> int:
        """Lanes of the FIFO on operand `i` (a weight stream's are WEIGHT_LANES)."""
        return self.wiring.in_fifo[(self.op, i)].lanes

    def input_port(self, load_op) -> Port:
        return self.wiring.arg_port[cast_arg(load_op.operands[0])]

    def output_port(self, store_op) -> Port:
        return self.wiring.store_port[store_op]

    # -- fixed-point scales ------------------------------------------------------
    def scale_out(self, r: int, row: int | None = None) -> int:
        """The scale of result `r`: its one scale, or with `row` that of row
        `row` of its [B, R, ...] type (a jet's output rows)."""
        return self._scale((self.op, r), self.op.results[r], row, f"result {r}")

    def scale_in(self, i: int, row: int | None = None) -> int:
        """The scale of the channel on operand `i` (see `scale_out`)."""
        key = self.wiring.in_key.get((self.op, i))
        return 0 if key is None else self._scale(key, self.op.operands[i], row, f"input {i}")

    def _scale(self, key, value, row, what: str) -> int:
        sc = self.wiring.scales
        if sc is None:
            return 0
        if row is None:
            s = sc.uniform(key)
            if s is None:
                raise EmitError(f"the {self.op.name} kernel takes one fixed-point scale for its {what}, but the "
                                f"channel's rows have scales {sc.summary(key)} (emit.hls.scales makes the ports of "
                                "such kernels uniform)", self.op)
            return s
        shape = S.channel_info(value.type).shape
        rows = sc.rows(key, shape[1]) if len(shape) >= 3 else None
        if rows is None:
            raise EmitError(f"the {self.op.name} kernel asks for the scale of row {row} of its {what} "
                            f"{list(shape)}, whose rows do not have one scale each: {sc.summary(key)}", self.op)
        return rows[row]

    # -- weights -----------------------------------------------------------------
    def weight_fifo(self, op) -> Fifo:
        return self.wiring.weights[op][3]

    def weight_scale(self, op) -> int:
        return 0 if self.wiring.scales is None else self.wiring.scales.weights.get(op, 0)

    def weight_memory(self, op) -> str:
        """The C array a weights process reads: a top-level port, or a new ROM constant."""
        kind, src = self.wiring.weights[op][4]
        if kind == "arg":
            return self.wiring.arg_port[src].cname
        name = f"const{len(self.design.consts)}"
        self.design.consts.append((name, [float(x) for x in src.reshape(-1)]))
        return name

    # -- what a call adds to the project ----------------------------------------
    def add_functor(self, text: str) -> None:
        self.design.functors.append(text)

    def add_counter(self, name: str) -> int:
        """A fixed-point overflow counter for kernel `name`; returns its index."""
        self.design.counters.append(name)
        return len(self.design.counters) - 1

    @staticmethod
    def error(message: str, op) -> EmitError:
        return EmitError(message, op)


def call_for(op, ctx: CallContext) -> CppCall | None:
    """The C++ call of `op` from its kind (`OpKind.emit`); errors name the kind tried."""
    kind = KINDS.get(op.name)
    if kind is None:
        raise EmitError(f"no HLS kernel for '{op.name}': it has no kernel kind (inrarch_mlir.kernels)", op)
    try:
        return kind.emit(op, ctx)
    except EmitError:
        raise
    except (ValueError, KeyError, TypeError) as e:
        raise EmitError(f"the {kind.short} call builder ({type(kind).__module__}.{type(kind).__name__}.emit) "
                        f"failed: {e}", op) from None
