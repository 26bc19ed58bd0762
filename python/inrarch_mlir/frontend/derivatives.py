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
from typing import Callable, Dict, List, Sequence, Tuple

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
class DerivativeLayout:
    """Which function result is which partial, plus the argument names."""

    in_features: int
    out_features: int
    orders: Tuple[int, ...]
    results: Tuple[Partial, ...]
    arguments: Tuple[str, ...]  # "coords" then parameter names, in order

    @staticmethod
    def build(in_features: int, out_features: int, order: int, only_order: bool,
              param_names: Sequence[str]) -> "DerivativeLayout":
        orders = (order,) if only_order else tuple(range(order + 1))
        results = tuple(
            Partial(c, idx)
            for k in orders
            for c in range(out_features)
            for idx in itertools.combinations_with_replacement(range(in_features), k)
        )
        return DerivativeLayout(in_features, out_features, orders, results,
                                ("coords",) + tuple(param_names))

    def to_dict(self) -> dict:
        return {
            "in_features": self.in_features,
            "out_features": self.out_features,
            "orders": list(self.orders),
            "arguments": list(self.arguments),
            "results": [
                {"channel": p.channel, "index": list(p.index), "order": p.order, "name": p.name}
                for p in self.results
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @staticmethod
    def from_json(text: str) -> "DerivativeLayout":
        d = json.loads(text)
        return DerivativeLayout(
            d["in_features"], d["out_features"], tuple(d["orders"]),
            tuple(Partial(r["channel"], tuple(r["index"])) for r in d["results"]),
            tuple(d["arguments"]),
        )


def derivative_function(module: nn.Module, layout: DerivativeLayout) -> Callable:
    """`f(coords[B, in], *params) -> tuple of [B] tensors` in `layout` order.

    Parameters are passed explicitly (`torch.func.functional_call`) so they
    stay function arguments after tracing; buffers stay module constants.
    """
    names = list(layout.arguments[1:])
    wanted = set(layout.results)
    max_order = max(layout.orders)

    def fn(coords, *params):
        p = dict(zip(names, params))
        with torch.enable_grad():
            x = coords.detach().requires_grad_(True)
            y = torch.func.functional_call(module, p, (x,))
            if y.dim() == 1:
                y = y.unsqueeze(-1)
            value: Dict[Partial, torch.Tensor] = {}
            grads: Dict[Partial, torch.Tensor] = {}
            for c in range(layout.out_features):
                value[Partial(c, ())] = y[:, c]
                for k in range(1, max_order + 1):
                    for idx in itertools.combinations_with_replacement(range(layout.in_features), k):
                        parent = Partial(c, idx[:-1])
                        if parent not in grads:
                            (g,) = torch.autograd.grad(
                                value[parent], x, grad_outputs=torch.ones_like(value[parent]),
                                create_graph=True, allow_unused=True)
                            grads[parent] = torch.zeros_like(x) if g is None else g
                        value[Partial(c, idx)] = grads[parent][:, idx[-1]]
            return tuple(value[r] for r in layout.results if r in wanted)

    return fn


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
                       params: Sequence[torch.Tensor]) -> List[torch.Tensor]:
    """The same partials by an independent route: nested `torch.func.jacfwd` per sample.

    Computes the full (symmetric) derivative tensors with `vmap(jacfwd^k)`
    and reads the unique entries; run it in float64 for a trusted reference.
    """
    names = list(layout.arguments[1:])
    p = dict(zip(names, params))

    def per_sample(x):
        y = torch.func.functional_call(module, p, (x.unsqueeze(0),))
        return y.reshape(-1)

    full: Dict[int, torch.Tensor] = {}
    for k in sorted(set(layout.orders)):
        f = per_sample
        for _ in range(k):
            f = torch.func.jacfwd(f)
        full[k] = torch.func.vmap(f)(coords)  # [B, out, in, ..., in]
    return [full[r.order][(slice(None), r.channel) + r.index] for r in layout.results]
