"""Fixed-point scales: one power-of-two exponent per channel group, from measured ranges."""

from __future__ import annotations

import math

from ...kernels import KINDS
from ...kernels.base import SCALE_THROUGH
from ...numeric import ranges as R
from ...union_find import UnionFind
from .design import Design, EmitError
from .precision import Precision

#: A channel's stored values are kept below limit / MARGIN (2 bits of
#: headroom over the measured range: the range comes from sampled inputs).
MARGIN = 4.0


def _ceil_log2(x: float) -> int:
    return int(math.ceil(math.log2(x) - 1e-12))


def solve_scales(prec: Precision, ops, names, in_key, weights_info, design: Design):
    """Power-of-two scale exponents from the `stream.max_abs` annotations.

    Channels that pass values through unchanged (kinds whose scale rule is
    "through": fork, slice, concat, reduce, transpose, channel broadcast)
    share one scale; map, load and matmul outputs choose theirs (a matmul
    through its weights' scale: s_w = s_y - s_x). Each channel keeps max|v| *
    2^-s <= limit / MARGIN; weights must fit the type exactly (their values
    are known), which can raise the scale of a matmul's output group.
    Returns (scale per (op, result index), scale per weights op)."""
    limit = prec.limit
    groups = UnionFind()
    desired: dict = {}
    lo = -(prec.width - prec.int_bits)
    for op in ops:
        if op not in names or op.name == "stream.store":
            continue
        rng = R.read(op)
        if rng is None:
            raise EmitError(f"fixed-point emission needs range annotations ({R.MAX_ABS_ATTR}) on every kernel; "
                            "emit through `inrarch compile` / `inrarch_mlir.compiler.Compilation`, which run the "
                            "range analysis", op)
        for r, m in enumerate(rng):
            key = (op, r)
            groups.find(key)
            desired[key] = max(lo, _ceil_log2(m * MARGIN / limit)) if m > 0 else lo
        if KINDS[op.name].scale_rule(op) == SCALE_THROUGH:
            for i in range(len(op.operands)):
                if (op, i) in in_key:
                    for r in range(len(op.results)):
                        groups.union(in_key[(op, i)], (op, r))
    wmax = {}
    for w in weights_info:
        rng = R.read(w)
        if rng is None:
            raise EmitError(f"fixed-point emission needs a {R.MAX_ABS_ATTR} annotation on every stream.weights", w)
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
