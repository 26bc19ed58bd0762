"""The scalar ops of a `stream.map` body, evaluated elementwise over NumPy arrays."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from torch_mlir import ir

from ..dialects import stream_types as S

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
    "math.floor": np.floor, "math.ceil": np.ceil, "math.trunc": np.trunc, "math.roundeven": np.rint,
}
_BINARY = {
    "arith.addf": np.add, "arith.subf": np.subtract, "arith.mulf": np.multiply, "arith.divf": np.divide,
    "arith.maximumf": np.maximum, "arith.minimumf": np.minimum, "math.powf": np.power,
}


def eval_map_body(op, inputs: Sequence[np.ndarray]) -> np.ndarray:
    """Evaluates a map region elementwise over NumPy arrays (float64)."""
    return eval_region(op, inputs)[0]


def eval_region(op, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Every value a map or jet region yields, elementwise over NumPy arrays (float64)."""
    block = S.map_body(op)
    env = {}
    for arg, x in zip(block.arguments, inputs):
        env[arg] = x
    for inner in block.operations:
        inner = inner.operation
        name = inner.name
        args = [env[v] for v in inner.operands]
        if name == "stream.yield":
            return [np.asarray(a, dtype=np.float64) * np.ones_like(inputs[0]) for a in args]
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
