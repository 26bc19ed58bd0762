"""Stream IR <-> the dataflow graph of `inrarch_mlir.dataflow`.

Kernels are the stream ops that become HLS processes; `stream.fifo` and
`stream.reshape` are wires (a FIFO with a depth, a free re-interpretation);
`stream.weights` buffers add a prologue (the weight load) to their reader.
The timing model of each kernel kind lives in `dataflow.graph.Kernel`; the
per-op pipeline latencies of map bodies are listed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from torch_mlir import ir

from ..dataflow import DataflowGraph, Edge, Kernel
from ..dialects import stream as S
from .walk import stream_ops

#: Pipeline latency (cycles) of scalar ops in a map body, float32 on an
#: UltraScale+ device at 300 MHz (Vitis HLS operator latencies, rounded).
OP_LATENCY = {
    "arith.addf": 4, "arith.subf": 4, "arith.mulf": 3, "arith.divf": 12, "arith.negf": 0,
    "arith.maximumf": 1, "arith.minimumf": 1, "arith.select": 0, "arith.cmpf": 1,
    "arith.uitofp": 1, "arith.constant": 0, "math.sin": 10, "math.cos": 10, "math.exp": 10,
    "math.tanh": 16, "math.log": 12, "math.sqrt": 12, "math.rsqrt": 12, "math.absf": 0,
    "math.powf": 24, "stream.yield": 0,
}
MATMUL_LATENCY = 8  # adder tree + output register
REDUCE_LATENCY = 4  # the accumulator's adder, before the result word
WIRES = ("stream.fifo", "stream.reshape")
DEFAULT_DEPTH = 2  # what HLS gives a stream without a STREAM pragma
#: Elements per word of a weight stream: one 512-bit AXI beat of 32-bit
#: values, so a 256x256 matrix loads in 4,096 cycles (emitter and timing
#: model both use it).
WEIGHT_LANES = 16


def map_latency(op) -> int:
    """Critical-path latency of a map body (sum along the longest chain)."""
    ready: dict = {}
    worst = 0
    for inner in S.map_body(op).operations:
        inner = inner.operation
        start = max((ready.get(v, 0) for v in inner.operands), default=0)
        done = start + OP_LATENCY.get(inner.name, 2)
        for r in inner.results:
            ready[r] = done
        worst = max(worst, done)
    return max(worst, 1)


@dataclass
class StreamGraph:
    """A function's dataflow graph and where each part lives in the IR."""

    graph: DataflowGraph
    kernel_ops: dict[str, ir.Operation]
    #: edge name -> (producer op, result index, consumer op, operand index, fifo op or None)
    edge_sites: dict[str, tuple] = field(default_factory=dict)


def _words(v) -> int:
    return S.channel_info(v.type).words_per_sample


def _rows(v) -> int:
    return S.channel_info(v.type).batch


def barrier_model(op, name: str) -> Kernel:
    """A kernel that combines samples: all input rows in, then all output rows out.

    Each channel input is read in its own stage (its rows x words per row),
    in operand order; the output rows are written in the last stage. A
    matmul whose weight streams reads the weight first, then runs per row.
    """
    kind = op.name.split(".", 1)[1]
    out = S.channel_info(op.results[0].type)
    if kind == "matmul":
        x = S.channel_info(op.operands[0].type)
        w = S.channel_info(op.operands[1].type)
        return Kernel.matmul(name, x.shape[1], out.shape[1], x.lanes, out.lanes, S.int_attr(op, "macs", 1),
                             MATMUL_LATENCY, samples=x.batch, weight_rows=w.batch,
                             weight_words=w.words_per_sample)
    ins = [v for v in op.operands if S.is_channel(v.type)]
    return Kernel.barrier(name, [_words(v) for v in ins], out.words_per_sample,
                          latency=REDUCE_LATENCY if kind == "reduce" else 0, samples=[_rows(v) for v in ins],
                          samples_out=out.batch, kind=kind)


def kernel_model(op, name: str) -> Kernel:
    """The timing model of one kernel op (as a function of its lanes)."""
    kind = op.name.split(".", 1)[1]
    out = S.channel_info(op.results[0].type) if op.results and S.is_channel(op.results[0].type) else None
    B = (out or S.channel_info(op.operands[0].type)).batch
    if S.mixes_batch(op):
        return barrier_model(op, name)
    if kind == "transpose":  # per sample: read the sample, write it permuted
        return replace(Kernel.broadcast(name, out.words_per_sample, _words(op.operands[0]), samples=B),
                       kind="transpose")
    if kind == "load":
        return Kernel.load(name, out.words_per_sample, samples=B)
    if kind == "store":
        return Kernel.store(name, _words(op.operands[0]), samples=B)
    if kind == "map":
        return Kernel.map(name, out.words_per_sample, len(op.operands), map_latency(op), samples=B)
    if kind == "fork":
        return Kernel.fork(name, out.words_per_sample, len(op.results), samples=B)
    if kind == "matmul":
        x = S.channel_info(op.operands[0].type)
        wt = S.buffer_tensor(op.operands[1].type)
        macs = S.int_attr(op, "macs", 1)
        weight_words = -(-(wt.shape[0] * wt.shape[1]) // WEIGHT_LANES)
        return Kernel.matmul(name, x.shape[1], out.shape[1], x.lanes, out.lanes, macs, MATMUL_LATENCY,
                             prologue_cycles=weight_words, samples=B)
    if kind == "broadcast":
        if S.is_buffer(op.operands[0].type):
            return Kernel.broadcast(name, out.words_per_sample, samples=B)
        return Kernel.broadcast(name, out.words_per_sample, _words(op.operands[0]), samples=B)
    if kind == "reduce":
        return Kernel.reduce(name, _words(op.operands[0]), out.words_per_sample, REDUCE_LATENCY, samples=B)
    if kind == "slice":
        return Kernel.slice(name, _words(op.operands[0]), out.words_per_sample, samples=B)
    if kind == "concat":
        return Kernel.concat(name, [_words(v) for v in op.operands], samples=B)
    raise ValueError(f"no timing model for {op.name}")


def _through_wires(value):
    """Follows a channel through fifo/reshape ops to its consuming kernel.

    Returns (consumer op, operand index, first fifo op or None)."""
    fifo = None
    while True:
        uses = list(value.uses)
        if len(uses) != 1:
            raise ValueError(f"channel has {len(uses)} consumers; run stream-insert-forks first")
        use = uses[0]
        owner = use.owner.operation
        if owner.name in WIRES:
            if owner.name == "stream.fifo" and fifo is None:
                fifo = owner
            value = owner.results[0]
            continue
        return owner, use.operand_number, fifo


def kernel_names(func_op) -> dict:
    """Stable kernel names: `<kind><index>` in program order."""
    names, counts = {}, {}
    for op in stream_ops(func_op):
        if op.name in WIRES or op.name == "stream.weights":
            continue
        kind = op.name.split(".", 1)[1]
        counts[kind] = counts.get(kind, -1) + 1
        names[op] = f"{kind}{counts[kind]}"
    return names


def extract(func_op, *, depth_of_missing: int | None = DEFAULT_DEPTH) -> StreamGraph:
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
            edge = Edge(name, f"out{ri}", names[consumer], f"in{oi}", info.batch * _words(res), info.bits_per_word,
                        depth)
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
    new = S.fifo(res, depth, loc=producer.location, ip=ir.InsertionPoint.after(producer))
    owner.operands[number] = new
    return new.owner
