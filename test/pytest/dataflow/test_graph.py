"""Kernel phase programs (the contract with the C++ kernels), validation and JSON."""

import numpy as np
import pytest

from inrarch_mlir.dataflow import DataflowGraph, Edge, GraphBuilder, Kernel
from inrarch_mlir.dataflow.events import EventProgram


def chain(*kernels):
    b = GraphBuilder()
    names = [b.add(k) for k in kernels]
    for a, c in zip(names, names[1:]):
        b.connect(a, c)
    return b.build()


def test_map_phase_and_program_order():
    k = Kernel.map("m", 4, n_inputs=2, latency=2)
    (ph,) = k.phases
    assert (ph.cycles, ph.reads, ph.writes, ph.latency) == (4, {"in0": 4, "in1": 4}, {"out0": 4}, 2)
    assert k.period == 6  # the pipeline drains before the next sample
    b = GraphBuilder()
    for kk in (Kernel.load("a", 4), Kernel.fork("f", 4, 2), k, Kernel.store("s", 4)):
        b.add(kk)
    b.connect("a", "f"), b.connect("f", "m"), b.connect("f", "m"), b.connect("m", "s")
    prog = EventProgram(b.build())
    sl = slice(prog.off[prog.kindex["m"]], prog.off[prog.kindex["m"] + 1])
    kinds = ["w" if w else "r" for w in prog.is_write[sl]]
    steps = prog.nominal[sl].tolist()
    # reads of step s (in0 then in1) precede the write of step s (word s - latency)
    assert kinds == ["r", "r", "r", "r", "r", "r", "w", "r", "r", "w", "w", "w"]
    assert steps == [0, 0, 1, 1, 2, 2, 2, 3, 3, 3, 4, 5]


def _stage_events(k, stage):
    """(step, read/write, port) of one repetition of a stage, from its phases' steps (C++ iterations)."""
    out, t = [], 0
    for ph in (p for p in k.phases if p.stage == stage):
        out += [(t + s, "r", p) for p in ph.reads for s in ph.steps(p, False)]
        out += [(t + s + ph.latency, "w", p) for p in ph.writes for s in ph.steps(p, True)]
        t += ph.duration
    return sorted(out), t


def test_factories_phases():
    # one row: read it (3 words), then the MAC loop: 3 output words x ceil(10/2) steps of
    # 2 inputs (KU = macs/lanes_out), word o complete at iteration 5o + 4 (the C++ loop)
    mm = Kernel.matmul("mm", k=10, n=6, lanes_in=4, lanes_out=2, macs=4, latency=3, prologue_cycles=7)
    assert [(p.cycles, p.reads, p.writes, p.latency, p.stage) for p in mm.phases] == [
        (3, {"in0": 3}, {}, 0, 0), (4, {}, {}, 0, 1), (11, {}, {"out0": 3}, 3, 1)]
    assert _stage_events(mm, 1) == ([(4 + 3, "w", "out0"), (9 + 3, "w", "out0"), (14 + 3, "w", "out0")], 15 + 3)
    assert mm.period == 15 + 3 and mm.prologue_cycles == 7
    # more rows: row b+1 is read during row b's MAC loop (word r at iteration floor(r*15/3)),
    # each word written at its last step plus the pipeline (3); a row lasts 15 + 3
    mm = Kernel.matmul("mm", k=10, n=6, lanes_in=4, lanes_out=2, macs=4, latency=3, samples=5)
    assert _stage_events(mm, 1) == ([(0, "r", "in0"), (5, "r", "in0"), (7, "w", "out0"), (10, "r", "in0"),
                                     (12, "w", "out0"), (17, "w", "out0")], 15 + 3)
    assert _stage_events(mm, 2) == ([(7, "w", "out0"), (12, "w", "out0"), (17, "w", "out0")], 15 + 3)
    assert mm.stage_repeats == (1, 4, 1) and mm.period == 15 + 3
    assert mm.total_read("in0") == 15 and mm.total_written("out0") == 15
    # adder latency L = 4: the 3 words are interleaved in one group padded to 4 (G = 4, 5 steps
    # of 4 iterations = 20) and written in a burst during the last step: iterations 16, 17, 18
    mm = Kernel.matmul("mm", k=10, n=6, lanes_in=4, lanes_out=2, macs=4, latency=3, samples=5, interleave=4)
    assert _stage_events(mm, 1) == ([(0, "r", "in0"), (6, "r", "in0"), (13, "r", "in0"), (19, "w", "out0"),
                                     (20, "w", "out0"), (21, "w", "out0")], 20 + 3)
    assert mm.period == 20 + 3
    r = Kernel.reduce("r", 5, 2, latency=1)
    assert [(p.reads, p.writes) for p in r.phases] == [({"in0": 5}, {}), ({}, {"out0": 2})]
    c = Kernel.concat("c", [2, 3])
    assert [(p.reads, p.writes) for p in c.phases] == [({"in0": 2}, {"out0": 2}), ({"in1": 3}, {"out0": 3})]
    assert c.words_written("out0") == 5
    f = Kernel.fork("f", 3, 3)
    assert f.phases[0].writes == {"out0": 3, "out1": 3, "out2": 3}
    assert Kernel.broadcast("b", 4).phases[0].writes == {"out0": 4}
    assert len(Kernel.broadcast("b", 4, 2).phases) == 2
    assert Kernel.slice("s", 6, 2).phases[0].writes == {"out0": 2}
    bar = Kernel.barrier("t", 4, 2, samples=3)
    assert [p.stage for p in bar.phases] == [0, 1] and bar.period == 4


def test_barrier_reads_whole_batch_first():
    g = chain(Kernel.load("a", 2, samples=3), Kernel.barrier("t", 2, samples=3), Kernel.store("s", 2, samples=3))
    prog = EventProgram(g)
    sl = slice(prog.off[prog.kindex["t"]], prog.off[prog.kindex["t"] + 1])
    assert prog.is_write[sl].tolist() == [False] * 6 + [True] * 6
    assert prog.word[sl].tolist() == list(range(6)) * 2


def test_spread_reads_and_writes():
    # one row: 3 words of 2 MAC steps each, word w written at its last step 2w + 1, + latency
    mm = Kernel.matmul("mm", 2, 3, macs=1, latency=1)
    g = chain(Kernel.load("a", 2), mm, Kernel.store("s", 3))
    prog = EventProgram(g)
    sl = slice(prog.off[prog.kindex["mm"]], prog.off[prog.kindex["mm"] + 1])
    assert prog.nominal[sl].tolist() == [0, 1, 2 + 1 + 1, 2 + 3 + 1, 2 + 5 + 1]


@pytest.mark.parametrize("make, msg", [
    (lambda: DataflowGraph([Kernel.load("a", 2), Kernel.store("b", 3)], [Edge("a", "out0", "b", "in0", 2)]),
     "producer writes 2 words, consumer reads 3"),
    (lambda: DataflowGraph([Kernel.load("a", 2), Kernel.store("b", 2)], []), "not connected"),
    (lambda: DataflowGraph([Kernel.load("a", 2), Kernel.store("a", 2)], []), "duplicate kernel names"),
    (lambda: DataflowGraph([Kernel.load("a", 2), Kernel.store("b", 2)], [Edge("a", "out3", "b", "in0", 2)]),
     "has no output port 'out3'"),
    (lambda: DataflowGraph([Kernel.load("a", 2, samples=2), Kernel.store("b", 2)],
                           [Edge("a", "out0", "b", "in0", 2)]), "producer writes 4 words, consumer reads 2"),
    (lambda: Edge("a", "out0", "b", "in0", 2, depth=0), "depth 0"),
])
def test_validation_messages(make, msg):
    with pytest.raises(ValueError, match=msg):
        make()


def test_cycle_rejected():
    a, b = Kernel.map("a", 2), Kernel.map("b", 2)
    with pytest.raises(ValueError, match="cycle"):
        DataflowGraph([a, b], [Edge("a", "out0", "b", "in0", 2), Edge("b", "out0", "a", "in0", 2)])


def test_json_round_trip():
    g = chain(Kernel.load("a", 4, samples=2), Kernel.matmul("m", 4, 8, macs=2, samples=2, prologue_cycles=3),
              Kernel.barrier("t", 8, samples=2), Kernel.store("s", 8, samples=2)).with_depths(
        {"a.out0->m.in0": 3})
    h = DataflowGraph.from_json(g.to_json())
    assert h.to_dict() == g.to_dict()
    assert h.depths()["a.out0->m.in0"] == 3 and h.period == g.period == 16 + 1  # a row's MAC loop and pipeline
    p, q = EventProgram(g), EventProgram(h)
    assert np.array_equal(p.nominal, q.nominal) and np.array_equal(p.dep, q.dep)
