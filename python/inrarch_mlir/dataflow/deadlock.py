"""Static deadlock check: a cycle in the word-level event graph.

Nodes are every read and write of every kernel; arcs are program order
(each event after the previous one of its kernel), write k -> read k, and
read k -> write k+depth on each FIFO.  All arcs carry a positive or zero
delay and every cycle contains a cross-kernel arc of delay 1, so the design
deadlocks exactly when this graph has a cycle.  Cycles are found as strongly
connected components (scipy, compiled), independently of the simulator, so
the two can check each other.

By default both program orders of `events` are checked: the pipelined one
(the timing model: writes a pipeline latency after their iteration, as the
HLS pipelines run) and the sequential one (every write in its own
iteration: the C++ source order the bounded C simulation runs, and a
pipeline that holds nothing). A design must be deadlock-free in both.

A cycle of waits lies within one slab of samples (`steady`), so a large
batch is checked on a smaller one that has a regular middle slab: the
result is the same, and the words named in ``cycle`` are that batch's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, connected_components

from .events import EventProgram
from .graph import DataflowGraph, Depths

__all__ = ["DeadlockReport", "check_deadlock", "find_cycle"]


@dataclass(frozen=True)
class DeadlockReport:
    """A deadlock: the FIFOs and kernels on one cycle of waits.

    ``fifos`` maps each FIFO on the cycle to ``"full"`` (a write waits for a
    read of it) or ``"empty"`` (a read waits for a write); ``cycle`` lists the
    events on it, in order, as readable strings.
    """

    fifos: dict[str, str]
    kernels: list[str]
    cycle: list[str]
    #: the program order it happens in: "pipelined" or "sequential"
    order: str = "pipelined"

    def __str__(self) -> str:
        parts = ", ".join(f"{n} ({s})" for n, s in self.fifos.items())
        return f"deadlock ({self.order} order) through FIFOs {parts}; kernels {', '.join(self.kernels)}"


def _event_graph(prog: EventProgram) -> csr_matrix:
    n = prog.n_events
    idx = np.arange(n - 1, dtype=np.int64)
    same = prog.kernel[:-1] == prog.kernel[1:]
    po_src, po_dst = idx[same], idx[same] + 1
    has = prog.dep >= 0
    x_src, x_dst = prog.dep[has], np.flatnonzero(has)
    src = np.concatenate([po_src, x_src])
    dst = np.concatenate([po_dst, x_dst])
    return csr_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n))


def check_deadlock(graph: DataflowGraph, depths: Depths | None = None, *,
                   pipelined: bool | None = None, steady: bool | None = None) -> DeadlockReport | None:
    """Return a :class:`DeadlockReport` if ``graph`` with ``depths`` deadlocks, else None.

    ``depths`` maps edge names to words (missing or ``None``: the edge's own
    depth; ``None`` there: unbounded); ``pipelined``: check that program
    order alone (True: pipelined, False: sequential; None: both, see the
    module doc); ``steady``: check a smaller batch (as `simulate`'s).
    """
    from .steady import cycle_program

    for p in ((True, False) if pipelined is None else (pipelined,)):
        report = find_cycle(cycle_program(graph, depths, pipelined=p, steady=steady))
        if report is not None:
            return report
    return None


def find_cycle(prog: EventProgram) -> DeadlockReport | None:
    """One cycle of waits of ``prog`` at its current depths, or None."""
    graph = prog.graph
    if prog.n_events == 0:
        return None
    A = _event_graph(prog)
    ncomp, labels = connected_components(A, directed=True, connection="strong")
    if ncomp == prog.n_events:
        return None
    sizes = np.bincount(labels)
    comp = int(np.argmax(sizes))
    nodes = np.flatnonzero(labels == comp)
    sub = A[nodes][:, nodes].tocsr()
    # BFS from node 0 of the component, then close the loop through a predecessor of it.
    order, pred = breadth_first_order(sub, 0, directed=True, return_predecessors=True)
    into0 = sub[:, 0].nonzero()[0]
    y = int(into0[0])
    path = [y]
    while path[-1] != 0:
        path.append(int(pred[path[-1]]))
    path.reverse()  # 0 -> ... -> y, then y -> 0 closes it
    cyc = [int(nodes[i]) for i in path]
    fifos: dict[str, str] = {}
    kernels: list[str] = []
    for a, b in zip(cyc, cyc[1:] + cyc[:1]):
        ka = prog.names[int(prog.kernel[a])]
        if ka not in kernels:
            kernels.append(ka)
        if prog.kernel[a] != prog.kernel[b]:
            name = graph.edges[int(prog.edge[b])].name
            # A FIFO can be on the cycle both ways (its writer waits for space,
            # its reader for data); the full side is the one that binds.
            if prog.is_write[b]:
                fifos[name] = "full"
            else:
                fifos.setdefault(name, "empty")
    return DeadlockReport(fifos, kernels, [prog.describe(i) for i in cyc],
                          "pipelined" if prog.pipelined else "sequential")
