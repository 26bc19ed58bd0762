"""Word-level event programs: every read and write of every kernel, in program order.

The simulator, the deadlock check and the balancer all reason about the same
events, so they are expanded once here.  Each kernel's events are a
contiguous slice of flat numpy arrays, in program order; each event has a
*nominal* time (when it happens if nothing ever stalls) and at most one
cross-kernel dependency:

* read of word k on FIFO e      after  write of word k on e        (+1 cycle)
* write of word k on FIFO e     after  read of word k - depth on e (+1 cycle)

Both are "strictly later cycle" rules: a word written in cycle t can be read
in t+1 at the earliest, and a slot freed by a read in cycle t can be written
again in t+1 at the earliest (a registered full flag, as in HLS FIFOs).  So a
depth-1 FIFO passes one word every 2 cycles and depth 2 is needed for II=1.
Program order: an event happens no earlier than the previous event of its
kernel plus their nominal gap, so a stall delays everything after it.

Two program orders are built.  *Pipelined* (the default, the timing model):
a write happens its phase's latency after its iteration, so a pipelined
kernel has read up to `latency` words ahead when a full FIFO stalls it -- what
an HLS pipeline does, *if* Vitis schedules it that deep.  *Sequential*
(``pipelined=False``): every write happens in its own iteration, after that
iteration's reads -- the C++ source order, which the bounded C simulation
runs.  Neither order implies the other: a map that has read ahead needs
less room downstream (the sequential order can deadlock where the pipelined
one does not), a matmul that reads its next row before its results leave
needs more upstream (the reverse).  So designs are timed in the pipelined
order and their FIFOs sized and checked for both (`balance`,
`deadlock.check_deadlock`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .graph import DataflowGraph, Depths, Kernel, _port_index

__all__ = ["StagePattern", "stage_patterns", "ProgramShape", "EventProgram"]


@dataclass(frozen=True)
class StagePattern:
    """The events of one sample of one kernel stage, relative to the sample's start."""

    offset: np.ndarray  # int64 nominal cycle of each event within the sample
    is_write: np.ndarray  # bool
    edge: np.ndarray  # int64 edge index
    word: np.ndarray  # int64 word index within the sample on that edge
    duration: int  # cycles per sample


def _port_edges(graph: DataflowGraph) -> dict[tuple[str, str], int]:
    m = {}
    for i, e in enumerate(graph.edges):
        m[(e.src, e.src_port)] = i
        m[(e.dst, e.dst_port)] = i
    return m


def kernel_stage_patterns(kernel: Kernel, port_edge: dict[tuple[str, str], int],
                          pipelined: bool = True) -> list[StagePattern]:
    """Program order of one sample of each stage: (step, reads before writes, port, index);
    `pipelined=False` drops the write latencies (the sequential order, see the module doc)."""
    out = []
    for stage in kernel.stages:
        cols: list[list] = [[], [], [], [], [], []]  # step, is_write, port, idx, edge, word
        start = 0
        seen: dict[tuple[bool, str], int] = {}
        for ph in stage:
            for is_write, ports in ((False, ph.reads), (True, ph.writes)):
                for port, n in ports.items():
                    if n == 0:
                        continue
                    idx = np.arange(n, dtype=np.int64)
                    explicit = (ph.write_steps if is_write else ph.read_steps).get(port)
                    step = (idx * ph.cycles // n if explicit is None else np.asarray(explicit, dtype=np.int64))
                    step = step + (ph.latency if is_write and pipelined else 0) + start
                    base = seen.get((is_write, port), 0)
                    seen[(is_write, port)] = base + n
                    cols[0].append(step)
                    cols[1].append(np.full(n, is_write))
                    cols[2].append(np.full(n, _port_index(port), dtype=np.int64))
                    cols[3].append(idx + base)
                    cols[4].append(np.full(n, port_edge[(kernel.name, port)], dtype=np.int64))
                    cols[5].append(idx + base)
            start += ph.duration
        if cols[0]:
            step, isw, port, idx, edge, word = (np.concatenate(c) for c in cols)
            order = np.lexsort((idx, port, isw, step))
            out.append(StagePattern(step[order], isw[order], edge[order], word[order], start))
        else:
            z = np.zeros(0, dtype=np.int64)
            out.append(StagePattern(z, z.astype(bool), z, z, start))
    return out


def stage_patterns(graph: DataflowGraph, pipelined: bool = True) -> dict[str, list[StagePattern]]:
    """Per-sample event patterns of every stage of every kernel."""
    pe = _port_edges(graph)
    return {k.name: kernel_stage_patterns(k, pe, pipelined) for k in graph.kernels}


def resolve_depths(graph: DataflowGraph, depths: Depths | None) -> np.ndarray:
    """Depth per edge index as int64, -1 for unbounded."""
    depths = {} if depths is None else depths
    unknown = set(depths) - {e.name for e in graph.edges}
    if unknown:
        raise ValueError(f"depths name unknown edges: {sorted(unknown)}")
    out = np.empty(len(graph.edges), dtype=np.int64)
    for i, e in enumerate(graph.edges):
        d = depths.get(e.name, e.depth)
        if d is not None and d < 1:
            raise ValueError(f"edge {e.name!r} given depth {d}; expected >= 1 or None")
        out[i] = -1 if d is None else int(d)
    return out


#: Default cap on the events of the word-level model (about 100 bytes each
#: across the arrays and the event graph); INRARCH_MAX_EVENTS overrides it.
MAX_EVENTS = 50_000_000


class EventLimitError(ValueError):
    """The word-level model of a graph would be too large to build."""


def max_events() -> int:
    import os

    text = os.environ.get("INRARCH_MAX_EVENTS", "")
    return int(text) if text.strip().isdigit() else MAX_EVENTS


def check_event_count(n: int, samples: int) -> None:
    """Raises `EventLimitError` before allocating a model of `n` events over `samples` samples."""
    limit = max_events()
    if n > limit:
        raise EventLimitError(
            f"the word-level timing model would need {n:,} events ({samples:,} samples x {n // max(samples, 1):,} "
            f"reads/writes per sample); the limit is {limit:,}; set INRARCH_MAX_EVENTS={n} to raise it "
            "or use a smaller batch")


class ProgramShape:
    """What the event arrays are built from, without them: the kernels in
    topological order (``names``, ``kindex``), each one's per-sample stage
    ``patterns`` and its stages' ``repeats``."""

    def __init__(self, graph: DataflowGraph, *, pipelined: bool = True):
        self.graph = graph
        self.pipelined = pipelined
        self.names = graph.topological_order()
        self.kindex = {n: i for i, n in enumerate(self.names)}
        self.patterns = stage_patterns(graph, pipelined)
        self.repeats = {k.name: k.stage_repeats for k in graph.kernels}


class EventProgram(ProgramShape):
    """Flat event arrays for a graph and a set of FIFO depths (`pipelined`: which
    program order, see the module doc).

    Attributes (all numpy, one entry per event unless said otherwise):
    ``nominal`` (int64), ``is_write``, ``edge``, ``word`` (index on the edge over
    the whole batch), ``kernel`` (index into ``names``), ``dep`` (global index
    of the cross-kernel predecessor or -1); ``off`` (per kernel, K+1 slice
    bounds); ``wflat``/``rflat`` (event index of write/read of each word, edge
    by edge, bounded by ``eoff``).
    """

    def __init__(self, graph: DataflowGraph, depths: Depths | None = None, *, pipelined: bool = True):
        super().__init__(graph, pipelined=pipelined)
        B = graph.samples
        check_event_count(sum(r * len(pat.offset) for name, pats in self.patterns.items()
                              for r, pat in zip(self.repeats[name], pats)), B)
        parts: list[list[np.ndarray]] = [[], [], [], []]
        sizes = []
        E = len(graph.edges)
        for name in self.names:
            k = graph.kernel(name)
            t0 = k.prologue_cycles
            n = 0
            base = np.zeros(E, dtype=np.int64)  # words of each edge in earlier stages
            for R, pat in zip(self.repeats[name], self.patterns[name]):
                m = len(pat.offset)
                b = np.arange(R, dtype=np.int64)[:, None]
                parts[0].append((t0 + b * pat.duration + pat.offset[None, :]).ravel())
                parts[1].append(np.tile(pat.is_write, R))
                parts[2].append(np.tile(pat.edge, R))
                per_rep = np.bincount(pat.edge, minlength=E).astype(np.int64)  # words per repetition
                parts[3].append((base[pat.edge][None, :] + b * per_rep[pat.edge][None, :]
                                 + pat.word[None, :]).ravel())
                base += R * per_rep
                t0 += R * pat.duration
                n += R * m
            sizes.append(n)
        cat = (lambda xs, dt: np.concatenate(xs).astype(dt) if xs else np.zeros(0, dt))
        self.nominal = cat(parts[0], np.int64)
        self.is_write = cat(parts[1], bool)
        self.edge = cat(parts[2], np.int64)
        self.word = cat(parts[3], np.int64)
        self.off = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.kernel = np.repeat(np.arange(len(self.names)), sizes).astype(np.int64)
        self.n_events = int(self.off[-1])
        self.edge_words = np.array([e.words for e in graph.edges], dtype=np.int64)
        self.eoff = np.concatenate([[0], np.cumsum(self.edge_words)]).astype(np.int64)
        widx = np.flatnonzero(self.is_write)
        ridx = np.flatnonzero(~self.is_write)
        self.wflat = widx[np.argsort(self.edge[widx], kind="stable")]
        self.rflat = ridx[np.argsort(self.edge[ridx], kind="stable")]
        self.src = np.array([self.kindex[e.src] for e in graph.edges], dtype=np.int64)
        self.dst = np.array([self.kindex[e.dst] for e in graph.edges], dtype=np.int64)
        self.dep = np.full(self.n_events, -1, dtype=np.int64)
        self.dep[self.rflat] = self.wflat
        self.depth = np.full(E, -1, dtype=np.int64)
        self.set_depths(resolve_depths(graph, depths))

    # -- depths ---------------------------------------------------------------------
    def set_depth(self, e: int, d: int) -> None:
        """Change one FIFO's depth (-1 = unbounded) and its write dependencies."""
        lo, hi = self.eoff[e], self.eoff[e + 1]
        w = self.wflat[lo:hi]
        self.dep[w] = -1
        if d >= 0:
            n = hi - lo
            if d < n:
                self.dep[w[d:]] = self.rflat[lo:hi - d]
        self.depth[e] = d

    def set_depths(self, depth: np.ndarray) -> None:
        for e in np.flatnonzero(depth != self.depth):
            self.set_depth(int(e), int(depth[e]))

    def depths_dict(self) -> dict[str, int | None]:
        return {e.name: (None if d < 0 else int(d)) for e, d in zip(self.graph.edges, self.depth)}

    # -- helpers --------------------------------------------------------------------
    def kernel_neighbours(self) -> list[np.ndarray]:
        """Kernels each kernel depends on or is depended on by, through any edge."""
        nb: list[set[int]] = [set() for _ in self.names]
        for s, d in zip(self.src, self.dst):
            nb[s].add(int(d))
            nb[d].add(int(s))
        return [np.array(sorted(x), dtype=np.int64) for x in nb]

    def describe(self, i: int) -> str:
        """Human-readable name of event ``i``."""
        e = self.graph.edges[int(self.edge[i])]
        what = "write" if self.is_write[i] else "read"
        return f"{self.names[int(self.kernel[i])]}: {what} word {int(self.word[i])} of {e.name}"
