"""LP balancing on hand-computed graphs."""

import pytest

from inrarch_mlir.dataflow import balance, check_deadlock, depth_for_shift, simulate
from test_simulate import BYP, bypass, chain


def test_depth_for_shift_by_hand():
    # one word per cycle each way, 1 sample of 4 words, consumer d cycles behind:
    # write k (cycle k) needs read k-depth (cycle k-depth+d) <= k-1, so depth >= d+1,
    # capped by the 4 words of the batch.
    ow = orr = [0, 1, 2, 3]
    assert [int(depth_for_shift(ow, orr, 1, 4, d)) for d in (1, 2, 3, 4, 9)] == [2, 3, 4, 4, 4]
    # two samples back to back (period 4): still d+1, capped at 8 words
    assert int(depth_for_shift(ow, orr, 2, 4, 6)) == 7
    assert int(depth_for_shift(ow, orr, 2, 4, 20)) == 8


def test_chain_gets_depth_two():
    g = chain(6, 4, n_maps=2)
    r = balance(g, min_depth=1)
    assert set(r.depths.values()) == {2}  # II=1 needs two slots under the registered-full rule
    assert r.cycles == r.reference_cycles
    assert r.total_bits == 3 * 2 * 32


@pytest.mark.parametrize("W, samples", [(4, 1), (8, 3), (6, 5)])
def test_bypass_depth_with_a_double_buffered_row(W, samples):
    # See test_simulate.test_bypass_deadlock_threshold: with one sample, W-2 words
    # avoid the deadlock. With more, the matmul reads row b+1 (one word every W
    # of its W*W MAC steps) while it computes row b, and writes output word 0 of
    # row b after its W steps plus the pipeline (2): the bypass then holds W
    # words. The matmul is so slow that the fork's stall on the bypass never
    # delays it: no more depth is needed for full throughput.
    g = bypass(W, samples)
    r = balance(g, shrink_threshold=0)
    assert r.depths[BYP] == (W - 2 if samples == 1 else W)
    sim = simulate(g, r.depths)
    assert not sim.deadlocked and sim.total_cycles <= r.reference_cycles * 1.01
    assert check_deadlock(g, r.depths) is None
    # a row: W*W MAC steps, the last word written at the last one, then the pipeline (2)
    assert r.period == W * W + 2


def test_min_depth_and_result_json():
    r = balance(bypass(4, 2), min_depth=2)
    assert min(r.depths.values()) >= 2
    assert '"depths"' in r.to_json()


@pytest.mark.parametrize("W, samples", [(3, 4), (8, 16)])
def test_mean_subtraction_buffers_the_whole_batch(W, samples):
    # x - mean(x over the batch): the mean is a barrier (all rows in, one row out),
    # broadcast back over the batch by a second one (one row in, all rows out). The
    # join reads word 0 of x, then waits for the mean, so the bypass must hold the
    # other samples*W - 1 words of x: one less deadlocks.
    from inrarch_mlir.dataflow import GraphBuilder, Kernel

    b = GraphBuilder()
    b.add(Kernel.load("x", W, samples=samples))
    b.add(Kernel.fork("f", W, 2, samples=samples))
    b.add(Kernel.barrier("mean", W, W, samples=samples, samples_out=1, latency=2))
    b.add(Kernel.barrier("bc", W, W, samples=1, samples_out=samples))
    b.add(Kernel.map("sub", W, 2, latency=1, samples=samples))
    b.add(Kernel.store("y", W, samples=samples))
    b.connect("x", "f")
    b.connect("f", "sub", dst_port="in0")
    b.connect("f", "mean")
    b.connect("mean", "bc")
    b.connect("bc", "sub", dst_port="in1")
    b.connect("sub", "y")
    g = b.build()
    bypass_edge = "f.out0->sub.in0"
    r = balance(g, shrink_threshold=0)
    assert r.depths[bypass_edge] == samples * W - 1
    sim = simulate(g, r.depths)
    assert not sim.deadlocked and sim.total_cycles <= r.reference_cycles * 1.01
    assert check_deadlock(g, r.depths) is None
    less = dict(r.depths)
    less[bypass_edge] -= 1
    assert simulate(g, less).deadlocked and check_deadlock(g, less) is not None


def test_streamed_weights_matmul_reads_weights_first():
    # x^T-style matmul: 3 rows of 4 words times a [4, 2] matrix arriving as 4 rows
    from inrarch_mlir.dataflow import GraphBuilder, Kernel
    from inrarch_mlir.dataflow.events import EventProgram

    b = GraphBuilder()
    b.add(Kernel.load("x", 4, samples=3))
    b.add(Kernel.load("w", 2, samples=4))
    b.add(Kernel.matmul("mm", 4, 2, macs=2, samples=3, weight_rows=4, weight_words=2))
    b.add(Kernel.store("y", 2, samples=3))
    b.connect("x", "mm", dst_port="in0")
    b.connect("w", "mm", dst_port="in1")
    b.connect("mm", "y")
    g = b.build()
    prog = EventProgram(g)
    sl = slice(prog.off[prog.kindex["mm"]], prog.off[prog.kindex["mm"] + 1])
    edges = [g.edges[i].name.split("->")[1] for i in prog.edge[sl][:9]]
    assert edges == ["mm.in1"] * 8 + ["mm.in0"]  # all 8 weight words before any row of x
    r = balance(g)
    assert not simulate(g, r.depths).deadlocked


def test_depths_hold_in_the_sequential_order_not_only_the_pipelined_one():
    # A fork feeds a concat directly (in0) and through a map of latency 10 (in1).
    # The concat reads all of in0 first, so the in1 path must hold the W = 12
    # words meanwhile. In the pipelined order the map holds 10 of them in its
    # pipeline, so 2 + 2 FIFO words suffice; the C++ map (and a Vitis pipeline
    # scheduled shallower) holds one, so the FIFOs must hold the rest.
    from inrarch_mlir.dataflow import GraphBuilder, Kernel

    W = 12
    b = GraphBuilder()
    b.add(Kernel.load("x", W))
    b.add(Kernel.fork("f", W, 2))
    b.add(Kernel.map("slow", W, 1, latency=10))
    b.add(Kernel.concat("cat", [W, W]))
    b.add(Kernel.store("y", 2 * W))
    b.connect("x", "f")
    b.connect("f", "cat", dst_port="in0")
    b.connect("f", "slow")
    b.connect("slow", "cat", dst_port="in1")
    b.connect("cat", "y")
    g = b.build()
    shallow = {e.name: 2 for e in g.edges}
    assert check_deadlock(g, shallow, pipelined=True) is None
    report = check_deadlock(g, shallow)
    assert report is not None and report.fifos.get("f.out1->slow.in0") == "full"
    assert not simulate(g, shallow).deadlocked  # the timing model alone would accept it
    r = balance(g, min_depth=2)
    assert r.sequential_grown >= 1 and check_deadlock(g, r.depths) is None
    # the two FIFOs, the map's word and the fork's hold the W words, and each is tight
    assert r.depths["f.out1->slow.in0"] + r.depths["slow.out0->cat.in1"] + 2 == W
    for name in ("f.out1->slow.in0", "slow.out0->cat.in1"):
        assert check_deadlock(g, {**r.depths, name: r.depths[name] - 1}) is not None
    assert r.cycles == simulate(g, r.depths).total_cycles
