"""DerivativeLayout: unique partials, ordering, JSON round trip."""

import json

from inrarch_mlir.frontend import DerivativeLayout, Partial


def test_second_order_mixed_partials_are_unique():
    lay = DerivativeLayout.build(2, 1, 2, False, ["w"])
    assert [p.index for p in lay.results] == [(), (0,), (1,), (0, 0), (0, 1), (1, 1)]
    assert [p.name for p in lay.results][-3:] == ["y0_x0x0", "y0_x0x1", "y0_x1x1"]


def test_order_major_then_channel():
    lay = DerivativeLayout.build(2, 3, 1, False, [])
    assert [(p.order, p.channel) for p in lay.results] == [
        (0, 0), (0, 1), (0, 2), (1, 0), (1, 0), (1, 1), (1, 1), (1, 2), (1, 2)]


def test_only_order():
    lay = DerivativeLayout.build(3, 2, 2, True, [])
    assert lay.orders == (2,)
    assert len(lay.results) == 2 * 6  # C(3+2-1, 2) = 6 per channel


def test_counts_match_multisets():
    from math import comb

    for n_in in (1, 2, 3):
        for order in range(5):
            lay = DerivativeLayout.build(n_in, 1, order, False, [])
            assert len(lay.results) == sum(comb(n_in + k - 1, k) for k in range(order + 1))


def test_json_round_trip():
    lay = DerivativeLayout.build(2, 3, 3, False, ["a.weight", "a.bias"])
    d = json.loads(lay.to_json())
    assert d["arguments"] == ["coords", "a.weight", "a.bias"]
    assert d["results"][4] == {"channel": 0, "index": [1], "order": 1, "name": "y0_x1"}
    assert DerivativeLayout.from_json(lay.to_json()) == lay
    assert Partial(1, (0, 1)).order == 2
