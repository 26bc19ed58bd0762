"""stream-parallelize: spread a DSP budget over MAC units and channel lanes.

Cost model (documented in README, "Parallelism"): a matmul with `macs` MAC
units costs `macs * dsp_per_mac` DSPs (float32: a 3-DSP multiplier and a
2-DSP adder; 32-bit fixed point: 2 DSPs); a map with L lanes costs L times
the DSPs of its body's operators (`target.MAP_OP_DSP`); a jet costs its
region's DSPs x its functor instances (`unroll`, a power of two dividing
its lanes: wide words need not mean many functors, so a matmul feeding a jet
can take wide output words, hence fine MAC steps, without paying for the
jet's lanes), or, with one functor started every `ii` cycles, its region's
DSPs with each multiplier and adder shared over `ii` operations
(`kernels.map.shared_dsp`); forks, loads, stores and broadcasts cost none. Cycles per sample are the timing model's
(each kind's `timing`, `inrarch_mlir.kernels`): a matmul runs its MAC loop
(ceil(N/LO) * ceil(K/(MACS/LO)) cycles, words computed in groups of L,
the adder latency, so the last group is padded: `dataflow.MatmulLoop`) while
it reads the next row (ceil(K/LI) words), and drains its pipeline;
every other kernel moves one word per cycle. MACS is rounded to a divisor or
a multiple of LO (what the C++ matmul accepts).

Lanes groups: channels that must carry the same lanes (a map's inputs and
output, a fork's ports, both sides of a fifo or reshape) form one group
(union-find). A group's candidate lanes are the powers of two up to
`MAX_LANES` that divide the row length of every channel in it (the C++
kernels stream whole samples flat, so a reshape is free only without
padding). Slice, reduce, concat, transpose and a channel broadcast's input
move one element per cycle in C++, so lanes there buy nothing: their groups
stay at 1, as do all ports of barrier kernels (ops that combine samples).

Objective: minimize the period P = the slowest kernel's cycles per sample
(every kernel then runs at matched rates, one sample per P cycles). For a
target P, an integer program (scipy/HiGHS) picks one lanes value per group
and one (input lanes, output lanes) pair per matmul consistent with them;
each pair costs the fewest MACs meeting P, each group its maps' DSPs x lanes
plus each jet's cheapest functor (instances, or ii) meeting P at those
lanes, and choices that miss P are excluded. It returns the cheapest allocation
meeting P exactly. The cheapest cost only falls as P grows
(every choice feasible at P is feasible at P + 1, at no more MACs), so a
binary search on P finds the smallest period whose cheapest allocation fits
the budget: optimal for this cost model. The DSPs the chosen allocation
leaves in the budget then buy the jets smaller ii (a jet's last row takes
lanes x ii cycles a word, which lengthens the pipeline's fill, not its
period): greedily, each jet the smallest ii the remainder affords.
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

import numpy as np
from torch_mlir import ir

from ..dataflow import Kernel
from ..dataflow.graph import MatmulLoop
from ..dialects import stream as S
from ..dialects.stream_graph import kernel_model, kernel_names
from ..dialects.walk import stream_ops
from ..kernels import KINDS
from ..kernels.base import target_of
from ..kernels.jet import jet_kernel
from ..kernels.jet import shape_of as jet_shape
from ..kernels.jet import jet_latency
from ..kernels.map import lane_dsp, shared_dsp
from ..target import DSP_PER_MAC, MATMUL_LATENCY, MAX_JET_II, MAX_LANES
from ..union_find import UnionFind
from .base import ModulePass, PassError, forked_stream_funcs, option

#: Objective tie-break: among equally cheap allocations prefer fewer lanes
#: (narrower FIFOs). Small enough never to outweigh one DSP.
NARROW_TIE_BREAK = 1e-4
#: The initiation intervals offered to a jet functor (one instance), up to MAX_JET_II.
JET_II = tuple(i for i in (2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 48, 64) if i <= MAX_JET_II)


def dsp_per_mac(element_type: ir.Type) -> int:
    """DSPs of one MAC unit on this element type (`target.DSP_PER_MAC`)."""
    return DSP_PER_MAC["float" if S.isa(element_type, ir.FloatType) else "fixed"]


# --------------------------------------------------------------------------
# Matmul MACs
# --------------------------------------------------------------------------


def fewest_macs(k: int, n: int, lanes_out: int, cycles: int, interleave: int = 1) -> int | None:
    """Fewest MACs computing a K x N row in `cycles` of the C++ MAC loop
    (`dataflow.MatmulLoop`, accumulators interleaved by `interleave`, the
    adder latency L), among what the C++ matmul accepts: a divisor or a
    multiple of the output lanes. None when no MAC count is enough."""
    for d in range(1, lanes_out):  # fewer MACs than lanes: k steps per block of d lanes
        if lanes_out % d == 0 and MatmulLoop(k, n, lanes_out, d, interleave).iterations <= cycles:
            return d
    # macs = lanes_out * KU: ceil(words / L) groups of L words, L iterations per step of KU inputs
    slots = MatmulLoop(k, n, lanes_out, lanes_out, interleave)
    steps = cycles // (slots.groups * slots.unit)  # k-steps affordable per output word
    if steps < 1:
        return None
    return lanes_out * -(-k // min(steps, k))


# --------------------------------------------------------------------------
# Lanes groups
# --------------------------------------------------------------------------


@dataclasses.dataclass
class LanesGroup:
    """Channel values that carry one lanes value, and the lanes they may take."""

    values: list
    candidates: list[int]
    map_dsp: int = 0  # DSPs of one lane of every map in the group
    jets: list = dataclasses.field(default_factory=list)  # (jet op, kernel name, DSPs of its cheapest functor)

    @property
    def least_dsp(self) -> int:
        """DSPs of the group's maps at one lane and its jets at their cheapest functor."""
        return self.map_dsp + sum(d for _, _, d in self.jets)


def _channels(values):
    return [v for v in values if S.is_channel(v.type)]


def lanes_groups(func_op, names) -> tuple[list[LanesGroup], dict]:
    """The lanes groups of a function and the group index of every channel value."""
    uf = UnionFind()
    pinned = set()
    for op in stream_ops(func_op):
        outs = _channels(op.results)
        ins = _channels(op.operands)
        for v in ins + outs:
            uf.find(v)
        rule = KINDS[op.name].lanes(op)
        if rule.tie:
            for v in ins + outs:  # equal lanes on every port (verifiers, C++ templates)
                uf.union(v, (ins + outs)[0])
        if rule.pin == "all":
            pinned.update(ins + outs)  # element-serial C++ loops; barriers regroup rows
        elif rule.pin == "inputs":
            pinned.update(ins)
    members: dict = {}
    for v in list(uf.parent):
        members.setdefault(uf.find(v), []).append(v)
    groups, index = [], {}
    for root, values in members.items():
        rows = [S.channel_info(v.type).row_length for v in values]
        if any(v in pinned for v in values):
            cands = [1]
        else:
            cands = [lanes for lanes in (2 ** i for i in range(MAX_LANES.bit_length()))
                     if lanes <= MAX_LANES and all(r % lanes == 0 for r in rows)]
        g = LanesGroup(values, cands)
        for v in values:
            index[v] = len(groups)
        groups.append(g)
    for op, name in names.items():
        if op.name == "stream.map":  # a region unrolled over the lanes
            groups[index[op.results[0]]].map_dsp += lane_dsp(op)
        elif op.name == "stream.jet":  # a region instantiated `unroll` times, or shared at `ii`
            groups[index[op.results[0]]].jets.append((op, name, min([lane_dsp(op)] + [shared_dsp(op, ii)
                                                                                     for ii in JET_II])))
    return groups, index


def _retype(group: LanesGroup, lanes: int) -> None:
    for v in group.values:
        if S.channel_info(v.type).lanes != lanes or S.channel_info(v.type).padded:
            v.set_type(S.with_lanes(v.type, lanes))


# --------------------------------------------------------------------------
# The allocation problem
# --------------------------------------------------------------------------


@dataclasses.dataclass
class MatmulSite:
    op: ir.Operation
    k: int
    n: int
    group_in: int
    group_out: int
    dsp_per_mac: int
    interleave: int = 1  # L, the adder latency of the function's target
    rows: Fraction = Fraction(1)  # rows per coordinate sample: T for a Taylor-mode jet's coefficient rows,
    # 1/R for a layer shared by R samples (ASMR's coarse levels, after stream.subsample)

    @property
    def work(self) -> int:
        """MACs per coordinate sample."""
        return self.k * self.n * self.rows

    def macs_for(self, period: int, lanes_in: int, lanes_out: int) -> int | None:
        """Fewest MACs meeting `period` (cycles per coordinate sample) at these
        lanes (None: impossible). The next row is read during the MAC loop, so a
        row costs the longer of the two plus the pipeline latency."""
        budget = period // self.rows - MATMUL_LATENCY
        if -(-self.k // lanes_in) > budget:
            return None
        return fewest_macs(self.k, self.n, lanes_out, budget, self.interleave)

    def cycles(self, lanes_in: int, lanes_out: int, macs: int) -> int:
        """Cycles per coordinate sample in the timing model (`Kernel.matmul`): per
        row, the row's loop (the MAC loop or the next row's reads, whichever is
        longer) and its pipeline; times the rows per sample."""
        return math.ceil(self.rows * Kernel.matmul("m", self.k, self.n, lanes_in, lanes_out, macs, MATMUL_LATENCY,
                                                   samples=2, interleave=self.interleave).period)


@dataclasses.dataclass
class Allocation:
    macs: dict  # op -> MAC units
    lanes: list[int]  # per group
    period: int
    dsp: int
    floor: int  # slowest non-matmul kernel at the chosen lanes
    compute_bound: float  # total MACs per sample / MAC units affordable
    groups: list = dataclasses.field(default_factory=list)  # LanesGroup per entry of `lanes`
    units: dict = dataclasses.field(default_factory=dict)  # jet op -> (functor instances, ii)


class _Problem:
    """Everything about a function the integer program needs, computed once."""

    def __init__(self, func_op, per_mac: int | None):
        names = kernel_names(func_op)
        self.groups, self.index = lanes_groups(func_op, names)
        # Periods are compared per coordinate sample: a kernel streaming k rows
        # per sample (the coefficient rows of a Taylor-mode jet) repeats k times
        # as often as one streaming a row per sample; one on a stream shared by
        # R samples (after stream.subsample) runs once every R samples.
        batch = next((S.channel_info(op.results[0].type).batch for op in names if op.name == "stream.load"), 1)

        def rate(rows: int, streaming: bool = True) -> Fraction:
            if rows >= batch and rows % batch == 0:
                return Fraction(rows // batch)
            return Fraction(rows, batch) if streaming and batch % rows == 0 else Fraction(1)

        def per_sample(kernel) -> int:
            return math.ceil(kernel.period * rate(kernel.samples, not kernel.repeats))

        self.sites: list[MatmulSite] = []
        # (group, lanes) -> slowest non-matmul kernel touching that group
        self.kernel_period: dict = {}
        self.fixed_floor = 1  # non-matmul kernels whose ports are all pinned
        per_group: dict = {}
        for op, name in names.items():
            if op.name == "stream.matmul":
                x = S.channel_info(op.operands[0].type)
                y = S.channel_info(op.results[0].type)
                rows = rate(x.batch)
                self.sites.append(MatmulSite(op, x.shape[1], y.shape[1], self.index[op.operands[0]],
                                             self.index[op.results[0]], per_mac or dsp_per_mac(x.element_type),
                                             target_of(op).add_latency, rows))
                continue
            free = {self.index[v] for v in _channels(list(op.operands) + list(op.results))
                    if len(self.groups[self.index[v]].candidates) > 1}
            assert len(free) <= 1, f"{name} has ports in {len(free)} free lanes groups"
            if free:
                per_group.setdefault(free.pop(), []).append((op, name))
            else:
                kernel = kernel_model(op, name)
                self.fixed_floor = max(self.fixed_floor, per_sample(kernel))
        # Periods under hypothetical lanes: retype the group, ask the timing
        # model itself, restore.
        # (group, lanes) -> per jet of the group, [(DSPs, (functor instances, ii), period)] by DSPs
        self.jet_periods: dict = {}
        for g, kernels in per_group.items():
            group = self.groups[g]
            original = [v.type for v in group.values]
            for lanes in group.candidates:
                _retype(group, lanes)
                models = [kernel_model(op, name) for op, name in kernels]  # jets at unroll = lanes
                self.kernel_period[(g, lanes)] = max(per_sample(k) for k in models)
                self.jet_periods[(g, lanes)] = [self._jet_periods(op, name, lanes, per_sample)
                                                for op, name, _ in group.jets]
            for v, t in zip(group.values, original):
                v.set_type(t)
        for g, group in enumerate(self.groups):  # a one-candidate group's jets choose their functor too
            if group.jets and len(group.candidates) == 1 and (g, group.candidates[0]) not in self.jet_periods:
                lanes = group.candidates[0]
                self.jet_periods[(g, lanes)] = [self._jet_periods(op, name, lanes, per_sample)
                                                for op, name, _ in group.jets]
        self.min_dsp = sum(g.least_dsp for g in self.groups) + sum(s.dsp_per_mac for s in self.sites)

    @staticmethod
    def _jet_periods(op, name: str, lanes: int, per_sample) -> list:
        """[(DSPs, (functor instances, ii), cycles per coordinate sample)] of one jet
        at `lanes`, cheapest first: `unroll` instances at ii = 1, or one at each ii."""
        b, r, ro, n, k = jet_shape(op)
        one = lane_dsp(op)
        options = [(one * u, (u, 1)) for u in (2 ** i for i in range(lanes.bit_length())) if lanes % u == 0]
        options += [(shared_dsp(op, ii), (1, ii)) for ii in JET_II]
        return sorted((dsp, (u, ii), per_sample(jet_kernel(name, b, r, ro, n, k, lanes, u, jet_latency(op, ii), ii)))
                      for dsp, (u, ii) in options)

    def jet_choices(self, g: int, lanes: int, period: int) -> list[tuple[int, tuple[int, int]]]:
        """The cheapest functor (DSPs, (instances, ii)) of each jet of group g meeting `period` at `lanes`."""
        group = self.groups[g]
        if (g, lanes) not in self.jet_periods:  # a pinned group: the jets run at its lanes
            return [(lane_dsp(op) * lanes, (lanes, 1)) for op, _, _ in group.jets]
        return [next(((d, c) for d, c, p in per if p <= period), (lane_dsp(op) * lanes, (lanes, 1)))
                for (op, _, _), per in zip(group.jets, self.jet_periods[(g, lanes)])]

    def group_dsp(self, g: int, lanes: int, period: int) -> int:
        group = self.groups[g]
        return group.map_dsp * lanes + sum(d for d, _ in self.jet_choices(g, lanes, period))

    def group_period(self, g: int, lanes: int) -> int:
        return self.kernel_period.get((g, lanes), 1)

    def bounds(self) -> tuple[int, int]:
        """(lower bound on any period, the period of lanes 1 and one MAC each)."""
        lo = max([self.fixed_floor] + [min(self.group_period(i, c) for c in g.candidates)
                                       for i, g in enumerate(self.groups)])
        hi = max([self.fixed_floor] + [self.group_period(i, 1) for i in range(len(self.groups))])
        for s in self.sites:
            lo = max(lo, min(s.cycles(a, b, s.k * b) for a in self.groups[s.group_in].candidates
                             for b in self.groups[s.group_out].candidates))
            hi = max(hi, s.cycles(1, 1, 1))
        return lo, max(lo, hi)

    def cheapest(self, period: int):
        """The cheapest (dsp, lanes per group, macs per matmul) meeting `period`, or None."""
        from scipy.optimize import LinearConstraint, milp
        from scipy.sparse import coo_matrix

        cost, tie, var = [], [], {}

        def new_var(key, c, t=0.0):
            var[key] = len(cost)
            cost.append(c)
            tie.append(t)

        for i, g in enumerate(self.groups):
            for lanes in g.candidates:
                if self.group_period(i, lanes) <= period:
                    new_var(("g", i, lanes), self.group_dsp(i, lanes, period), NARROW_TIE_BREAK * math.log2(lanes))
        macs_of = {}
        for j, s in enumerate(self.sites):
            for a in self.groups[s.group_in].candidates:
                for b in self.groups[s.group_out].candidates:
                    if s.group_in == s.group_out and a != b:
                        continue
                    m = s.macs_for(period, a, b)
                    if m is not None and ("g", s.group_in, a) in var and ("g", s.group_out, b) in var:
                        new_var(("m", j, a, b), m * s.dsp_per_mac)
                        macs_of[(j, a, b)] = m
        rows, cols, vals, lo_hi = [], [], [], []

        def constraint(terms, value):
            r = len(lo_hi)
            for key, coef in terms:
                rows.append(r)
                cols.append(var[key])
                vals.append(coef)
            lo_hi.append(value)

        for i, g in enumerate(self.groups):
            keys = [("g", i, lanes) for lanes in g.candidates if ("g", i, lanes) in var]
            if not keys:
                return None
            constraint([(k, 1) for k in keys], 1)  # one lanes value per group
        for j, s in enumerate(self.sites):
            pairs = [key for key in var if key[0] == "m" and key[1] == j]
            if not pairs:
                return None
            if s.group_in == s.group_out:
                for a in self.groups[s.group_in].candidates:
                    if ("g", s.group_in, a) in var:
                        constraint([(("g", s.group_in, a), -1)] + [(p, 1) for p in pairs if p[2] == a], 0)
                continue
            # the pair (a, b) is chosen iff input group takes a and output group b
            for a in self.groups[s.group_in].candidates:
                if ("g", s.group_in, a) in var:
                    constraint([(("g", s.group_in, a), -1)] + [(p, 1) for p in pairs if p[2] == a], 0)
            for b in self.groups[s.group_out].candidates:
                if ("g", s.group_out, b) in var:
                    constraint([(("g", s.group_out, b), -1)] + [(p, 1) for p in pairs if p[3] == b], 0)
        n = len(cost)
        a_mat = coo_matrix((vals, (rows, cols)), shape=(len(lo_hi), n)).tocsr()
        res = milp(np.array(cost, float) + np.array(tie), integrality=np.ones(n),
                   bounds=(0, 1), constraints=LinearConstraint(a_mat, lo_hi, lo_hi))
        if res.x is None:
            return None
        chosen = {key for key, i in var.items() if res.x[i] > 0.5}
        lanes = [next(k[2] for k in chosen if k[0] == "g" and k[1] == i) for i in range(len(self.groups))]
        macs = {}
        for k in chosen:
            if k[0] == "m":
                macs[self.sites[k[1]].op] = macs_of[k[1:]]
        dsp = sum(self.group_dsp(i, lanes[i], period) for i in range(len(self.groups)))
        dsp += sum(macs[s.op] * s.dsp_per_mac for s in self.sites)
        units = {}
        for i, g in enumerate(self.groups):
            for (op, _, _), (_, choice) in zip(g.jets, self.jet_choices(i, lanes[i], period)):
                units[op] = choice
        return dsp, lanes, macs, units

    def spend_on_jets(self, period: int, lanes: list[int], units: dict, spare: int) -> int:
        """Lowers the jets' ii with `spare` DSPs (the period stays; the fill
        shrinks), each jet in turn the smallest ii the remainder affords;
        returns the DSPs spent."""
        spent = 0
        for i, g in enumerate(self.groups):
            for (op, _, _), per in zip(g.jets, self.jet_periods.get((i, lanes[i]), [])):
                if units[op][1] == 1:
                    continue
                now = next(d for d, c, _ in per if c == units[op])
                better = [(c[1], d, c) for d, c, p in per if p <= period and c[1] < units[op][1]
                          and c[0] == 1 and d - now <= spare - spent]
                if better:
                    _, d, c = min(better)
                    spent += d - now
                    units[op] = c
        return spent


def allocate(func_op, budget: int, per_mac: int | None = None) -> Allocation:
    """The smallest period whose cheapest lanes and MAC allocation fits `budget` DSPs."""
    for op in stream_ops(func_op):  # this pass owns `unroll` and `ii`: the problem is posed without them
        for attr in ("unroll", "ii"):
            if op.name == "stream.jet" and attr in op.attributes:
                del op.attributes[attr]
    with func_op.context:  # retyping builds types from text
        prob = _Problem(func_op, per_mac)
    if prob.min_dsp > budget:
        raise PassError(func_op, f"dsp-budget {budget} is below the minimum of {prob.min_dsp} DSPs "
                                 f"(one MAC per matmul plus the map operators); raise --dsp-budget")
    lo, hi = prob.bounds()
    best = prob.cheapest(hi)
    assert best is not None and best[0] <= budget, "lanes 1 and one MAC each must fit the minimum"
    while lo < hi:  # smallest feasible period; the cheapest cost falls as P grows
        mid = (lo + hi) // 2
        found = prob.cheapest(mid)
        if found is not None and found[0] <= budget:
            hi, best = mid, found
        else:
            lo = mid + 1
    dsp, lanes, macs, jet_units = best
    dsp += prob.spend_on_jets(lo, lanes, jet_units, budget - dsp)
    floor = max([prob.fixed_floor] + [prob.group_period(i, lanes[i]) for i in range(len(prob.groups))]
                + [next(p for _, c, p in per if c == jet_units[op])  # jets at their functor
                   for i, g in enumerate(prob.groups)
                   for (op, _, _), per in zip(g.jets, prob.jet_periods.get((i, lanes[i]), []))])
    fixed_dsp = sum(g.least_dsp for g in prob.groups)
    units = (budget - fixed_dsp) // prob.sites[0].dsp_per_mac if prob.sites else 0
    bound = sum(s.work for s in prob.sites) / units if units else 0.0
    return Allocation(macs, lanes, lo, dsp, floor, bound, prob.groups, jet_units)


@dataclasses.dataclass(frozen=True)
class StreamParallelizePass(ModulePass):
    """Choose lanes per channel and MAC units per matmul under a DSP budget.

    Sets the lanes of every channel, `macs` on every matmul, `unroll` on a
    jet that needs fewer functors than lanes and `ii` on one whose functor
    runs at an initiation interval > 1 (operators shared), so that the
    slowest kernel's cycles per sample are as small as the budget allows
    (binary search over the period, an integer program per step; exact for
    the documented cost model). Records on the function `stream.dsp`,
    `stream.period` (cycles per sample), `stream.period_floor` (the slowest
    non-matmul kernel at the chosen lanes), `stream.compute_bound` (total
    MACs per sample / MAC units the budget buys at lanes 1, in cycles per
    sample) and `stream.max_lanes`. Run stream-balance afterwards.
    """

    name = "stream-parallelize"
    dsp_budget: int = option(3200, "DSP48 slices to spread over MAC units and map lanes")
    dsp_per_mac: int = option(0, "DSPs per MAC unit; 0 = from the element type (float32 5, fixed point 2)")

    def __post_init__(self):
        if self.dsp_budget < 1:
            raise ValueError(f"dsp-budget must be >= 1, got {self.dsp_budget}")
        if self.dsp_per_mac < 0:
            raise ValueError(f"dsp-per-mac must be >= 0, got {self.dsp_per_mac}")

    def apply(self, module: ir.Module) -> None:
        for f in forked_stream_funcs(module, needs="stream.matmul"):
            alloc = allocate(f, self.dsp_budget, self.dsp_per_mac or None)
            with f.context:
                for group, lanes in zip(alloc.groups, alloc.lanes):
                    _retype(group, lanes)
            for op, macs in alloc.macs.items():
                op.attributes["macs"] = S.i64_attr(macs)
            for op, (units, ii) in alloc.units.items():
                if units < S.channel_info(op.results[0].type).lanes:
                    op.attributes["unroll"] = S.i64_attr(units)
                if ii > 1:
                    op.attributes["ii"] = S.i64_attr(ii)
            f.attributes["stream.dsp"] = S.i64_attr(alloc.dsp)
            f.attributes["stream.period"] = S.i64_attr(alloc.period)
            f.attributes["stream.period_floor"] = S.i64_attr(alloc.floor)
            f.attributes["stream.compute_bound"] = S.i64_attr(math.ceil(alloc.compute_bound))
            f.attributes["stream.max_lanes"] = S.i64_attr(max(alloc.lanes, default=1))
