"""The batch family of a dataflow graph and the exact test for its periodic regime.

`batch_family` gives the same design at any batch; `Layout` places a batch-b
event program's events in head, middle samples and tail; `find_regime` is
the criterion of `steady` (its module docstring has the argument) and
`regular_slab` the condition under which a smaller batch deadlocks exactly
when the full one does. `steady` runs and extrapolates with them.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, replace

import numpy as np

from .events import EventProgram, stage_patterns
from .graph import DataflowGraph

__all__ = ["BatchFamily", "batch_family", "Layout", "Regime", "find_regime", "regular_slab", "full_events", "MAX_CYCLICITY"]

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


def full_events(graph: DataflowGraph) -> int:
    """Events of the full-batch word-level model (without building it)."""
    if graph in _EVENTS:
        return _EVENTS[graph]
    pats = stage_patterns(graph)
    n = sum(r * len(p.offset) for k in graph.kernels for r, p in zip(k.stage_repeats, pats[k.name]))
    _EVENTS[graph] = n
    return n


_EVENTS: "weakref.WeakKeyDictionary[DataflowGraph, int]" = weakref.WeakKeyDictionary()
