"""Size limits checked before any tracing, so absurd requests fail at once.

The derivative graph grows exponentially with the order and linearly with
the number of unique partials; a request past a limit is rejected with the
number it would need, the limit, and the flag that raises it, instead of
hanging or exhausting memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb

from .errors import FrontendError

MAX_ORDER = 6
MAX_BATCH = 10**6
MAX_KERNELS = 10_000


class LimitError(FrontendError):
    """A request over a size limit (the message names the flag that raises it)."""


@dataclass(frozen=True)
class Limits:
    """Upper bounds on a request; each is raised by the `--max-...` flag of the same name.

    `hardware`: also refuse a model no part could hold (weights over the
    largest part's on-chip memory, or more matmuls than any part has DSPs
    for one MAC each), at `element_bits` per weight; `inrarch compile` sets
    it, `--allow-overfit` clears it."""

    max_order: int = MAX_ORDER
    max_batch: int = MAX_BATCH
    max_kernels: int = MAX_KERNELS
    hardware: bool = False
    element_bits: int = 32


def limits_from_args(args) -> "Limits":
    """`Limits` from --max-order/--max-batch/--max-kernels (defaults where not given)."""
    return Limits(max_order=MAX_ORDER if args.max_order is None else args.max_order,
                  max_batch=MAX_BATCH if args.max_batch is None else args.max_batch,
                  max_kernels=MAX_KERNELS if args.max_kernels is None else args.max_kernels)


def check_sizes(order: int, batch: int, limits: Limits = Limits()) -> None:
    """Raises `LimitError` if `order` or `batch` is over its limit."""
    if order > limits.max_order:
        raise LimitError(f"--order {order} is over the limit {limits.max_order} (the derivative graph grows "
                         f"exponentially with the order); pass --max-order {order} to raise it")
    if batch > limits.max_batch:
        raise LimitError(f"--batch {batch} is over the limit {limits.max_batch} (the example batch alone would "
                         f"take {batch * 4:,} bytes per coordinate); pass --max-batch {batch} to raise it")


def unique_partials(in_features: int, out_features: int, order: int, only_order: bool = False) -> int:
    """Results of the derivative function: C(in + k - 1, k) mixed partials of order k per output."""
    orders = [order] if only_order else range(order + 1)
    return out_features * sum(comb(in_features + k - 1, k) for k in orders)


def estimate_kernels(in_features: int, out_features: int, layers: int, order: int, only_order: bool = False) -> int:
    """A lower bound on the kernel count: one matmul per layer for every unique partial."""
    return unique_partials(in_features, out_features, order, only_order) * max(layers, 1)


def check_model(module, in_features: int, order: int, only_order: bool = False, limits: Limits = Limits()) -> None:
    """Raises `LimitError` if the estimated kernel count of `module` is over `limits.max_kernels`,
    or (with `limits.hardware`) if no part could hold it."""
    from torch import nn

    linears = [m for m in module.modules() if isinstance(m, nn.Linear)]
    out_features = linears[-1].out_features if linears else 1
    n = estimate_kernels(in_features, out_features, len(linears), order, only_order)
    if n > limits.max_kernels:
        p = unique_partials(in_features, out_features, order, only_order)
        raise LimitError(f"order {order} would need at least {n:,} kernels ({p:,} unique partials x "
                         f"{max(len(linears), 1)} layers); the limit is {limits.max_kernels:,}; "
                         f"pass --max-kernels {n} to raise it")
    check_finite(module)
    if limits.hardware:
        check_fits_some_part(module, linears, n, limits.element_bits)


def check_finite(module) -> None:
    """Refuses a model with a NaN or an infinity in any parameter or buffer, naming the tensor."""
    import torch

    for kind, named in (("parameter", module.named_parameters()), ("buffer", module.named_buffers())):
        for name, t in named:
            if not torch.is_floating_point(t):
                continue
            bad = ~torch.isfinite(t.detach())
            if bad.any():
                first = tuple(int(i) for i in bad.nonzero()[0])
                raise FrontendError(f"{kind} '{name}' has {int(torch.isnan(t).sum())} NaN and "
                                    f"{int(torch.isinf(t).sum())} infinite value(s) (first at index {first}); "
                                    "a model with non-finite weights has no meaningful derivatives")


def check_fits_some_part(module, linears, matmuls: int, element_bits: int) -> None:
    """Refuses, before any tracing, a model that no known part can hold: its
    weights alone over the largest on-chip memory (BRAM + URAM), or fewer
    DSPs than one MAC unit per matmul needs on every part."""
    from ..target import PARTS, dsp_per_mac, largest_part

    params = sum(p.numel() for p in module.parameters())
    need = params * element_bits // 8
    big = largest_part()
    macs = sum(m.in_features * m.out_features for m in linears)
    if need > big.onchip_bytes:
        raise LimitError(f"the model's {params:,} parameters need {need / 1e6:,.1f} MB on chip at {element_bits} "
                         f"bits ({macs:,} MACs per sample in the forward pass alone); the largest part, "
                         f"{big.name} ({big.part}), has {big.onchip_bytes / 1e6:.1f} MB of BRAM and URAM; pass "
                         "--allow-overfit to compile it anyway")
    family = "float" if element_bits == 32 else "fixed"
    if all(matmuls * dsp_per_mac(p, family) > p.dsp for p in PARTS.values()):
        most = max(PARTS.values(), key=lambda p: p.dsp // dsp_per_mac(p, family))
        raise LimitError(f"the design needs at least {matmuls:,} matmul kernels, {matmuls * dsp_per_mac(most, family):,} "
                         f"DSPs at one MAC unit each, more than any part has (the most: {most.name}, {most.dsp:,}); "
                         "pass --allow-overfit to compile it anyway")
