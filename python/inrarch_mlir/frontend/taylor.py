"""Taylor-mode derivatives: every value carries its multivariate jet.

`taylor_function(module, layout)` returns `f(coords, *params) -> tuple of [B]
tensors` in `layout` order, like `derivatives.derivative_function`, by forward
propagation instead of nested reverse passes. A value's jet is its primal and
its normalized Taylor coefficients c_a = d^a v / a! for the multi-indices a of
the d coordinates with 1 <= |a| <= n (Griewank & Walther, "Evaluating
Derivatives", 2nd ed., ch. 13; jax.experimental.jet is the univariate case).
Only nonzero coefficients exist: the input jet is x and its unit tangents e_i,
so a first layer's tangents are columns of W (no matmul).

The forward pass is traced on the primal (`make_fx`) and interpreted node by
node: linear ops per coefficient, one stacked matmul per Linear over the primal
and every coefficient row of a sample; products by Leibniz, (uv)_a = sum over
b + c = a of u_b v_c; elementwise functions by the multivariate Faa di Bruno
formula over vector partitions (Constantine & Savits 1996): [f(u)]_a = sum over
multisets {b_j^m_j} of nonzero parts with sum m_j b_j = a of
f^(sum m_j)(u_0) prod_j u_(b_j)^m_j / m_j!, the univariate f^(k) from torch
autograd of the op itself. Piecewise ops (abs, relu, clamp, where, maximum)
follow: derivatives are taken piecewise, and vanish above a linear piece's.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch
import torch.fx as fx
import torch.fx.traceback as fx_traceback
from torch import nn

from .derivatives import DerivativeLayout
from .errors import FrontendError, user_location_from_stack_trace
from .tracing import trace_forward

aten = torch.ops.aten
Index = Tuple[int, ...]  # a multi-index: one exponent per coordinate


class NoJetRule(FrontendError):
    """An op Taylor mode cannot propagate a jet through (reverse mode may)."""

# ---------------------------------------------------------------------------
# Mappings
# ---------------------------------------------------------------------------

#: Ops linear in their first argument (views, reductions, copies): applied to
#: each coefficient with the same other arguments.
_LINEAR = {
    "view", "_unsafe_view", "reshape", "permute", "t", "transpose", "unsqueeze", "squeeze", "expand",
    "select", "slice", "flatten", "unflatten", "sum", "mean", "clone", "alias", "_to_copy", "repeat",
    "narrow", "index_select", "flip", "roll", "diagonal", "unbind", "split", "split_with_sizes", "chunk",
    "view_copy", "squeeze_copy", "unsqueeze_copy", "permute_copy", "expand_copy", "slice_copy",
    "select_copy", "t_copy", "transpose_copy", "alias_copy", "lift_fresh_copy", "contiguous",
}
#: Bilinear ops: Leibniz with the op as the product (no coefficient stacking).
_BILINEAR = {"bmm", "mv", "dot", "matmul", "outer"}
#: Ops whose value depends on their operands' shapes only.
_SHAPE_ONLY = {"zeros_like", "ones_like", "full_like", "empty_like", "new_zeros", "new_ones", "new_full",
               "new_empty", "sym_size", "size", "sym_numel", "sym_stride"}
#: Evaluated on the primals alone (detach: a zero derivative, as in reverse mode).
_PRIMAL_ONLY = _SHAPE_ONLY | {"detach"}

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


def _le(b: Index, a: Index) -> bool:
    return all(x <= y for x, y in zip(b, a))


def _minus(a: Index, b: Index) -> Index:
    return tuple(x - y for x, y in zip(a, b))


def vector_partitions(a: Index, parts: Sequence[Index], start: int = 0):
    """The multisets of `parts` summing to `a`, as non-decreasing tuples of part positions."""
    if not any(a):
        yield ()
        return
    for i in range(start, len(parts)):
        if _le(parts[i], a):
            for tail in vector_partitions(_minus(a, parts[i]), parts, i):
                yield (i,) + tail


# ---------------------------------------------------------------------------
# Coefficients: sums of monomials, so that weight-only products stay symbolic
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class OneHot:
    """The unit tangent e_i of the input: a vector of `size` along the last dim."""

    index: int
    size: int

    def materialize(self, like: torch.Tensor) -> torch.Tensor:
        return torch.eye(self.size, dtype=like.dtype, device=like.device)[self.index]


@dataclass(frozen=True)
class Coef:
    """sum_j s_j prod(factors_j). A coefficient that depends on the coordinates
    (`batched`) is one tensor with scale 1 (its true magnitude, which fixed
    point needs); the others (unit tangents, weight columns, their products)
    stay symbolic until a batched tensor multiplies them, so that no
    weight-only arithmetic is emitted where a view of a weight suffices."""

    terms: Tuple[Tuple[float, tuple], ...]
    batched: bool


def dense(t: torch.Tensor, s: float = 1.0, batched: bool = True) -> Coef:
    """The coefficient t * s (a batched one takes its scale at once)."""
    if batched and s != 1:
        t, s = t * s, 1.0
    return Coef(((float(s), (t,)),), batched)


def scaled(c: Optional[Coef], s: float) -> Optional[Coef]:
    if c is None or s == 0:
        return None
    if c.batched and s != 1:
        return dense(c.terms[0][1][0], s)
    return Coef(tuple((t * s, f) for t, f in c.terms), c.batched)


def _merge(terms) -> Optional[Coef]:
    """Adds the monomials with the same factors; None when nothing is left."""
    acc: Dict[tuple, list] = {}
    for s, fs in terms:
        acc.setdefault(tuple(sorted(id(f) for f in fs)), [0.0, fs])[0] += s
    kept = tuple((s, fs) for s, fs in acc.values() if s != 0)
    return Coef(kept, False) if kept else None


def _product(factors, like, first: Optional[torch.Tensor] = None) -> torch.Tensor:
    out = first
    for f in factors:
        f = f.materialize(like) if isinstance(f, OneHot) else f
        out = f if out is None else out * f
    return like.new_ones(()) if out is None else out


def _sum(products: List[Tuple[float, torch.Tensor]]) -> Tuple[torch.Tensor, float]:
    """sum_j s_j t_j as (tensor, scale), one add (with alpha) per extra term."""
    (s0, acc), rest = products[0], products[1:]
    for s, t in rest:
        acc = torch.add(acc, t, alpha=s / s0)
    return acc, s0


def tensor_of(c: Coef, like: torch.Tensor, shape=None) -> Tuple[torch.Tensor, float]:
    """The coefficient as (tensor, scale), value = tensor * scale; expanded to `shape` if given."""
    t, s = _sum([(s, _product(fs, like)) for s, fs in c.terms])
    if shape is not None and tuple(t.shape) != tuple(shape):
        t = t.expand(shape)
    return t, s


def add(a: Optional[Coef], b: Optional[Coef], like) -> Optional[Coef]:
    if a is None or b is None:
        return a if b is None else b
    if not a.batched and not b.batched:
        return _merge(a.terms + b.terms)
    if not a.batched:
        a, b = b, a
    (sa, (t,)), = a.terms
    return dense(*_sum([(sa, t)] + [(s, _product(fs, like)) for s, fs in b.terms]))


def mul(a: Optional[Coef], b: Optional[Coef], like) -> Optional[Coef]:
    """The product; a batched factor goes first, so weight columns multiply streams."""
    if a is None or b is None:
        return None
    if not a.batched and not b.batched:
        return _merge([(sa * sb, fa + fb) for sa, fa in a.terms for sb, fb in b.terms])
    if not a.batched:
        a, b = b, a
    t = a.terms[0][1][0]
    return dense(*_sum([(s, _product(fs, like, first=t)) for s, fs in b.terms]))


# ---------------------------------------------------------------------------
# Jets and the graph interpreter
# ---------------------------------------------------------------------------


@dataclass
class Jet:
    """A value that depends on the coordinates: its primal and nonzero coefficients."""

    primal: torch.Tensor
    coefs: Dict[Index, Coef]


def _is_jet(a) -> bool:
    return isinstance(a, Jet)


def _any_jet(a) -> bool:
    if isinstance(a, (list, tuple)):
        return any(_any_jet(x) for x in a)
    return isinstance(a, Jet)


def _primal(a):
    if isinstance(a, (list, tuple)):
        return type(a)(_primal(x) for x in a)
    return a.primal if isinstance(a, Jet) else a


def _coef(a, ix) -> Optional[Coef]:
    return a.coefs.get(ix) if isinstance(a, Jet) else None


def _packet(target) -> str:
    packet = getattr(target, "overloadpacket", None)
    return getattr(packet, "__name__", getattr(target, "__name__", str(target)))


def _qualified(target) -> str:
    return "aten." + str(target).replace("aten.", "").replace(".default", "")


def _depends(node: fx.Node, inputs: set) -> bool:
    """Whether `node`'s value depends on the values of `inputs` (shape-only ops do not)."""
    seen: Dict[fx.Node, bool] = {}

    def visit(n):
        if n not in seen:
            seen[n] = n in inputs or (n.op == "call_function" and _packet(n.target) not in _SHAPE_ONLY
                                      and any(visit(a) for a in n.all_input_nodes))
        return seen[n]

    return visit(node)


def _constants(gm: fx.GraphModule, examples: Sequence[torch.Tensor], which: Sequence[bool]) -> list:
    """For each output marked in `which` (its value depends on no input): 0.0 if it is
    identically zero, its value if uniform, else None; evaluated eagerly on zeros,
    outside any tracing (so no value is read from a traced tensor)."""
    from torch._subclasses.fake_tensor import unset_fake_temporarily
    from torch.fx.experimental.proxy_tensor import disable_proxy_modes_tracing

    with unset_fake_temporarily(), disable_proxy_modes_tracing():
        outs = torch.fx.Interpreter(gm).run(*[torch.zeros(tuple(t.shape), dtype=t.dtype) for t in examples])
        flats = [o.reshape(-1) if w else None for o, w in zip(outs, which)]
        return [None if f is None or not bool(torch.all(f == f[0])) else float(f[0]) for f in flats]


class _Interpreter:
    """Runs the forward graph on jets, emitting the rules' ops into the caller's trace
    (each under the stack trace of the forward node it comes from)."""

    def __init__(self, gm: fx.GraphModule, order: int, d: int):
        self.gm, self.order, self.d = gm, order, d
        self.indices = multi_indices(d, order)
        self.env: Dict[fx.Node, object] = {}
        self.varying: set = set()  # non-jet values computed from jets (masks of comparisons)

    def run(self, inputs: Sequence[object]):
        placeholders = iter(inputs)
        with fx_traceback.preserve_node_meta():
            for node in self.gm.graph.nodes:
                if node.op == "placeholder":
                    self.env[node] = next(placeholders)
                elif node.op == "get_attr":
                    self.env[node] = getattr(self.gm, node.target)
                elif node.op == "output":
                    return fx.node.map_arg(node.args[0], lambda n: self.env[n])
                else:
                    with fx_traceback.set_current_meta(node):
                        self.env[node] = value = self.call(node)
                    if not _any_jet(value) and any(_any_jet(self.env[a]) or a in self.varying
                                                   for a in node.all_input_nodes):
                        self.varying.add(node)
        raise AssertionError("graph without output")

    def call(self, node: fx.Node):
        args = fx.node.map_arg(node.args, lambda n: self.env[n])
        kwargs = fx.node.map_arg(node.kwargs, lambda n: self.env[n])
        if not _any_jet(args) and not _any_jet(kwargs):
            return node.target(*args, **kwargs)
        name, meta = _packet(node.target), node.meta.get("val")
        floating = isinstance(meta, torch.Tensor) and meta.is_floating_point()
        if name == "getitem":
            return args[0][args[1]]
        if name in _PRIMAL_ONLY or (isinstance(meta, torch.Tensor) and not floating):
            return node.target(*_primal(args), **_primal(kwargs))  # comparisons, masks, sizes
        rule = getattr(self, f"_rule_{name}", None)
        if rule is not None:
            return rule(node, args, kwargs)
        if name in _LINEAR and _is_jet(args[0]) and not _any_jet(args[1:]):
            return self._linear(node, args, kwargs)
        if name in _BILINEAR:
            return self.leibniz(args[0], args[1], lambda a, b: node.target(a, b, **kwargs))
        if torch.Tag.pointwise in getattr(node.target, "tags", ()) and floating:
            jets = [i for i, a in enumerate(args) if _is_jet(a)]
            if len(jets) == 1 and not _any_jet(kwargs):
                return self.compose(node.target, args, kwargs, jets[0], tuple(meta.shape))
            raise self.error(node, f"'{_qualified(node.target)}' has {len(jets)} coordinate-dependent "
                                   "operands; taylor mode composes elementwise functions of one (and +, -, *, /, "
                                   "where, maximum, minimum, pow of two)")
        raise self.error(node, f"taylor mode has no jet rule for '{_qualified(node.target)}'")

    def error(self, node: fx.Node, message: str) -> NoJetRule:
        return NoJetRule(f"{message}; use --ad reverse", user_location_from_stack_trace(node.meta.get("stack_trace")))

    # -- linear ops -------------------------------------------------------------------
    def times(self, u: Jet, w, w_node, primal) -> Jet:
        """u * w for a non-jet w (a number, or a tensor: a mask, a weight)."""
        if not isinstance(w, torch.Tensor):
            return Jet(primal, {ix: scaled(c, float(w)) for ix, c in u.coefs.items()})
        cw = dense(w, 1.0, isinstance(w_node, fx.Node) and w_node in self.varying)
        return Jet(primal, {ix: mul(c, cw, primal) for ix, c in u.coefs.items()})

    def combine(self, primal, a, b, alpha: float) -> Jet:
        """a + alpha * b."""
        coefs = {ix: add(_coef(a, ix), scaled(_coef(b, ix), alpha), primal) for ix in self.indices}
        return Jet(primal, {ix: c for ix, c in coefs.items() if c is not None})

    def _linear(self, node, args, kwargs):
        u, rest = args[0], args[1:]
        primal = node.target(u.primal, *rest, **kwargs)
        outs = {}
        for ix, c in u.coefs.items():
            t, s = tensor_of(c, u.primal, u.primal.shape)
            outs[ix] = (node.target(t, *rest, **kwargs), s, c.batched)
        if isinstance(primal, (list, tuple)):  # unbind, split, chunk
            return [Jet(p, {ix: dense(t[i], s, b) for ix, (t, s, b) in outs.items()}) for i, p in enumerate(primal)]
        return Jet(primal, {ix: dense(t, s, b) for ix, (t, s, b) in outs.items()})

    def _rule_neg(self, node, args, kwargs):
        return self.times(args[0], -1.0, None, -args[0].primal)

    def _rule_add(self, node, args, kwargs, sign: float = 1.0):
        return self.combine(node.target(*_primal(args), **kwargs), args[0], args[1], sign * kwargs.get("alpha", 1))

    def _rule_sub(self, node, args, kwargs):
        return self._rule_add(node, args, kwargs, sign=-1.0)

    def _rule_rsub(self, node, args, kwargs):  # b - alpha * a
        return self.combine(node.target(*_primal(args), **kwargs), args[1], args[0], -kwargs.get("alpha", 1))

    def _rule_mul(self, node, args, kwargs):
        a, b = args[0], args[1]
        if _is_jet(a) and _is_jet(b):
            return self.leibniz(a, b)
        u, w, w_node = (a, b, node.args[1]) if _is_jet(a) else (b, a, node.args[0])
        return self.times(u, w, w_node, node.target(*_primal(args)))

    def _rule_div(self, node, args, kwargs):
        a, b = args[0], args[1]
        if kwargs.get("rounding_mode") is not None:
            raise self.error(node, f"'{_qualified(node.target)}' with rounding is piecewise constant")
        if not _is_jet(b):
            primal = node.target(*_primal(args))
            if not isinstance(b, torch.Tensor):
                return self.times(a, 1.0 / float(b), None, primal)
            return Jet(primal, {ix: dense(c.terms[0][1][0] / b) if c.batched else
                                mul(c, dense(torch.reciprocal(b), 1.0, False), primal) for ix, c in a.coefs.items()})
        recip = self.compose(aten.reciprocal.default, [b], {}, 0, None)  # a / b = a * (1 / b)
        return self.leibniz(a, recip) if _is_jet(a) else self.times(recip, a, node.args[0], recip.primal * a)

    def _rule_where(self, node, args, kwargs):
        return self.select(_primal(args[0]), args[1], args[2])

    def _rule_maximum(self, node, args, kwargs):
        return self.select(torch.ge(*_primal(args)), args[0], args[1])

    def _rule_minimum(self, node, args, kwargs):
        return self.select(torch.le(*_primal(args)), args[0], args[1])

    _rule_fmax, _rule_fmin = _rule_maximum, _rule_minimum

    def select(self, cond, a, b) -> Jet:
        """where(cond, a, b) per coefficient: the derivatives of the piece taken."""
        primal = torch.where(cond, _primal(a), _primal(b))
        coefs = {}
        for ix in self.indices:
            ca, cb = _coef(a, ix), _coef(b, ix)
            if ca is None and cb is None:
                continue
            (ta, sa), (tb, sb) = [tensor_of(c, primal) if c is not None else (primal.new_zeros(()), None)
                                  for c in (ca, cb)]
            s = sa if sa is not None else sb
            coefs[ix] = dense(torch.where(cond, ta, tb if sb in (None, s) else tb * (sb / s)), s)
        return Jet(primal, coefs)

    def _rule_pow(self, node, args, kwargs):
        a, b = args[0], args[1]
        if _is_jet(a) and _is_jet(b):  # a^b = exp(b log a)
            log_a = self.compose(aten.log.default, [a], {}, 0, None)
            return self.compose(aten.exp.default, [self.leibniz(b, log_a)], {}, 0, None)
        return self.compose(node.target, args, kwargs, 0 if _is_jet(a) else 1, tuple(node.meta["val"].shape))

    def _rule_cat(self, node, args, kwargs):  # also stack
        items, rest = list(args[0]), args[1:]
        primal = node.target([_primal(x) for x in items], *rest, **kwargs)
        coefs = {}
        for ix in self.indices:
            present = [_coef(x, ix) for x in items if _coef(x, ix) is not None]
            if not present:
                continue
            s0 = present[0].terms[0][0] if len(present[0].terms) == 1 else 1.0
            pieces = []
            for x in items:
                p, c = _primal(x), _coef(x, ix)
                t, s = tensor_of(c, p, p.shape) if c is not None else (torch.zeros_like(p), s0)
                pieces.append(t if s == s0 else t * (s / s0))
            coefs[ix] = dense(node.target(pieces, *rest, **kwargs), s0, any(c.batched for c in present))
        return Jet(primal, coefs)

    _rule_stack = _rule_cat

    # -- matmuls: one per Linear, over the primal and every coefficient row --------------
    def _rule_mm(self, node, args, kwargs, bias=None, beta=1.0, alpha=1.0):
        x, w = args[0], args[1]
        out = self.stacked_mm(x, w) if _is_jet(x) and not _is_jet(w) else self.leibniz(x, w, torch.mm)
        if alpha != 1:
            out = self.times(out, alpha, None, out.primal * alpha)
        if bias is None:
            return out
        return self.combine(out.primal + beta * _primal(bias) if beta != 1 else out.primal + _primal(bias),
                            out, bias, beta)

    def _rule_addmm(self, node, args, kwargs):
        return self._rule_mm(node, args[1:], {}, args[0], kwargs.get("beta", 1), kwargs.get("alpha", 1))

    def stacked_mm(self, x: Jet, w: torch.Tensor) -> Jet:
        """x @ w for the primal and every coefficient row in ONE matmul: a sample's
        rows stacked as [M, R, K] -> [M*R, K]; unit tangents read rows of w instead."""
        x0 = x.primal
        rows, slots, coefs = [x0], [], {}
        for ix, c in x.coefs.items():
            if len(c.terms) == 1 and len(c.terms[0][1]) == 1 and isinstance(c.terms[0][1][0], OneHot):
                s, (hot,) = c.terms[0]
                coefs[ix] = dense(torch.select(w, 0, hot.index), s, batched=False)  # e_i @ w = w[i]
            else:
                t, s = tensor_of(c, x0, x0.shape)
                rows.append(t)
                slots.append((ix, s))
        if len(rows) == 1:
            return Jet(torch.mm(x0, w), coefs)
        m, k = x0.shape
        y = torch.mm(torch.stack(rows, dim=1).reshape(m * len(rows), k), w).reshape(m, len(rows), w.shape[1])
        for r, (ix, s) in enumerate(slots, start=1):
            coefs[ix] = dense(torch.select(y, 1, r), s)
        return Jet(torch.select(y, 1, 0), coefs)

    # -- products and compositions ---------------------------------------------------------
    def leibniz(self, u, v, op: Optional[Callable] = None) -> Jet:
        """(uv)_a = sum_{b+c=a} u_b v_c, the primals included; `op` is a bilinear
        product (mm, bmm, ...) on materialized coefficients, elementwise by default."""
        u0, v0 = _primal(u), _primal(v)
        primal = op(u0, v0) if op is not None else u0 * v0
        zero = (0,) * self.d
        U = {zero: dense(u0, 1.0, _is_jet(u)), **(u.coefs if _is_jet(u) else {})}
        V = {zero: dense(v0, 1.0, _is_jet(v)), **(v.coefs if _is_jet(v) else {})}

        def prod(a: Coef, b: Coef) -> Coef:
            if op is None:
                return mul(a, b, primal)
            (ta, sa), (tb, sb) = tensor_of(a, u0, u0.shape), tensor_of(b, v0, v0.shape)
            return dense(op(ta, tb), sa * sb, a.batched or b.batched)

        coefs = {}
        for ix in self.indices:
            acc = None
            for b_ix, cb in U.items():
                if _le(b_ix, ix) and (c_ix := _minus(ix, b_ix)) in V:
                    acc = add(acc, prod(cb, V[c_ix]), primal)
            if acc is not None:
                coefs[ix] = acc
        return Jet(primal, coefs)

    def univariate(self, op, args, kwargs, pos: int):
        """f(u0) and [f^(k)(u0), k = 1..order] for f(u) = op(..., u at `pos`, ...) by nested
        autograd of the op, traced once: each f^(k) a coefficient (tensor, or scalar when
        constant) or None when the traced graph shows it identically zero."""
        from torch.fx.experimental.proxy_tensor import make_fx

        others = [a for i, a in enumerate(args) if i != pos and isinstance(a, torch.Tensor)]

        def derivatives(u, *tensors):
            it = iter(tensors)
            with torch.enable_grad():
                v = u.detach().requires_grad_(True)
                g = op(*[v if i == pos else (next(it) if isinstance(a, torch.Tensor) else a)
                         for i, a in enumerate(args)], **kwargs)
                outs = [g]
                while len(outs) <= self.order and g.requires_grad:
                    (g,) = torch.autograd.grad(g, v, torch.ones_like(g), create_graph=True, allow_unused=True)
                    if g is None:
                        break
                    outs.append(g)
            return outs

        u0 = args[pos]
        gm = make_fx(derivatives, tracing_mode="fake", _allow_non_fake_inputs=True)(u0, *others)
        inputs = [n for n in gm.graph.nodes if n.op == "placeholder"]
        outputs = list(next(n for n in gm.graph.nodes if n.op == "output").args[0])
        values = torch.fx.Interpreter(gm).run(u0, *others)
        constant = [k > 0 and not _depends(o, set(inputs)) for k, o in enumerate(outputs)]
        known = _constants(gm, [u0, *others], constant) if any(constant) else [None] * len(outputs)
        result: List[Optional[Coef]] = [None] * self.order
        for k in range(1, len(outputs)):
            if known[k] == 0.0:
                break  # identically zero: so is every higher derivative
            if known[k] is not None:
                result[k - 1] = Coef(((known[k], ()),), False)
            else:
                result[k - 1] = dense(values[k], 1.0, _depends(outputs[k], {inputs[0]}))
        return values[0], result

    def compose(self, op, args, kwargs, pos: int, shape) -> Jet:
        """The jet of op(u) for the jet u at `pos`: multivariate Faa di Bruno."""
        u: Jet = args[pos]
        if shape is not None and tuple(u.primal.shape) != tuple(shape):
            p = u.primal.expand(shape)
            u = Jet(p, {ix: dense(*tensor_of(c, p, shape), c.batched) for ix, c in u.coefs.items()})
        f0, D = self.univariate(op, [u.primal if i == pos else a for i, a in enumerate(args)], kwargs, pos)
        parts = list(u.coefs)
        memo: Dict[tuple, Optional[Coef]] = {}

        def chain(key: tuple) -> Optional[Coef]:
            """f^(k)(u0) * prod of the parts in `key`, k = len(key) (prefixes memoized)."""
            acc = D[len(key) - 1]
            for j in range(1, len(key) + 1):
                tag = (len(key), key[:j])
                if tag not in memo:
                    memo[tag] = mul(acc, u.coefs[parts[key[j - 1]]], f0)
                acc = memo[tag]
            return acc

        coefs = {}
        for ix in self.indices:
            acc = None
            for key in vector_partitions(ix, parts):
                if D[len(key) - 1] is not None:
                    weight = 1.0 / math.prod(math.factorial(key.count(i)) for i in set(key))
                    acc = add(acc, scaled(chain(key), weight), f0)
            if acc is not None:
                coefs[ix] = acc
        return Jet(f0, coefs)


# ---------------------------------------------------------------------------
# The derivative function
# ---------------------------------------------------------------------------


def taylor_function(module: nn.Module, layout: DerivativeLayout) -> Callable:
    """`f(coords[B, in], *params) -> tuple of [B] tensors` in `layout` order, by Taylor mode.

    The contract of `derivative_function`: parameters are explicit arguments;
    results are the partials d^a y[c] (a! times the Taylor coefficients).
    Raises `NoJetRule` (a located `FrontendError`) for an op without a jet rule.
    """
    names = list(layout.arguments[1:])
    order, d = max(layout.orders), layout.in_features

    def fn(coords, *params):
        gm = trace_forward(module, names, coords, params)
        tangents = {index_of((i,), d): Coef(((1.0, (OneHot(i, d),)),), False) for i in range(d)}
        out = _Interpreter(gm, order, d).run([Jet(coords, tangents if order else {}), *params])
        y = out[0] if isinstance(out, (tuple, list)) else out
        y = y if _is_jet(y) else Jet(y, {})
        results = []
        for r in layout.results:
            ix = index_of(r.index, d)
            c = y.coefs.get(ix) if r.order else dense(y.primal)
            if c is None:
                results.append(coords.new_zeros(coords.shape[0]))
                continue
            t, s = tensor_of(c, y.primal, y.primal.shape)
            s *= math.prod(math.factorial(k) for k in ix)
            v = t if s == 1 else t * s
            results.append(v if v.dim() == 1 else v[:, r.channel])
        return tuple(results)

    return fn
