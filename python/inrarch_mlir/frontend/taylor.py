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
Which coefficients are carried (only those the outputs need, sums of pure
partials collapsed into one row) and which each op computes: `jet_plan.py`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch
import torch.fx as fx
import torch.fx.traceback as fx_traceback
from torch import nn

from .derivatives import DerivativeLayout
from .errors import FrontendError, user_location_from_stack_trace
from .jet_plan import (BILINEAR_OPS, LINEAR_OPS, PRIMAL_ONLY_OPS, SHAPE_ONLY_OPS, Collapsed, Index, JetPlan, Key,
                       closure, index_le, index_minus, index_of, jet_plan, liveness, multi_indices, op_packet,
                       vector_partitions)
from .tracing import trace_forward

aten = torch.ops.aten


class NoJetRule(FrontendError):
    """An op Taylor mode cannot propagate a jet through (reverse mode may)."""

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


def _qualified(target) -> str:
    return "aten." + str(target).replace("aten.", "").replace(".default", "")


def _depends(node: fx.Node, inputs: set) -> bool:
    """Whether `node`'s value depends on the values of `inputs` (shape-only ops do not)."""
    seen: Dict[fx.Node, bool] = {}

    def visit(n):
        if n not in seen:
            seen[n] = n in inputs or (n.op == "call_function" and op_packet(n.target) not in SHAPE_ONLY_OPS
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


def _prune(value, wanted: Optional[set]):
    """`value` with only the coefficients in `wanted` (jets only; None keeps all)."""
    if wanted is None:
        return value
    if isinstance(value, Jet):
        return Jet(value.primal, {k: c for k, c in value.coefs.items() if k in wanted})
    if isinstance(value, (list, tuple)) and any(isinstance(v, Jet) for v in value):
        return type(value)(_prune(v, wanted) for v in value)
    return value



class _Interpreter:
    """Runs the forward graph on jets, emitting the rules' ops into the caller's trace
    (each under the stack trace of the forward node it comes from)."""

    def __init__(self, gm: fx.GraphModule, order: int, d: int, plan: Optional[JetPlan] = None,
                 live: Optional[Dict[fx.Node, set]] = None):
        self.gm, self.order, self.d = gm, order, d
        plan = plan or JetPlan(multi_indices(d, order), [], [])
        self.all_keys: List[Key] = plan.keys
        self.live = live  # node -> the coefficient keys its users need (None: all)
        self.keys: List[Key] = self.all_keys  # the keys the node being run computes
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
                    wanted = self.live.get(node, set()) if self.live is not None else None
                    self.keys = self.all_keys if wanted is None else [k for k in self.all_keys if k in wanted]
                    with fx_traceback.set_current_meta(node):
                        self.env[node] = value = _prune(self.call(node), wanted)
                    if not _any_jet(value) and any(_any_jet(self.env[a]) or a in self.varying
                                                   for a in node.all_input_nodes):
                        self.varying.add(node)
        raise AssertionError("graph without output")

    def call(self, node: fx.Node):
        args = fx.node.map_arg(node.args, lambda n: self.env[n])
        kwargs = fx.node.map_arg(node.kwargs, lambda n: self.env[n])
        if not _any_jet(args) and not _any_jet(kwargs):
            return node.target(*args, **kwargs)
        name, meta = op_packet(node.target), node.meta.get("val")
        floating = isinstance(meta, torch.Tensor) and meta.is_floating_point()
        if name == "getitem":
            return args[0][args[1]]
        if name in PRIMAL_ONLY_OPS or (isinstance(meta, torch.Tensor) and not floating):
            return node.target(*_primal(args), **_primal(kwargs))  # comparisons, masks, sizes
        rule = getattr(self, f"_rule_{name}", None)
        if rule is not None:
            return rule(node, args, kwargs)
        if name in LINEAR_OPS and _is_jet(args[0]) and not _any_jet(args[1:]):
            return self._linear(node, args, kwargs)
        if name in BILINEAR_OPS:
            return self.leibniz(args[0], args[1], lambda a, b: node.target(a, b, **kwargs))
        if torch.Tag.pointwise in getattr(node.target, "tags", ()) and floating:
            jets = [i for i, a in enumerate(args) if _is_jet(a)]
            if len(jets) == 1 and not _any_jet(kwargs):
                return self.compose(node.target, args, kwargs, jets[0], tuple(meta.shape))
            raise self.error(node, f"'{_qualified(node.target)}' has {len(jets)} coordinate-dependent "
                                   "operands; taylor mode composes elementwise functions of one (and +, -, *, /, "
                                   "where, maximum, minimum, pow of two)")
        raise self.error(node, f"taylor mode has no jet rule for '{_qualified(node.target)}'")

    def with_closure(self, rule: Callable):
        """Runs a rule made of several steps with the keys its intermediate jets need."""
        keys = self.keys
        self.keys = [k for k in self.all_keys if k in closure(keys)]
        try:
            return _prune(rule(), set(keys))
        finally:
            self.keys = keys

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
        coefs = {ix: add(_coef(a, ix), scaled(_coef(b, ix), alpha), primal) for ix in self.keys}
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
        def quotient():  # a / b = a * (1 / b)
            recip = self.compose(aten.reciprocal.default, [b], {}, 0, None)
            return self.leibniz(a, recip) if _is_jet(a) else self.times(recip, a, node.args[0], recip.primal * a)

        return self.with_closure(quotient)

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
        for ix in self.keys:
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
            return self.with_closure(lambda: self.compose(
                aten.exp.default, [self.leibniz(b, self.compose(aten.log.default, [a], {}, 0, None))], {}, 0, None))
        return self.compose(node.target, args, kwargs, 0 if _is_jet(a) else 1, tuple(node.meta["val"].shape))

    def _rule_cat(self, node, args, kwargs):  # also stack
        items, rest = list(args[0]), args[1:]
        primal = node.target([_primal(x) for x in items], *rest, **kwargs)
        coefs = {}
        for ix in self.keys:
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
            if not c.batched and all(len(f) == 1 and isinstance(f[0], OneHot) for _, f in c.terms):
                # sum_j s_j e_(i_j) @ w = sum_j s_j w[i_j]: rows of w, no MACs
                coefs[ix] = Coef(tuple((s, (torch.select(w, 0, hot.index),)) for s, (hot,) in c.terms), False)
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
        for ix in self.keys:
            acc = None
            if isinstance(ix, Collapsed):  # u0 v_K + u_K v0 + the products of lower parts
                for uk, vk in ((U[zero], V.get(ix)), (U.get(ix), V[zero])):
                    if uk is not None and vk is not None:
                        acc = add(acc, prod(uk, vk), primal)
                for a, w in ix.weights:
                    for b_ix, cb in U.items():
                        if isinstance(b_ix, tuple) and any(b_ix) and b_ix != a and index_le(b_ix, a) \
                                and (c_ix := index_minus(a, b_ix)) in V:
                            acc = add(acc, scaled(prod(cb, V[c_ix]), w), primal)
            else:
                for b_ix, cb in U.items():
                    if isinstance(b_ix, tuple) and index_le(b_ix, ix) and (c_ix := index_minus(ix, b_ix)) in V:
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
        parts = [k for k in u.coefs if isinstance(k, tuple)]  # collapsed rows are never parts
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

        def partitions(ix: Index, weight: float, skip_single: bool):
            acc = None
            for key in vector_partitions(ix, parts):
                if D[len(key) - 1] is not None and not (skip_single and len(key) == 1):
                    w = weight / math.prod(math.factorial(key.count(i)) for i in set(key))
                    acc = add(acc, scaled(chain(key), w), f0)
            return acc

        coefs = {}
        for ix in self.keys:
            if isinstance(ix, Collapsed):  # f'(u0) u_K + the other partitions of each a
                acc = mul(D[0], u.coefs[ix], f0) if ix in u.coefs else None
                for a, w in ix.weights:
                    acc = add(acc, partitions(a, w, True), f0)
            else:
                acc = partitions(ix, 1.0, False)
            if acc is not None:
                coefs[ix] = acc
        return Jet(f0, coefs)


# ---------------------------------------------------------------------------
# The derivative function
# ---------------------------------------------------------------------------


def taylor_function(module: nn.Module, layout: DerivativeLayout) -> Callable:
    """`f(coords[B, in], *params) -> tuple of [B] tensors` in `layout.derivatives` order, by Taylor mode.

    The contract of `derivative_function`: parameters are explicit arguments;
    results are the outputs' combinations of partials d^a y[c] (a! times the
    Taylor coefficients). The jets carry only what the outputs need
    (`jet_plan`), and each op only what its users need (`liveness`).
    Raises `NoJetRule` (a located `FrontendError`) for an op without a jet rule.
    """
    names = list(layout.arguments[1:len(layout.arguments) - layout.head_parameters])
    order, d = layout.max_order, layout.in_features
    plan = jet_plan(layout)

    def fn(coords, *params):
        gm = trace_forward(module, names, coords, params)
        inputs = {}
        for i in range(d):
            if index_of((i,), d) in plan.indices:
                inputs[index_of((i,), d)] = Coef(((1.0, (OneHot(i, d),)),), False)
        for k in plan.collapsed:  # a collapsed row's first-order part: sum_i w_i e_i
            hot = tuple((w, (OneHot(a.index(1), d),)) for a, w in k.weights if sum(a) == 1)
            if hot:
                inputs[k] = Coef(hot, False)
        wanted = {k for read in plan.reads for _, k, _ in read if k is not None}
        out = _Interpreter(gm, order, d, plan, liveness(gm, wanted)).run([Jet(coords, inputs), *params])
        y = out[0] if isinstance(out, (tuple, list)) else out
        y = y if _is_jet(y) else Jet(y, {})
        results = []
        for read in plan.reads:
            acc = None
            for scale, key, ch in read:
                c = dense(y.primal) if key is None else y.coefs.get(key)
                if c is None:
                    continue
                t, s = tensor_of(c, y.primal, y.primal.shape)
                v = t if s * scale == 1 else t * (s * scale)
                v = v if v.dim() == 1 else v[:, ch]
                acc = v if acc is None else acc + v
            results.append(coords.new_zeros(coords.shape[0]) if acc is None else acc)
        return tuple(results)

    return fn
