"""The C++ kernels' loop counts (`dataflow.loops`) against literal transcriptions of the C++ loops."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inrarch_mlir.dataflow import GraphBuilder, Kernel, Phase, simulate
from inrarch_mlir.dataflow.graph import (MatmulLoop, serial_read_steps, serial_write_steps, stepped_phases,
                                         stream_in_delay)


def cpp_mac_loop(k, n, lo, macs, L):
    """The row loop of `inrarch::matmul` (kernels.h, detail::matmul_run), transcribed: the
    iteration count, the iteration writing each word, and every accumulator's update iterations."""
    NW = -(-n // lo)
    KU = macs // lo if macs >= lo else 1
    JU = lo if macs >= lo else macs
    KS = -(-k // KU)
    JB = lo // JU
    G = 1 if JB >= L else -(-L // JB)
    U = G * JB
    NG = -(-NW // G)
    PER_GROUP = KS * U
    C = NG * PER_GROUP
    writes, updates, macs_done = {}, {}, set()
    for it in range(C):
        grp, r = divmod(it, PER_GROUP)
        ks, rem = divmod(r, U)
        g, jb = divmod(rem, JB)
        ow = grp * G + g
        for ju in range(JU):
            j = jb * JU + ju
            updates.setdefault((g, j), []).append(it)
            for ku in range(KU):
                kk = ks * KU + ku
                if kk < k and ow * lo + j < n:
                    macs_done.add((ow * lo + j, kk))
        if ks == KS - 1 and jb == JB - 1 and ow < NW:
            writes[ow] = it
    return C, [writes[w] for w in range(NW)], updates, macs_done


@settings(max_examples=300, deadline=None)
@given(k=st.integers(1, 40), n=st.integers(1, 40), lo=st.sampled_from([1, 2, 3, 4, 8]),
       m=st.integers(1, 12), L=st.integers(1, 9))
def test_matmul_loop_is_the_cpp_loop(k, n, lo, m, L):
    macs = lo * m if m % 2 else max(1, lo // m) if lo % max(1, lo // m) == 0 else lo  # multiples and divisors of lo
    loop = MatmulLoop(k, n, lo, macs, L)
    C, writes, updates, done = cpp_mac_loop(k, n, lo, macs, L)
    assert loop.iterations == C
    assert list(loop.write_steps()) == writes
    assert done == {(j, kk) for j in range(n) for kk in range(k)}  # every product, each word's lanes
    for its in updates.values():  # no accumulator updated twice within L iterations
        assert min(np.diff(its), default=L) >= L
    if L == 1:  # one word at a time: exactly the loop before interleaving
        per_word = -(-lo // min(macs, lo)) * -(-k // (macs // lo if macs >= lo else 1))
        assert C == -(-n // lo) * per_word and writes == [(w + 1) * per_word - 1 for w in range(-(-n // lo))]


def test_matmul_loop_pads_the_last_group():
    # SIREN's output layer: 3 words of 256 steps at L = 4 run in one group of 4: 1024 iterations
    assert MatmulLoop(256, 3, 1, 1, 4).iterations == 1024 == 4 * 256
    assert MatmulLoop(256, 3, 1, 1, 4).write_steps() == (255 * 4, 255 * 4 + 1, 255 * 4 + 2)
    # a 256-wide layer at 48 MACs, 2 lanes: 128 words in 32 groups of 4, 11 steps: 1408 = 128 x 11
    assert MatmulLoop(256, 256, 2, 48, 4).iterations == 1408


def test_serial_steps():
    assert serial_read_steps(7, 3) == (0, 3, 6)
    assert serial_write_steps(7, 3) == (2, 5, 6)
    assert serial_write_steps(4, 1) == (0, 1, 2, 3)


def test_stepped_phases_split_at_the_first_write():
    a, b = stepped_phases(10, {"in0": [0, 4, 8]}, {"out0": [3, 9]}, latency=2)
    assert (a.cycles, a.reads, a.writes) == (3, {"in0": 1}, {})
    assert (b.cycles, b.steps("in0", False), b.steps("out0", True), b.latency) == (7, (1, 5), (0, 6), 2)
    assert a.duration + b.duration == 10 + 2
    (only,) = stepped_phases(4, {"in0": [0, 1]}, {"out0": [0, 2]})
    assert only.steps("out0", True) == (0, 2)


@pytest.mark.parametrize("bad, msg", [
    (dict(cycles=4, reads={"in0": 2}, read_steps={"in0": [0]}), "1 read steps on port 'in0' for 2 words"),
    (dict(cycles=4, writes={"out0": 2}, write_steps={"out0": [2, 1]}), "must increase strictly"),
    (dict(cycles=4, writes={"out0": 2}, write_steps={"out0": [1, 4]}), "within \\[0, 4\\)"),
])
def test_explicit_steps_are_checked(bad, msg):
    with pytest.raises(ValueError, match=msg):
        Phase(**bad)


@settings(max_examples=200, deadline=None)
@given(words=st.integers(1, 12), data=st.data())
def test_stream_in_delay_is_what_the_simulator_gives(words, data):
    """A free-running producer (write steps p) into a reader whose first loop reads at steps c,
    through a FIFO of depth 2: the reader's events are delayed by exactly stream_in_delay."""
    gaps = st.lists(st.integers(1, 5), min_size=words, max_size=words)
    p = np.cumsum(data.draw(gaps)) - 1
    c = np.cumsum(data.draw(gaps)) - 1
    b = GraphBuilder()
    b.add(Kernel("w", "weights", (Phase(int(p[-1]) + 1, writes={"out0": words}, write_steps={"out0": p}),)))
    b.add(Kernel("r", "reader", (Phase(int(c[-1]) + 1, reads={"in0": words}, read_steps={"in0": c}),
                                 Phase(1, writes={"out0": 1}))))
    b.add(Kernel.store("s", 1))
    b.connect("w", "r", depth=2)
    b.connect("r", "s")
    sim = simulate(b.build())
    # the reader's write at nominal c[-1] + 1 lands after its loads' stall
    assert sim.total_cycles == int(c[-1]) + 1 + stream_in_delay(p, c) + 2
