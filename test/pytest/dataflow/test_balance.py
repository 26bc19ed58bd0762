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
def test_bypass_needs_W_minus_2(W, samples):
    # See test_simulate.test_bypass_deadlock_threshold: W-2 words avoid the deadlock,
    # and the matmul (W + W*W cycles per sample) is so slow that the fork's stall on
    # the bypass never delays it, so W-2 is also enough for full throughput.
    g = bypass(W, samples)
    r = balance(g, shrink_threshold=0)
    assert r.depths[BYP] == W - 2
    sim = simulate(g, r.depths)
    assert not sim.deadlocked and sim.total_cycles <= r.reference_cycles * 1.01
    assert check_deadlock(g, r.depths) is None
    assert r.period == W + W * W + 2


def test_min_depth_and_result_json():
    r = balance(bypass(4, 2), min_depth=2)
    assert min(r.depths.values()) >= 2
    assert '"depths"' in r.to_json()
