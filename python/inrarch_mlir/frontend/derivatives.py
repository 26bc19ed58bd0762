"""The derivative function and its output layout.

`derivative_function(module, in_features, order)` returns a function of
`(coords, *params)` whose results are every *unique* partial derivative of
every output channel w.r.t. the input coordinates, for orders 0..N (the
INR-Arch convention) or order N alone. Mixed partials are computed once: a
partial is named by a non-decreasing multi-index, (0, 1) = d²/dx0 dx1, and
d/dx_j of partial α is taken only for j >= α[-1].

Samples are independent (the function is per-sample, applied to a batch):
the derivative of a per-sample scalar is taken through the batch sum, one
reverse pass per (channel, parent partial), shared by all its children.
Result layout: order-major, then output channel, then multi-index in
lexicographic order; every result has shape [batch].
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import torch
from torch import nn


@dataclass(frozen=True)
class Partial:
    """One result: d^order y[channel] / dx[index[0]] ... dx[index[-1]]."""

    channel: int
    index: Tuple[int, ...]

    @property
    def order(self) -> int:
        return len(self.index)

    @property
    def name(self) -> str:
        """`y0`, `y1_x0`, `y2_x0x1` ..."""
        if not self.index:
            return f"y{self.channel}"
        return f"y{self.channel}_" + "".join(f"x{i}" for i in self.index)


@dataclass(frozen=True)
class Output:
    """One result: sum_j coef_j * partial_j (one partial with coefficient 1 for
    the default layout; a Laplacian is sum_i d^2 y / dx_i^2), or a head output
    (no terms: the head network's output `index` of its concatenated inputs)."""

    name: str
    terms: Tuple[Tuple[float, Partial], ...]

    @staticmethod
    def of(p: Partial) -> "Output":
        return Output(p.name, ((1.0, p),))

    @property
    def partial(self) -> Optional[Partial]:
        """The partial when this output is exactly one partial, else None."""
        if len(self.terms) == 1 and self.terms[0][0] == 1.0:
            return self.terms[0][1]
        return None

    @property
    def order(self) -> int:
        return max((p.order for _, p in self.terms), default=0)

    @property
    def channel(self) -> int:
        return self._single().channel

    @property
    def index(self) -> Tuple[int, ...]:
        return self._single().index

    def _single(self) -> Partial:
        p = self.partial
        if p is None:
            raise ValueError(f"output '{self.name}' is not a single partial")
        return p

    def combine(self, values: Dict[Partial, torch.Tensor]) -> torch.Tensor:
        """sum_j coef_j * values[partial_j]."""
        out = None
        for c, p in self.terms:
            v = values[p] if c == 1 else values[p] * c
            out = v if out is None else out + v
        return out

    def to_dict(self) -> dict:
        p = self.partial
        if p is not None and p.name == self.name:
            return {"channel": p.channel, "index": list(p.index), "order": p.order, "name": p.name}
        return {"name": self.name, "order": self.order,
                "terms": [[c, q.channel, list(q.index)] for c, q in self.terms]}

    @staticmethod
    def from_dict(d: dict) -> "Output":
        if "terms" in d:
            return Output(d["name"], tuple((float(c), Partial(int(ch), tuple(ix))) for c, ch, ix in d["terms"]))
        return Output.of(Partial(d["channel"], tuple(d["index"])))


@dataclass(frozen=True)
class DerivativeLayout:
    """Which function result is which output, plus the argument names.

    `derivatives` are the outputs the derivative engine computes; `results`
    are what the function returns: the same, or with a head network
    (`head_outputs` > 0) the head's outputs `head0`, `head1`, ... of the
    concatenated derivatives, its `head_parameters` parameters the last
    arguments."""

    in_features: int
    out_features: int
    orders: Tuple[int, ...]
    results: Tuple[Output, ...]
    arguments: Tuple[str, ...]  # "coords" then parameter names, in order
    derivatives: Tuple[Output, ...] = ()
    head_parameters: int = 0

    def __post_init__(self):
        results = tuple(r if isinstance(r, Output) else Output.of(r) for r in self.results)
        object.__setattr__(self, "results", results)
        derivs = tuple(r if isinstance(r, Output) else Output.of(r) for r in self.derivatives)
        object.__setattr__(self, "derivatives", derivs or results)

    @property
    def max_order(self) -> int:
        return max(self.orders, default=0)

    @property
    def has_head(self) -> bool:
        return self.derivatives != self.results

    @property
    def partials(self) -> Tuple[Partial, ...]:
        """Every partial the derivatives read, once, in first-use order."""
        seen: Dict[Partial, None] = {}
        for o in self.derivatives:
            for _, p in o.terms:
                seen.setdefault(p)
        return tuple(seen)

    @staticmethod
    def build(in_features: int, out_features: int, order: int, only_order: bool,
              param_names: Sequence[str]) -> "DerivativeLayout":
        orders = (order,) if only_order else tuple(range(order + 1))
        results = tuple(
            Output.of(Partial(c, idx))
            for k in orders
            for c in range(out_features)
            for idx in itertools.combinations_with_replacement(range(in_features), k)
        )
        return DerivativeLayout(in_features, out_features, orders, results,
                                ("coords",) + tuple(param_names))

    @staticmethod
    def of_outputs(in_features: int, out_features: int, outputs: Sequence[Output],
                   param_names: Sequence[str]) -> "DerivativeLayout":
        """The layout computing exactly `outputs` (see `frontend.outputs.parse_outputs`)."""
        orders = tuple(sorted({p.order for o in outputs for _, p in o.terms}))
        return DerivativeLayout(in_features, out_features, orders, tuple(outputs),
                                ("coords",) + tuple(param_names))

    def with_head(self, head_outputs: int, head_names: Sequence[str]) -> "DerivativeLayout":
        """This layout's derivatives fed to a head with `head_outputs` outputs and these parameters."""
        order = self.max_order
        heads = tuple(Output(f"head{j}", ()) for j in range(head_outputs))
        return DerivativeLayout(self.in_features, self.out_features, self.orders, heads,
                                self.arguments + tuple(head_names), self.derivatives, len(head_names)) \
            if head_outputs else self

    def result_orders(self) -> List[int]:
        """Per result, the order its error is judged at (a head output: the highest order it reads)."""
        return [r.order if r.terms else self.max_order for r in self.results]

    def to_dict(self) -> dict:
        d = {
            "in_features": self.in_features,
            "out_features": self.out_features,
            "orders": list(self.orders),
            "arguments": list(self.arguments),
            "results": [r.to_dict() for r in self.results],
        }
        if self.has_head:
            d["derivatives"] = [r.to_dict() for r in self.derivatives]
            d["head_parameters"] = self.head_parameters
            for r, o in zip(d["results"], self.result_orders()):
                r["order"] = o
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @staticmethod
    def from_json(text: str) -> "DerivativeLayout":
        d = json.loads(text)
        heads = "derivatives" in d
        results = tuple(Output(r["name"], ()) if heads else Output.from_dict(r) for r in d["results"])
        derivs = tuple(Output.from_dict(r) for r in d.get("derivatives", []))
        return DerivativeLayout(d["in_features"], d["out_features"], tuple(d["orders"]), results,
                                tuple(d["arguments"]), derivs, int(d.get("head_parameters", 0)))


def derivative_function(module: nn.Module, layout: DerivativeLayout) -> Callable:
    """`f(coords[B, in], *params) -> tuple of [B] tensors` in `layout.derivatives` order.

    Parameters are passed explicitly (`torch.func.functional_call`) so they
    stay function arguments after tracing; buffers stay module constants.
    Only the partials the outputs read are taken, each from its parent
    (the partial one index shorter), one reverse pass per parent.
    """
    names = list(layout.arguments[1:len(layout.arguments) - layout.head_parameters])

    def fn(coords, *params):
        p = dict(zip(names, params))
        with torch.enable_grad():
            x = coords.detach().requires_grad_(True)
            y = torch.func.functional_call(module, p, (x,))
            if y.dim() == 1:
                y = y.unsqueeze(-1)
            value: Dict[Partial, torch.Tensor] = {}
            grads: Dict[Partial, torch.Tensor] = {}

            def partial(q: Partial) -> torch.Tensor:
                if q not in value:
                    if not q.index:
                        value[q] = y[:, q.channel]
                    else:
                        parent = Partial(q.channel, q.index[:-1])
                        if parent not in grads:
                            v = partial(parent)
                            (g,) = torch.autograd.grad(v, x, grad_outputs=torch.ones_like(v),
                                                       create_graph=True, allow_unused=True)
                            grads[parent] = torch.zeros_like(x) if g is None else g
                        value[q] = grads[parent][:, q.index[-1]]
                return value[q]

            for q in sorted(layout.partials, key=lambda q: (q.order, q.channel, q.index)):
                partial(q)
            return tuple(o.combine(value) for o in layout.derivatives)

    return fn


def with_head(fn: Callable, layout: DerivativeLayout, head: Optional[nn.Module]) -> Callable:
    """`fn` followed by the head network on its concatenated outputs (`fn` itself without a head).

    The head's parameters are the layout's last `head_parameters` arguments;
    its activations take no derivatives (it runs on the derivatives' values)."""
    if head is None or not layout.has_head:
        return fn
    k = len(layout.arguments) - 1 - layout.head_parameters
    names = [n[len("head."):] for n in layout.arguments[1 + k:]]

    def headed(coords, *params):
        x = torch.stack(list(fn(coords, *params[:k])), dim=1)
        y = torch.func.functional_call(head, dict(zip(names, params[k:])), (x,))
        y = y.reshape(y.shape[0], -1)
        return tuple(y[:, j] for j in range(y.shape[1]))

    return headed


def couples_samples(module: nn.Module, coords: torch.Tensor, *, samples: int = 4) -> bool:
    """Whether the model's output for a sample depends on the rest of the batch
    (a mean over the batch, a Gram matrix, ...): then per-sample derivatives
    are not what the traced function computes. Compares the batched forward
    with one-sample forwards of the first `samples` rows, in float64 (to 1e-7
    relative: a batched and a one-row float64 matmul round differently, and a
    sample that depends on the batch moves by far more)."""
    import copy

    if coords.shape[0] < 2:
        return False
    m64 = copy.deepcopy(module).double()
    x = coords.detach().double()
    with torch.no_grad():
        whole = m64(x).reshape(x.shape[0], -1)
        for i in range(min(samples, x.shape[0])):
            alone = m64(x[i:i + 1]).reshape(1, -1)
            if not torch.allclose(whole[i:i + 1], alone, rtol=1e-7, atol=1e-7 * float(whole.abs().max())):
                return True
    return False


def reference_partials(module: nn.Module, layout: DerivativeLayout, coords: torch.Tensor,
                       params: Sequence[torch.Tensor], head: Optional[nn.Module] = None) -> List[torch.Tensor]:
    """The same results by an independent route: nested `torch.func.jacfwd` per sample.

    Computes the full (symmetric) derivative tensors with `vmap(jacfwd^k)`,
    reads the unique entries the outputs combine, and applies the head (if
    any) to them; run it in float64 for a trusted reference.
    """
    k_model = len(layout.arguments) - 1 - layout.head_parameters
    names = list(layout.arguments[1:1 + k_model])
    p = dict(zip(names, params[:k_model]))

    def per_sample(x):
        y = torch.func.functional_call(module, p, (x.unsqueeze(0),))
        return y.reshape(-1)

    full: Dict[int, torch.Tensor] = {}
    for k in sorted({q.order for q in layout.partials}):
        f = per_sample
        for _ in range(k):
            f = torch.func.jacfwd(f)
        full[k] = torch.func.vmap(f)(coords)  # [B, out, in, ..., in]
    value = {q: full[q.order][(slice(None), q.channel) + q.index] for q in layout.partials}
    outs = [o.combine(value) for o in layout.derivatives]
    if not layout.has_head:
        return outs
    return list(with_head(lambda c, *ps: outs, layout, head)(coords, *params))
