"""stream-parallelize: spread a DSP budget over the matmuls' MAC units.

Cost model (documented in README, "Parallelism"): a matmul with `macs` MAC
units costs `macs * dsp_per_mac` DSPs (float32: a 3-DSP multiplier and a
2-DSP adder; 32-bit fixed point: 2 DSPs); map bodies cost the DSPs of their
arithmetic once (lanes stay 1 here). A matmul's cycles per sample are
`words_in + ceil(K*N/macs)` (it reads its row, then computes).

Objective: minimize the period P = the slowest kernel's cycles per sample
(every kernel then runs at matched rates, one sample per P cycles). For a
target P the cheapest choice is, per matmul, the fewest MACs meeting P;
that cost only falls as P grows, so a binary search on P finds the smallest
feasible period: the allocation is optimal for this cost model, not a
heuristic.
"""

from __future__ import annotations

import dataclasses
import math

from torch_mlir import ir

from ..dialects import stream as S
from .base import ModulePass, PassError
from .stream_graph import kernel_model, kernel_names
from .walk import forked_stream_funcs

#: DSP48 slices per scalar operator in a map body (float32, Vitis HLS
#: defaults on UltraScale+); ops not listed use LUTs only.
MAP_OP_DSP = {"arith.mulf": 3, "arith.addf": 2, "arith.subf": 2, "arith.divf": 0, "math.sin": 8,
              "math.cos": 8, "math.exp": 7, "math.tanh": 10, "math.log": 6, "math.powf": 12}


def dsp_per_mac(element_type: ir.Type) -> int:
    return 5 if S.isa(element_type, ir.FloatType) else 2


def map_dsp(op) -> int:
    return sum(MAP_OP_DSP.get(inner.operation.name, 0) for inner in S.map_body(op).operations)


@dataclasses.dataclass
class MatmulSite:
    op: ir.Operation
    words_in: int
    work: int  # K * N multiply-accumulates per sample
    min_cycles: int  # output words: at least one cycle each
    dsp_per_mac: int

    def macs_for(self, period: int) -> int | None:
        """Fewest MACs meeting `period` cycles per sample (None: impossible)."""
        budget = period - self.words_in
        if budget < self.min_cycles:
            return None
        return max(1, math.ceil(self.work / budget))

    def cycles(self, macs: int) -> int:
        return self.words_in + max(math.ceil(self.work / macs), self.min_cycles)


@dataclasses.dataclass
class Allocation:
    macs: dict  # op -> MAC units
    period: int
    dsp: int
    floor: int  # slowest non-matmul kernel: no budget can go below it
    compute_bound: float  # total MACs per sample / MAC units affordable


def allocate(func_op, budget: int, per_mac: int | None = None) -> Allocation:
    """The smallest period whose cheapest MAC allocation fits `budget` DSPs."""
    names = kernel_names(func_op)
    sites, floor, fixed_dsp = [], 1, 0
    for op, name in names.items():
        if op.name == "stream.matmul":
            x = S.channel_info(op.operands[0].type)
            y = S.channel_info(op.results[0].type)
            w = S.matmul_weight_type(op)
            dpm = per_mac or dsp_per_mac(x.element_type)
            sites.append(MatmulSite(op, x.words_per_sample, w.shape[0] * w.shape[1], y.words_per_sample, dpm))
        else:
            floor = max(floor, kernel_model(op, name).period)
            if op.name == "stream.map":
                fixed_dsp += map_dsp(op)

    def cost(period):
        total = fixed_dsp
        chosen = {}
        for s in sites:
            m = s.macs_for(period)
            if m is None:
                return None, None
            chosen[s.op] = m
            total += m * s.dsp_per_mac
        return total, chosen

    minimum = fixed_dsp + sum(s.dsp_per_mac for s in sites)
    if minimum > budget:
        raise PassError(func_op, f"dsp-budget {budget} is below the minimum of {minimum} DSPs "
                                 f"(one MAC per matmul plus the map operators); raise --dsp-budget")
    hi = max([floor] + [s.cycles(1) for s in sites])
    lo = max([floor] + [s.words_in + s.min_cycles for s in sites])
    while lo < hi:  # smallest feasible period; cost(P) falls as P grows
        mid = (lo + hi) // 2
        total, _ = cost(mid)
        if total is not None and total <= budget:
            hi = mid
        else:
            lo = mid + 1
    total, chosen = cost(lo)
    units = (budget - fixed_dsp) // sites[0].dsp_per_mac if sites else 0
    bound = sum(s.work for s in sites) / units if units else 0.0
    return Allocation(chosen, lo, total, floor, bound)



@dataclasses.dataclass(frozen=True)
class StreamParallelizePass(ModulePass):
    """Choose MAC units per matmul under a DSP budget (optimal min-max period).

    Sets `macs` on every matmul so that the slowest kernel's cycles per
    sample are as small as the budget allows (binary search over the period;
    exact for the documented cost model). Records on the function
    `stream.dsp`, `stream.period` (cycles per sample), `stream.period_floor`
    (the slowest non-matmul kernel) and `stream.compute_bound` (total MACs
    per sample / MAC units the budget buys, in cycles per sample). Run
    stream-balance afterwards.
    """

    name = "stream-parallelize"
    dsp_budget: int = 3200
    dsp_per_mac: int = 0  # 0: from the element type (f32: 5, fixed/int: 2)

    def __post_init__(self):
        if self.dsp_budget < 1:
            raise ValueError(f"dsp-budget must be >= 1, got {self.dsp_budget}")
        if self.dsp_per_mac < 0:
            raise ValueError(f"dsp-per-mac must be >= 0, got {self.dsp_per_mac}")

    def apply(self, module: ir.Module) -> None:
        for f in forked_stream_funcs(module, needs="stream.matmul"):
            alloc = allocate(f, self.dsp_budget, self.dsp_per_mac or None)
            for op, macs in alloc.macs.items():
                op.attributes["macs"] = S.i64_attr(macs)
            f.attributes["stream.dsp"] = S.i64_attr(alloc.dsp)
            f.attributes["stream.period"] = S.i64_attr(alloc.period)
            f.attributes["stream.period_floor"] = S.i64_attr(alloc.floor)
            f.attributes["stream.compute_bound"] = S.i64_attr(math.ceil(alloc.compute_bound))
