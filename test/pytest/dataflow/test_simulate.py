"""Simulator and deadlock check on hand-computed cases.

FIFO rule (see inrarch_mlir.dataflow.events): a read happens at least one
cycle after its write, and write k needs read k-depth in a strictly earlier
cycle.
"""

import json

import pytest

from inrarch_mlir.dataflow import GraphBuilder, Kernel, check_deadlock, simulate


def chain(words, samples, n_maps=0):
    b = GraphBuilder()
    names = [b.add(Kernel.load("ld", words, samples=samples))]
    names += [b.add(Kernel.map(f"m{i}", words, 1, 0, samples=samples)) for i in range(n_maps)]
    names.append(b.add(Kernel.store("st", words, samples=samples)))
    for a, c in zip(names, names[1:]):
        b.connect(a, c)
    return b.build()


def test_stream_unbounded_and_depth_two_full_rate():
    g = chain(5, 3)
    # write k in cycle k, read k in cycle k+1: 15 words end in cycle 15
    assert simulate(g).total_cycles == 3 * 5 + 1
    assert simulate(g, {"ld.out0->st.in0": 2}).total_cycles == 16


def test_depth_one_halves_throughput():
    g = chain(5, 3)
    # write k at 2k, read k at 2k+1: the last read is at 2*14+1
    r = simulate(g, {"ld.out0->st.in0": 1})
    assert r.total_cycles == 2 * 14 + 2
    assert r.blocked_fifos == {"ld.out0->st.in0": "full"}
    assert r.peak_occupancy["ld.out0->st.in0"] == 1
    assert r.stall_cycles["ld"] == 14


def test_pipeline_latency_drains_between_samples():
    b = GraphBuilder()
    b.add(Kernel.load("ld", 4, samples=2)); b.add(Kernel.map("m", 4, 1, 3, samples=2)); b.add(Kernel.store("st", 4, samples=2))
    b.connect("ld", "m"); b.connect("m", "st")
    # map: reads sample 0 at 1..4, writes at 4..7; sample 1 reads start at 8 (drain), writes 11..14
    assert simulate(b.build()).total_cycles == 16


def bypass(W, samples=1, macs=1):
    b = GraphBuilder()
    for k in (Kernel.load("ld", W, samples=samples), Kernel.fork("f", W, 2, samples=samples),
              Kernel.matmul("mm", W, W, macs=macs, latency=2, samples=samples),
              Kernel.map("j", W, 2, 1, samples=samples), Kernel.store("st", W, samples=samples)):
        b.add(k)
    b.connect("ld", "f")
    b.connect("f", "mm")          # f.out0: written first in each step
    b.connect("f", "j")           # f.out1 -> j.in0 is the bypass
    b.connect("mm", "j")          # -> j.in1
    b.connect("j", "st")
    return b.build()


BYP = "f.out1->j.in0"


@pytest.mark.parametrize("W", [3, 5, 8])
def test_bypass_deadlock_threshold(W):
    # The join reads bypass word 0, then waits for the matmul's first output, which
    # needs all W words on f.out0.  The fork writes out0 word W-1 only after bypass
    # word W-2, which needs read W-2-d to be done: only word 0 is, so d >= W-2.
    g = bypass(W)
    small = {BYP: W - 3} if W > 3 else {BYP: 1}
    if W > 3:
        rep = check_deadlock(g, small)
        assert rep is not None and rep.fifos[BYP] == "full"
        assert "mm.out0->j.in1" in rep.fifos and BYP in str(rep)
        sim = simulate(g, small)
        assert sim.deadlocked and sim.blocked_fifos[BYP] == "full"
    ok = {BYP: W - 2}
    assert check_deadlock(g, ok) is None
    assert not simulate(g, ok).deadlocked


def test_sim_result_json():
    r = simulate(bypass(4, 2), {BYP: 3}, trace_points=16)
    d = json.loads(r.to_json())
    assert d["total_cycles"] == r.total_cycles and len(d["trace"]["times"]) == len(r.trace_times)
    assert max(max(row) for row in d["trace"]["occupancy"]) <= max(r.peak_occupancy.values())
