"""Cycle-level simulation of a dataflow graph with bounded FIFOs.

Every event's cycle is the earliest one allowed by the rules in
:mod:`.events` (as-soon-as-possible blocking semantics), i.e. the longest
path in the event graph.  Two exact solvers compute it:

* **Sweeps** (fast path).  Per kernel the program-order recurrence
  ``t_i = max(t_{i-1} + gap_i, c_i)`` is ``nominal + cummax(max(c - nominal, 0))``,
  one vectorised numpy pass.  Kernels are updated in topological order, then
  in reverse (for back-pressure), starting from the nominal times (a lower
  bound) and only where a neighbour changed, until nothing changes.  Iterates
  stay lower bounds, so a fixed point is the exact answer and an iterate past
  a cycle limit proves the limit is exceeded.
* **Frontier** (fallback).  A topological sort at word granularity that
  advances each kernel over its longest prefix of events whose predecessors
  are final.  It is exact for any depths and detects deadlock (no kernel can
  advance), naming the FIFOs the stuck kernels wait on.  Sweeps need one
  round per back-and-forth of a stall chain, so heavily throttled designs go
  here after ``max_sweeps``.

The public entry point, `simulate` (in `steady`, re-exported by the
package), runs these solvers on the whole batch or, for a large batch,
simulates a few samples and extrapolates the periodic regime exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from .events import EventProgram

__all__ = ["SimResult", "Simulator", "sim_result"]


@dataclass
class SimResult:
    """Outcome of one simulation.

    ``total_cycles`` is the cycle after the last event (when deadlocked: after
    the last event that could happen).  ``peak_occupancy[e]`` counts a word
    as stored from its write cycle through its read cycle inclusive, so it is
    also the smallest depth that reproduces this exact run.
    ``blocked_fifos`` maps FIFO name to ``"full"`` (a producer stalled writing
    it) or ``"empty"`` (a stuck consumer waits on it; deadlock only).
    """

    total_cycles: int
    deadlocked: bool
    blocked_fifos: dict[str, str]
    peak_occupancy: dict[str, int]
    stall_cycles: dict[str, int]
    blocked_cycles: dict[str, int]
    starved_cycles: dict[str, int]
    full_stall_cycles: dict[str, int]
    trace_times: np.ndarray = field(repr=False)
    trace: np.ndarray = field(repr=False)
    edge_names: list[str] = field(repr=False)
    solver: str = "sweeps"
    #: how the figures were extrapolated from a smaller batch (`steady`), or None
    steady_state: dict | None = None

    def to_dict(self) -> dict:
        return {
            "total_cycles": self.total_cycles,
            "deadlocked": self.deadlocked,
            "blocked_fifos": self.blocked_fifos,
            "peak_occupancy": self.peak_occupancy,
            "stall_cycles": self.stall_cycles,
            "blocked_cycles": self.blocked_cycles,
            "starved_cycles": self.starved_cycles,
            "full_stall_cycles": self.full_stall_cycles,
            "trace": {"times": self.trace_times.tolist(), "edges": self.edge_names,
                      "occupancy": self.trace.tolist()},
            "solver": self.solver,
            "steady_state": self.steady_state,
        }

    def to_json(self, **kw) -> str:
        return json.dumps(self.to_dict(), **kw)


class Simulator:
    """Event times for one :class:`EventProgram`, re-solvable after depth changes.

    ``times`` holds the current solution (or lower bound); the balancer
    lowers a depth with :meth:`EventProgram.set_depth` and calls
    :meth:`sweep` warm-started from the old times, which stay a valid lower
    bound because smaller FIFOs never make anything earlier.
    """

    def __init__(self, prog: EventProgram, frozen: np.ndarray | None = None):
        self.prog = prog
        self.times = prog.nominal.copy()
        self.neigh = prog.kernel_neighbours()
        self.finished = np.ones(len(prog.names), dtype=bool)
        #: per kernel, how many leading events keep the times they are given (a
        #: prefix solved elsewhere, see `steady`); zero for an ordinary run
        self.frozen = np.zeros(len(prog.names), dtype=np.int64) if frozen is None else np.asarray(frozen, np.int64)
        #: per kernel, how many leading events the sweeps solve (None: all); the
        #: events below form a set closed under predecessors (`steady`)
        self.upper: np.ndarray | None = None

    # -- fast path --------------------------------------------------------------------
    def _update(self, k: int) -> bool:
        p = self.prog
        lo = p.off[k] + self.frozen[k]
        hi = p.off[k + 1] if self.upper is None else p.off[k] + self.upper[k]
        if lo >= hi:
            return False
        d = p.dep[lo:hi]
        g = p.nominal[lo:hi]
        x = np.where(d >= 0, self.times[d] + 1 - g, 0)
        if lo > p.off[k]:  # after a frozen prefix: no earlier than its last event allows
            x[0] = max(x[0], self.times[lo - 1] - p.nominal[lo - 1])
        np.maximum(x, 0, out=x)
        np.maximum.accumulate(x, out=x)
        x += g
        old = self.times[lo:hi]
        if np.array_equal(old, x):
            return False
        old[:] = x
        return True

    def sweep(self, *, dirty: np.ndarray | None = None, limit: int | None = None,
              max_sweeps: int = 64) -> str:
        """Iterate to the fixed point from the current times.

        Returns ``"converged"`` (times exact), ``"exceeded"`` (some event is at or
        after cycle ``limit``: the run takes more than ``limit`` cycles or
        deadlocks) or ``"unconverged"``.
        """
        K = len(self.prog.names)
        self.finished[:] = True
        dirty = np.ones(K, dtype=bool) if dirty is None else dirty.copy()
        last = self.prog.off[1:] - 1
        for _ in range(max_sweeps):
            if not dirty.any():
                return "converged"
            for order in (range(K), range(K - 1, -1, -1)):
                for k in order:
                    if not dirty[k]:
                        continue
                    dirty[k] = False
                    if self._update(k):
                        dirty[self.neigh[k]] = True
                        if limit is not None and self.times[last[k]] + 1 > limit:
                            return "exceeded"
        return "converged" if not dirty.any() else "unconverged"

    # -- exact fallback -------------------------------------------------------------
    def frontier(self) -> bool:
        """Exact topological solve; returns True when every event happened (no deadlock)."""
        p = self.prog
        K = len(p.names)
        T = np.full(p.n_events + 1, -1, dtype=np.int64)  # T[-1] is a sentinel for dep=-1
        ptr = p.off[:-1] + self.frozen
        for k in np.flatnonzero(self.frozen):
            T[p.off[k]:ptr[k]] = self.times[p.off[k]:ptr[k]]
        end = p.off[1:]
        done = ptr.copy()  # global index bound: events below done[k] are final
        kern = np.append(p.kernel, 0)
        win = np.full(K, 64, dtype=np.int64)
        forward = True
        while True:
            progress = False
            for k in (range(K) if forward else range(K - 1, -1, -1)):
                lo, hi = ptr[k], end[k]
                if lo == hi:
                    continue
                h = min(hi, lo + win[k])
                d = p.dep[lo:h]
                ready = (d < 0) | (d < done[kern[d]])
                f = int(np.argmin(ready)) if not ready.all() else h - lo
                if f == 0:
                    win[k] = 64
                    continue
                d = d[:f]
                g = p.nominal[lo:lo + f]
                x = np.where(d >= 0, T[d] + 1 - g, 0)
                prev = T[lo - 1] - p.nominal[lo - 1] if lo > p.off[k] else 0
                x[0] = max(x[0], prev, 0)
                np.maximum(x, 0, out=x)
                np.maximum.accumulate(x, out=x)
                T[lo:lo + f] = x + g
                ptr[k] += f
                done[k] = ptr[k]
                win[k] = min(win[k] * 2, 1 << 22) if f == h - lo else 64
                progress = True
            forward = not forward
            if not progress:
                break
        self.times = T[:-1]
        self.finished = ptr == end
        self._stuck_next = ptr
        return bool(self.finished.all())

    # -- result -----------------------------------------------------------------------
    def result(self, trace_points: int = 128, solver: str = "sweeps") -> SimResult:
        p = self.prog
        g = p.graph
        T = self.times
        ran = T >= 0
        deadlocked = not bool(self.finished.all())
        total = int(T[ran].max()) + 1 if ran.any() else 0
        # delay increments, attributed to the kind of event that waited
        x = np.where(ran, T - p.nominal, 0)
        inc = np.diff(np.concatenate([[0], x]))
        starts = p.off[:-1][p.off[:-1] < p.off[1:]]
        inc[starts] = x[starts]
        inc = np.where(ran, inc, 0)
        K = len(p.names)
        w = p.is_write
        blocked = np.bincount(p.kernel[w], inc[w], minlength=K).astype(np.int64)
        starved = np.bincount(p.kernel[~w], inc[~w], minlength=K).astype(np.int64)
        full = np.bincount(p.edge[w], inc[w], minlength=len(g.edges)).astype(np.int64)
        names = [e.name for e in g.edges]
        peak = {}
        tr_list = []
        for i, e in enumerate(g.edges):
            lo, hi = p.eoff[i], p.eoff[i + 1]
            tw = T[p.wflat[lo:hi]]
            tr = T[p.rflat[lo:hi]]
            tw = tw[tw >= 0]
            tr = tr[tr >= 0]
            tr_list.append((tw, tr))
            if len(tw):
                j = np.arange(1, len(tw) + 1)
                peak[e.name] = int((j - np.searchsorted(tr, tw, "left")).max())
            else:
                peak[e.name] = 0
        blocked_fifos = {names[i]: "full" for i in np.flatnonzero(full > 0)}
        if deadlocked:
            blocked_fifos = {}
            for k in np.flatnonzero(~self.finished):
                i = int(self._stuck_next[k])
                blocked_fifos[names[int(p.edge[i])]] = "full" if p.is_write[i] else "empty"
        if trace_points and total > 0:
            times = np.unique(np.linspace(0, total, trace_points).astype(np.int64))
            trace = np.empty((len(times), len(g.edges)), dtype=np.int64)
            for i, (tw, tr) in enumerate(tr_list):
                trace[:, i] = np.searchsorted(tw, times, "right") - np.searchsorted(tr, times, "left")
        else:
            times = np.zeros(0, dtype=np.int64)
            trace = np.zeros((0, len(g.edges)), dtype=np.int64)
        return sim_result(p.names, names, total, deadlocked, blocked_fifos, peak, blocked, starved, full,
                          times, trace, solver)


def sim_result(kernel_names, edge_names, total, deadlocked, blocked_fifos, peak, blocked, starved, full,
               times, trace, solver: str, steady_state: dict | None = None) -> SimResult:
    """A `SimResult` from per-kernel (blocked, starved) and per-edge (full) stall arrays,
    as the whole-batch solvers and the steady-state extrapolation both produce them."""
    return SimResult(
        total_cycles=int(total),
        deadlocked=deadlocked,
        blocked_fifos=blocked_fifos,
        peak_occupancy=peak,
        stall_cycles={n: int(blocked[k] + starved[k]) for k, n in enumerate(kernel_names)},
        blocked_cycles={n: int(blocked[k]) for k, n in enumerate(kernel_names)},
        starved_cycles={n: int(starved[k]) for k, n in enumerate(kernel_names)},
        full_stall_cycles={edge_names[i]: int(full[i]) for i in range(len(edge_names))},
        trace_times=times,
        trace=trace,
        edge_names=edge_names,
        solver=solver,
        steady_state=steady_state,
    )
