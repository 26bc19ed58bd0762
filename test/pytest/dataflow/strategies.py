"""Hypothesis strategies for random dataflow graphs (reusable by other test suites).

``dataflow_graphs()`` draws DAGs of 3-25 kernels with 1-8 samples and small
word counts, built from every kernel kind: forks whose branches reconverge in
joins, rate changes (matmul, reduce, slice, broadcast, concat) and
whole-tensor barriers.  Import it with ``from strategies import
dataflow_graphs`` (pytest puts this folder on ``sys.path``).
"""

from __future__ import annotations

from hypothesis import strategies as st

from inrarch_mlir.dataflow import DataflowGraph, GraphBuilder, Kernel

WORDS = (1, 2, 3, 4, 6, 8)


@st.composite
def dataflow_graphs(draw, *, min_kernels: int = 3, max_kernels: int = 25,
                    max_samples: int = 8, barriers: bool = True) -> DataflowGraph:
    samples = draw(st.integers(1, max_samples))
    budget = draw(st.integers(min_kernels, max_kernels))
    b = GraphBuilder()
    count = 0

    def add(k: Kernel) -> str:
        nonlocal count
        count += 1
        return b.add(k)

    def name(kind: str) -> str:
        return f"{kind}{count}"

    open_: list[tuple[str, int]] = []  # (kernel, words per sample) with a free output
    for _ in range(draw(st.integers(1, 2))):
        w = draw(st.sampled_from(WORDS))
        open_.append((add(Kernel.load(name("load"), w, samples=samples)), w))
    ops = ["map", "fork", "fork", "join", "join", "matmul", "reduce", "slice", "bcast", "concat"]
    if barriers:
        ops.append("barrier")
    # leave room for a store per open stream
    while count + len(open_) + 2 <= budget:
        op = draw(st.sampled_from(ops))
        i = draw(st.integers(0, len(open_) - 1))
        src, w = open_[i]
        if op == "join":
            same = [j for j, (_, w2) in enumerate(open_) if w2 == w and j != i]
            if not same:
                op = "map"
            else:
                j = draw(st.sampled_from(same))
                other = open_[j][0]
                k = add(Kernel.map(name("join"), w, 2, draw(st.integers(0, 3)), samples=samples))
                b.connect(src, k)
                b.connect(other, k)
                open_ = [s for n, s in enumerate(open_) if n not in (i, j)] + [(k, w)]
                continue
        if op == "concat":
            if len(open_) < 2:
                op = "map"
            else:
                j = draw(st.sampled_from([n for n in range(len(open_)) if n != i]))
                w2 = open_[j][1]
                k = add(Kernel.concat(name("cat"), [w, w2], samples=samples))
                b.connect(src, k)
                b.connect(open_[j][0], k)
                open_ = [s for n, s in enumerate(open_) if n not in (i, j)] + [(k, w + w2)]
                continue
        del open_[i]
        if op == "map":
            k = add(Kernel.map(name("map"), w, 1, draw(st.integers(0, 3)), samples=samples))
            b.connect(src, k)
            open_.append((k, w))
        elif op == "fork":
            n = draw(st.integers(2, 3))
            k = add(Kernel.fork(name("fork"), w, n, samples=samples))
            b.connect(src, k)
            open_ += [(k, w)] * n
        elif op == "matmul":
            n = draw(st.sampled_from(WORDS))
            k = add(Kernel.matmul(name("mm"), w, n, 1, 1, draw(st.sampled_from((1, 2, 4, 64))),
                                  draw(st.integers(0, 3)), samples=samples))
            b.connect(src, k)
            open_.append((k, n))
        elif op == "reduce":
            n = draw(st.integers(1, 2))
            k = add(Kernel.reduce(name("red"), w, n, draw(st.integers(0, 3)), samples=samples))
            b.connect(src, k)
            open_.append((k, n))
        elif op == "slice":
            n = draw(st.integers(1, w))
            k = add(Kernel.slice(name("slice"), w, n, samples=samples))
            b.connect(src, k)
            open_.append((k, n))
        elif op == "bcast":
            n = draw(st.sampled_from(WORDS))
            k = add(Kernel.broadcast(name("bc"), n, w, latency=draw(st.integers(0, 2)), samples=samples))
            b.connect(src, k)
            open_.append((k, n))
        elif op == "barrier":
            n = draw(st.sampled_from((w, draw(st.sampled_from(WORDS)))))
            k = add(Kernel.barrier(name("bar"), w, n, latency=draw(st.integers(0, 2)), samples=samples))
            b.connect(src, k)
            open_.append((k, n))
    for src, w in open_:
        k = add(Kernel.store(name("store"), w, samples=samples))
        b.connect(src, k)
    return b.build()


@st.composite
def depth_maps(draw, graph: DataflowGraph, max_depth: int = 12) -> dict[str, int]:
    """Random depths, biased towards tiny ones (1 and 2) that stall and deadlock."""
    small = st.sampled_from((1, 1, 2, 2, 3))
    return {e.name: draw(st.one_of(small, st.integers(1, max_depth))) for e in graph.edges}
