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
from .design import Design, EmitError, Fifo, Port


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
    scale_of: dict  # (op, result index) -> scale exponent (fixed point)
    wscale: dict  # weights op -> scale exponent (fixed point)


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
    def scale_out(self, r: int) -> int:
        return self.wiring.scale_of.get((self.op, r), 0)

    def scale_in(self, i: int) -> int:
        return self.wiring.scale_of.get(self.wiring.in_key[(self.op, i)], 0)

    # -- weights -----------------------------------------------------------------
    def weight_fifo(self, op) -> Fifo:
        return self.wiring.weights[op][3]

    def weight_scale(self, op) -> int:
        return self.wiring.wscale.get(op, 0)

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
