"""Tracing: model + layout -> a functional, decomposed aten FX graph.

The recipe that works on gradient graphs (torch.export does not): `make_fx`
of the derivative function in fake mode (so Python control flow that reads
tensor values fails loudly instead of being baked in), `functionalize`, and
`make_fx` again with torch-mlir's decomposition table. Before that, the plain
forward pass is traced once to reject ops that have no derivative worth the
name (sign, round, argmax, ...) when the order is >= 1, naming the user's line.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import torch
import torch.fx.traceback
from torch import nn
from torch.fx.experimental.proxy_tensor import make_fx

from .errors import FrontendError, user_location_from_stack_trace, user_location_from_traceback

# ---------------------------------------------------------------------------
# Mappings
# ---------------------------------------------------------------------------

#: aten ops with no derivative worth the name (index-valued or bitwise): a
#: derivative through them is meaningless. The piecewise-constant rounding
#: ops (floor, ceil, round, trunc, sign; derivative 0 almost everywhere) and
#: remainder/fmod/frac (derivative 1 almost everywhere) are allowed: a
#: periodic activation is written with them, and autograd differentiates
#: them exactly where they are differentiable.
_NON_DIFFERENTIABLE = {
    "argmax", "argmin", "heaviside", "bucketize", "searchsorted", "floor_divide",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
}
#: comparisons: allowed only as the condition of a select (`where`).
_COMPARISONS = {"eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_not"}
_SELECT_OPS = {"where", "masked_fill", "logical_and", "logical_or", "logical_not"}


def _op_name(target) -> str:
    """`aten.sign.default` -> `sign` (trailing underscore of in-place ops removed)."""
    name = getattr(target, "__name__", str(target)).split(".")[0]
    return name.rstrip("_")


def _qualified(target) -> str:
    return f"aten.{_op_name(target)}"


def _data_dependent_message(exc: BaseException) -> Optional[str]:
    text = f"{type(exc).__name__}: {exc}"
    markers = ("DataDependent", "data-dependent", "data dependent", "_local_scalar_dense",
               "GuardOnDataDependent", "nonzero", "item()")
    if any(m in text for m in markers):
        return ("data-dependent control flow: the model reads a tensor value in Python "
                "(if/while on a tensor, .item(), nonzero); only static graphs can be compiled")
    return None


def _trace(fn: Callable, example: Sequence[torch.Tensor], what: str, **kwargs) -> torch.fx.GraphModule:
    try:
        return make_fx(fn, tracing_mode="fake", record_stack_traces=True,
                       _allow_non_fake_inputs=True, **kwargs)(*example)
    except FrontendError:
        raise
    except Exception as e:
        loc = user_location_from_traceback(e.__traceback__)
        msg = _data_dependent_message(e)
        if msg is None:
            first = str(e).strip().splitlines()[0] if str(e).strip() else ""
            msg = f"tracing the {what} failed: {type(e).__name__}: {first}"
        raise FrontendError(msg, loc) from None


def trace_forward(module: nn.Module, names: Sequence[str], coords: torch.Tensor,
                  params: Sequence[torch.Tensor]) -> torch.fx.GraphModule:
    """The plain forward pass `(coords, *params) -> output` as an aten FX graph
    (parameters as placeholders, with the user's stack traces)."""

    def forward(x, *ps):
        return torch.func.functional_call(module, dict(zip(names, ps)), (x,))

    return _trace(forward, (coords, *params), "model")


def check_forward(module: nn.Module, coords: torch.Tensor, params: Sequence[torch.Tensor],
                  names: Sequence[str], order: int) -> torch.fx.GraphModule:
    """Traces the plain forward pass and rejects non-differentiable ops at order >= 1."""
    gm = trace_forward(module, names, coords, params)
    out = [n for n in gm.graph.nodes if n.op == "output"][0]
    result = out.args[0]
    leaves = result if isinstance(result, (tuple, list)) else [result]
    for leaf in leaves:
        val = leaf.meta.get("val") if isinstance(leaf, torch.fx.Node) else None
        if val is None or not isinstance(val, torch.Tensor) or not val.is_floating_point():
            raise FrontendError("the model must return one floating-point tensor [batch, channels]")
    if order < 1:
        return gm
    for node in gm.graph.nodes:
        if node.op != "call_function":
            continue
        name = _op_name(node.target)
        bad = name in _NON_DIFFERENTIABLE
        if name in _COMPARISONS:
            # A comparison may steer a select; feeding arithmetic it is a step function.
            bad = any(_op_name(u.target) not in _SELECT_OPS for u in node.users if u.op == "call_function")
        if name == "_to_copy" and isinstance(node.meta.get("val"), torch.Tensor):
            bad = not node.meta["val"].is_floating_point()
        if bad:
            loc = user_location_from_stack_trace(node.meta.get("stack_trace"))
            raise FrontendError(
                f"'{_qualified(node.target)}' is not differentiable (piecewise constant); "
                f"derivatives of order {order} through it are meaningless. Use a smooth activation "
                "or --order 0", loc)
    return gm


def trace_derivatives(fn: Callable, coords: torch.Tensor, params: Sequence[torch.Tensor]) -> torch.fx.GraphModule:
    """make_fx -> functionalize -> make_fx with torch-mlir's decompositions."""
    from torch.func import functionalize
    from torch_mlir.extras.fx_decomp_util import get_decomposition_table

    example = (coords, *params)
    gm = _trace(fn, example, "derivative function")
    first = gm

    def replay(*args):
        # An Interpreter (not gm.__call__) so that preserve_node_meta() carries
        # each node's stack trace onto the ops it decomposes into.
        return torch.fx.Interpreter(first).run(*args)

    with torch.fx.traceback.preserve_node_meta():
        gm = _trace(functionalize(replay, remove="mutations"), example, "functionalized graph",
                    decomposition_table=get_decomposition_table())
    gm.graph.eliminate_dead_code()
    gm.recompile()
    return gm
