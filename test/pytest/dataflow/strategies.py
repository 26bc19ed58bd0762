"""Hypothesis strategies for random dataflow graphs (reusable by other test suites).

``dataflow_graphs()`` draws DAGs of 3-25 kernels with 1-8 samples and small
word counts, built from every kernel kind: forks whose branches reconverge in
joins, rate changes (matmul, reduce, slice, broadcast, concat) and
whole-tensor barriers, including barriers that change the number of rows
(a transpose or a sum over the batch, a concatenation along it, a matmul
whose weights are a stream).  Import it with ``from strategies import
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

    # (kernel, words per row, rows) with a free output
    open_: list[tuple[str, int, int]] = []
    for _ in range(draw(st.integers(1, 2))):
        w = draw(st.sampled_from(WORDS))
        open_.append((add(Kernel.load(name("load"), w, samples=samples)), w, samples))
    ops = ["map", "fork", "fork", "join", "join", "matmul", "reduce", "slice", "bcast", "concat"]
    if barriers:
        ops += ["barrier", "rebatch", "catrows", "mmstream"]
    # leave room for a store per open stream
    while count + len(open_) + 2 <= budget:
        op = draw(st.sampled_from(ops))
        i = draw(st.integers(0, len(open_) - 1))
        src, w, rows = open_[i]
        if op in ("join", "concat", "catrows", "mmstream"):
            if op == "join":
                partners = [j for j, (_, w2, r2) in enumerate(open_) if (w2, r2) == (w, rows) and j != i]
            elif op == "concat":
                partners = [j for j, (_, _, r2) in enumerate(open_) if r2 == rows and j != i]
            else:
                partners = [j for j in range(len(open_)) if j != i]
            if not partners:
                op = "map"
            else:
                j = draw(st.sampled_from(partners))
                other, w2, r2 = open_[j]
                if op == "join":
                    k = add(Kernel.map(name("join"), w, 2, draw(st.integers(0, 3)), samples=rows))
                    out = (k, w, rows)
                elif op == "concat":
                    k = add(Kernel.concat(name("cat"), [w, w2], samples=rows))
                    out = (k, w + w2, rows)
                elif op == "catrows":  # rows of both inputs, one after the other
                    k = add(Kernel.barrier(name("catrows"), [w, w2], w, samples=[rows, r2],
                                           samples_out=rows + r2, latency=draw(st.integers(0, 2))))
                    out = (k, w, rows + r2)
                else:  # x rows times a weight matrix that arrives as a stream
                    n = draw(st.sampled_from(WORDS))
                    k = add(Kernel.matmul(name("mms"), w, n, macs=draw(st.sampled_from((1, 2, 64))),
                                          latency=draw(st.integers(0, 3)), samples=rows,
                                          weight_rows=r2, weight_words=w2))
                    out = (k, n, rows)
                b.connect(src, k, dst_port="in0")
                b.connect(other, k, dst_port="in1")
                open_ = [s for n_, s in enumerate(open_) if n_ not in (i, j)] + [out]
                continue
        del open_[i]
        samples = rows
        if op == "map":
            k = add(Kernel.map(name("map"), w, 1, draw(st.integers(0, 3)), samples=samples))
            b.connect(src, k)
            open_.append((k, w, rows))
        elif op == "fork":
            n = draw(st.integers(2, 3))
            k = add(Kernel.fork(name("fork"), w, n, samples=samples))
            b.connect(src, k)
            open_ += [(k, w, rows)] * n
        elif op == "matmul":
            n = draw(st.sampled_from(WORDS))
            k = add(Kernel.matmul(name("mm"), w, n, 1, 1, draw(st.sampled_from((1, 2, 4, 64))),
                                  draw(st.integers(0, 3)), samples=samples))
            b.connect(src, k)
            open_.append((k, n, rows))
        elif op == "reduce":
            n = draw(st.integers(1, 2))
            k = add(Kernel.reduce(name("red"), w, n, draw(st.integers(0, 3)), samples=samples))
            b.connect(src, k)
            open_.append((k, n, rows))
        elif op == "slice":
            n = draw(st.integers(1, w))
            k = add(Kernel.slice(name("slice"), w, n, samples=samples))
            b.connect(src, k)
            open_.append((k, n, rows))
        elif op == "bcast":
            n = draw(st.sampled_from(WORDS))
            k = add(Kernel.broadcast(name("bc"), n, w, latency=draw(st.integers(0, 2)), samples=samples))
            b.connect(src, k)
            open_.append((k, n, rows))
        elif op == "barrier":
            n = draw(st.sampled_from((w, draw(st.sampled_from(WORDS)))))
            k = add(Kernel.barrier(name("bar"), w, n, latency=draw(st.integers(0, 2)), samples=samples))
            b.connect(src, k)
            open_.append((k, n, rows))
        elif op == "rebatch":  # e.g. a transpose of the batch, a sum over it, a broadcast along it
            r2 = draw(st.integers(1, max_samples))
            n = draw(st.sampled_from(WORDS))
            k = add(Kernel.barrier(name("rebatch"), w, n, latency=draw(st.integers(0, 2)), samples=rows,
                                   samples_out=r2))
            b.connect(src, k)
            open_.append((k, n, r2))
    for src, w, rows in open_:
        k = add(Kernel.store(name("store"), w, samples=rows))
        b.connect(src, k)
    return b.build()


@st.composite
def depth_maps(draw, graph: DataflowGraph, max_depth: int = 12) -> dict[str, int]:
    """Random depths, biased towards tiny ones (1 and 2) that stall and deadlock."""
    small = st.sampled_from((1, 1, 2, 2, 3))
    return {e.name: draw(st.one_of(small, st.integers(1, max_depth))) for e in graph.edges}
