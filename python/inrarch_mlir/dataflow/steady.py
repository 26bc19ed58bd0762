"""Batch-independent timing: simulate a few samples, extrapolate the periodic regime exactly.

A graph's *batch family* (:func:`batch_family`) is the same design at any
batch b: each streaming kernel has one *middle* stage that repeats with the
batch (``mult * b + offset`` times: a matmul's rows 1..b-1, three Taylor rows
a sample), between head and tail stages that do not (weights, row 0, the
last row).  Event times are the longest paths of a max-plus linear system
(:mod:`.events`): ``t = max(t_prev + gap, t_dep + 1)``, with a constant
release only on each kernel's first event.  Let D_j be the smallest set of
events closed under predecessors that holds every head event and the first
j middle samples of every streaming kernel (:meth:`Layout.closure`), *slab*
j+1 = D_{j+1} \\ D_j, and F_j the *frontier*: the events of D_j with an arc
leaving it.  No arc enters D_j from outside, so what follows D_j depends on
it only through F_j, a cycle of waits lies within one slab, and D_j can be
solved before anything after it (:func:`_solve` goes window by window).  In
the middle the arcs are invariant under the shift S by one sample.

**The criterion** (:func:`find_regime`), at slab n and cyclicity c: D_n is
D_{n-c} shifted (every streaming kernel's cut c samples on, the others
unchanged, a whole sample of middle left after it), F_{n-c} holds middle
events only, F_n = S^c F_{n-c}, each streaming kernel k moves its frontier
events by one constant L_k = T(u) - T(S^-c u), L_p <= L_c on every FIFO
(equal when it is bounded: its arcs run both ways), and where the L differ,
every event of the last c slabs is attained through an arc from a kernel of
its own L.  Then, by induction over the slabs in topological order,
T(S^c v) = T(v) + L_k(v) for every later middle event v: each arc into
S^c v is the shift of an arc into v; arcs from kernels of the same L keep
their value plus L, the others gain at most L and, not binding, only get
slacker (the max-plus map is homogeneous: no constant catches up).  That is
exact, not a tolerance.  So the full batch B is D_n, (B - b)/c copies of
D_n \\ D_{n-c} shifted by multiples of L_k, and the tail of the batch-b
design after D_n, recomputed with D_n frozen at its shifted times (the tail
of batch B is the tail of batch b, moved).  Deadlock: a cycle lies within
one slab, so batch b deadlocks exactly when batch B does once batch b has a
regular middle slab (:func:`regular_slab`).  Occupancies, stalls and traces
of the full batch come from the three parts (:class:`VirtualSeq`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .events import EventProgram, max_events, resolve_depths
from .graph import DataflowGraph, Depths
from .regime import BatchFamily, Layout, Regime, batch_family, find_regime, full_events, regular_slab
from .simulate import SimResult, Simulator, sim_result

__all__ = ["SteadyRun", "steady_run", "simulate", "full_events", "use_steady", "cycle_program", "STEADY_MIN_EVENTS",
           "START_BATCH"]

#: Below this many events in the full-batch model, ``simulate`` and friends
#: simulate the whole batch (steady=None): nothing to gain, and nothing moves.
STEADY_MIN_EVENTS = 2_000_000
#: First batch simulated; doubled until the regime is established.
START_BATCH = 16
#: The largest small batch tried, in events: a design whose regime does not show by
#: then (a whole-tensor barrier over the batch has none) falls back to the whole
#: batch at once, instead of doubling up to the event limit (minutes).
MAX_SMALL_EVENTS = 4 * STEADY_MIN_EVENTS


# -- sequences of the full batch from three parts -----------------------------------------
@dataclass
class VirtualSeq:
    """A nondecreasing sequence ``head ++ copies ++ tail``: copy q (0 <= q < n) is
    ``block + (q+1)*step``.  Counts of elements below a time, without expanding it."""

    head: np.ndarray
    block: np.ndarray
    step: int
    n: int
    tail: np.ndarray

    def __len__(self) -> int:
        return len(self.head) + self.n * len(self.block) + len(self.tail)

    def count(self, t: np.ndarray, side: str) -> np.ndarray:
        """Elements ``< t`` (side "left") or ``<= t`` ("right"), for an array of times."""
        t = np.asarray(t, dtype=np.int64)
        out = np.searchsorted(self.head, t, side) + np.searchsorted(self.tail, t, side)
        if self.n and len(self.block):
            a = t - int(self.block[-1])
            full = (-(-a // self.step) - 1) if side == "left" else a // self.step
            full = np.clip(full, 0, self.n)
            part = np.searchsorted(self.block, t - (full + 1) * self.step, side)
            out = out + full * len(self.block) + np.where(full < self.n, part, 0)
        return out

    def max(self) -> int:
        vals = [int(x[-1]) for x in (self.head, self.tail) if len(x)]
        if self.n and len(self.block):
            vals.append(int(self.block[-1]) + self.n * self.step)
        return max(vals, default=-1)


def _peak(writes: VirtualSeq, reads: VirtualSeq) -> int:
    """Largest occupancy at a write: words written through it minus words read before its cycle."""
    best = 0
    for base, times in ((0, writes.head), (len(writes) - len(writes.tail), writes.tail)):
        if len(times):
            occ = base + np.arange(1, len(times) + 1) - reads.count(times, "left")
            best = max(best, int(occ.max()))
    B, n, m = writes.block, writes.n, len(writes.block)
    if not (n and m):
        return best
    # Between the ends (every head read before the write, no tail read, the
    # read copies unclipped) the occupancy at copy q is constant when both
    # sides shift alike and nondecreasing when the reads shift more (a window
    # of one write shift holds at most one block of reads), so the copies at
    # both ends decide.
    Lp, Lc, R = writes.step, reads.step, reads.block
    need = max(int(R.max()) + Lc, int(reads.head.max()) if len(reads.head) else 0)
    q_lo = (need - int(B.min())) // Lp + 2
    cap = int(R.min()) + n * Lc
    if len(reads.tail):
        cap = min(cap, int(reads.tail.min()))
    q_hi = (cap - 1 - int(B.max())) // Lp - 3
    if q_hi <= q_lo:
        qs = np.arange(n, dtype=np.int64)
    else:
        qs = np.concatenate([np.arange(0, min(q_lo + 1, n)), np.arange(max(q_hi, 0), n)]).astype(np.int64)
    step = max(1, 1_000_000 // m)
    for a in range(0, len(qs), step):
        q = qs[a:a + step, None]
        t = B[None, :] + (q + 1) * Lp
        occ = len(writes.head) + q * m + np.arange(1, m + 1)[None, :] - reads.count(t.ravel(), "left").reshape(t.shape)
        best = max(best, int(occ.max()))
    return best


# -- one extrapolated run -------------------------------------------------------------------
@dataclass
class SteadyRun:
    """The full batch from a batch-b run: its two solutions and the regime."""

    lay: Layout
    regime: Regime
    copies: int  # (B - b) / c
    t1: np.ndarray  # the batch-b run (exact below the regime's cuts)
    t2: np.ndarray  # the tail after them, with the cuts frozen at their shifted times
    finished: np.ndarray  # per kernel, after the tail
    #: stopped once past a cycle limit: ``t2`` holds lower bounds
    exceeded: bool = False
    #: whether ``t1`` is solved past the cuts too (else only below them)
    t1_complete: bool = False

    @property
    def deadlocked(self) -> bool:
        return not bool(self.finished.all())

    def total_cycles(self) -> int:
        """The cycle after the last event of the full batch: in ``t2``, which holds
        the last copies (the frozen cuts at their shifted times) and the tail."""
        return int(self.t2.max(initial=-1)) + 1

    def _inside(self) -> np.ndarray:
        p, cuts = self.lay.prog, self.regime.cuts
        pos = np.arange(p.n_events) - p.off[p.kernel]
        return pos < cuts[p.kernel]

    def sequences(self) -> list[tuple[VirtualSeq, VirtualSeq]]:
        """Write and read times of each edge over the full batch."""
        lay, rg, p = self.lay, self.regime, self.lay.prog
        w, r = lay.counts(rg.cuts)
        out = []
        for e in range(len(p.graph.edges)):
            lo, hi = p.eoff[e], p.eoff[e + 1]
            pair = []
            for flat, k, cut in ((p.wflat, p.src[e], w[e]), (p.rflat, p.dst[e], r[e])):
                ev = flat[lo:hi]
                block = self.t1[ev[cut - rg.c * lay.W[e]:cut]] if lay.W[e] else self.t1[ev[:0]]
                tail = self.t2[ev[cut:]]
                pair.append(VirtualSeq(self.t1[ev[:cut]], block, int(rg.L[k]), self.copies, tail[tail >= 0]))
            out.append(tuple(pair))
        return out

    def result(self, trace_points: int = 128):
        lay, rg, p = self.lay, self.regime, self.lay.prog
        g = p.graph
        inside = self._inside()
        T = np.where(inside, self.t1, self.t2)
        ran = T >= 0
        # delay increments as in `Simulator.result`; after the cuts the previous
        # event is the frozen one, at its shifted time
        x1, x2 = self.t1 - p.nominal, self.t2 - p.nominal
        inc = np.where(inside, x1 - np.concatenate([[0], x1[:-1]]), x2 - np.concatenate([[0], x2[:-1]]))
        starts = p.off[:-1][p.off[:-1] < p.off[1:]]
        inc[starts] = np.where(inside, x1, x2)[starts]
        inc = np.where(ran, inc, 0)
        pos = np.arange(p.n_events) - p.off[p.kernel]
        block = lay.streaming[p.kernel] & (pos >= rg.cuts_lo[p.kernel]) & (pos < rg.cuts[p.kernel])
        weight = 1 + self.copies * block
        K, w = len(p.names), p.is_write
        blocked = np.bincount(p.kernel[w], (inc * weight)[w], minlength=K).astype(np.int64)
        starved = np.bincount(p.kernel[~w], (inc * weight)[~w], minlength=K).astype(np.int64)
        full = np.bincount(p.edge[w], (inc * weight)[w], minlength=len(g.edges)).astype(np.int64)
        names = [e.name for e in g.edges]
        seqs = self.sequences()
        total = max(max(ws.max(), rs.max()) for ws, rs in seqs) + 1 if seqs else 0
        total = max(total, int(T[ran].max()) + 1 if ran.any() else 0)
        deadlocked = not bool(self.finished.all())
        peak = {n: _peak(ws, rs) for n, (ws, rs) in zip(names, seqs)}
        blocked_fifos = {names[i]: "full" for i in np.flatnonzero(full > 0)}
        if deadlocked:
            blocked_fifos = {}
            stuck = p.off[:-1] + np.array([int((self.t2[p.off[k]:p.off[k + 1]] >= 0).sum()) for k in range(K)])
            for k in np.flatnonzero(~self.finished):
                i = int(stuck[k])
                blocked_fifos[names[int(p.edge[i])]] = "full" if p.is_write[i] else "empty"
        if trace_points and total > 0:
            times = np.unique(np.linspace(0, total, trace_points).astype(np.int64))
            trace = np.stack([ws.count(times, "right") - rs.count(times, "left") for ws, rs in seqs], axis=1) \
                if seqs else np.zeros((len(times), 0), dtype=np.int64)
        else:
            times = np.zeros(0, dtype=np.int64)
            trace = np.zeros((0, len(g.edges)), dtype=np.int64)
        S = lay.streaming
        return sim_result(p.names, names, total, deadlocked, blocked_fifos, peak, blocked, starved, full, times,
                          trace, "steady",
                          {"samples_simulated": lay.b, "prefix_samples": rg.n, "cyclicity": rg.c,
                           "cycles_per_cycle": sorted({int(v) for v in rg.L[S]})})


#: Samples added to the window of each slab-wise solve.
SLAB_STEP = 4


def _solve(sim, lay: Layout, max_sweeps: int, frozen: np.ndarray | None = None, j: int = 0, *,
           limit: int | None = None, stop=None) -> str:
    """Solve ``sim`` slab by slab above ``frozen`` (the cuts of D_j, already solved):
    each window is closed under predecessors, so its times are final once its
    sweeps settle, and a throttled design settles in a few sweeps per window
    instead of one per stall handed back along the whole run.  A window that
    does not settle (a deadlock) goes to the exact frontier solver.

    Returns "done", "exceeded" (an event at or past ``limit``: the times are
    lower bounds) or "stopped" (``stop(j)`` said so once D_j was solved)."""
    base = np.zeros(len(lay.length), dtype=np.int64) if frozen is None else frozen.copy()
    cuts = base.copy()
    S = lay.streaming
    out = "done"
    while True:
        j += SLAB_STEP
        nxt = lay.closure(np.maximum(lay.initial(j), cuts))
        last = bool((nxt[S] > lay.mid_end[S] - lay.epr[S]).any())
        if last:
            nxt = lay.length.copy()
        sim.frozen, sim.upper = cuts, nxt
        status = sim.sweep(max_sweeps=max_sweeps, limit=limit)
        sim.upper = None
        if status == "exceeded":
            out = "exceeded"
            break
        if status != "converged":
            sim.frontier()  # from the windows solved so far
            break
        if last:
            sim.finished[:] = True
            break
        cuts = nxt
        if stop is not None and stop(j):
            out = "stopped"
            break
    sim.frozen = base
    return out


def steady_run(fam: BatchFamily, depths: Depths | None, *, pipelined: bool = True, max_sweeps: int = 128,
               cache: dict | None = None, start: SteadyRun | None = None, dirty: np.ndarray | None = None,
               limit: int | None = None):
    """The full batch of ``fam`` from the smallest batch (doubling from `START_BATCH`)
    whose run reaches the regime; or, when a batch deadlocks with a regular
    middle slab (so the full batch deadlocks too), that batch's `SimResult`
    (``steady_state["samples_simulated"]``: its figures are that batch's);
    or None when neither shows up to half the batch or the event limit.

    ``cache`` (optional, updated) keeps the batch-b programs between calls;
    ``start``: an earlier run at depths no smaller, whose times are lower
    bounds here (``dirty``: the kernels next to the FIFOs lowered since);
    ``limit``: stop as soon as the full batch is known to take more cycles
    (the run's ``exceeded`` is then set and its figures are lower bounds)."""
    b = (cache or {}).get("batch", max(START_BATCH, fam.min_batch + 6))
    while 2 * b <= fam.batch and fam.events_at(b) <= min(max_events(), MAX_SMALL_EVENTS):
        run = _try_batch(fam, b, depths, pipelined, max_sweeps, cache, start if start and start.lay.b == b else None,
                         dirty, limit)
        if run is not None:
            if cache is not None and isinstance(run, SteadyRun):  # where the next call starts
                cache["batch"] = max(START_BATCH, 1 << int(run.regime.n + 8).bit_length())
            return run
        b *= 2
    return None


def _try_batch(fam, b, depths, pipelined, max_sweeps, cache, start, dirty, limit, adjust=True) -> SteadyRun | None:
    key = (b, pipelined)
    cache = {} if cache is None else cache
    if key in cache:
        prog = cache[key]
        prog.set_depths(resolve_depths(prog.graph, depths))
    else:
        prog = EventProgram(fam.at(b), depths, pipelined=pipelined)
    cache[key] = prog
    lay = Layout(fam, prog, b)
    sim = Simulator(prog)
    found: list[Regime] = []

    def probe(j: int) -> bool:  # D_j is solved: the regime may already show there
        rg = find_regime(lay, sim.times, sim.times >= 0, n=j) if j < lay.mid_samples[lay.streaming].min() else None
        found[:] = [rg] if rg is not None else []
        return rg is not None

    complete = True
    if start is not None:  # lower bounds: a complete solution resweeps the kernels next to a change
        sim.times = start.t1.copy()
        if not start.t1_complete or sim.sweep(dirty=dirty, max_sweeps=16) != "converged":
            complete = _solve(sim, lay, max_sweeps, stop=probe) == "done"
    else:
        complete = _solve(sim, lay, max_sweeps, stop=probe) == "done"
    t1 = sim.times.copy()
    if not found and not sim.finished.all():
        if not regular_slab(lay):
            return None
        res = sim.result(0, "frontier")
        res.steady_state = {"samples_simulated": b, "deadlocked": True}
        return res
    rg = found[0] if found else find_regime(lay, t1, t1 >= 0)
    if rg is None:
        return None
    if (fam.batch - b) % rg.c:  # the same regime, at a batch the cyclicity divides
        if not adjust:
            return None
        return _try_batch(fam, b + (fam.batch - b) % rg.c, depths, pipelined, max_sweeps, cache, None, None,
                          limit, False)
    N = (fam.batch - b) // rg.c
    p = prog
    pos = np.arange(p.n_events) - p.off[p.kernel]
    inside = pos < rg.cuts[p.kernel]
    middle = lay.streaming[p.kernel] & (pos >= lay.mid_start[p.kernel])
    frozen_t = np.where(inside, t1 + np.where(middle, N * rg.L[p.kernel], 0), p.nominal)
    sim2 = Simulator(prog)
    sim2.times = frozen_t
    if limit is not None and int(frozen_t.max()) + 1 > limit:  # the last copies already end past it
        return SteadyRun(lay, rg, N, t1, sim2.times, np.ones(len(p.names), dtype=bool), exceeded=True,
                         t1_complete=complete)
    status = "done"
    if start is not None and (start.lay.b, start.regime.n, start.regime.c) == (b, rg.n, rg.c) and \
            not start.exceeded:
        sim2.times = np.where(inside, frozen_t, np.maximum(start.t2, p.nominal))  # lower bounds
        sim2.frozen = rg.cuts
        warm = sim2.sweep(max_sweeps=16, limit=limit)
        sim2.frozen = np.zeros_like(rg.cuts)
        if warm == "exceeded":
            status = "exceeded"
        elif warm != "converged":
            status = _solve(sim2, lay, max_sweeps, frozen=rg.cuts, j=rg.n, limit=limit)
        else:
            sim2.finished[:] = True
    else:
        status = _solve(sim2, lay, max_sweeps, frozen=rg.cuts, j=rg.n, limit=limit)
    if status == "exceeded":
        sim2.finished[:] = True
    return SteadyRun(lay, rg, N, t1, sim2.times.copy(), sim2.finished.copy(), exceeded=status == "exceeded",
                     t1_complete=complete)


def use_steady(graph: DataflowGraph, steady: bool | None) -> BatchFamily | None:
    """The family to extrapolate with: always when ``steady`` is True (if the graph
    has one), never when False, and for None above `STEADY_MIN_EVENTS` events."""
    if steady is False:
        return None
    if steady is None and full_events(graph) <= STEADY_MIN_EVENTS:
        return None
    fam, _ = batch_family(graph)
    return fam


def cycle_program(graph: DataflowGraph, depths: Depths | None, *, pipelined: bool,
                  steady: bool | None = None) -> EventProgram:
    """The event program whose cycles of waits are the full batch's: a smaller
    batch with a regular middle slab when there is one, else the full batch."""
    fam = use_steady(graph, steady)
    if fam is not None:
        b = max(START_BATCH, fam.min_batch + 6)
        while 2 * b <= fam.batch and fam.events_at(b) <= min(max_events(), MAX_SMALL_EVENTS):
            prog = EventProgram(fam.at(b), depths, pipelined=pipelined)
            if regular_slab(Layout(fam, prog, b)):
                return prog
            b *= 2
    return EventProgram(graph, depths, pipelined=pipelined)

def simulate(graph: DataflowGraph, depths: Depths | None = None, *, trace_points: int = 128,
             max_sweeps: int = 128, steady: bool | None = None) -> SimResult:
    """Simulate ``graph`` with FIFO ``depths`` (edge name -> words; missing or
    ``None`` = the edge's own ``depth``, ``None`` there = unbounded).

    With every FIFO unbounded this gives the reference cycle count.
    ``steady``: extrapolate the full batch exactly from a few samples
    (`steady`; True: whenever the graph has a batch family and the regime
    shows below half the batch, None: only for models over
    `steady.STEADY_MIN_EVENTS` events, False: never).  Results are identical.
    """
    fam = use_steady(graph, steady)
    if fam is not None:
        run = steady_run(fam, depths, max_sweeps=max_sweeps)
        if isinstance(run, SteadyRun):
            return run.result(trace_points)
        if run is not None and full_events(graph) > max_events():  # a deadlock the full batch shares
            return run
    sim = Simulator(EventProgram(graph, depths))
    status = sim.sweep(max_sweeps=max_sweeps)
    if status == "converged":
        return sim.result(trace_points, "sweeps")
    sim.frontier()
    return sim.result(trace_points, "frontier")
