"""Testbench data and range analysis for emitted HLS projects.

`evaluate` interprets a (forked, balanced) stream function in NumPy float64
for any number of samples, recording the largest magnitude every kernel
output and every weight buffer takes; `annotate_ranges` stores those as
`stream.max_abs` attributes, which the fixed-point emitter turns into
per-channel power-of-two scales. `write_data` writes the binary files the
testbench reads: float32 inputs and parameters, float64 PyTorch reference
outputs, and `manifest.json`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Sequence

import numpy as np

#: Outputs whose reference magnitude is below TINY x the largest output of
#: the same order are reported but not used for max_rel_err (as in
#: `inrarch import --check`).
TINY = 1e-6

#: Attribute holding the measured max |value| of each result of a kernel op
#: (an array of f64, one per result) or of a weights buffer.
MAX_ABS_ATTR = "stream.max_abs"


# --------------------------------------------------------------------------
# Weight sources (shared with the emitter)
# --------------------------------------------------------------------------


def weight_source(op):
    """Where a `stream.weights` op reads from: ("arg", index) or ("const", ndarray).

    Raises ValueError naming the producer for anything else (the weights
    contract allows a cast of a function argument or an arith.constant)."""
    from torch_mlir import ir

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


def dense_value(attr, ty) -> np.ndarray:
    from torch_mlir import ir

    t = ir.RankedTensorType(ty)
    shape = tuple(t.shape)
    a = ir.DenseElementsAttr(attr)
    if a.is_splat:
        return np.full(shape, float(ir.FloatAttr(a.get_splat_value()).value), dtype=np.float64)
    return np.array(ir.DenseFPElementsAttr(attr), dtype=np.float64).reshape(shape)


def view_params(op) -> tuple[tuple[int, ...], int, tuple[int, ...]]:
    """(buffer shape, offset, strides) of a weights op's affine view."""
    from ..dialects import stream as S

    shape = tuple(S.buffer_tensor(op.results[0].type).shape)
    offset = S.int_attr(op, "offset", 0)
    if "strides" in op.attributes:
        strides = tuple(S.array_attr(op, "strides"))
    else:
        strides = tuple(math.prod(shape[d + 1:]) for d in range(len(shape)))
    return shape, offset, strides


def apply_view(base: np.ndarray, shape, offset: int, strides) -> np.ndarray:
    flat = np.asarray(base, dtype=np.float64).reshape(-1)
    idx = np.full(shape, offset, dtype=np.int64)
    for d, (n, s) in enumerate(zip(shape, strides)):
        ax = [1] * len(shape)
        ax[d] = n
        idx = idx + np.arange(n, dtype=np.int64).reshape(ax) * s
    if idx.size and (idx.min() < 0 or idx.max() >= flat.size):
        raise ValueError(f"weights view reads element {int(idx.max())} of a {flat.size}-element tensor")
    return flat[idx]


# --------------------------------------------------------------------------
# The interpreter
# --------------------------------------------------------------------------

_CMPF = {
    0: lambda a, b: np.zeros(np.broadcast(a, b).shape, bool), 1: np.equal, 2: np.greater,
    3: np.greater_equal, 4: np.less, 5: np.less_equal, 6: np.not_equal,
    7: lambda a, b: ~(np.isnan(a) | np.isnan(b)), 8: np.equal, 9: np.greater, 10: np.greater_equal,
    11: np.less, 12: np.less_equal, 13: np.not_equal, 14: lambda a, b: np.isnan(a) | np.isnan(b),
    15: lambda a, b: np.ones(np.broadcast(a, b).shape, bool),
}

_UNARY = {
    "math.sin": np.sin, "math.cos": np.cos, "math.exp": np.exp, "math.tanh": np.tanh, "math.log": np.log,
    "math.sqrt": np.sqrt, "math.rsqrt": lambda x: 1.0 / np.sqrt(x), "math.absf": np.abs, "arith.negf": np.negative,
}
_BINARY = {
    "arith.addf": np.add, "arith.subf": np.subtract, "arith.mulf": np.multiply, "arith.divf": np.divide,
    "arith.maximumf": np.maximum, "arith.minimumf": np.minimum, "math.powf": np.power,
}


def eval_map_body(op, inputs: Sequence[np.ndarray]) -> np.ndarray:
    """Evaluates a map region elementwise over NumPy arrays (float64)."""
    from torch_mlir import ir

    from ..dialects import stream as S

    block = S.map_body(op)
    env = {}
    for arg, x in zip(block.arguments, inputs):
        env[arg] = x
    for inner in block.operations:
        inner = inner.operation
        name = inner.name
        args = [env[v] for v in inner.operands]
        if name == "stream.yield":
            return np.asarray(args[0], dtype=np.float64) * np.ones_like(inputs[0])
        if name == "arith.constant":
            val = ir.FloatAttr(inner.attributes["value"]).value if S.isa(inner.attributes["value"], ir.FloatAttr) \
                else float(ir.IntegerAttr(inner.attributes["value"]).value)
            res = np.float64(val)
        elif name in _UNARY:
            with np.errstate(all="ignore"):
                res = _UNARY[name](args[0])
        elif name in _BINARY:
            with np.errstate(all="ignore"):
                res = _BINARY[name](args[0], args[1])
        elif name == "arith.cmpf":
            res = _CMPF[ir.IntegerAttr(inner.attributes["predicate"]).value](args[0], args[1])
        elif name == "arith.select":
            res = np.where(args[0], args[1], args[2])
        elif name in ("arith.uitofp", "arith.sitofp"):
            res = np.asarray(args[0], dtype=np.float64)
        else:
            raise ValueError(f"map body op '{name}' is not supported by the interpreter")
        env[inner.results[0]] = res
    raise ValueError("map body has no stream.yield")


def combines_samples(func_op) -> bool:
    """Whether a stream function has barrier kernels (its samples interact)."""
    from ..dialects import stream as S
    from ..passes.walk import body_ops

    return any(S.mixes_batch(op) for op in body_ops(func_op) if op.name.startswith("stream."))


def design_batch(func_op) -> int:
    """The batch the design was built for: the rows of its coordinate stream."""
    from ..dialects import stream as S
    from ..passes.walk import body_ops

    return next(S.channel_info(op.results[0].type).batch for op in body_ops(func_op) if op.name == "stream.load")


def evaluate(func_op, args: Sequence[np.ndarray]) -> tuple[list[np.ndarray], dict]:
    """Runs a stream function on `args` (coordinates first).

    Any batch size works when samples are independent; a design with
    barrier kernels (samples interact) takes exactly its own batch.
    Returns (results in return order, ranges) where ranges maps each kernel
    op to a list of max |value| per result, and each weights op to [max |w|]."""
    from torch_mlir import ir

    from ..dialects import stream as S
    from ..passes.walk import body_ops

    block = func_op.regions[0].blocks[0]
    env: dict = {}
    for a, x in zip(block.arguments, args):
        env[a] = np.asarray(x, dtype=np.float64)
    n = int(np.asarray(args[0]).shape[0])
    fixed = combines_samples(func_op)
    if fixed and n != design_batch(func_op):
        raise ValueError(f"the design combines samples (barrier kernels), so it evaluates exactly "
                         f"{design_batch(func_op)} coordinates at a time, got {n}")

    def _batched(shape, n):
        return tuple(shape) if fixed else (n,) + tuple(shape[1:])

    ranges: dict = {}

    def rec(op, vals):
        ranges[op] = [float(np.max(np.abs(v))) if np.size(v) else 0.0 for v in vals]

    results = None
    for op in body_ops(func_op):
        name = op.name
        ins = [env.get(v) for v in op.operands]
        if name == "builtin.unrealized_conversion_cast":
            if ins[0] is not None:
                env[op.results[0]] = ins[0]
            continue
        if name == "arith.constant" and S.isa(op.results[0].type, ir.RankedTensorType):
            env[op.results[0]] = dense_value(op.attributes["value"], op.results[0].type)
            continue
        if name == "func.return":
            results = ins
            continue
        if not name.startswith("stream."):
            continue  # dead torch ops (weight-only expressions) are not needed
        if name == "stream.weights":
            kind, src = weight_source(op)
            base = env[block.arguments[src]] if kind == "arg" else src
            shape, offset, strides = view_params(op)
            out = [apply_view(base, shape, offset, strides)]
        elif name in ("stream.load", "stream.store", "stream.fifo", "stream.reshape"):
            t = op.results[0].type
            shape = S.channel_info(t).shape if S.is_channel(t) else tuple(ir.RankedTensorType(t).shape)
            out = [ins[0].reshape(_batched(shape, n))]
        elif name == "stream.fork":
            out = [ins[0]] * len(op.results)
        elif name == "stream.matmul":
            w = ins[1].T if S.bool_attr(op, "transpose_w") else ins[1]
            out = [ins[0] @ w]
        elif name == "stream.map":
            out = [eval_map_body(op, ins)]
        elif name == "stream.broadcast":
            shape = _batched(S.channel_info(op.results[0].type).shape, n)
            x = ins[0]
            if S.is_buffer(op.operands[0].type):
                x = x.reshape(x.shape[max(0, x.ndim - (len(shape) - 1)):])  # drop leading (size-1) dims
            out = [np.broadcast_to(x, shape).copy()]
        elif name == "stream.reduce":
            dims = tuple(S.array_attr(op, "dims"))
            out = [ins[0].sum(axis=dims, keepdims=True)]
        elif name == "stream.transpose":
            out = [np.transpose(ins[0], S.array_attr(op, "perm")).copy()]
        elif name == "stream.slice":
            offs, sizes, strides = (S.array_attr(op, k) for k in ("offsets", "sizes", "strides"))
            sl = [slice(o, o + s * st, st) for o, s, st in zip(offs, sizes, strides)]
            out = [ins[0][tuple([sl[0] if fixed else slice(None)] + sl[1:])]]
        elif name == "stream.concat":
            out = [np.concatenate(ins, axis=S.int_attr(op, "dim"))]
        else:
            raise ValueError(f"the interpreter does not know '{name}'")
        for r, v in zip(op.results, out):
            env[r] = v
        if name not in ("stream.fifo", "stream.reshape", "stream.store"):
            rec(op, out)
    if results is None:
        raise ValueError("function has no return")
    return [np.asarray(r) for r in results], ranges


def annotate_ranges(func_op, ranges: dict, margin: float = 1.0) -> None:
    """Stores `ranges` (from `evaluate`) as `stream.max_abs` attributes."""
    from torch_mlir import ir

    with func_op.context, ir.Location.unknown():
        f64 = ir.F64Type.get()
        for op, vals in ranges.items():
            op.attributes[MAX_ABS_ATTR] = ir.ArrayAttr.get([ir.FloatAttr.get(f64, v * margin) for v in vals])


def read_ranges(op) -> list[float] | None:
    from torch_mlir import ir

    if MAX_ABS_ATTR not in op.attributes:
        return None
    return [ir.FloatAttr(a).value for a in ir.ArrayAttr(op.attributes[MAX_ABS_ATTR])]


# --------------------------------------------------------------------------
# Testbench files
# --------------------------------------------------------------------------


def write_data(outdir, design, args: Sequence[np.ndarray], expected: Sequence[np.ndarray],
               orders: Sequence[int] | None = None) -> Path:
    """Writes `outdir/data/`: one float32 file per top-level input port, one
    float64 reference file per output, and `manifest.json`.

    - design: the `hls.Design` the project was emitted from (port names).
    - args: the function's arguments (coordinates first), any array-likes.
    - expected: reference outputs in return order (PyTorch, float64).
    """
    data = Path(outdir) / "data"
    data.mkdir(parents=True, exist_ok=True)
    manifest = {"inputs": {}, "outputs": {}}
    for port in design.inputs:
        a = np.asarray(args[port.arg_index], dtype=np.float32).reshape(-1)
        if a.size != port.size:
            raise ValueError(f"argument {port.arg_index} ('{port.name}') has {a.size} elements; "
                             f"the design expects {port.size}")
        a.tofile(data / f"{port.cname}.bin")
        manifest["inputs"][port.cname] = {"arg": port.arg_index, "size": port.size}
    for j, port in enumerate(design.outputs):
        e = np.asarray(expected[j], dtype=np.float64).reshape(-1)
        if e.size != port.size:
            raise ValueError(f"reference output {j} ('{port.name}') has {e.size} elements; expected {port.size}")
        e.tofile(data / f"expected_{port.cname}.bin")
        manifest["outputs"][port.cname] = {"index": j, "size": port.size,
                                           "order": int(orders[j]) if orders is not None else 0}
    (data / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return data


def compare(actual: Sequence[np.ndarray], expected: Sequence[np.ndarray], names: Sequence[str],
            orders: Sequence[int]) -> dict:
    """Per-output and overall errors; rel = max|a-e| / max|e| (the output's range)."""
    scale = {}
    for o, e in zip(orders, expected):
        scale[o] = max(scale.get(o, 0.0), float(np.max(np.abs(e))) if np.size(e) else 0.0)
    rows, max_abs, max_rel, worst = [], 0.0, 0.0, ""
    for name, o, a, e in zip(names, orders, actual, expected):
        a = np.asarray(a, dtype=np.float64).reshape(-1)
        e = np.asarray(e, dtype=np.float64).reshape(-1)
        err = float(np.max(np.abs(a - e))) if e.size else 0.0
        if not np.isfinite(err):
            err = float("inf")
        mag = float(np.max(np.abs(e))) if e.size else 0.0
        tiny = mag <= TINY * max(scale[o], 1e-30)
        rel = 0.0 if tiny else (err / mag if mag else float("inf"))
        rows.append({"name": name, "order": int(o), "abs_err": err, "rel_err": rel, "ref_max": mag, "tiny": tiny})
        max_abs = max(max_abs, err)
        if rel >= max_rel:
            max_rel, worst = rel, name
    return {"max_abs_err": max_abs, "max_rel_err": max_rel, "worst": worst, "outputs": rows}
