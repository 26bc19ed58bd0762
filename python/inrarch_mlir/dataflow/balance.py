"""FIFO balancing: minimum-bit depths at full throughput, verified by simulation.

1. **LP.**  Every kernel stage runs repetition b at ``start + b*P`` (P = the
   slowest per-repetition time among the stages that repeat as often: the
   rows before and after a barrier that changes the row count stream at
   their own rates).  For a FIFO whose consumer starts
   ``delta`` cycles after its producer, the depth needed by that periodic
   schedule, ``f(delta)`` = max over writes of (words written - words read
   before the write's cycle), is computed exactly from the two kernels'
   per-sample write/read profiles (:func:`depth_for_shift`).  ``f`` is a
   staircase that grows by W words per P cycles, so lines of slope
   ``s <= W/P`` below it on one period stay below it everywhere: those are
   the LP's cuts.  The LP over start times (difference constraints) minimises
   total bits; its optimum is the reported bound.  An edge whose two ends
   repeat differently is unrolled over the whole run and gets one flat cut.  Start times are
   rounded to integers and each depth is ``f(delta)`` exactly, so the static
   schedule is feasible and the bounded design is at least that fast.
2. **Verify.**  Simulate (as-soon-as-possible semantics); if it deadlocks or
   takes more than ``(1 + tol)`` times the unbounded-FIFO cycles, grow the
   FIFOs the simulator saw full when kernels stalled, and repeat.
3. **Tighten.**  Cut every depth to the peak occupancy of the verified run
   (same schedule, for free; or of the unbounded run, when that needs fewer
   bits), then bisect single FIFOs downwards while the
   design still meets the cycle limit without deadlock.  Lowering one FIFO
   never speeds anything up, so after one greedy pass every shrunk FIFO is
   tight: one word less deadlocks or loses throughput.
4. **Sequential order.**  Steps 1-3 use the timing model's pipelined order,
   in which a kernel has read up to its latency's worth of words ahead when a
   full FIFO stalls its write.  The C++ kernels (and a pipeline that holds
   nothing) follow the sequential order (`events`), so every cycle of waits
   in that order has its full FIFOs grown until there is none, then each
   grown FIFO is bisected back down.  Deeper FIFOs keep the pipelined order
   deadlock-free, so the design is deadlock-free in both; its cycles are
   simulated again.

Every check goes through a `timer`: the whole batch, or above
`steady.STEADY_MIN_EVENTS` events the periodic steady state of a few
samples, which gives the same answers at a cost that does not grow with
the batch (the LP then starts from `LP_BATCH` samples).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from .deadlock import find_cycle
from .events import EventProgram, ProgramShape, StagePattern
from .graph import DataflowGraph
from .timer import CycleFinder, SteadyTimer, make_timer

__all__ = ["BalanceResult", "balance", "depth_for_shift", "lp_depths"]

#: Batch the LP is solved at when a large batch is timed from its steady state.
LP_BATCH = 64
_CUT_SLOPES = (0.0, 0.125, 0.25, 0.5, 0.75, 1.0)  # fractions of W/P


@dataclass
class BalanceResult:
    """Depths (edge name -> words) and the numbers behind them.

    ``lp_optimum_bits`` is the LP optimum: the fewest FIFO bits among *rigid*
    periodic schedules (every kernel keeping its nominal intra-sample timing,
    period ``period``), as far as the LP's cuts describe them.  It is NOT a
    bound on ``total_bits``: the simulated design lets kernels stall inside a
    sample, which often needs less (the cuts are also exact only while a FIFO
    holds less than the whole batch).  ``lp_depths`` are the rounded LP depths
    before verification; ``schedule`` maps each kernel to the LP start cycle
    of each of its stages.  ``cycles`` is the simulated run with ``depths``,
    ``reference_cycles`` the same run with unbounded FIFOs.
    """

    depths: dict[str, int]
    total_bits: int
    total_words: int
    lp_optimum_bits: float
    lp_depths: dict[str, int]
    lp_bits: int
    schedule: dict[str, list[int]]
    period: int
    cycles: int
    reference_cycles: int
    raise_rounds: int = 0
    shrunk_fifos: int = 0
    #: FIFOs grown so that the sequential program order cannot deadlock (step 4)
    sequential_grown: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def to_json(self, **kw) -> str:
        return json.dumps(self.to_dict(), **kw)


# -- depth as a function of the consumer's delay --------------------------------------
def depth_for_shift(ow: np.ndarray, orr: np.ndarray, samples: int, period: int,
                    delta: np.ndarray | int) -> np.ndarray:
    """Depth needed when the consumer's schedule is ``delta`` cycles behind the producer's.

    ``ow``/``orr`` are the cycles (within one sample) of the W writes and W
    reads of the FIFO; sample b's events are ``b*period`` later (reads also
    ``delta`` later).  Uses the FIFO rule of :mod:`.events`: write k needs
    read k-depth in an earlier cycle.  Exact for integer ``delta``.
    """
    ow = np.asarray(ow, dtype=np.int64)
    orr = np.asarray(orr, dtype=np.int64)
    scalar = np.ndim(delta) == 0
    delta = np.atleast_1d(np.asarray(delta, dtype=np.int64))
    W, B, P = len(ow), samples, period
    out = np.empty(len(delta), dtype=np.int64)
    w = np.arange(W, dtype=np.int64)[None, :]
    step = max(1, 2_000_000 // max(W, 1))
    for a in range(0, len(delta), step):
        dl = delta[a:a + step, None]
        x = ow[None, :] - 1 - dl
        q0 = np.floor_divide(x, P)
        cnt = np.searchsorted(orr, x - q0 * P, side="right")
        best = np.full(x.shape, np.iinfo(np.int64).min)
        for b in (np.clip(-q0, 0, B - 1), np.zeros_like(q0), np.full_like(q0, B - 1)):
            m = b + q0
            R = W * np.clip(m, 0, B) + cnt * ((m >= 0) & (m <= B - 1))
            np.maximum(best, b * W + w + 1 - R, out=best)
        out[a:a + step] = np.maximum(best.max(axis=1), 0)
    return out[0] if scalar else out


# -- the LP -----------------------------------------------------------------------------
@dataclass
class _Units:
    """Kernel stages as LP variables, and per-edge write/read profiles.

    Unit u repeats ``reps[u]`` times every ``per[u]`` cycles.  Edge e's
    profile is one repetition of its producer's writes (``ow``) and its
    consumer's reads (``orr``), repeated ``samples[e]`` times every
    ``period[e]`` cycles on both sides; an edge whose two ends repeat
    differently is unrolled into one repetition of the whole run.
    """

    names: list[tuple[str, int]]
    index: dict[tuple[str, int], int]
    lower: np.ndarray
    diff: list[tuple[int, int, float]]  # s_v - s_u >= w
    edge_u: np.ndarray
    edge_v: np.ndarray
    ow: list[np.ndarray]
    orr: list[np.ndarray]
    samples: list[int]
    period: list[int]
    periodic: list[bool]


def _port_stages(pats: list[StagePattern]) -> dict[tuple[int, bool], list[int]]:
    """Stages in which each edge end (edge, is_write) of a kernel has events."""
    ends: dict[tuple[int, bool], list[int]] = {}
    for q, pat in enumerate(pats):
        for e in np.unique(pat.edge):
            for isw in (False, True):
                if ((pat.edge == e) & (pat.is_write == isw)).any():
                    ends.setdefault((int(e), isw), []).append(q)
    return ends


def _rigid(pats: list[StagePattern]) -> bool:
    """A kernel using a port in several stages (the double-buffered matmul)."""
    return any(len(qs) > 1 for qs in _port_stages(pats).values())


def _stage_rows(graph: DataflowGraph, prog: EventProgram, kname: str) -> list[int]:
    """The rows each stage of a kernel streams: its repetition count, except
    that all stages of a rigid kernel stream its `samples` rows (a matmul's
    row 0, rows 1..B-2 and last row are one stream of B rows)."""
    reps = list(prog.repeats[kname])
    if _rigid(prog.patterns[kname]):
        return [graph.kernel(kname).samples] * len(reps)
    return reps


def stage_periods(graph: DataflowGraph, prog: EventProgram, period: int | None = None) -> dict[int, int]:
    """Rigid-schedule period per number of rows streamed.

    Stages that stream the same rows share one period: the slowest one's
    time per row (or ``period`` if longer)."""
    out: dict[int, int] = {}
    for kname in prog.names:
        for rows, pat in zip(_stage_rows(graph, prog, kname), prog.patterns[kname]):
            out[rows] = max(out.get(rows, 1), pat.duration, period or 0)
    return out


def _port_times(pat: StagePattern, e: int, isw: bool) -> np.ndarray:
    """Cycles (within one repetition) of a stage's events on one edge end, in word order."""
    sel = (pat.edge == e) & (pat.is_write == isw)
    return pat.offset[sel][np.argsort(pat.word[sel], kind="stable")]


def _units(graph: DataflowGraph, prog: EventProgram, periods: dict[int, int]) -> _Units:
    """LP units: one per kernel stage, or one per *rigid* kernel.

    A kernel that uses a port in several stages (a matmul reading row b+1
    while it computes row b) keeps its stages back to back: one unit whose
    edges are unrolled over the whole run."""
    names, lower, diff, reps, per = [], [], [], [], []
    index: dict[tuple[str, int], int] = {}
    # edge end -> (unit, periodic pattern or None, unrolled times or None)
    where: dict[tuple[int, bool], tuple] = {}
    for kname in prog.names:
        k = graph.kernel(kname)
        pats = prog.patterns[kname]
        stage_reps = prog.repeats[kname]
        ends = _port_stages(pats)
        if any(len(qs) > 1 for qs in ends.values()):  # rigid: one unit, stages back to back
            u = len(names)
            index[(kname, 0)] = u
            names.append((kname, 0))
            reps.append(1)
            per.append(1)
            lower.append(k.prologue_cycles)
            P = periods[k.samples]  # every stage streams the kernel's rows
            start, t = [], 0
            for R, pat in zip(stage_reps, pats):
                start.append(t)
                t += (R - 1) * P + max(P, pat.duration) if R > 1 else pat.duration
            for (e, isw), qs in ends.items():
                times = np.concatenate([
                    (start[q] + np.arange(stage_reps[q], dtype=np.int64)[:, None] * P
                     + _port_times(pats[q], e, isw)[None, :]).ravel() for q in qs])
                where[(e, isw)] = (u, None, times)
            continue
        for q, (R, pat) in enumerate(zip(stage_reps, pats)):
            u = len(names)
            index[(kname, q)] = u
            names.append((kname, q))
            reps.append(R)
            per.append(periods[R])
            lower.append(k.prologue_cycles if q == 0 else 0)
            if q > 0:
                diff.append((u - 1, u, (reps[u - 1] - 1) * per[u - 1] + pats[q - 1].duration))
            for (e, isw), qs in ends.items():
                if qs == [q]:
                    where[(e, isw)] = (u, pat, None)
    E = len(graph.edges)
    eu, ev, ows, ors, samples, periods_e, periodic = np.zeros(E, np.int64), np.zeros(E, np.int64), [], [], [], [], []
    for e in range(E):
        u, pu, tu = where[(e, True)]
        v, pv, tv = where[(e, False)]
        ow = _port_times(pu, e, True) if pu is not None else tu
        orr = _port_times(pv, e, False) if pv is not None else tv
        if pu is not None and pv is not None and reps[u] == reps[v] and len(ow) == len(orr) and per[u] == per[v]:
            samples.append(reps[u]); periods_e.append(per[u]); periodic.append(True)
        else:  # unroll both sides over the whole run: one repetition
            if pu is not None:
                ow = (np.arange(reps[u], dtype=np.int64)[:, None] * per[u] + ow[None, :]).ravel()
            if pv is not None:
                orr = (np.arange(reps[v], dtype=np.int64)[:, None] * per[v] + orr[None, :]).ravel()
            samples.append(1); periods_e.append(int(max(ow.max(), orr.max())) + 1); periodic.append(False)
        eu[e], ev[e] = u, v
        ows.append(ow)
        ors.append(orr)
        diff.append((u, v, float((ow - orr).max() + 1)))
    return _Units(names, index, np.array(lower, dtype=float), diff, eu, ev, ows, ors,
                  samples, periods_e, periodic)


def _cuts(ow, orr, B, P, dmin, budget=40_000, periodic=True) -> list[tuple[float, float]]:
    """(slope, intercept) pairs with depth >= slope*delta + intercept for delta >= dmin.

    An unrolled (not periodic) edge gets the flat cut only: its depth never
    falls as the consumer starts later, so the depth at ``dmin`` bounds it."""
    if not periodic:
        return [(0.0, float(depth_for_shift(ow, orr, B, P, dmin)))]
    W = len(ow)
    a = W / P
    stride = max(1, math.ceil((P + 1) * W / budget))
    grid = np.arange(dmin, dmin + P + stride, stride, dtype=np.int64)
    f = depth_for_shift(ow, orr, B, P, grid).astype(float)
    cuts = []
    for frac in _CUT_SLOPES:
        s = a * frac
        c = float((f - s * grid).min()) - s * (stride - 1)
        cuts.append((s, c))
    return cuts


def _solve_lp(graph: DataflowGraph, units: _Units, min_depth: int):
    """The balancing LP: (start time per unit, depth variable per edge, optimum bits).

    Among optimal solutions the earliest starts are taken (a second LP)."""
    U, E = len(units.names), len(graph.edges)
    bits = np.array([e.bits_per_word for e in graph.edges], dtype=float)
    rows, cols, vals, rhs = [], [], [], []
    r = 0
    for u, v, w in units.diff:  # s_u - s_v <= -w
        rows += [r, r]; cols += [u, v]; vals += [1.0, -1.0]; rhs.append(-w); r += 1
    for e in range(E):
        u, v = int(units.edge_u[e]), int(units.edge_v[e])
        lo = int((units.ow[e] - units.orr[e]).max() + 1)
        for s, c in _cuts(units.ow[e], units.orr[e], units.samples[e], units.period[e], lo,
                          periodic=units.periodic[e]):
            # s*(s_v - s_u) - d_e <= -c
            rows += [r, r, r]; cols += [v, u, U + e]; vals += [s, -s, -1.0]; rhs.append(-c); r += 1
    A = coo_matrix((vals, (rows, cols)), shape=(r, U + E)).tocsr()
    b = np.array(rhs)
    bounds = [(lo, None) for lo in units.lower] + [(min_depth, None)] * E
    cost = np.concatenate([np.zeros(U), bits])
    res = linprog(cost, A_ub=A, b_ub=b, bounds=bounds, method="highs")
    if res.status != 0:
        raise RuntimeError(f"balancing LP failed: {res.message}")
    opt = float(res.fun)
    # Among optimal solutions prefer the earliest starts (shorter latency).
    A2 = coo_matrix((list(vals) + list(bits), (rows + [r] * E, cols + list(range(U, U + E)))),
                    shape=(r + 1, U + E)).tocsr()
    b2 = np.append(b, opt * (1 + 1e-9) + 1e-6)
    res2 = linprog(np.concatenate([np.ones(U), np.zeros(E)]), A_ub=A2, b_ub=b2, bounds=bounds,
                   method="highs")
    x = res2.x if res2.status == 0 else res.x
    return x[:U], x[U:], opt


def _round_schedule(units: _Units, s: np.ndarray) -> np.ndarray:
    """Integer start times satisfying every difference constraint (units are topo-ordered)."""
    si = np.maximum(np.round(s - 1e-7), units.lower).astype(np.int64)
    arcs = sorted(units.diff, key=lambda t: t[1])
    by_v: dict[int, list[tuple[int, float]]] = {}
    for u, v, w in arcs:
        by_v.setdefault(v, []).append((u, w))
    for v in range(len(si)):
        for u, w in by_v.get(v, ()):
            si[v] = max(si[v], si[u] + int(math.ceil(w)))
    return si


def lp_depths(graph: DataflowGraph, *, min_depth: int = 1, period: int | None = None):
    """Solve the balancing LP only.

    Returns (integer depths per edge name, LP start cycles per kernel stage,
    the LP optimum in bits (not a lower bound, see `BalanceResult`), the
    period, the `ProgramShape` of the graph)."""
    prog = ProgramShape(graph)
    periods = stage_periods(graph, prog, period)
    P = max(periods.values(), default=1)
    units = _units(graph, prog, periods)
    s, _, opt = _solve_lp(graph, units, min_depth)
    si = _round_schedule(units, s)
    depths = {}
    for e, edge in enumerate(graph.edges):
        delta = int(si[units.edge_v[e]] - si[units.edge_u[e]])
        d = int(depth_for_shift(units.ow[e], units.orr[e], units.samples[e], units.period[e], delta))
        depths[edge.name] = max(min_depth, d)
    schedule: dict[str, list[int]] = {}
    for (k, q), u in units.index.items():
        schedule.setdefault(k, []).append(int(si[u]))
    return depths, schedule, opt, P, prog


# -- verification and tightening -------------------------------------------------------
def _repair_sequential(graph: DataflowGraph, d: np.ndarray, max_rounds: int, seconds: float | None = 10.0,
                       steady: bool | None = None) -> int:
    """Grows (in place) the full FIFOs of every cycle of waits in the sequential
    program order until there is none, then bisects each grown FIFO back down
    while none appears (within `seconds`); returns how many FIFOs grew."""
    finder = CycleFinder(graph, pipelined=False, steady=steady)
    index = {e.name: i for i, e in enumerate(graph.edges)}
    before = d.copy()
    for _ in range(max_rounds):
        report = find_cycle(finder.program(d))
        if report is None:
            break
        full = [index[n] for n, state in report.fifos.items() if state == "full"]
        for i in full or [index[n] for n in report.fifos]:
            d[i] += max(1, d[i] // 2)
    else:
        raise RuntimeError(f"the sequential program order still deadlocks after {max_rounds} rounds of growth")
    grown = np.flatnonzero(d > before)
    deadline = None if seconds is None else time.perf_counter() + seconds
    bits = np.array([e.bits_per_word for e in graph.edges], dtype=np.int64)
    for i in sorted(grown, key=lambda i: -int(bits[i] * d[i])):
        lo, hi = int(before[i]), int(d[i])  # lo - 1 < before[i]: known to deadlock or not needed
        while lo < hi and (deadline is None or time.perf_counter() < deadline):
            mid = (lo + hi) // 2
            d[i] = mid
            if find_cycle(finder.program(d)) is None:
                hi = mid
            else:
                lo = mid + 1
        d[i] = hi
    return int((d > before).sum())



def balance(graph: DataflowGraph, *, min_depth: int = 1, tol: float = 0.01,
            period: int | None = None, shrink: bool = True, shrink_threshold: int = 2,
            shrink_seconds: float | None = 30.0, exact_events: int = 3_000_000,
            max_raise_rounds: int = 12, max_sequential_rounds: int = 1000,
            steady: bool | None = None) -> BalanceResult:
    """Size every FIFO of ``graph`` for full throughput with the fewest bits.

    * ``min_depth``: smallest depth handed out (HLS uses 2 by default).
    * ``tol``: allowed slow-down against unbounded FIFOs (0.01 = 1 %).
    * ``period``: force a longer throughput period than the slowest kernel's.
    * ``shrink``: bisect FIFOs deeper than ``shrink_threshold`` down to
      tightness; ``shrink_seconds`` caps the time spent (None = no cap).
    * ``exact_events``: above this many events, runs whose fast solver does
      not settle count as failures instead of running the exact solver
      (safe: depths are only ever accepted after a successful check).
    * ``steady``: time the full batch from its periodic regime (`steady`;
      None: when the model exceeds `steady.STEADY_MIN_EVENTS` events); the
      LP then runs on `LP_BATCH` samples when the batch is larger (its
      depths are only the starting point; checks are exact at the batch).
    """
    t0 = time.perf_counter()
    timer = make_timer(graph, exact_events, steady)
    lp_graph = graph
    if isinstance(timer, SteadyTimer) and graph.samples > LP_BATCH:  # the rigid LP unrolls the batch
        lp_graph = timer.fam.at(LP_BATCH)
    depths, schedule, opt, P, _ = lp_depths(lp_graph, min_depth=min_depth, period=period)
    lp_d = dict(depths)
    t1 = time.perf_counter()
    names = [e.name for e in graph.edges]
    bits = np.array([e.bits_per_word for e in graph.edges], dtype=np.int64)

    # reference: unbounded FIFOs
    ref, ref_peaks = timer.reference()
    limit = int(math.floor(ref * (1 + tol) + 1e-9))

    # verify, growing the FIFOs that were full when kernels stalled
    d = np.array([depths[n] for n in names], dtype=np.int64)
    rounds = 0
    while True:
        if timer.check(d, limit):
            break
        rounds += 1
        if rounds > max_raise_rounds:
            d = np.maximum(d, np.maximum(ref_peaks, min_depth))
            if not timer.check(d, limit, "ref"):
                raise RuntimeError("depths from the unbounded run do not reproduce it")
            break
        res = timer.result()
        if res.deadlocked:
            grow = np.array([res.blocked_fifos.get(n) == "full" for n in names])
        else:
            grow = np.array([res.full_stall_cycles[n] > 0 for n in names])
        if not grow.any():
            grow[:] = True
        d = np.where(grow, d + np.maximum(1, d // 2), d)
    t2 = time.perf_counter()

    # tighten: peak occupancy of the verified run reproduces it exactly; the
    # unbounded run's peaks do too, and win when stalls the LP schedule did
    # not foresee made the verified depths grow
    d = np.maximum(timer.peaks(), min_depth)
    ref_d = np.maximum(ref_peaks, min_depth)
    start = "current"
    if int((bits * ref_d).sum()) < int((bits * d).sum()):
        d, start = ref_d, "ref"
    ok = timer.check(d, limit, start)
    assert ok, "peak occupancies reproduce the run they come from"
    timer.accept()
    shrunk = 0
    if shrink:
        deadline = None if shrink_seconds is None else time.perf_counter() + shrink_seconds
        order = sorted((i for i in range(len(d)) if d[i] > max(shrink_threshold, min_depth)),
                       key=lambda i: -int(bits[i] * d[i]))
        for i in order:
            if deadline is not None and time.perf_counter() > deadline:
                break
            lo, hi = min_depth, int(d[i])
            before = hi
            while lo < hi:
                mid = (lo + hi) // 2
                d[i] = mid
                if timer.check(d, limit, "good", edge=i):
                    hi = mid
                    timer.accept()
                else:
                    lo = mid + 1
            d[i] = hi
            shrunk += hi < before
        timer.restore()
        d = np.maximum(timer.peaks(), min_depth)
    grown = _repair_sequential(graph, d, max_rounds=max_sequential_rounds, steady=steady)
    if grown:
        ok = timer.check(d, limit)
        assert ok, "deeper FIFOs never slow the design down"
    cycles = timer.cycles()
    t3 = time.perf_counter()
    out = {n: int(x) for n, x in zip(names, d)}
    return BalanceResult(
        depths=out,
        total_bits=int((bits * d).sum()),
        total_words=int(d.sum()),
        lp_optimum_bits=opt,
        lp_depths=lp_d,
        lp_bits=int(sum(bits[i] * lp_d[n] for i, n in enumerate(names))),
        schedule=schedule,
        period=P,
        cycles=cycles,
        reference_cycles=ref,
        raise_rounds=rounds,
        shrunk_fifos=shrunk,
        sequential_grown=grown,
        seconds={"lp": t1 - t0, "verify": t2 - t1, "tighten": t3 - t2, "total": t3 - t0},
    )
