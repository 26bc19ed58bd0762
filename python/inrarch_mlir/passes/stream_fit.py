"""stream-fit: weight buffers in BRAM or URAM, and a check that the design fits its part."""

from __future__ import annotations

import dataclasses
import re

from torch_mlir import ir

from ..dialects.stream_graph import extract
from ..kernels import KINDS
from ..kernels.base import target_of
from ..kernels.matmul import WEIGHT_STORAGE_ATTR, streams_weight
from ..resources import estimate, first_overfit
from ..target import RESOURCE_NAMES
from .base import ModulePass, PassError, forked_stream_funcs, option, warn

#: Function attribute: whether the design fits its part (after placement).
FITS_ATTR = "stream.fits"

_LABELS = {"dsp": "DSP", "bram18k": "BRAM18K", "uram": "URAM", "lut": "LUT", "ff": "FF"}


def precision_bits(precision: str) -> tuple[str, int | None]:
    """('float', None) or ('fixed', W) for a precision string."""
    m = re.fullmatch(r"fixed<(\d+),(-?\d+)>", precision.replace(" ", ""))
    return ("fixed", int(m.group(1))) if m else ("float", None)


def place_weights(func_op, graph, part, family: str, bits) -> int:
    """Moves matmul weight buffers to URAM while BRAM is over capacity; returns how many moved.

    The rule: only on parts with URAM, only while the estimated BRAM18K need
    exceeds the part's BRAM18K, taking the buffers that save the most BRAM18K
    per URAM block first, and never beyond the part's URAM."""
    if not part.uram:
        return 0
    need = estimate(func_op, graph, family, bits).total
    if need.bram18k <= part.bram18k:
        return 0
    kinds = []
    for op in (o.operation for o in func_op.regions[0].blocks[0].operations):
        if op.name != "stream.matmul" or streams_weight(op) or WEIGHT_STORAGE_ATTR in op.attributes:
            continue
        before = KINDS[op.name].resources(op, family, bits or 32)
        op.attributes[WEIGHT_STORAGE_ATTR] = ir.StringAttr.get("uram")
        after = KINDS[op.name].resources(op, family, bits or 32)
        del op.attributes[WEIGHT_STORAGE_ATTR]
        saved = before.bram18k - after.bram18k
        if saved > 0 and after.uram > 0:
            kinds.append((saved / after.uram, saved, after.uram, op))
    moved, uram = 0, need.uram
    for _, saved, cost, op in sorted(kinds, key=lambda k: -k[0]):
        if need.bram18k <= part.bram18k:
            break
        if uram + cost > part.uram:
            continue
        op.attributes[WEIGHT_STORAGE_ATTR] = ir.StringAttr.get("uram")
        need.bram18k -= saved
        uram += cost
        moved += 1
    return moved


@dataclasses.dataclass(frozen=True)
class StreamFitPass(ModulePass):
    """Place weight buffers in BRAM or URAM and check that the design fits its part.

    Estimates the design's DSP, BRAM18K, URAM, LUT and FF
    (`inrarch_mlir.resources`) on the part of its `stream.target`
    (stream-set-target; default u50). When BRAM runs short on a part with
    URAM, matmul weight buffers move to URAM (`stream.weight_storage =
    "uram"`, the most BRAM18K saved per URAM first) until BRAM fits. A design
    that still needs more of a resource than the part has fails, naming the
    resource, the need and the capacity (a warning with `allow-overfit`).
    Records `stream.fits`. Run it after stream-balance.
    """

    name = "stream-fit"
    allow_overfit: bool = option(False, "warn instead of failing when the design needs more than the part has")

    def apply(self, module: ir.Module) -> None:
        for f in forked_stream_funcs(module):
            t = target_of(f)
            family, bits = precision_bits(t.precision)
            try:
                graph = extract(f).graph
            except ValueError as e:
                raise PassError(f, str(e)) from None
            moved = place_weights(f, graph, t.part, family, bits)
            need = estimate(f, graph, family, bits).total
            over = first_overfit(need, t.part)
            f.attributes[FITS_ATTR] = ir.BoolAttr.get(over is None)
            if over is None:
                continue
            name, n, cap = over
            others = [f"{_LABELS[r]} {getattr(need, r):,}/{t.part.capacity()[r]:,}" for r in RESOURCE_NAMES
                      if r != name and getattr(need, r) > t.part.capacity()[r]]
            msg = (f"the design does not fit {t.part.name} ({t.part.part}): it needs {n:,} {_LABELS[name]} but the "
                   f"part has {cap:,}" + (f" (also over: {', '.join(others)})" if others else "") +
                   (f"; {moved} weight buffer(s) already moved to URAM" if moved else ""))
            if self.allow_overfit:
                warn(f, msg + " (emitted anyway: allow-overfit)")
            else:
                raise PassError(f, msg + "; lower the DSP budget, pick a larger part, or pass --allow-overfit "
                                   "(stream-fit{allow-overfit=true})")
