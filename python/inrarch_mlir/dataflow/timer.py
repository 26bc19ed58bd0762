"""Repeated exact timing of one graph under changing FIFO depths (what `balance` asks).

Two interchangeable timers answer "does the design meet this cycle limit
without deadlock?" and "how full did each FIFO get?": :class:`FullTimer`
simulates the whole batch, warm-starting each run from an earlier solution
that is still a lower bound; :class:`SteadyTimer` answers from a few samples
by the periodic regime (`steady`), so its cost does not grow with the batch.
Both give the same answers; `make_timer` picks one.
"""

from __future__ import annotations

import numpy as np

from .events import EventProgram, max_events
from .graph import DataflowGraph
from .simulate import SimResult, Simulator
from .regime import BatchFamily, Layout, full_events, regular_slab
from .steady import START_BATCH, SteadyRun, steady_run, use_steady

__all__ = ["FullTimer", "SteadyTimer", "make_timer", "CycleFinder"]


def _peaks(prog: EventProgram, T: np.ndarray) -> np.ndarray:
    out = np.zeros(len(prog.graph.edges), dtype=np.int64)
    for i in range(len(out)):
        lo, hi = prog.eoff[i], prog.eoff[i + 1]
        tw = T[prog.wflat[lo:hi]]
        tr = T[prog.rflat[lo:hi]]
        out[i] = (np.arange(1, hi - lo + 1) - np.searchsorted(tr, tw, "left")).max()
    return out


class FullTimer:
    """The whole batch's event program; runs start from the nominal times, the
    unbounded run's or the last accepted one's (all lower bounds when depths
    only went down since)."""

    def __init__(self, graph: DataflowGraph, exact_events: int):
        self.prog = EventProgram(graph, None)
        self.exact_events = exact_events
        self.sim = Simulator(self.prog)
        self.ref_times = self.good = None
        self.kern_of = {i: (self.prog.src[i], self.prog.dst[i]) for i in range(len(graph.edges))}

    def reference(self) -> tuple[int, np.ndarray]:
        """Cycles and peak occupancies at the graph's own depths (unbounded where none)."""
        ref = Simulator(self.prog)
        if ref.sweep(max_sweeps=4) != "converged":  # pragma: no cover - acyclic without back-pressure
            raise RuntimeError("unbounded simulation did not settle")
        self.ref_times = ref.times
        return (int(ref.times.max()) + 1 if self.prog.n_events else 0), _peaks(self.prog, ref.times)

    def check(self, d: np.ndarray, limit: int, start: str = "nominal", edge: int | None = None) -> bool:
        """Whether depths ``d`` run within ``limit`` cycles without deadlock (start:
        "nominal", "ref", "good" or "current", the last run; ``edge``: the one
        FIFO lowered since "good")."""
        self.prog.set_depths(d)
        base = {"nominal": self.prog.nominal, "ref": self.ref_times, "good": self.good,
                "current": self.sim.times}[start]
        self.sim.times = base.copy()
        dirty = None
        if edge is not None:
            dirty = np.zeros(len(self.prog.names), dtype=bool)
            dirty[list(self.kern_of[edge])] = True
        status = self.sim.sweep(dirty=dirty, limit=limit, max_sweeps=128)
        if status == "converged":
            return True
        if status == "exceeded" or self.prog.n_events > self.exact_events:
            return False
        ok = self.sim.frontier()
        return ok and int(self.sim.times.max()) + 1 <= limit

    def accept(self) -> None:
        """The last run becomes the "good" start."""
        self.good = self.sim.times.copy()

    def restore(self) -> None:
        """The current run is the "good" one again."""
        self.sim.times = self.good.copy()

    def result(self) -> SimResult:
        return self.sim.result(trace_points=0)

    def peaks(self) -> np.ndarray:
        return _peaks(self.prog, self.sim.times)

    def cycles(self) -> int:
        return int(self.sim.times.max()) + 1 if self.prog.n_events else 0


class SteadyTimer:
    """The full batch from the periodic regime of a smaller one (`steady_run`).

    Where no regime shows below half the batch (a transient longer than
    that), the full batch is simulated when its model fits the event limit;
    otherwise it is an error."""

    def __init__(self, fam: BatchFamily):
        self.fam = fam
        self.graph = fam.graph
        self.cache: dict = {}
        self.run = self.good = None
        self.full: FullTimer | None = None

    def _depths(self, d: np.ndarray | None) -> dict:
        return {e.name: (None if d[i] < 0 else int(d[i])) for i, e in enumerate(self.graph.edges)}

    def _full(self) -> FullTimer | None:
        if self.full is None and full_events(self.graph) <= max_events():
            self.full = FullTimer(self.graph, exact_events=max_events())
        return self.full

    def reference(self) -> tuple[int, np.ndarray]:
        run = steady_run(self.fam, None, cache=self.cache)
        if not isinstance(run, SteadyRun):
            full = self._full()
            if full is None:
                raise RuntimeError(f"no periodic regime shows in a small batch within the event limit, and the "
                                   f"whole batch's word-level timing model would need {full_events(self.graph):,} events; the "
                                   f"limit is {max_events():,}; set INRARCH_MAX_EVENTS={full_events(self.graph)} "
                                   "to raise it or use a smaller batch")
            return full.reference()
        r = run.result(trace_points=0)
        return r.total_cycles, np.array([r.peak_occupancy[e.name] for e in self.graph.edges], dtype=np.int64)

    def check(self, d: np.ndarray, limit: int, start: str = "nominal", edge: int | None = None) -> bool:
        warm, dirty = None, None
        if start == "good" and isinstance(self.good, SteadyRun):
            warm = self.good
            if edge is not None:
                dirty = np.zeros(len(warm.lay.prog.names), dtype=bool)
                dirty[[warm.lay.prog.src[edge], warm.lay.prog.dst[edge]]] = True
        elif start == "current" and self.run is not None:
            warm = self.run
        run = steady_run(self.fam, self._depths(d), cache=self.cache, start=warm, dirty=dirty, limit=limit)
        self.run = run if isinstance(run, SteadyRun) else None
        if self.run is not None:
            self._res = None  # figures when asked (`result`)
            return not run.exceeded and not run.deadlocked and run.total_cycles() <= limit
        if run is not None:  # a deadlock the full batch shares: its FIFOs say where to grow
            self._res = run
            return False
        full = self._full()
        if full is None:
            raise RuntimeError("the design shows no periodic regime below half its batch and its full "
                               "model is over the event limit")
        ok = full.check(d, limit)
        self._res = full.result()
        return ok

    def accept(self) -> None:
        self.good = self.run if self.run is not None else self._res

    def restore(self) -> None:
        self.run, self._res = (self.good, None) if isinstance(self.good, SteadyRun) else (None, self.good)

    def result(self) -> SimResult:
        if self._res is None:
            self._res = self.run.result(trace_points=0)
        return self._res

    def peaks(self) -> np.ndarray:
        return np.array([self.result().peak_occupancy[e.name] for e in self.graph.edges], dtype=np.int64)

    def cycles(self) -> int:
        return self.run.total_cycles() if self.run is not None else self._res.total_cycles


def make_timer(graph: DataflowGraph, exact_events: int, steady: bool | None = None):
    """A `SteadyTimer` where the graph has a batch family and `use_steady` says so, else a `FullTimer`."""
    fam = use_steady(graph, steady)
    return SteadyTimer(fam) if fam is not None else FullTimer(graph, exact_events)


class CycleFinder:
    """Cycles of waits of a graph under changing depths, on a smaller batch with a
    regular middle slab when there is one (`steady`), else on the full batch."""

    def __init__(self, graph: DataflowGraph, *, pipelined: bool, steady: bool | None = None):
        self.graph, self.pipelined = graph, pipelined
        self.fam = use_steady(graph, steady)
        self.b = max(START_BATCH, self.fam.min_batch + 6) if self.fam is not None else graph.samples
        self.prog: EventProgram | None = None
        self.prog_b = 0

    def program(self, d: np.ndarray) -> EventProgram:
        """The program to look for cycles in at depths ``d`` (edge order, -1 unbounded)."""
        while self.fam is not None and 2 * self.b <= self.fam.batch:
            if self.prog is None or self.prog_b != self.b:
                self.prog = EventProgram(self.fam.at(self.b), None, pipelined=self.pipelined)
                self.prog_b = self.b
            self.prog.set_depths(d)
            if regular_slab(Layout(self.fam, self.prog, self.b)):
                return self.prog
            self.b *= 2
            self.prog = None
        if self.prog is None or self.prog.graph is not self.graph:
            self.prog = EventProgram(self.graph, None, pipelined=self.pipelined)
            self.b = self.prog_b = self.graph.samples
        self.prog.set_depths(d)
        return self.prog
