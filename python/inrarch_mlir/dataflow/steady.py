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

import weakref
from dataclasses import dataclass, replace

import numpy as np

from .events import EventProgram, check_event_count, stage_patterns
from .graph import DataflowGraph, Depths

__all__ = ["BatchFamily", "batch_family", "Layout", "Regime", "find_regime", "regular_slab",
           "SteadyRun", "steady_run", "STEADY_MIN_EVENTS"]

#: Below this many events in the full-batch model, ``simulate`` and friends
#: simulate the whole batch (steady=None): nothing to gain, and nothing moves.
STEADY_MIN_EVENTS = 2_000_000
#: First batch simulated; doubled until the regime is established.
START_BATCH = 16
#: Largest cyclicity (samples per repeat of the regime) looked for.
MAX_CYCLICITY = 32


# -- the family of a graph over the batch ------------------------------------------------
@dataclass(frozen=True)
class BatchFamily:
    """How a graph of batch ``batch`` changes with the batch.

    Each streaming kernel has a ``middle`` stage that repeats ``mult`` times
    per sample plus ``offset`` (a matmul of Taylor rows: 3 rows a sample, the
    first and last row in stages of their own); ``edge_words`` gives each
    edge's words per sample in the middle (0: not streamed there).  Every
    other stage, and every other kernel, is the same at any batch."""

    graph: DataflowGraph
    batch: int
    middle: dict[str, int]
    mult: dict[str, int]
    offset: dict[str, int]
    edge_words: dict[str, int]
    #: events of the word-level model per sample of the batch (the middle stages)
    sample_events: int = 0

    def events_at(self, b: int) -> int:
        """Events of the word-level model at batch ``b`` (without building it)."""
        return full_events(self.graph) - (self.batch - b) * self.sample_events

    @property
    def min_batch(self) -> int:
        """Smallest batch at which every middle stage still repeats at least twice."""
        return max([2] + [-(-(2 - self.offset[k]) // self.mult[k]) for k in self.middle])

    def at(self, b: int) -> DataflowGraph:
        """The same design at batch ``b`` (>= `min_batch`)."""
        if b == self.batch:
            return self.graph
        if b < self.min_batch:
            raise ValueError(f"batch {b} is below the family's smallest batch {self.min_batch}")
        kernels = []
        for k in self.graph.kernels:
            q = self.middle.get(k.name)
            if q is None:
                kernels.append(k)
                continue
            a = self.mult[k.name]
            reps = list(k.stage_repeats)
            reps[q] = a * b + self.offset[k.name]
            kernels.append(replace(k, samples=a * b, repeats=tuple(reps)))
        edges = [replace(e, words=e.words - (self.batch - b) * self.edge_words[e.name]) for e in self.graph.edges]
        return DataflowGraph(kernels, edges)


def batch_family(graph: DataflowGraph, *, min_samples: int = 8) -> tuple[BatchFamily | None, str]:
    """The graph's batch family, or None and why it has none.

    A kernel streams when one of its stages repeats ``samples`` or
    ``samples - 1`` times (and no other does: a barrier over the batch
    repeats two); the batch is the gcd of the streaming kernels' samples (a
    Taylor jet's rows are a multiple of the coordinates).  A kernel whose
    middle stage shares a FIFO with a part that does not stream at the same
    rate is taken as fixed; the family needs a batch >= ``min_samples``."""
    from math import gcd

    pats = stage_patterns(graph)
    cand = {}
    for k in graph.kernels:
        s = k.samples
        near = [q for q, r in enumerate(k.stage_repeats) if s >= max(min_samples, 3) and r in (s, s - 1)]
        if len(near) == 1 and len(pats[k.name][near[0]].offset):
            cand[k.name] = near[0]
    index = {e.name: i for i, e in enumerate(graph.edges)}

    def per_sample(kname: str, e, isw: bool, B: int) -> int:
        q = cand.get(kname)
        if q is None:
            return 0
        pat = pats[kname][q]
        return graph.kernel(kname).samples // B * int(((pat.edge == index[e.name]) & (pat.is_write == isw)).sum())

    while True:
        B = 0
        for name in cand:
            B = gcd(B, graph.kernel(name).samples)
        if B < max(min_samples, 3):
            return None, (f"batch {B} is too small to have a steady state" if cand
                          else "no kernel streams the batch")
        demote = set()
        for e in graph.edges:
            wp, wc = per_sample(e.src, e, True, B), per_sample(e.dst, e, False, B)
            if wp != wc:
                demote |= {n for n, w in ((e.src, wp), (e.dst, wc)) if w}
        if not demote:
            break
        for n in demote:
            del cand[n]
    mult = {n: graph.kernel(n).samples // B for n in cand}
    offset = {n: graph.kernel(n).stage_repeats[q] - mult[n] * B for n, q in cand.items()}
    edge_words = {e.name: per_sample(e.src, e, True, B) for e in graph.edges}
    sample_events = sum(mult[n] * len(pats[n][q].offset) for n, q in cand.items())
    fam = BatchFamily(graph, B, cand, mult, offset, edge_words, sample_events)
    try:
        fam.at(fam.min_batch)
    except ValueError as e:  # pragma: no cover - the checks above keep the words consistent
        return None, f"the design at a smaller batch is inconsistent: {e}"
    return fam, ""


# -- positions of a batch-b event program -------------------------------------------------
class Layout:
    """Slabs, closures and frontiers of one batch-b :class:`EventProgram`."""

    def __init__(self, fam: BatchFamily, prog: EventProgram, b: int):
        self.fam, self.prog, self.b = fam, prog, b
        g = prog.graph
        K, E = len(prog.names), len(g.edges)
        self.length = np.diff(prog.off)
        self.streaming = np.zeros(K, dtype=bool)
        self.mid_start = np.zeros(K, dtype=np.int64)
        self.epr = np.zeros(K, dtype=np.int64)
        self.mid_samples = np.zeros(K, dtype=np.int64)
        self.mid_end = np.zeros(K, dtype=np.int64)
        for i, name in enumerate(prog.names):
            q = fam.middle.get(name)
            if q is None:
                continue
            pats, reps = prog.patterns[name], prog.repeats[name]
            a = fam.mult[name]
            self.streaming[i] = True
            self.mid_start[i] = sum(r * len(p.offset) for r, p in zip(reps[:q], pats[:q]))
            self.epr[i] = a * len(pats[q].offset)  # events per sample
            self.mid_samples[i] = reps[q] // a
            self.mid_end[i] = self.mid_start[i] + reps[q] * len(pats[q].offset)
        self.wpos = [prog.wflat[prog.eoff[e]:prog.eoff[e + 1]] - prog.off[prog.src[e]] for e in range(E)]
        self.rpos = [prog.rflat[prog.eoff[e]:prog.eoff[e + 1]] - prog.off[prog.dst[e]] for e in range(E)]
        self.W = np.array([fam.edge_words[e.name] for e in g.edges], dtype=np.int64)
        self.edge_order = list(np.argsort(prog.dst, kind="stable")[::-1])  # consumers last first
        self._sample_index = None  # see `_samples_shift`

    def initial(self, j: int) -> np.ndarray:
        """Cuts holding every head event and j middle samples of each streaming kernel."""
        return np.where(self.streaming, self.mid_start + np.minimum(j, self.mid_samples) * self.epr, 0)

    def counts(self, cuts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Words written and read on each edge by the events below ``cuts``."""
        p = self.prog
        w = np.array([np.searchsorted(self.wpos[e], cuts[p.src[e]]) for e in range(len(self.wpos))], np.int64)
        r = np.array([np.searchsorted(self.rpos[e], cuts[p.dst[e]]) for e in range(len(self.rpos))], np.int64)
        return w, r

    def closure(self, cuts: np.ndarray) -> np.ndarray:
        """The smallest per-kernel prefixes above ``cuts`` closed under predecessors."""
        p = self.prog
        cuts = cuts.copy()
        order = self.edge_order
        while True:
            changed = False
            for e in order:
                s, d = p.src[e], p.dst[e]
                w = int(np.searchsorted(self.wpos[e], cuts[s]))
                r = int(np.searchsorted(self.rpos[e], cuts[d]))
                if r > w:  # a read needs its word written
                    cuts[s] = self.wpos[e][r - 1] + 1
                    changed = True
                    w = r
                depth = int(p.depth[e])
                if depth >= 0 and w - depth > r:  # a write needs the slot freed depth words earlier
                    cuts[d] = self.rpos[e][w - depth - 1] + 1
                    changed = True
            if not changed:
                return cuts
            order = order[::-1]  # requirements run both ways: alternate the sweep direction

    def frontier(self, cuts: np.ndarray) -> np.ndarray:
        """Global indices of the events below ``cuts`` with an arc to an event above
        (the write arcs counted as at the full batch: past this batch's last word too)."""
        p = self.prog
        out = [p.off[:-1][(cuts > 0) & (cuts < self.length)] + cuts[(cuts > 0) & (cuts < self.length)] - 1]
        w, r = self.counts(cuts)
        for e in range(len(self.wpos)):
            lo = p.eoff[e]
            out.append(p.wflat[lo + r[e]:lo + w[e]])  # written, not read
            if p.depth[e] >= 0:  # read, and the write depth words later is not in
                out.append(p.rflat[lo + max(0, w[e] - p.depth[e]):lo + r[e]])
        return np.unique(np.concatenate(out))

    def slab(self, j: int) -> np.ndarray | None:
        """D_j's cuts, or None unless every streaming kernel has a whole sample of
        its middle stage left after them (so that D_j, its frontier and the next
        slab are those of any larger batch)."""
        cuts = self.closure(self.initial(j))
        S = self.streaming
        if (cuts[S] > self.mid_end[S] - self.epr[S]).any():
            return None
        return cuts


def regular_slab(lay: Layout) -> bool:
    """Whether the batch-b program has two middle slabs in a row, each the shift
    of the one before (then its cycles of waits are the full batch's; module doc)."""
    j = int(lay.mid_samples[lay.streaming].min()) - 1
    while j >= 3:
        hi = lay.slab(j)
        if hi is not None:
            mid, lo = lay.slab(j - 1), lay.slab(j - 2)
            return mid is not None and lo is not None and _shifted(lay, lo, mid, 1) and _shifted(lay, mid, hi, 1)
        j -= 1
    return False


def _shifted(lay: Layout, lo: np.ndarray, hi: np.ndarray, c: int) -> bool:
    return bool(np.array_equal(hi - lo, np.where(lay.streaming, c * lay.epr, 0)))


# -- the periodic regime ------------------------------------------------------------------
@dataclass
class Regime:
    """The regime found at slab ``n``: cyclicity ``c`` and per-kernel shift ``L`` (cycles per c samples)."""

    n: int
    c: int
    L: np.ndarray  # int64 per kernel (0 for kernels that do not stream)
    cuts_lo: np.ndarray  # D_{n-c}
    cuts: np.ndarray  # D_n


def find_regime(lay: Layout, T: np.ndarray, done: np.ndarray, n: int | None = None) -> Regime | None:
    """The criterion of the module doc at slab ``n`` (default: the last slab of the
    batch-b run that no tail stage touches), for the smallest cyclicity that meets it."""
    p = lay.prog
    if n is None:
        n = int(lay.mid_samples[lay.streaming].min()) - 1
        cuts = None
        while n > 2 and cuts is None:
            cuts = lay.slab(n)
            n -= cuts is None
    else:
        cuts = None
    cycl = [c for c in range(1, min(MAX_CYCLICITY, (n - 1) // 2) + 1) if _samples_shift(lay, T, n, c)]
    if not cycl:
        return None
    if cuts is None:
        cuts = lay.slab(n) if n >= 3 else None
    if cuts is None:
        return None
    inside = np.concatenate([np.arange(p.off[k], p.off[k] + cuts[k]) for k in range(len(cuts))])
    if not done[inside].all():
        return None
    fr = lay.frontier(cuts)
    fk = p.kernel[fr]
    stream_f = lay.streaming[fk]
    S = np.flatnonzero(lay.streaming)
    for c in cycl:
        lo = lay.slab(n - c)
        if lo is None or not _shifted(lay, lo, cuts, c):
            continue
        fr_lo = lay.frontier(lo)
        k_lo = p.kernel[fr_lo]
        s_lo = lay.streaming[k_lo]
        pos_lo = fr_lo - p.off[k_lo]
        if (pos_lo[s_lo] < lay.mid_start[k_lo[s_lo]]).any():
            continue
        moved = fr_lo[s_lo] + c * lay.epr[k_lo[s_lo]]
        if not (np.array_equal(np.sort(moved), fr[stream_f]) and np.array_equal(fr_lo[~s_lo], fr[~stream_f])):
            continue
        L = np.zeros(len(p.names), dtype=np.int64)
        diff = T[moved] - T[fr_lo[s_lo]]
        km = k_lo[s_lo]
        L[km] = diff
        if not np.array_equal(L[km], diff) or (L[S] <= 0).any():
            continue
        if not _rates_ordered(lay, L):
            continue
        if len(np.unique(L[S])) > 1 and not _attained_by_own_rate(lay, T, L, lo, cuts):
            continue
        return Regime(n, c, L, lo, cuts)
    return None


def _samples_shift(lay: Layout, T: np.ndarray, n: int, c: int) -> bool:
    """A cheap necessary test: every event of each streaming kernel's middle samples
    n-1, n-1-c and n-1-2c (all below D_n) moves by one constant per kernel."""
    if n - 1 - 2 * c < 0:
        return False
    if lay._sample_index is None:
        S = np.flatnonzero(lay.streaming)
        p = lay.prog
        base = np.concatenate([p.off[k] + lay.mid_start[k] + np.arange(lay.epr[k]) for k in S])
        step = np.repeat(lay.epr[S], lay.epr[S])
        first = np.repeat(np.concatenate([[0], np.cumsum(lay.epr[S])[:-1]]), lay.epr[S])
        lay._sample_index = (base, step, first)
    base, step, first = lay._sample_index
    t = [T[base + j * step] for j in (n - 1, n - 1 - c, n - 1 - 2 * c)]
    d1, d2 = t[0] - t[1], t[1] - t[2]
    return bool(np.array_equal(d1, d2) and np.array_equal(d1, d1[first]))


def _rates_ordered(lay: Layout, L: np.ndarray) -> bool:
    """L_p <= L_c on every middle FIFO, equal when it is bounded (arcs both ways)."""
    p = lay.prog
    m = lay.W > 0
    lp, lc = L[p.src[m]], L[p.dst[m]]
    return bool((lp <= lc).all() and (lp[p.depth[m] >= 0] == lc[p.depth[m] >= 0]).all())


def _attained_by_own_rate(lay: Layout, T: np.ndarray, L: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> bool:
    """Every event of D_hi minus D_lo not explained by its program order waits on a kernel of its own L."""
    p = lay.prog
    idx = np.concatenate([np.arange(p.off[k] + lo[k], p.off[k] + hi[k]) for k in np.flatnonzero(lay.streaming)])
    gap = p.nominal[idx] - p.nominal[idx - 1]
    by_dep = T[idx] > T[idx - 1] + gap
    d = p.dep[idx[by_dep]]
    return bool((L[p.kernel[d]] == L[p.kernel[idx[by_dep]]]).all())


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
        from .simulate import SimResult

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
        return SimResult(
            total_cycles=int(total),
            deadlocked=deadlocked,
            blocked_fifos=blocked_fifos,
            peak_occupancy=peak,
            stall_cycles={n: int(blocked[k] + starved[k]) for k, n in enumerate(p.names)},
            blocked_cycles={n: int(blocked[k]) for k, n in enumerate(p.names)},
            starved_cycles={n: int(starved[k]) for k, n in enumerate(p.names)},
            full_stall_cycles={names[i]: int(full[i]) for i in range(len(names))},
            trace_times=times,
            trace=trace,
            edge_names=names,
            solver="steady",
            steady_state={"samples_simulated": lay.b, "prefix_samples": rg.n, "cyclicity": rg.c,
                          "cycles_per_cycle": sorted({int(v) for v in rg.L[S]})},
        )


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
    from .events import max_events

    b = (cache or {}).get("batch", max(START_BATCH, fam.min_batch + 6))
    while 2 * b <= fam.batch and fam.events_at(b) <= max_events():
        run = _try_batch(fam, b, depths, pipelined, max_sweeps, cache, start if start and start.lay.b == b else None,
                         dirty, limit)
        if run is not None:
            if cache is not None and isinstance(run, SteadyRun):  # where the next call starts
                cache["batch"] = max(START_BATCH, 1 << int(run.regime.n + 8).bit_length())
            return run
        b *= 2
    return None


def _try_batch(fam, b, depths, pipelined, max_sweeps, cache, start, dirty, limit, adjust=True) -> SteadyRun | None:
    from .events import resolve_depths
    from .simulate import Simulator

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


def full_events(graph: DataflowGraph) -> int:
    """Events of the full-batch word-level model (without building it)."""
    if graph in _EVENTS:
        return _EVENTS[graph]
    pats = stage_patterns(graph)
    n = sum(r * len(p.offset) for k in graph.kernels for r, p in zip(k.stage_repeats, pats[k.name]))
    _EVENTS[graph] = n
    return n


_EVENTS: "weakref.WeakKeyDictionary[DataflowGraph, int]" = weakref.WeakKeyDictionary()


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
        while 2 * b <= fam.batch:
            prog = EventProgram(fam.at(b), depths, pipelined=pipelined)
            if regular_slab(Layout(fam, prog, b)):
                return prog
            b *= 2
    return EventProgram(graph, depths, pipelined=pipelined)
