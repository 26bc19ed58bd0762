"""`stream.map` region -> a C++ functor for `inrarch::map`.

The functor's call operator takes one `data_t` per map input and returns
`data_t`. In float mode the body computes in `data_t` (float). In fixed
mode each input, stored scaled by 2^-s (s = the input channel's scale
exponent), is widened to `calc_t` and shifted back to its true value; the
body computes true values in `calc_t` (a wider ap_fixed; with more integer
bits where the scales are large: `FixedScales.widening`); the result is
shifted to the output channel's scale and rounded/saturated to `data_t`,
counting saturations (csim only) instead of wrapping silently.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from torch_mlir import ir

from ..dialects import stream_types as S

#: arith.cmpf predicate -> C++ operator (ordered and unordered alike: the
#: operands are never NaN in these designs; `ord`/`uno` are handled apart).
_CMP = {1: "==", 2: ">", 3: ">=", 4: "<", 5: "<=", 6: "!=", 8: "==", 9: ">", 10: ">=", 11: "<",
        12: "<=", 13: "!="}

_BIN = {"arith.addf": "+", "arith.subf": "-", "arith.mulf": "*", "arith.divf": "/"}

#: math ops computed through float (std::) in both modes; sin/cos use
#: inrarch::sin/cos, which have a fixed-point implementation.
_FLOAT_MATH = {"math.exp": "std::exp({})", "math.tanh": "std::tanh({})", "math.log": "std::log({})",
               "math.sqrt": "std::sqrt({})", "math.rsqrt": "(1.0f / std::sqrt({}))"}


class MapEmitError(ValueError):
    """An op in a map body the emitter cannot translate (carries the op)."""

    def __init__(self, message: str, op=None):
        super().__init__(message)
        self.op = op


@dataclass(frozen=True)
class FixedScales:
    """Scale exponents of a map's inputs and output, and its counter index.

    `inputs` has one per region argument (a jet's: input-major rows);
    `output` is one int, or a tuple with one per yielded value (a jet's output
    rows, each stored at its own scale: `emit.hls.scales`)."""

    inputs: tuple[int, ...]
    output: int | tuple[int, ...]
    counter: int

    def output_scale(self, j: int) -> int:
        """The scale yielded value `j` is stored at."""
        return self.output[j] if isinstance(self.output, tuple) else self.output

    def widening(self) -> int:
        """Integer bits the functor adds to calc_t (`inrarch::widen_t`): the
        largest scale of its ports, so a true value of any port (below 2^(I-1)
        x 2^scale) keeps calc_t's 14 bits of headroom; calc_t alone would
        drop the high bits of an input shifted by a scale above 14 (a
        Taylor-mode partial of order 3 can be 1e6 x the primal)."""
        outs = self.output if isinstance(self.output, tuple) else (self.output,)
        return max(0, *self.inputs, *outs)


def _literal(v: float) -> str:
    if not math.isfinite(v):
        raise MapEmitError(f"non-finite constant {v} in a map body")
    text = repr(float(v))
    return text if ("e" in text or "." in text) else text + ".0"


def _live_ops(block) -> list:
    ops = [o.operation for o in block.operations]
    needed = set()
    live = []
    for op in reversed(ops):
        if op.name == "stream.yield" or any(r in needed for r in op.results):
            live.append(op)
            needed.update(op.operands)
    return list(reversed(live)), needed


def emit_functor(op, name: str, fixed: FixedScales | None = None) -> str:
    """C++ source of `struct <name>` computing the map region of `op`.

    A region yielding one value (a `stream.map`) becomes `data_t
    operator()(data_t a0, ...)`; one yielding several (a `stream.jet`: the
    coefficients of an element) becomes `void operator()(const data_t
    (&in)[NI], data_t (&out)[NO])`. In fixed point `fixed.inputs` gives the
    scale of every region argument and `fixed.output` that of every yielded
    value (or one for all)."""
    block = S.map_body(op)
    live, needed = _live_ops(block)
    calc = "calc_t" if fixed else "data_t"
    wide = ""
    if fixed and fixed.widening():
        calc = "wide_t"
        wide = (f"  // stored values reach 2^{fixed.widening()} x data_t's range: {fixed.widening()} more integer bits\n"
                f"  typedef inrarch::widen_t<calc_t, {fixed.widening()}> wide_t;\n")
    term = list(block.operations)[-1].operation
    multi = len(term.operands) != 1 or op.name == "stream.jet"
    names: dict = {}
    params, lines = [], []
    for i, arg in enumerate(block.arguments):
        if arg not in needed:
            params.append("data_t")
            continue
        src = f"in[{i}]" if multi else f"i{i}"
        if fixed:
            params.append(f"data_t i{i}")
            lines.append(f"const {calc} a{i} = inrarch::from_data<{calc}, {fixed.inputs[i]}>({src}, "
                         f"{fixed.counter});")
        elif multi:
            lines.append(f"const data_t a{i} = in[{i}];")
        else:
            params.append(f"data_t a{i}")
        names[arg] = f"a{i}"

    def is_bool(v) -> bool:
        t = v.type
        return S.isa(t, ir.IntegerType) and ir.IntegerType(t).width == 1

    ret = None
    for k, inner in enumerate(live):
        nm = inner.name
        a = [names[v] for v in inner.operands]
        if nm == "stream.yield":
            if not multi and len(a) != 1:
                raise MapEmitError(f"map yields {len(a)} values; expected 1", inner)
            ret = []
            for j, (v, operand) in enumerate(zip(a, inner.operands)):
                if is_bool(operand):
                    v = f"{calc}({v} ? 1 : 0)"
                v = f"inrarch::to_data<data_t, {fixed.output_scale(j)}>({v}, {fixed.counter})" if fixed else v
                ret.append(f"out[{j}] = {v};" if multi else f"return {v};")
            continue
        res = inner.results[0]
        ty = "bool" if is_bool(res) else calc
        if nm == "arith.constant":
            attr = inner.attributes["value"]
            if S.isa(attr, ir.FloatAttr):
                expr = f"{calc}({_literal(ir.FloatAttr(attr).value)})"
            elif ty == "bool":
                expr = "true" if ir.IntegerAttr(attr).value else "false"
            else:
                expr = f"{calc}({_literal(float(ir.IntegerAttr(attr).value))})"
        elif nm in _BIN:
            expr = f"{calc}({a[0]} {_BIN[nm]} {a[1]})"
        elif nm == "arith.negf":
            expr = f"{calc}(-{a[0]})"
        elif nm == "arith.maximumf":
            expr = f"({a[0]} > {a[1]} ? {a[0]} : {a[1]})"
        elif nm == "arith.minimumf":
            expr = f"({a[0]} < {a[1]} ? {a[0]} : {a[1]})"
        elif nm == "math.absf":
            expr = f"({a[0]} < {calc}(0) ? {calc}(-{a[0]}) : {a[0]})"
        elif nm in ("math.sin", "math.cos"):
            expr = f"inrarch::{nm[5:]}({a[0]})"
        elif nm in ("math.floor", "math.ceil", "math.trunc", "math.roundeven"):
            expr = f"{calc}(inrarch::{nm[5:]}({a[0]}))"  # exact for ap_fixed too (inrarch/rounding.h)
        elif nm in _FLOAT_MATH:
            expr = f"{calc}({_FLOAT_MATH[nm].format(f'inrarch::to_float({a[0]})')})"
        elif nm == "math.powf":
            expr = f"{calc}(std::pow(inrarch::to_float({a[0]}), inrarch::to_float({a[1]})))"
        elif nm == "arith.cmpf":
            pred = ir.IntegerAttr(inner.attributes["predicate"]).value
            if pred in _CMP:
                expr = f"({a[0]} {_CMP[pred]} {a[1]})"
            elif pred in (0, 14):
                expr = "false"
            elif pred in (7, 15):
                expr = "true"
            else:
                raise MapEmitError(f"arith.cmpf predicate {pred} is not supported", inner)
        elif nm == "arith.select":
            expr = f"({a[0]} ? {a[1]} : {a[2]})"
        elif nm in ("arith.uitofp", "arith.sitofp"):
            expr = f"{calc}({a[0]} ? 1 : 0)" if is_bool(inner.operands[0]) else f"{calc}({a[0]})"
        elif nm == "arith.andi":
            expr = f"({a[0]} && {a[1]})"
        elif nm == "arith.ori":
            expr = f"({a[0]} || {a[1]})"
        elif nm == "arith.xori":
            expr = f"({a[0]} != {a[1]})"
        else:
            raise MapEmitError(f"'{nm}' in a map body has no C++ translation", inner)
        v = f"v{k}"
        names[res] = v
        lines.append(f"const {ty} {v} = {expr};")
    if ret is None:
        raise MapEmitError("map body has no stream.yield", op)
    lines += ret
    body = "\n".join("    " + ln for ln in lines)
    if multi:
        n_in, n_out = len(block.arguments), len(term.operands)
        signature = f"void operator()(const data_t (&in)[{n_in}], data_t (&out)[{n_out}]) const"
        sizes = f"  static constexpr int NI = {n_in}, NO = {n_out};\n"
    else:
        signature = f"data_t operator()({', '.join(params)}) const"
        sizes = ""
    return (f"struct {name} {{\n{sizes}{wide}"
            f"  {signature} {{\n"
            f"{body}\n"
            f"  }}\n"
            f"}};\n")
