"""A forked, balanced stream function -> the `Design` its HLS project is printed from.

FIFOs come from the dataflow edges (with their balanced depths), one
process and one FIFO per `stream.weights` buffer, top-level ports from the
loads, the weights' arguments and the stores, fixed-point scales from the
range annotations, and one process per kernel (its kind's call).
"""

from __future__ import annotations

import json
import math
import re

from torch_mlir import ir

from ...dialects import stream as S
from ...dialects import stream_graph as SG
from ...dialects.walk import body_ops
from ...kernels.weights import weight_source
from ...numeric.interpreter import combines_samples
from ...target import DEFAULT_FIFO_DEPTH, WEIGHT_LANES
from .calls import CallContext, Wiring, call_for, cast_arg
from .design import Design, EmitError, Fifo, Port, Process
from .precision import Precision
from .scales import solve_scales

#: Kernels with a batch loop: their first argument is the runtime sample count (kernels.h).
BATCH_KERNELS = frozenset(f"inrarch::{k}" for k in (
    "load", "store", "load_cvt", "store_cvt", "map", "fork", "broadcast", "broadcast_buffer", "reduce_sum",
    "slice", "concat", "matmul", "jet"))


def cident(text: str, prefix: str) -> str:
    """`prefix_text` with every character C does not allow replaced by `_`."""
    return f"{prefix}_{re.sub(r'[^0-9A-Za-z_]', '_', text)}"


def the_func(module):
    """The module's (single) func.func."""
    for op in module.body.operations:
        if op.operation.name == "func.func":
            return op.operation
    raise EmitError("the module has no func.func")


def _str_list(op, name):
    if name not in op.attributes:
        return None
    return [ir.StringAttr(a).value for a in ir.ArrayAttr(op.attributes[name])]


def _result_orders(func_op, n: int) -> list[int]:
    if "inrarch.layout" in func_op.attributes:
        try:
            layout = json.loads(ir.StringAttr(func_op.attributes["inrarch.layout"]).value)
            orders = [int(r.get("order", 0)) for r in layout.get("results", [])]
            if len(orders) == n:
                return orders
        except (ValueError, TypeError):
            pass
    return [0] * n


def torch_shape(t) -> tuple:
    """The shape of a `!torch.vtensor` or builtin tensor type."""
    m = re.match(r"!torch\.vtensor<\[([0-9,]*)\]", str(t))
    if m:
        return tuple(int(x) for x in m.group(1).split(",") if x)
    return tuple(ir.RankedTensorType(t).shape)


def _fifos(sg, names, design):
    """One FIFO per kernel -> kernel edge; returns (out_fifo, in_fifo, in_key)."""
    out_fifo, in_fifo, in_key = {}, {}, {}
    for edge in sg.graph.edges:
        producer, ri, consumer, oi, _ = sg.edge_sites[edge.name]
        lanes_out = S.channel_info(producer.results[ri].type).lanes
        lanes_in = S.channel_info(consumer.operands[oi].type).lanes
        if lanes_out != lanes_in:
            raise EmitError(f"channel {edge.name} changes lanes ({lanes_out} -> {lanes_in}) through a "
                            "stream.reshape; a repack kernel is not implemented", consumer)
        f = Fifo(f"{names[producer]}_out{ri}__{names[consumer]}_in{oi}", edge.depth or DEFAULT_FIFO_DEPTH,
                 lanes_out, edge.name)
        design.fifos.append(f)
        out_fifo[(producer, ri)] = f
        in_fifo[(consumer, oi)] = f
        in_key[(consumer, oi)] = (producer, ri)
    return out_fifo, in_fifo, in_key


def _weights(ops, names, in_fifo, design):
    """One process + FIFO per weights op: op -> (name, consumer, operand index, Fifo, source)."""
    info = {}
    for op in ops:
        if op.name != "stream.weights":
            continue
        uses = list(op.results[0].uses)
        if len(uses) != 1:
            raise EmitError(f"weight buffer has {len(uses)} readers; expected exactly 1", op)
        consumer, oi = uses[0].owner.operation, uses[0].operand_number
        if consumer not in names:
            raise EmitError(f"weight buffer is read by '{consumer.name}', which is not a kernel", op)
        try:
            src = weight_source(op)
        except ValueError as e:
            raise EmitError(str(e), op) from None
        wname = f"weights{len(info)}"
        f = Fifo(f"{wname}__{names[consumer]}_in{oi}", DEFAULT_FIFO_DEPTH, WEIGHT_LANES,
                 f"{wname}.out0->{names[consumer]}.in{oi}")
        design.fifos.append(f)
        in_fifo[(consumer, oi)] = f
        info[op] = (wname, consumer, oi, f, src)
    return info


def _per_sample(shape, design) -> bool:
    """Whether a port of `shape` holds one row per sample of the design's batch."""
    return len(shape) >= 1 and shape[0] == design.batch and design.batch > 0


def _ports(func, ops, weights_info, design):
    """Top-level ports: (argument index -> Port, store op -> Port)."""
    block = func.regions[0].blocks[0]
    arg_names = _str_list(func, "inrarch.arg_names") or [f"arg{i}" for i in range(len(block.arguments))]
    used_args: dict = {}
    for op in ops:
        if op.name == "stream.load":
            a = cast_arg(op.operands[0])
            if a is None:
                raise EmitError("stream.load reads something other than a cast of a function argument", op)
            used_args[a] = op
    for w, (_, _, _, _, src) in weights_info.items():
        if src[0] == "arg":
            used_args.setdefault(src[1], w)
    arg_port: dict = {}
    for a in sorted(used_args):
        shape = torch_shape(block.arguments[a].type)
        name = arg_names[a] if a < len(arg_names) else f"arg{a}"
        p = Port(name, cident(name, "in" if a == 0 else "p"), max(1, math.prod(shape)), shape, arg_index=a,
                 per_sample=a == 0 and _per_sample(shape, design))
        design.inputs.append(p)
        arg_port[a] = p
    ret = next(op for op in ops if op.name == "func.return")
    res_names = _str_list(func, "inrarch.result_names") or [f"r{j}" for j in range(len(ret.operands))]
    orders = _result_orders(func, len(ret.operands))
    store_port: dict = {}
    for j, v in enumerate(ret.operands):
        owner = v.owner
        if not isinstance(owner, ir.Block) and owner.name == "builtin.unrealized_conversion_cast":
            owner = owner.operands[0].owner
        if isinstance(owner, ir.Block) or owner.name != "stream.store":
            raise EmitError(f"result {j} is not produced by a stream.store", ret)
        owner = owner.operation
        shape = tuple(ir.RankedTensorType(owner.results[0].type).shape)
        p = Port(res_names[j], cident(res_names[j], "out"), max(1, math.prod(shape)), shape, order=orders[j],
                 per_sample=_per_sample(shape, design))
        design.outputs.append(p)
        store_port[owner] = p
    return arg_port, store_port


def analyze(module, precision: Precision | str = "float") -> Design:
    """The `Design` of the module's (single) stream function."""
    prec = Precision.parse(precision) if isinstance(precision, str) else precision
    func = the_func(module)
    try:
        sg = SG.extract(func)
    except ValueError as e:
        raise EmitError(f"cannot extract the dataflow graph: {e}", func) from None
    names = {op: n for n, op in sg.kernel_ops.items()}
    ops = body_ops(func)
    design = Design(prec, max((S.channel_info(op.results[0].type).batch for op in ops if op.name == "stream.load"),
                              default=0), coupled=combines_samples(func))
    out_fifo, in_fifo, in_key = _fifos(sg, names, design)
    weights_info = _weights(ops, names, in_fifo, design)
    arg_port, store_port = _ports(func, ops, weights_info, design)
    scales = solve_scales(prec, ops, names, in_key, weights_info, design) if prec.fixed else None
    wiring = Wiring(out_fifo, in_fifo, in_key, weights_info, arg_port, store_port, scales)
    # Processes in program order (topological).
    for op in ops:
        if op in weights_info:
            name = weights_info[op][0]
        elif op in names:
            name = names[op]
        else:
            continue
        call = call_for(op, CallContext(op, name, design, wiring))
        if call is not None:
            _pass_sample_count(call, name, design, op)
            design.processes.append(Process(name, call, op.name.split(".", 1)[1]))
    return design


def _pass_sample_count(call, name: str, design: Design, op) -> None:
    """A batch kernel's first argument: its rows for the top's `n` samples (its own batch where samples interact).

    In a batch-coupled design the shapes after a barrier are the design's own
    (a reduction over the batch runs with B = 1), so every kernel keeps its
    configured batch and the top runs whole batches only."""
    if call.kernel not in BATCH_KERNELS:
        return
    if "B" not in call.config:
        raise EmitError(f"the {call.kernel} call has no batch B in its config; the kernel loops over samples", op)
    rows = call.config["B"]
    if design.coupled or design.batch <= 0 or rows % design.batch:
        count = f"{name}_cfg::B"
    else:  # a Taylor-mode matmul streams the T coefficient rows of each sample: T * n rows
        per = rows // design.batch
        count = "n" if per == 1 else f"{per} * n"
    call.args.insert(0, count)
