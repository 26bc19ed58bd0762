"""Stream-dialect MLIR -> a Vitis HLS project checked by g++ C simulation.

    inrarch-translate --emit-hls in.mlir -o outdir/ [--precision fixed<32,10>]

`analyze` turns a forked, balanced stream function into a `Design` (ports,
FIFOs with their balanced depths, one process per kernel and per weights
op, fixed-point scales); `write_project` prints it as `top.cpp`/`top.h`
(kernels from `hls_runtime/`, copied to `include/`), `support.h` (boundary
kernels: memory <-> stream conversion, affine weight views, scaling),
`tb.cpp`, `run_hls.tcl`, `Makefile`, `CMakeLists.txt` and `csim.json`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..union_find import UnionFind

DEFAULT_PART = "xcu50-fsvh2104-2-e"  # Alveo U50
DEFAULT_CLOCK_NS = 3.33  # 300 MHz
#: A channel's stored values are kept below limit / MARGIN (2 bits of
#: headroom over the measured range: the range comes from sampled inputs).
MARGIN = 4.0
CXXFLAGS = ["-std=c++17", "-O1", "-Wall", "-Wextra", "-Werror"]


# --------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `inrarch-translate --emit-hls`."""
    parser.add_argument("--precision", default="float", metavar="P",
                        help="element type: 'float' (default) or 'fixed<W,I>' (ap_fixed; needs "
                             "stream.max_abs range annotations, written by inrarch compile)")
    parser.add_argument("--part", default=DEFAULT_PART, help=f"FPGA part for run_hls.tcl (default {DEFAULT_PART})")
    parser.add_argument("--clock", type=float, default=DEFAULT_CLOCK_NS, metavar="NS",
                        help=f"clock period in ns for run_hls.tcl (default {DEFAULT_CLOCK_NS}, 300 MHz)")


@dataclass(frozen=True)
class Precision:
    """`float` or `fixed<W,I>` (ap_fixed, round to nearest, saturating)."""

    kind: str
    width: int = 32
    int_bits: int = 0

    @classmethod
    def parse(cls, text: str) -> "Precision":
        t = text.replace(" ", "")
        if t in ("float", "f32"):
            return cls("float")
        m = re.fullmatch(r"fixed<(\d+),(-?\d+)>", t)
        if not m:
            raise ValueError(f"--precision must be 'float' or 'fixed<W,I>', got '{text}'")
        w, i = int(m.group(1)), int(m.group(2))
        if not (2 <= w <= 64 and 1 <= i < w):
            raise ValueError(f"fixed<{w},{i}>: need 2 <= W <= 64 and 1 <= I < W")
        return cls("fixed", w, i)

    @property
    def fixed(self) -> bool:
        return self.kind == "fixed"

    @property
    def data_t(self) -> str:
        return f"ap_fixed<{self.width}, {self.int_bits}, AP_RND, AP_SAT>" if self.fixed else "float"

    @property
    def calc_t(self) -> str:
        """Type map bodies compute true (unscaled) values in: 24 more bits,
        14 of them integer, so intermediates neither overflow nor lose the
        precision of scaled inputs."""
        return f"ap_fixed<{self.width + 24}, {self.int_bits + 14}, AP_RND, AP_SAT>" if self.fixed else "float"

    @property
    def limit(self) -> float:
        return 2.0 ** (self.int_bits - 1)

    @property
    def lsb(self) -> float:
        return 2.0 ** -(self.width - self.int_bits)

    def __str__(self) -> str:
        return f"fixed<{self.width},{self.int_bits}>" if self.fixed else "float"


# --------------------------------------------------------------------------
# The design model
# --------------------------------------------------------------------------


@dataclass
class Port:
    name: str  # source name (argument or result name)
    cname: str  # C identifier of the top-level argument
    size: int
    shape: tuple
    arg_index: int = -1  # function argument (inputs)
    scale: int = 0  # fixed point: stored = true * 2^-scale
    order: int = 0  # outputs: derivative order


@dataclass
class Fifo:
    cname: str
    depth: int
    lanes: int
    edge: str  # the dataflow edge name ("src.outK->dst.inK")


@dataclass
class Process:
    name: str
    call: str
    kind: str


@dataclass
class Design:
    """Everything the project files are printed from."""

    precision: Precision
    batch: int
    inputs: list[Port] = field(default_factory=list)
    outputs: list[Port] = field(default_factory=list)
    consts: list[tuple[str, list[float]]] = field(default_factory=list)
    fifos: list[Fifo] = field(default_factory=list)
    processes: list[Process] = field(default_factory=list)
    functors: list[str] = field(default_factory=list)
    counters: list[str] = field(default_factory=list)  # fixed: overflow counter names
    scales: dict = field(default_factory=dict)  # fixed: channel/buffer name -> scale exponent
    source: str = ""

    def summary(self) -> dict:
        return {"precision": str(self.precision), "batch": self.batch, "processes": len(self.processes),
                "fifos": len(self.fifos), "fifo_words": sum(f.depth for f in self.fifos),
                "inputs": [p.cname for p in self.inputs], "outputs": [p.cname for p in self.outputs],
                "output_scales": {p.cname: p.scale for p in self.outputs}, "scales": self.scales}


class EmitError(ValueError):
    """A construct the emitter cannot translate; `op` locates it."""

    def __init__(self, message: str, op=None):
        super().__init__(message)
        self.op = op


def _cident(text: str, prefix: str) -> str:
    s = re.sub(r"[^0-9A-Za-z_]", "_", text)
    return f"{prefix}_{s}"


def _shape(dims) -> str:
    return "inrarch::shape<" + ", ".join(str(int(d)) for d in dims) + ">"


def _ceil_log2(x: float) -> int:
    return int(math.ceil(math.log2(x) - 1e-12))


def _func(module):
    for op in module.body.operations:
        if op.operation.name == "func.func":
            return op.operation
    raise EmitError("the module has no func.func")


def _str_list(op, name):
    from torch_mlir import ir

    if name not in op.attributes:
        return None
    return [ir.StringAttr(a).value for a in ir.ArrayAttr(op.attributes[name])]


def _result_orders(func_op, n: int) -> list[int]:
    from torch_mlir import ir

    if "inrarch.layout" in func_op.attributes:
        try:
            layout = json.loads(ir.StringAttr(func_op.attributes["inrarch.layout"]).value)
            orders = [int(r.get("order", 0)) for r in layout.get("results", [])]
            if len(orders) == n:
                return orders
        except (ValueError, TypeError):
            pass
    return [0] * n


def analyze(module, precision: Precision | str = "float") -> Design:
    """The `Design` of the module's (single) stream function."""
    from torch_mlir import ir

    from ..dialects import stream as S
    from ..passes import stream_graph as SG
    from ..passes.walk import body_ops
    from . import cpp_map, data

    prec = Precision.parse(precision) if isinstance(precision, str) else precision
    func = _func(module)
    block = func.regions[0].blocks[0]
    nargs = len(block.arguments)
    arg_names = _str_list(func, "inrarch.arg_names") or [f"arg{i}" for i in range(nargs)]
    try:
        sg = SG.extract(func)
    except ValueError as e:
        raise EmitError(f"cannot extract the dataflow graph: {e}", func) from None
    names = {op: n for n, op in sg.kernel_ops.items()}
    ops = body_ops(func)

    # ---- channels: one FIFO per kernel -> kernel edge ---------------------
    out_fifo: dict = {}  # (producer op, result index) -> Fifo
    in_fifo: dict = {}  # (consumer op, operand index) -> Fifo
    in_key: dict = {}  # (consumer op, operand index) -> (producer op, result index)
    design = Design(prec, 0)
    for edge in sg.graph.edges:
        producer, ri, consumer, oi, fifo_op = sg.edge_sites[edge.name]
        lanes_out = S.channel_info(producer.results[ri].type).lanes
        lanes_in = S.channel_info(consumer.operands[oi].type).lanes
        if lanes_out != lanes_in:
            raise EmitError(f"channel {edge.name} changes lanes ({lanes_out} -> {lanes_in}) through a "
                            "stream.reshape; a repack kernel is not implemented", consumer)
        cname = f"{names[producer]}_out{ri}__{names[consumer]}_in{oi}"
        f = Fifo(cname, edge.depth or SG.DEFAULT_DEPTH, lanes_out, edge.name)
        design.fifos.append(f)
        out_fifo[(producer, ri)] = f
        in_fifo[(consumer, oi)] = f
        in_key[(consumer, oi)] = (producer, ri)

    # ---- weights: one process + FIFO each ---------------------------------
    weights_info: dict = {}  # weights op -> (name, consumer, operand index, Fifo, source)
    wi = 0
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
            src = data.weight_source(op)
        except ValueError as e:
            raise EmitError(str(e), op) from None
        wname = f"weights{wi}"
        wi += 1
        f = Fifo(f"{wname}__{names[consumer]}_in{oi}", SG.DEFAULT_DEPTH, SG.WEIGHT_LANES,
                 f"{wname}.out0->{names[consumer]}.in{oi}")
        design.fifos.append(f)
        in_fifo[(consumer, oi)] = f
        weights_info[op] = (wname, consumer, oi, f, src)

    # ---- ports --------------------------------------------------------------
    used_args: dict = {}
    for op in ops:
        if op.name == "stream.load":
            a = _cast_arg(op.operands[0])
            if a is None:
                raise EmitError("stream.load reads something other than a cast of a function argument", op)
            used_args[a] = op
    for w, (_, _, _, _, src) in weights_info.items():
        if src[0] == "arg":
            used_args.setdefault(src[1], w)
    arg_port: dict = {}
    for a in sorted(used_args):
        t = block.arguments[a].type
        shape = _torch_shape(t)
        p = Port(arg_names[a] if a < len(arg_names) else f"arg{a}",
                 _cident(arg_names[a] if a < len(arg_names) else f"arg{a}", "in" if a == 0 else "p"),
                 max(1, math.prod(shape)), shape, arg_index=a)
        design.inputs.append(p)
        arg_port[a] = p
    ret = next(op for op in ops if op.name == "func.return")
    res_names = _str_list(func, "inrarch.result_names") or [f"r{j}" for j in range(len(ret.operands))]
    orders = _result_orders(func, len(ret.operands))
    store_port: dict = {}
    for j, v in enumerate(ret.operands):
        owner = v.owner.operation
        if owner.name == "builtin.unrealized_conversion_cast":
            owner = owner.operands[0].owner.operation
        if owner.name != "stream.store":
            raise EmitError(f"result {j} is not produced by a stream.store", ret)
        shape = tuple(ir.RankedTensorType(owner.results[0].type).shape)
        p = Port(res_names[j], _cident(res_names[j], "out"), max(1, math.prod(shape)), shape, order=orders[j])
        design.outputs.append(p)
        store_port[owner] = p

    # ---- fixed point: scales per channel group -------------------------------
    scale_of: dict = {}  # (producer op, result index) -> exponent
    wscale: dict = {}  # weights op -> exponent
    if prec.fixed:
        scale_of, wscale = _solve_scales(prec, ops, names, in_key, weights_info, design)

    def sc(key) -> int:
        return scale_of.get(key, 0)

    # ---- processes in program order (topological) --------------------------
    T = "data_t"
    batch = 0
    const_count = 0
    for op in ops:
        if op in weights_info:
            wname, consumer, oi, f, src = weights_info[op]
            shape, offset, strides = data.view_params(op)
            size = max(1, math.prod(shape))
            if src[0] == "arg":
                mem = arg_port[src[1]].cname
            else:
                mem = f"const{const_count}"
                const_count += 1
                design.consts.append((mem, [float(x) for x in src[1].reshape(-1)]))
            contiguous = offset == 0 and tuple(strides) == tuple(math.prod(shape[d + 1:]) for d in range(len(shape)))
            s = wscale.get(op, 0)
            if contiguous and not prec.fixed:
                call = f"inrarch::weights<{T}, {size}, {f.lanes}>({mem}, {f.cname})"
            else:
                call = (f"top_support::weights_view<{T}, {size}, {_shape(shape)}, {_shape(strides)}, {offset}, "
                        f"{f.lanes}, {s}>({mem}, {f.cname})")
            design.processes.append(Process(wname, call, "weights"))
            continue
        if op not in names:
            continue
        name = names[op]
        kind = op.name.split(".", 1)[1]
        outs = [out_fifo[(op, r)].cname for r in range(len(op.results)) if (op, r) in out_fifo]
        ins = [in_fifo[(op, i)].cname for i in range(len(op.operands)) if (op, i) in in_fifo]
        res_info = S.channel_info(op.results[0].type) if op.results and S.is_channel(op.results[0].type) else None
        in_info = S.channel_info(op.operands[0].type) if S.is_channel(op.operands[0].type) else None
        info = res_info or in_info
        B = info.batch
        if kind == "load":
            batch = max(batch, B)  # the coordinates' rows (barriers may regroup rows later)
        L = info.lanes
        row = info.elements_per_sample
        if kind == "load":
            p = arg_port[_cast_arg(op.operands[0])]
            p.scale = sc((op, 0))
            if prec.fixed:
                call = f"top_support::load_cvt<{T}, {B}, {row}, {L}, {p.scale}>({p.cname}, {outs[0]})"
            else:
                call = f"inrarch::load<{T}, {B}, {row}, {L}>({p.cname}, {outs[0]})"
        elif kind == "store":
            p = store_port[op]
            p.scale = sc(in_key[(op, 0)])
            if prec.fixed:
                call = f"top_support::store_cvt<{T}, {B}, {row}, {L}, {p.scale}>({ins[0]}, {p.cname})"
            else:
                call = f"inrarch::store<{T}, {B}, {row}, {L}>({ins[0]}, {p.cname})"
        elif kind == "map":
            fname = f"{name}_f"
            fixed = None
            if prec.fixed:
                design.counters.append(name)
                fixed = cpp_map.FixedScales(tuple(sc(in_key[(op, i)]) for i in range(len(op.operands))),
                                            sc((op, 0)), len(design.counters) - 1)
            try:
                design.functors.append(cpp_map.emit_functor(op, fname, fixed))
            except cpp_map.MapEmitError as e:
                raise EmitError(str(e), e.op or op) from None
            call = f"inrarch::map<{fname}, {B}, {row}, {L}>({', '.join(outs + ins)})"
        elif kind == "fork":
            call = f"inrarch::fork<{B}, {row}, {L}>({', '.join(ins + outs)})"
        elif kind == "matmul":
            x = S.channel_info(op.operands[0].type)
            if S.is_channel(op.operands[1].type):  # a streamed weight: read whole before row 0
                if prec.fixed:
                    raise EmitError("fixed-point emission of a matmul whose weight streams (a batch-coupled "
                                    "design) is not supported; use --precision float", op)
            wt = S.matmul_weight_type(op)
            tw = S.bool_attr(op, "transpose_w")
            K, N = x.shape[1], (wt.shape[0] if tw else wt.shape[1])
            macs = S.int_attr(op, "macs", 1)
            call = (f"inrarch::matmul<{T}, {B}, {K}, {N}, {x.lanes}, {L}, {macs}, {'true' if tw else 'false'}>"
                    f"({ins[0]}, {ins[1]}, {outs[0]})")
        elif kind == "broadcast":
            out_feat = list(res_info.shape[1:])
            if S.is_buffer(op.operands[0].type):
                bshape = list(S.buffer_tensor(op.operands[0].type).shape)
                extra = len(bshape) - len(out_feat)
                if extra > 0:
                    if any(d != 1 for d in bshape[:extra]):
                        raise EmitError(f"broadcast of buffer {bshape} to samples of {out_feat}", op)
                    bshape = bshape[extra:]
                in_feat = [1] * (len(out_feat) - len(bshape)) + bshape
                call = (f"inrarch::broadcast_buffer<{T}, {B}, {_shape(in_feat)}, {_shape(out_feat)}, {L}, "
                        f"{in_fifo[(op, 0)].lanes}>({ins[0]}, {outs[0]})")
            elif in_info.batch != B:  # one row repeated along the batch: read it once
                call = (f"inrarch::broadcast_buffer<{T}, {B}, {_shape(in_info.shape[1:])}, {_shape(out_feat)}, "
                        f"{L}, {in_info.lanes}>({ins[0]}, {outs[0]})")
            else:
                call = (f"inrarch::broadcast<{T}, {B}, {_shape(in_info.shape[1:])}, {_shape(out_feat)}, "
                        f"{in_info.lanes}, {L}>({ins[0]}, {outs[0]})")
        elif kind == "reduce":
            dims = S.array_attr(op, "dims")
            if 0 in dims:  # over the batch: the whole tensor is one block
                mask = [1 if d in dims else 0 for d in range(len(in_info.shape))]
                call = (f"inrarch::reduce_sum<{T}, 1, {_shape(in_info.shape)}, {_shape(mask)}, "
                        f"{in_info.lanes}, {L}>({ins[0]}, {outs[0]})")
            else:
                mask = [1 if d in dims else 0 for d in range(1, len(in_info.shape))]
                call = (f"inrarch::reduce_sum<{T}, {B}, {_shape(in_info.shape[1:])}, {_shape(mask)}, "
                        f"{in_info.lanes}, {L}>({ins[0]}, {outs[0]})")
        elif kind == "transpose":
            call = (f"inrarch::transpose<{T}, {_shape(in_info.shape)}, {_shape(S.array_attr(op, 'perm'))}, "
                    f"{in_info.lanes}, {L}>({ins[0]}, {outs[0]})")
        elif kind == "slice":
            offs, sizes, strides = (S.array_attr(op, k) for k in ("offsets", "sizes", "strides"))
            if S.mixes_batch(op):
                call = (f"inrarch::slice_batch<{T}, {_shape(in_info.shape)}, {_shape(offs)}, {_shape(sizes)}, "
                        f"{_shape(strides)}, {in_info.lanes}, {L}>({ins[0]}, {outs[0]})")
            else:
                call = (f"inrarch::slice<{T}, {B}, {_shape(in_info.shape[1:])}, {_shape(offs[1:])}, "
                        f"{_shape(sizes[1:])}, {_shape(strides[1:])}, {in_info.lanes}, {L}>({ins[0]}, {outs[0]})")
        elif kind == "concat":
            dim = S.int_attr(op, "dim")
            if dim == 0:  # along the batch: read every input whole, then write
                rows = [S.channel_info(v.type).batch for v in op.operands]
                call = (f"inrarch::concat_batch<{T}, {res_info.elements_per_sample}, {_shape(rows)}, {L}>"
                        f"({', '.join(outs + ins)})")
            else:
                chunks = [math.prod(S.channel_info(v.type).shape[dim:]) for v in op.operands]
                outer = math.prod(res_info.shape[1:dim])
                call = f"inrarch::concat<{T}, {B}, {_shape(chunks)}, {outer}, {L}>({', '.join(outs + ins)})"
        else:
            raise EmitError(f"no HLS kernel for '{op.name}'", op)
        design.processes.append(Process(name, call, kind))
    design.batch = batch
    return design


def _cast_arg(v):
    """Index of the function argument `v` is a cast of, or None."""
    from torch_mlir import ir

    if isinstance(v.owner, ir.Block):
        return ir.BlockArgument(v).arg_number
    owner = v.owner.operation
    if owner.name == "builtin.unrealized_conversion_cast" and isinstance(owner.operands[0].owner, ir.Block):
        return ir.BlockArgument(owner.operands[0]).arg_number
    return None


def _torch_shape(t) -> tuple:
    from torch_mlir import ir

    text = str(t)
    m = re.match(r"!torch\.vtensor<\[([0-9,]*)\]", text)
    if m:
        return tuple(int(x) for x in m.group(1).split(",") if x)
    return tuple(ir.RankedTensorType(t).shape)


def _solve_scales(prec: Precision, ops, names, in_key, weights_info, design):
    """Power-of-two scale exponents from the `stream.max_abs` annotations.

    Channels that pass values through unchanged (fork, slice, concat,
    reduce, channel broadcast) share one scale; map, load and matmul
    outputs choose theirs (a matmul through its weights' scale: s_w = s_y -
    s_x). Each channel keeps max|v| * 2^-s <= limit / MARGIN; weights must
    fit the type exactly (their values are known), which can raise the
    scale of a matmul's output group."""
    from ..dialects import stream as S
    from . import data

    limit = prec.limit
    groups = UnionFind()
    desired: dict = {}
    lo = -(prec.width - prec.int_bits)
    for op in ops:
        if op not in names or op.name == "stream.store":
            continue
        rng = data.read_ranges(op)
        if rng is None:
            raise EmitError(f"fixed-point emission needs range annotations ({data.MAX_ABS_ATTR}) on every kernel; "
                            "emit through `inrarch compile` / `inrarch_mlir.flow.build_design`, which run the range "
                            "analysis", op)
        for r, m in enumerate(rng):
            key = (op, r)
            groups.find(key)
            desired[key] = max(lo, _ceil_log2(m * MARGIN / limit)) if m > 0 else lo
        kind = op.name.split(".", 1)[1]
        if kind in ("fork", "slice", "concat", "reduce", "transpose") or (
                kind == "broadcast" and S.is_channel(op.operands[0].type)):
            for i in range(len(op.operands)):
                if (op, i) in in_key:
                    for r in range(len(op.results)):
                        groups.union(in_key[(op, i)], (op, r))
    wmax = {}
    for w in weights_info:
        rng = data.read_ranges(w)
        if rng is None:
            raise EmitError(f"fixed-point emission needs a {data.MAX_ABS_ATTR} annotation on every stream.weights", w)
        wmax[w] = rng[0]

    def w_floor(m):  # smallest s with m * 2^-s <= 0.99 * limit
        return max(lo, _ceil_log2(m / (0.99 * limit))) if m > 0 else lo

    floor: dict = {}
    for _ in range(100):
        gscale: dict = {}
        for key, d in desired.items():
            g = groups.find(key)
            gscale[g] = max(gscale.get(g, lo), d, floor.get(g, lo))
        changed = False
        for w, (_, consumer, oi, _, _) in weights_info.items():
            y = groups.find((consumer, 0))
            if consumer.name == "stream.matmul":
                need = gscale[groups.find(in_key[(consumer, 0)])] + w_floor(wmax[w])
            else:
                need = w_floor(wmax[w])
            if gscale[y] < need:
                floor[y] = need
                changed = True
        if not changed:
            break
    scale_of = {key: gscale[groups.find(key)] for key in desired}
    wscale = {}
    for w, (wname, consumer, oi, _, _) in weights_info.items():
        y = scale_of[(consumer, 0)]
        wscale[w] = y - scale_of[in_key[(consumer, 0)]] if consumer.name == "stream.matmul" else y
        design.scales[wname] = wscale[w]
    for key, s in scale_of.items():
        design.scales[f"{names[key[0]]}.out{key[1]}"] = s
    return scale_of, wscale


# --------------------------------------------------------------------------
# Project files
# --------------------------------------------------------------------------


def runtime_include_dir() -> Path:
    here = Path(__file__).resolve()
    for c in (here.parents[1] / "_data" / "hls_runtime" / "include", here.parents[3] / "hls_runtime" / "include"):
        if (c / "inrarch" / "inrarch.h").is_file():
            return c
    raise FileNotFoundError("hls_runtime/include not found next to the package")


def ap_types_dir() -> str:
    spec = importlib.util.find_spec("hls4ml")
    if spec is None or not spec.submodule_search_locations:
        return ""
    p = Path(list(spec.submodule_search_locations)[0]) / "templates" / "vivado" / "ap_types"
    return str(p) if p.is_dir() else ""


def _top_signature(d: Design) -> str:
    args = [f"const mem_t {p.cname}[{p.size}]" for p in d.inputs]
    args += [f"mem_t {p.cname}[{p.size}]" for p in d.outputs]
    return "void top(" + ", ".join(args) + ")"


def top_h(d: Design) -> str:
    p = d.precision
    lines = [
        "// top.h -- generated by inrarch-translate --emit-hls; do not edit.",
        "#ifndef INRARCH_TOP_H",
        "#define INRARCH_TOP_H",
        "",
        '#include "inrarch/inrarch.h"',
        "",
        "typedef float mem_t;  // element type of every top-level array (memory)",
        f"typedef {p.data_t} data_t;  // element type of every FIFO ({p})",
    ]
    if p.fixed:
        lines.append(f"typedef {p.calc_t} calc_t;  // map bodies compute true values in this type")
    lines += ["", f"constexpr int TOP_BATCH = {d.batch};"]
    for port in d.inputs + d.outputs:
        lines.append(f"constexpr int TOP_SIZE_{port.cname} = {port.size};")
    lines += ["", _top_signature(d) + ";", "",
              "#ifndef __SYNTHESIS__",
              "#include <cstdio>",
              "/// C simulation only: prints the kernels whose results saturated, returns their count.",
              "int top_report_overflows(std::FILE* f);",
              "#endif", "", "#endif  // INRARCH_TOP_H", ""]
    return "\n".join(lines)


def _float_list(vals) -> str:
    items = [repr(float(v)) + "f" for v in vals]
    return ",\n  ".join(", ".join(items[i:i + 8]) for i in range(0, len(items), 8))


def top_cpp(d: Design) -> str:
    out = [
        "// top.cpp -- generated by inrarch-translate --emit-hls; do not edit.",
        f"// {len(d.processes)} dataflow processes, {len(d.fifos)} FIFOs "
        f"({sum(f.depth for f in d.fifos)} words), element type {d.precision}.",
        '#include "top.h"',
        '#include "support.h"',
        "",
        "#ifndef __SYNTHESIS__",
        "#include <atomic>",
    ]
    nc = len(d.counters)
    if nc:
        out += [
            f"static std::atomic<long> top_overflow_counts[{nc}];",
            f"static const char* const top_overflow_names[{nc}] = {{"
            + ", ".join(f'"{n}"' for n in d.counters) + "};",
            "void top_support::note_overflow(int counter) { ++top_overflow_counts[counter]; }",
            "int top_report_overflows(std::FILE* f) {",
            "  int n = 0;",
            f"  for (int i = 0; i < {nc}; ++i) {{",
            "    const long c = top_overflow_counts[i].load();",
            "    if (c == 0) continue;",
            "    ++n;",
            '    std::fprintf(f, "OVERFLOW: kernel %s: %ld value(s) saturated\\n", top_overflow_names[i], c);',
            "  }",
            "  return n;",
            "}",
        ]
    else:
        out += ["int top_report_overflows(std::FILE*) { return 0; }"]
    out += ["#endif", ""]
    for name, vals in d.consts:
        out += [f"// model constant (ROM)", f"static const mem_t {name}[{len(vals)}] = {{\n  {_float_list(vals)}}};", ""]
    if d.functors:
        out.append("// Map kernels' scalar bodies (from the stream.map regions).")
        out += d.functors
    out.append(_top_signature(d) + " {")
    for i, p in enumerate(d.inputs + d.outputs):
        out.append(f"  INRARCH_PRAGMA(HLS INTERFACE m_axi port={p.cname} offset=slave bundle=gmem{i} "
                   f"depth={p.size})")
        out.append(f"  INRARCH_PRAGMA(HLS INTERFACE s_axilite port={p.cname} bundle=control)")
    out.append("  INRARCH_PRAGMA(HLS INTERFACE s_axilite port=return bundle=control)")
    out.append("")
    lanes = sorted({f.lanes for f in d.fifos})
    for L in lanes:
        out.append(f"  typedef inrarch::word<data_t, {L}> w{L}_t;")
    out.append("")
    out.append("  // One FIFO per channel; depth = the balanced stream.fifo depth (#pragma HLS STREAM).")
    for f in d.fifos:
        out.append(f"  INRARCH_FIFO({f.cname}, {f.depth}, w{f.lanes}_t);  // {f.edge}")
    out.append("")
    out.append("  // #pragma HLS DATAFLOW; one process per kernel, in topological order.")
    out.append('  INRARCH_DATAFLOW_BEGIN("top");')
    for p in d.processes:
        out.append(f'  INRARCH_PROCESS("{p.name}", {p.call});')
    out.append("  INRARCH_DATAFLOW_END();")
    out.append("}")
    return "\n".join(out) + "\n"


SUPPORT_H = r"""// support.h -- generated by inrarch-translate --emit-hls; do not edit.
// Boundary kernels (memory <-> stream with element-type conversion and
// power-of-two scaling, affine weight views) and fixed-point scaling
// helpers. Synthesizable: fixed loop bounds, no allocation.
#ifndef INRARCH_TOP_SUPPORT_H
#define INRARCH_TOP_SUPPORT_H

#include <cmath>
#include <type_traits>

#include "inrarch/inrarch.h"

namespace top_support {

#ifndef __SYNTHESIS__
/// Counts a saturated value of kernel `counter` (defined in top.cpp).
void note_overflow(int counter);
#endif

template <class T>
struct is_fixed : std::false_type {};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct is_fixed<ap_fixed<W, I, Q, O, N>> : std::true_type {
  static constexpr int width = W;
  static constexpr int int_bits = I;
};

/// 2^e as a compile-time double.
constexpr double pow2(int e) {
  double r = 1.0;
  for (int i = 0; i < e; ++i) r *= 2.0;
  for (int i = 0; i > e; --i) r *= 0.5;
  return r;
}

/// x * 2^S (a shift for fixed point).
template <int S, class X>
X shift(X x) {
  INRARCH_PRAGMA(HLS INLINE)
  if constexpr (is_fixed<X>::value) {
    if constexpr (S >= 0) return x << S;
    else return x >> (-S);
  } else {
    return x * X(pow2(S));
  }
}

inline float to_float(float x) { return x; }
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
float to_float(ap_fixed<W, I, Q, O, N> x) { return x.to_float(); }

/// Memory element (true value, float) -> stored element (scaled by 2^-S).
template <class T, int S>
T from_mem(float v) {
  INRARCH_PRAGMA(HLS INLINE)
  return T(v * static_cast<float>(pow2(-S)));
}

/// Stored element -> memory element (true value).
template <class T, int S>
float to_mem(T v) {
  INRARCH_PRAGMA(HLS INLINE)
  return to_float(v) * static_cast<float>(pow2(S));
}

/// True when a stored fixed-point value sits at a saturation bound.
template <class T>
bool saturated(T v) {
  if constexpr (is_fixed<T>::value) {
    constexpr double hi = pow2(is_fixed<T>::int_bits - 1) - pow2(is_fixed<T>::int_bits - is_fixed<T>::width);
    return v >= T(hi) || v <= T(-pow2(is_fixed<T>::int_bits - 1));
  } else {
    return false;
  }
}

/// Map input: stored value (scale 2^-S) -> true value in C.
template <class C, int S, class T>
C from_data(T v, int counter) {
  INRARCH_PRAGMA(HLS INLINE)
#ifndef __SYNTHESIS__
  if (saturated(v)) note_overflow(counter);
#else
  static_cast<void>(counter);
#endif
  return shift<S>(C(v));
}

/// Map output: true value in C -> stored value (scale 2^-S), saturating.
template <class T, int S, class C>
T to_data(C v, int counter) {
  INRARCH_PRAGMA(HLS INLINE)
  const C s = shift<-S>(v);
  const T r = T(s);
#ifndef __SYNTHESIS__
  if (saturated(r)) note_overflow(counter);
#else
  static_cast<void>(counter);
#endif
  return r;
}

/// Memory [B, ROW] (float) -> channel, scaled by 2^-S.
template <class T, int B, int ROW, int LANES, int S>
void load_cvt(const float* mem, inrarch::stream<inrarch::word<T, LANES>>& out) {
  INRARCH_PRAGMA(HLS INLINE off)
  constexpr int WPR = inrarch::words_per_row(ROW, LANES);
  for (int b = 0; b < B; ++b) {
    for (int w = 0; w < WPR; ++w) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      inrarch::word<T, LANES> v;
      for (int l = 0; l < LANES; ++l) {
        INRARCH_PRAGMA(HLS UNROLL)
        const int e = w * LANES + l;
        v[l] = (e < ROW) ? from_mem<T, S>(mem[b * ROW + e]) : T(0);
      }
      out.write(v);
    }
  }
}

/// Channel (scaled by 2^-S) -> memory [B, ROW] (float, true values).
template <class T, int B, int ROW, int LANES, int S>
void store_cvt(inrarch::stream<inrarch::word<T, LANES>>& in, float* mem) {
  INRARCH_PRAGMA(HLS INLINE off)
  constexpr int WPR = inrarch::words_per_row(ROW, LANES);
  for (int b = 0; b < B; ++b) {
    for (int w = 0; w < WPR; ++w) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      const inrarch::word<T, LANES> v = in.read();
      for (int l = 0; l < LANES; ++l) {
        INRARCH_PRAGMA(HLS UNROLL)
        const int e = w * LANES + l;
        if (e < ROW) mem[b * ROW + e] = to_mem<T, S>(v[l]);
      }
    }
  }
}

/// Affine view of a weight tensor -> weight stream, once (like
/// inrarch::weights): element i of the view (row-major over Shape) is
/// mem[OFFSET + sum_d i_d * Strides::dim(d)], scaled by 2^-S.
template <class T, int SIZE, class Shape, class Strides, int OFFSET, int LANES, int S>
void weights_view(const float* mem, inrarch::stream<inrarch::word<T, LANES>>& out) {
  INRARCH_PRAGMA(HLS INLINE off)
  static_assert(Shape::size == SIZE || Shape::rank == 0, "weights_view: SIZE must be the view's size");
  inrarch::row_writer<T, LANES, SIZE> wr;
  wr.start_row();
  for (int e = 0; e < SIZE; ++e) {
    INRARCH_PRAGMA(HLS PIPELINE II=1)
    int src = OFFSET;
    for (int d = 0; d < Shape::rank; ++d) {
      INRARCH_PRAGMA(HLS UNROLL)
      src += ((e / Shape::stride(d)) % Shape::dim(d)) * Strides::dim(d);
    }
    wr.put(out, from_mem<T, S>(mem[src]));
  }
}

}  // namespace top_support

#endif  // INRARCH_TOP_SUPPORT_H
"""


def tb_cpp(d: Design) -> str:
    p = d.precision
    lines = [
        "// tb.cpp -- generated by inrarch-translate --emit-hls; do not edit.",
        "// Testbench: reads inputs and PyTorch reference outputs from binary files,",
        "// runs top(), writes the outputs, prints per-output and overall errors.",
        "//   ./csim [DATA_DIR=data] [OUT_DIR=.] [TOLERANCE]   (exit 1 if max_rel_err > TOLERANCE)",
        '#include <cmath>',
        '#include <cstdio>',
        '#include <cstdlib>',
        '#include <string>',
        '#include <vector>',
        '',
        '#include "top.h"',
        '',
        'static bool read_file(const std::string& path, void* buf, std::size_t bytes) {',
        '  std::FILE* f = std::fopen(path.c_str(), "rb");',
        '  if (!f) { std::fprintf(stderr, "error: cannot open %s\\n", path.c_str()); return false; }',
        '  const std::size_t n = std::fread(buf, 1, bytes, f);',
        '  std::fclose(f);',
        '  if (n != bytes) { std::fprintf(stderr, "error: %s has %zu bytes, expected %zu\\n", path.c_str(), n, bytes); return false; }',
        '  return true;',
        '}',
        '',
        'static bool write_file(const std::string& path, const void* buf, std::size_t bytes) {',
        '  std::FILE* f = std::fopen(path.c_str(), "wb");',
        '  if (!f) { std::fprintf(stderr, "error: cannot write %s\\n", path.c_str()); return false; }',
        '  const std::size_t n = std::fwrite(buf, 1, bytes, f);',
        '  std::fclose(f);',
        '  return n == bytes;',
        '}',
        '',
    ]
    for port in d.inputs + d.outputs:
        lines.append(f"static mem_t {port.cname}[{port.size}];")
    for port in d.outputs:
        lines.append(f"static double ref_{port.cname}[{port.size}];")
    lines += ["", "int main(int argc, char** argv) {",
              '  const std::string data = argc > 1 ? argv[1] : "data";',
              '  const std::string outd = argc > 2 ? argv[2] : ".";',
              "  const double tolerance = argc > 3 ? std::atof(argv[3]) : -1.0;",
              "  bool ok = true;"]
    for port in d.inputs:
        lines.append(f'  ok = ok && read_file(data + "/{port.cname}.bin", {port.cname}, sizeof({port.cname}));')
    for port in d.outputs:
        lines.append(f'  ok = ok && read_file(data + "/expected_{port.cname}.bin", ref_{port.cname}, '
                     f'sizeof(ref_{port.cname}));')
    lines += ["  if (!ok) return 2;", "",
              "  top(" + ", ".join(p.cname for p in d.inputs + d.outputs) + ");", ""]
    n = len(d.outputs)
    orders = sorted({port.order for port in d.outputs})
    lines += [f"  const int n_out = {n};",
              "  const char* names[] = {" + ", ".join(f'"{port.name}"' for port in d.outputs) + "};",
              "  const char* cnames[] = {" + ", ".join(f'"{port.cname}"' for port in d.outputs) + "};",
              "  const int orders[] = {" + ", ".join(str(port.order) for port in d.outputs) + "};",
              "  const mem_t* act[] = {" + ", ".join(port.cname for port in d.outputs) + "};",
              "  const double* ref[] = {" + ", ".join(f"ref_{port.cname}" for port in d.outputs) + "};",
              "  const int sizes[] = {" + ", ".join(str(port.size) for port in d.outputs) + "};"]
    if p.fixed:
        # |true value| at which a stored value saturates, per output
        sat = [(p.limit - p.lsb) * 2.0 ** port.scale for port in d.outputs]
        lines.append("  const double sat[] = {" + ", ".join(repr(s) for s in sat) + "};")
    else:
        lines.append("  const double sat[] = {" + ", ".join("HUGE_VAL" for _ in d.outputs) + "};")
    lines += [
        f"  double order_max[{max(orders) + 1}] = {{0}};",
        "  for (int j = 0; j < n_out; ++j)",
        "    for (int i = 0; i < sizes[j]; ++i) order_max[orders[j]] = std::fmax(order_max[orders[j]], std::fabs(ref[j][i]));",
        "  double max_abs = 0, max_rel = 0;",
        '  const char* worst = "";',
        "  long saturated_total = 0;",
        "  for (int j = 0; j < n_out; ++j) {",
        "    double err = 0, mag = 0;",
        "    long saturated = 0;",
        "    std::vector<double> out(sizes[j]);",
        "    for (int i = 0; i < sizes[j]; ++i) {",
        "      out[i] = act[j][i];",
        "      const double e = std::fabs(out[i] - ref[j][i]);",
        "      err = (e > err || std::isnan(e)) ? e : err;",
        "      mag = std::fmax(mag, std::fabs(ref[j][i]));",
        "      if (std::fabs(out[i]) >= sat[j]) ++saturated;",
        "    }",
        f"    const bool tiny = mag <= {data_tiny()} * std::fmax(order_max[orders[j]], 1e-30);",
        "    const double rel = tiny ? 0.0 : err / mag;",
        '    std::printf("output %s (order %d): max_abs_err=%.3e ref_max=%.3e rel_err=%.3e%s saturated=%ld\\n",',
        '                names[j], orders[j], err, mag, rel, tiny ? " (tiny, not counted)" : "", saturated);',
        "    if (saturated) std::printf(\"OVERFLOW: output %s: %ld value(s) at the saturation bound\\n\", names[j], saturated);",
        "    saturated_total += saturated;",
        "    max_abs = std::fmax(max_abs, err);",
        "    if (rel >= max_rel || std::isnan(rel)) { max_rel = rel; worst = names[j]; }",
        '    ok = ok && write_file(outd + "/actual_" + std::string(cnames[j]) + ".bin", out.data(), sizeof(double) * sizes[j]);',
        "  }",
        "  const int overflows = top_report_overflows(stdout);",
        '  std::printf("max_abs_err=%.6e max_rel_err=%.6e worst=%s overflows=%ld\\n", max_abs, max_rel, worst,',
        "              saturated_total + overflows);",
        "  if (!ok) return 2;",
        "  if (tolerance > 0 && !(max_rel <= tolerance)) return 1;",
        "  return 0;",
        "}",
    ]
    return "\n".join(lines) + "\n"


def data_tiny() -> str:
    from .data import TINY

    return repr(TINY)


def run_hls_tcl(d: Design, part: str, clock: float) -> str:
    return f"""# run_hls.tcl -- generated by inrarch-translate --emit-hls.
#   vitis_hls -f run_hls.tcl -tclargs [-part PART] [-clock NS] [-steps csim,csynth,cosim]
# Defaults: {part} (Alveo U50) at {clock} ns (300 MHz); all three steps.
set part {{{part}}}
set clock {clock}
set steps {{csim csynth cosim}}
for {{set i 0}} {{$i < [llength $argv]}} {{incr i}} {{
  set opt [lindex $argv $i]
  set val [lindex $argv [expr {{$i + 1}}]]
  switch -- $opt {{
    -part  {{ set part $val; incr i }}
    -clock {{ set clock $val; incr i }}
    -steps {{ set steps [split $val ,]; incr i }}
    default {{ puts "run_hls.tcl: unknown option $opt"; exit 1 }}
  }}
}}
set here [file dirname [file normalize [info script]]]
set cflags "-std=c++17 -I$here/include -I$here"
open_project -reset inrarch_top
set_top top
add_files $here/top.cpp -cflags $cflags
add_files -tb $here/tb.cpp -cflags $cflags
add_files -tb $here/data
open_solution -reset solution1 -flow_target vitis
set_part $part
create_clock -period $clock -name default
if {{[lsearch $steps csim] >= 0}}   {{ csim_design -argv "$here/data ." }}
if {{[lsearch $steps csynth] >= 0}} {{ csynth_design }}
if {{[lsearch $steps cosim] >= 0}}  {{ cosim_design -argv "$here/data ." }}
exit
"""


def makefile(ap: str) -> str:
    return f"""# Makefile -- generated by inrarch-translate --emit-hls. g++ C simulation.
#   make csim && ./csim data .            unbounded FIFOs, processes run in order
#   make csim_bounded && ./csim_bounded   one thread per process, FIFOs of exactly their depth
AP_TYPES ?= {ap}
CXX ?= g++
CXXFLAGS ?= {' '.join(CXXFLAGS)}
INC = -isystem $(AP_TYPES) -Iinclude -I.
SRC = tb.cpp top.cpp
DEPS = $(SRC) top.h support.h

all: csim csim_bounded

csim: $(DEPS)
\t$(CXX) $(CXXFLAGS) $(INC) $(SRC) -o $@

csim_bounded: $(DEPS)
\t$(CXX) $(CXXFLAGS) $(INC) -DINRARCH_BOUNDED_FIFO $(SRC) -o $@ -pthread

run: csim
\t./csim data .

run_bounded: csim_bounded
\t./csim_bounded data .

clean:
\trm -f csim csim_bounded actual_*.bin

.PHONY: all run run_bounded clean
"""


def cmakelists(ap: str) -> str:
    return f"""# CMakeLists.txt -- generated by inrarch-translate --emit-hls. g++ C simulation.
cmake_minimum_required(VERSION 3.16)
project(inrarch_top_csim CXX)
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(AP_TYPES "{ap}" CACHE PATH "Xilinx ap_types headers")
find_package(Threads REQUIRED)
foreach(target csim csim_bounded)
  add_executable(${{target}} tb.cpp top.cpp)
  target_include_directories(${{target}} PRIVATE ${{CMAKE_CURRENT_SOURCE_DIR}}/include ${{CMAKE_CURRENT_SOURCE_DIR}})
  target_include_directories(${{target}} SYSTEM PRIVATE ${{AP_TYPES}})
  target_compile_options(${{target}} PRIVATE -Wall -Wextra -Werror)
endforeach()
target_compile_definitions(csim_bounded PRIVATE INRARCH_BOUNDED_FIFO)
target_link_libraries(csim_bounded PRIVATE Threads::Threads)
"""


def write_project(d: Design, outdir, *, part: str = DEFAULT_PART, clock: float = DEFAULT_CLOCK_NS) -> Path:
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    inc = out / "include" / "inrarch"
    if inc.exists():
        shutil.rmtree(inc)
    shutil.copytree(runtime_include_dir() / "inrarch", inc)
    ap = ap_types_dir()
    files = {
        "top.h": top_h(d),
        "top.cpp": top_cpp(d),
        "support.h": SUPPORT_H,
        "tb.cpp": tb_cpp(d),
        "run_hls.tcl": run_hls_tcl(d, part, clock),
        "Makefile": makefile(ap),
        "CMakeLists.txt": cmakelists(ap),
    }
    for name, text in files.items():
        (out / name).write_text(text)
    csim = {
        "cxx": "g++", "cxxflags": CXXFLAGS, "ap_types": ap, "sources": ["tb.cpp", "top.cpp"],
        "includes": ["include", "."], "bounded_flags": ["-DINRARCH_BOUNDED_FIFO", "-pthread"],
        "design": d.summary(),
        "outputs": [{"name": p.name, "cname": p.cname, "order": p.order, "size": p.size, "scale": p.scale}
                    for p in d.outputs],
        "fifos": [{"name": f.cname, "edge": f.edge, "depth": f.depth} for f in d.fifos],
    }
    (out / "csim.json").write_text(json.dumps(csim, indent=1) + "\n")
    return out


def _diagnostic(e: EmitError, filename: str):
    from ..diagnostics import CompileError, Diagnostic, location_of

    file, line, col = location_of(e.op.location, filename) if e.op is not None else (filename, 0, 0)
    return CompileError([Diagnostic("error", f"--emit-hls: {e}", file, line, col)])


def emit_project(module, outdir, *, precision: str | Precision = "float", part: str = DEFAULT_PART,
                 clock: float = DEFAULT_CLOCK_NS, filename: str = "-") -> Design:
    """Analyzes `module` and writes the HLS project; returns the `Design`.

    Raises `CompileError` (located diagnostics) for unsupported input."""
    try:
        d = analyze(module, precision)
    except EmitError as e:
        raise _diagnostic(e, filename) from None
    d.source = filename
    write_project(d, outdir, part=part, clock=clock)
    return d


def emit(module, outdir, args) -> None:
    """`inrarch-translate --emit-hls` entry point."""
    from ..diagnostics import CompileError, Diagnostic

    try:
        prec = Precision.parse(getattr(args, "precision", "float") or "float")
    except ValueError as e:
        raise CompileError([Diagnostic("error", str(e), getattr(args, "input", "-"))]) from None
    filename = getattr(args, "input", "-")
    try:
        d = analyze(module, prec)
    except EmitError as e:
        raise _diagnostic(e, filename) from None
    d.source = filename
    write_project_atomically(d, outdir, part=getattr(args, "part", DEFAULT_PART),
                             clock=getattr(args, "clock", DEFAULT_CLOCK_NS), filename=filename)


def write_project_atomically(d: Design, outdir, *, part: str = DEFAULT_PART, clock: float = DEFAULT_CLOCK_NS,
                             filename: str = "-") -> Path:
    """`write_project` into a temporary directory beside `outdir`, then moved into place.

    A failure leaves no half-written project: a new `outdir` appears only once
    complete; into an existing one the finished files are moved one by one.
    Write failures raise `CompileError` naming the directory."""
    import os
    import tempfile

    from ..diagnostics import CompileError, Diagnostic

    out = Path(outdir)
    tmp = None
    try:
        if out.exists() and not out.is_dir():
            raise NotADirectoryError(20, "exists and is not a directory")
        parent = out.absolute().parent
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{out.name}.tmp-"))
        write_project(d, tmp, part=part, clock=clock)
        if not out.exists():
            os.replace(tmp, out)
            tmp = None
        else:
            for entry in sorted(tmp.iterdir()):
                dst = out / entry.name
                if dst.is_dir() and not dst.is_symlink():
                    shutil.rmtree(dst)
                os.replace(entry, dst)
    except OSError as e:
        raise CompileError([Diagnostic("error", f"cannot write the output directory '{out}': "
                                                f"{e.strerror or e}", filename)]) from None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return out
