"""Stream IR <-> the dataflow graph of `inrarch_mlir.dataflow`.

Kernels are the stream ops whose kind has the role "kernel" (they become
HLS processes); `stream.fifo` and `stream.reshape` are wires (a FIFO with a
depth, a free re-interpretation); `stream.weights` buffers add a prologue
(the weight load) to their reader. The timing model of each op is its
kind's `timing` (`inrarch_mlir.kernels`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from torch_mlir import ir

from ..dataflow import DataflowGraph, Edge, Kernel
from ..kernels import KINDS
from ..kernels.fifo import fifo as fifo_op
from ..target import DEFAULT_FIFO_DEPTH
from . import stream_types as S
from .walk import stream_ops


@dataclass
class StreamGraph:
    """A function's dataflow graph and where each part lives in the IR."""

    graph: DataflowGraph
    kernel_ops: dict[str, ir.Operation]
    #: edge name -> (producer op, result index, consumer op, operand index, fifo op or None)
    edge_sites: dict[str, tuple] = field(default_factory=dict)


def is_wire(op) -> bool:
    kind = KINDS.get(op.name)
    return kind is not None and kind.role == "wire"


def kernel_model(op, name: str) -> Kernel:
    """The timing model of one kernel op (as a function of its lanes)."""
    kind = KINDS.get(op.name)
    model = kind.timing(op, name) if kind is not None else None
    if model is None:
        raise ValueError(f"no timing model for {op.name}: it is not a kernel")
    return model


def _through_wires(value):
    """Follows a channel through wires (fifo, reshape) to its consuming kernel.

    Returns (consumer op, operand index, first fifo op or None)."""
    fifo = None
    while True:
        uses = list(value.uses)
        if len(uses) != 1:
            raise ValueError(f"channel has {len(uses)} consumers; run stream-insert-forks first")
        use = uses[0]
        owner = use.owner.operation
        if is_wire(owner):
            if owner.name == "stream.fifo" and fifo is None:
                fifo = owner
            value = owner.results[0]
            continue
        return owner, use.operand_number, fifo


def kernel_names(func_op) -> dict:
    """Stable kernel names: `<kind><index>` in program order."""
    names, counts = {}, {}
    for op in stream_ops(func_op):
        kind = KINDS.get(op.name)
        if kind is not None and kind.role != "kernel":
            continue
        short = op.name.split(".", 1)[1]
        counts[short] = counts.get(short, -1) + 1
        names[op] = f"{short}{counts[short]}"
    return names


def extract(func_op, *, depth_of_missing: int | None = DEFAULT_FIFO_DEPTH) -> StreamGraph:
    """The dataflow graph of a forked stream function, with current depths."""
    names = kernel_names(func_op)
    kernels = {op: kernel_model(op, n) for op, n in names.items()}
    edges, sites = [], {}
    for op, name in names.items():
        for ri, res in enumerate(op.results):
            if not S.is_channel(res.type):
                continue
            consumer, oi, fifo = _through_wires(res)
            if consumer not in names:
                raise ValueError(f"channel of {name} ends at {consumer.name}, which is not a kernel")
            depth = S.fifo_depth(fifo) if fifo is not None else depth_of_missing
            info = S.channel_info(res.type)
            edge = Edge(name, f"out{ri}", names[consumer], f"in{oi}", info.batch * info.words_per_sample,
                        info.bits_per_word, depth)
            edges.append(edge)
            sites[edge.name] = (op, ri, consumer, oi, fifo)
    graph = DataflowGraph(kernels.values(), edges)
    return StreamGraph(graph, {n: op for op, n in names.items()}, sites)


def set_depth(site, depth: int) -> ir.Operation:
    """Sets the FIFO depth of an edge, inserting a `stream.fifo` if needed."""
    producer, ri, consumer, oi, fifo = site
    if fifo is not None:
        fifo.attributes["depth"] = S.i64_attr(depth)
        return fifo
    res = producer.results[ri]
    use = next(iter(res.uses))
    owner, number = use.owner.operation, use.operand_number
    new = fifo_op(res, depth, loc=producer.location, ip=ir.InsertionPoint.after(producer))
    owner.operands[number] = new
    return new.owner
