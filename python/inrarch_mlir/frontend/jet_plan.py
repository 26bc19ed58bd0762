"""What the jets carry: multi-indices, collapsed rows, and which coefficients each op needs.

Shared by the Taylor-mode interpreter (`taylor.py`): the op classes it
dispatches on, multi-index arithmetic and vector partitions, the `JetPlan`
of an output layout (`--outputs`: only the coefficients below those read, sums
of partials as one collapsed row) and the backward `liveness` of coefficient
keys through the forward graph.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import torch.fx as fx

from .derivatives import DerivativeLayout

Index = Tuple[int, ...]  # a multi-index: one exponent per coordinate

# ---------------------------------------------------------------------------
# Mappings
# ---------------------------------------------------------------------------

#: Ops linear in their first argument (views, reductions, copies): applied to
#: each coefficient with the same other arguments.
LINEAR_OPS = {
    "view", "_unsafe_view", "reshape", "permute", "t", "transpose", "unsqueeze", "squeeze", "expand",
    "select", "slice", "flatten", "unflatten", "sum", "mean", "clone", "alias", "_to_copy", "repeat",
    "narrow", "index_select", "flip", "roll", "diagonal", "unbind", "split", "split_with_sizes", "chunk",
    "view_copy", "squeeze_copy", "unsqueeze_copy", "permute_copy", "expand_copy", "slice_copy",
    "select_copy", "t_copy", "transpose_copy", "alias_copy", "lift_fresh_copy", "contiguous",
}
#: Bilinear ops: Leibniz with the op as the product (no coefficient stacking).
BILINEAR_OPS = {"bmm", "mv", "dot", "matmul", "outer"}
#: Ops whose value depends on their operands' shapes only.
SHAPE_ONLY_OPS = {"zeros_like", "ones_like", "full_like", "empty_like", "new_zeros", "new_ones", "new_full",
               "new_empty", "sym_size", "size", "sym_numel", "sym_stride"}
#: Evaluated on the primals alone (detach: a zero derivative, as in reverse mode).
PRIMAL_ONLY_OPS = SHAPE_ONLY_OPS | {"detach"}

# ---------------------------------------------------------------------------
# Multi-indices
# ---------------------------------------------------------------------------


def index_of(coords: Sequence[int], d: int) -> Index:
    """(0, 1, 1), i.e. d/dx0 d/dx1 d/dx1, -> the multi-index (1, 2) for d = 2."""
    a = [0] * d
    for i in coords:
        a[i] += 1
    return tuple(a)


def multi_indices(d: int, n: int) -> List[Index]:
    """Every multi-index with 1 <= |a| <= n, by order, then in the layout's order."""
    return [index_of(c, d) for k in range(1, n + 1) for c in itertools.combinations_with_replacement(range(d), k)]


def index_le(b: Index, a: Index) -> bool:
    return all(x <= y for x, y in zip(b, a))


def index_minus(a: Index, b: Index) -> Index:
    return tuple(x - y for x, y in zip(a, b))


def vector_partitions(a: Index, parts: Sequence[Index], start: int = 0):
    """The multisets of `parts` summing to `a`, as non-decreasing tuples of part positions."""
    if not any(a):
        yield ()
        return
    for i in range(start, len(parts)):
        if index_le(parts[i], a):
            for tail in vector_partitions(index_minus(a, parts[i]), parts, i):
                yield (i,) + tail


# ---------------------------------------------------------------------------
# What the jets carry: the coefficients the outputs need, sums collapsed
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Collapsed:
    """One propagated coefficient standing for sum_a w_a c_a (collapsed Taylor
    mode: Dangel et al., "Collapsing Taylor Mode Automatic Differentiation",
    NeurIPS 2025). It is never a part of a higher coefficient, so it enters
    every rule linearly: [f(u)]_K = f'(u0) u_K + sum_a w_a (the other
    partitions of a), (uv)_K = u0 v_K + u_K v0 + sum_a w_a sum_{b+c=a; b,c != 0}
    u_b v_c. A Laplacian then costs one coefficient row instead of d."""

    weights: Tuple[Tuple[Index, float], ...]  # (a, w_a), w_a on the normalized c_a

    @property
    def support(self) -> Tuple[Index, ...]:
        return tuple(a for a, _ in self.weights)


Key = object  # an Index or a Collapsed


def lower_parts(a: Index) -> List[Index]:
    """The nonzero multi-indices strictly below `a` (the parts of a's other partitions)."""
    ranges = [range(k + 1) for k in a]
    return [b for b in itertools.product(*ranges) if any(b) and b != a]


@dataclass
class JetPlan:
    """The coefficients the jets carry and how each output reads them.

    `indices`: the multi-indices propagated (every nonzero one below an index
    read, and below the support of a collapsed row); `collapsed`: the
    collapsed rows; `reads[k]`: output k as [(scale, key or None, channel)],
    value = sum scale * (coefficient `key` of y, or its primal for None)[:, channel]."""

    indices: List[Index]
    collapsed: List[Collapsed]
    reads: List[List[Tuple[float, Optional[Key], int]]]

    @property
    def keys(self) -> List[Key]:
        return [*self.indices, *self.collapsed]


def jet_plan(layout: DerivativeLayout) -> JetPlan:
    """Which coefficients `layout.derivatives` need. A sum over several
    multi-indices of one channel is propagated as one collapsed row when one
    of them is needed nowhere else; otherwise it is summed at the end."""
    d = layout.in_features
    per_output = []
    needed: set = set()
    for o in layout.derivatives:
        chans: Dict[int, Dict[Index, float]] = {}
        for coef, p in o.terms:
            a = index_of(p.index, d)
            w = chans.setdefault(p.channel, {})
            w[a] = w.get(a, 0.0) + coef * math.prod(math.factorial(k) for k in a)
        per_output.append(chans)
        for w in chans.values():
            nonzero = [a for a in w if any(a)]
            for a in nonzero:
                needed.update(lower_parts(a))
                if len(nonzero) == 1:
                    needed.add(a)
    collapsed: Dict[Collapsed, None] = {}
    reads = []
    for chans in per_output:
        read = []
        for c, w in chans.items():
            zero = (0,) * d
            if zero in w:
                read.append((w[zero], None, c))
            nonzero = tuple((a, s) for a, s in w.items() if any(a))
            if len(nonzero) > 1 and any(a not in needed for a, _ in nonzero):
                k = Collapsed(tuple(sorted(nonzero)))
                collapsed.setdefault(k)
                read.append((1.0, k, c))
            else:
                read.extend((s, a, c) for a, s in nonzero)
        reads.append(read)
    order = max((sum(a) for a in needed), default=0)
    indices = [a for a in multi_indices(d, order) if a in needed]
    return JetPlan(indices, list(collapsed), reads)



def op_packet(target) -> str:
    packet = getattr(target, "overloadpacket", None)
    return getattr(packet, "__name__", getattr(target, "__name__", str(target)))


def closure(keys) -> set:
    """The keys a nonlinear rule reads to compute `keys`: each real index and
    every nonzero one below it; a collapsed row and the parts below its support."""
    out = set(keys)
    for k in keys:
        for a in (k.support if isinstance(k, Collapsed) else (k,)):
            out.update(lower_parts(a))
    return out


#: Ops whose coefficient k reads only coefficient k of their coordinate-dependent operands
#: when at most one operand depends on the coordinates (mul, div) or always (the others).
PER_COEFFICIENT_OPS = LINEAR_OPS | {"add", "sub", "rsub", "neg", "where", "maximum", "minimum", "fmax", "fmin", "cat",
                              "stack", "getitem"}


def liveness(gm: fx.GraphModule, out_keys: set) -> Dict[fx.Node, set]:
    """node -> the coefficient keys its users need, backwards from the output's
    `out_keys`: per-coefficient ops pass keys on, every other op (a nonlinearity,
    a product of two jets) needs their `closure`. So the last Linear stacks only
    the rows the outputs read."""
    nodes = list(gm.graph.nodes)
    coords = next(n for n in nodes if n.op == "placeholder")
    dependent = {coords}
    for n in nodes:
        if n.op == "call_function" and op_packet(n.target) not in SHAPE_ONLY_OPS \
                and any(a in dependent for a in n.all_input_nodes):
            dependent.add(n)
    out = next(n for n in nodes if n.op == "output").args[0]
    out = out[0] if isinstance(out, (tuple, list)) else out
    live: Dict[fx.Node, set] = {out: set(out_keys)} if isinstance(out, fx.Node) else {}
    for n in reversed(nodes):
        if n.op != "call_function" or n not in live:
            continue
        name = op_packet(n.target)
        deps = [a for a in n.all_input_nodes if a in dependent]
        args = [a for a in n.args if isinstance(a, fx.Node)]
        if name in ("mul", "div"):
            linear = len(deps) <= 1 and not (name == "div" and len(n.args) > 1 and n.args[1] in dependent)
        elif name in ("mm", "addmm") or name in BILINEAR_OPS:
            weight = args[-1] if args else None
            linear = len(deps) <= 1 and weight not in dependent
        else:
            linear = name in PER_COEFFICIENT_OPS
        need = live[n] if linear else closure(live[n])
        for a in deps:
            live.setdefault(a, set()).update(need)
    return live
