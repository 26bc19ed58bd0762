"""--outputs: parsing, the jets' plan (collapsed rows), and the values against torch.func.

The values are checked in float64 against `reference_partials` (nested jacfwd
per sample: an independent route) combined here term by term, for Taylor mode
and reverse mode."""

import itertools
import math

import pytest
import torch

from inrarch_mlir.frontend import FrontendError, load_model
from inrarch_mlir.frontend.derivatives import DerivativeLayout, Output, Partial, derivative_function
from inrarch_mlir.frontend.outputs import parse_outputs
from inrarch_mlir.frontend.jet_plan import Collapsed, jet_plan
from inrarch_mlir.frontend.taylor import taylor_function


def names(outs):
    return [o.name for o in outs]


def test_operators_expand_per_channel():
    assert names(parse_outputs("value", 2, 2)) == ["y0", "y1"]
    assert names(parse_outputs("gradient", 2, 1)) == ["y0_x0", "y0_x1"]
    assert names(parse_outputs("hessian", 2, 1)) == ["y0_x0x0", "y0_x0x1", "y0_x1x1"]
    lap = parse_outputs("laplacian", 3, 1)
    assert names(lap) == ["laplacian"]
    assert lap[0].terms == tuple((1.0, Partial(0, (i, i))) for i in range(3))
    assert names(parse_outputs("laplacian", 2, 2)) == ["laplacian_y0", "laplacian_y1"]
    (div,) = parse_outputs("divergence", 2, 2)
    assert div.terms == ((1.0, Partial(0, (0,))), (1.0, Partial(1, (1,))))


def test_combinations_names_and_normalized_indices():
    (o,) = parse_outputs("heat=y0_x2-0.1*y0_x1x0+2*y0_x0x1", 3, 1)
    assert o.name == "heat"
    assert dict((p, c) for c, p in o.terms) == {Partial(0, (2,)): 1.0, Partial(0, (0, 1)): pytest.approx(1.9)}
    (u,) = parse_outputs("y0_x0x0+2*y0_x1x1", 2, 1)
    assert u.name == "y0_x0x0_plus_2_y0_x1x1" and u.name.isidentifier()
    assert parse_outputs("y0_x1x0", 2, 1)[0].name == "y0_x0x1"


@pytest.mark.parametrize("text,needle", [
    ("y1", "channel 1; the model has 1"),
    ("y0_x2", "x2; the model has 2 input coordinates"),
    ("y0,,y0_x0", "empty item"),
    ("y0,value", "asked for twice"),
    ("divergence", "as many outputs as input coordinates"),
    ("y0_x0-y0_x0", "identically zero"),
    ("curl", "expected an operator (value, gradient"),
    ("2 y0", "cannot read"),
    ("3x=y0", "not a name"),
])
def test_bad_lists_are_one_clear_error(text, needle):
    with pytest.raises(FrontendError) as e:
        parse_outputs(text, 2, 1)
    assert needle in e.value.message


def test_laplacian_collapses_to_one_row():
    lay = DerivativeLayout.of_outputs(3, 1, parse_outputs("laplacian", 3, 1), [])
    plan = jet_plan(lay)
    assert plan.indices == [(1, 0, 0), (0, 1, 0), (0, 0, 1)]  # the tangents only, no mixed partials
    assert len(plan.collapsed) == 1 and isinstance(plan.collapsed[0], Collapsed)
    # a sum whose terms are all needed anyway is summed at the end instead
    lay = DerivativeLayout.of_outputs(2, 1, parse_outputs("hessian,laplacian", 2, 1), [])
    assert not jet_plan(lay).collapsed
    # one pure partial carries only its own line of coefficients
    lay = DerivativeLayout.of_outputs(3, 1, parse_outputs("y0_x1x1", 3, 1), [])
    assert jet_plan(lay).indices == [(0, 1, 0), (0, 2, 0)]


def _model(spec):
    m = load_model(spec, seed=3).module.double()
    return m, [n for n, _ in m.named_parameters()], [p.detach() for _, p in m.named_parameters()]


def _expected(module, params, outputs, d, coords):
    """Each output from the full derivative tensors of nested jacfwd, combined term by term."""
    p = dict(zip([n for n, _ in module.named_parameters()], params))

    def f(x):
        return torch.func.functional_call(module, p, (x.unsqueeze(0),)).reshape(-1)

    full, g = {0: torch.func.vmap(f)(coords)}, f
    for k in range(1, 4):
        g = torch.func.jacfwd(g)
        full[k] = torch.func.vmap(g)(coords)
    return [sum(c * full[q.order][(slice(None), q.channel) + q.index] for c, q in o.terms) for o in outputs]


CASES = [
    ("siren:in=3,hidden=12,layers=2,out=1,w0=5", "laplacian"),
    ("siren:in=3,hidden=12,layers=2,out=2,w0=5", "laplacian,y1_x0x2,value"),
    ("tanh:in=2,hidden=10,layers=3,out=1", "lap=y0_x0x0+y0_x1x1,y0_x0+3*y0_x1,0.5*y0-y0_x0x1"),
    ("gauss:in=2,hidden=8,layers=2,out=2", "divergence,y0_x0x0x0+y0_x1x1x1"),
    ("siren:in=3,hidden=8,layers=2,out=1,w0=5", "y0_x2-0.25*y0_x0x0-0.25*y0_x1x1,gradient"),
]


@pytest.mark.parametrize("spec,text", CASES)
def test_outputs_match_jacfwd_in_float64(spec, text):
    module, pnames, params = _model(spec)
    d = load_model(spec).in_features
    out = module(torch.zeros(1, d, dtype=torch.float64)).shape[-1]
    outputs = parse_outputs(text, d, out)
    lay = DerivativeLayout.of_outputs(d, out, outputs, pnames)
    coords = torch.rand(6, d, dtype=torch.float64, generator=torch.Generator().manual_seed(1)) * 2 - 1
    want = _expected(module, params, outputs, d, coords)
    for fn in (taylor_function(module, lay), derivative_function(module, lay)):
        got = fn(coords, *params)
        assert len(got) == len(outputs)
        for o, g, w in zip(outputs, got, want):
            g, w = g.detach(), w.detach()
            err = float((g - w).abs().max()) / max(float(w.abs().max()), 1e-300)
            assert err < 1e-10, (o.name, err)


def test_default_layout_is_every_partial_still():
    lay = DerivativeLayout.build(2, 1, 2, False, [])
    plan = jet_plan(lay)
    assert plan.indices == [(1, 0), (0, 1), (2, 0), (1, 1), (0, 2)] and not plan.collapsed
    assert [o.partial for o in lay.results] == [Partial(0, ix) for k in range(3)
                                                for ix in itertools.combinations_with_replacement(range(2), k)]


def test_output_json_round_trip_keeps_terms():
    outs = parse_outputs("y0,lap=y0_x0x0+y0_x1x1", 2, 1)
    lay = DerivativeLayout.of_outputs(2, 1, outs, ["w"])
    assert DerivativeLayout.from_json(lay.to_json()) == lay
    assert lay.orders == (0, 2)
    assert Output.of(Partial(0, (1,))).to_dict() == {"channel": 0, "index": [1], "order": 1, "name": "y0_x1"}


def test_laplacian_macs_are_the_collapsed_count(tmp_path):
    """A 3-input SIREN: the Laplacian streams 1 + 3 + 1 rows through each hidden layer
    instead of C(5, 2) = 10, and the last layer only the primal and the collapsed row."""
    import json

    import inrarch_mlir as im

    h, d, spec = 16, 3, "siren:in=3,hidden=16,layers=3,out=1,w0=30"
    got = {}
    for name, kw in (("all", dict(order=2)), ("lap", dict(order=None, outputs="laplacian"))):
        im.compile(spec, batch=4, outdir=tmp_path / name, stop_after=None, **kw)
        got[name] = json.loads((tmp_path / name / "report.json").read_text())["macs_per_sample"]
    rows_all, rows_lap = math.comb(d + 2, 2), 1 + d + 1
    first = d * h  # the first layer's tangents are columns of W: its primal row alone
    assert got["all"] == first + 2 * rows_all * h * h + rows_all * h
    assert got["lap"] == first + 2 * rows_lap * h * h + 2 * h
    assert got["lap"] <= 0.55 * got["all"]


def test_references_in_chunks_equal_one_batch(monkeypatch):
    """`frontend.check.references` evaluates independent samples in chunks (memory
    does not grow with the batch): same float64 reference as all samples at once,
    and PyTorch float32's own results within float32 rounding."""
    from inrarch_mlir.frontend import check
    from inrarch_mlir.frontend.model_import import import_model

    imp = import_model("siren:in=2,hidden=16,layers=2,out=2,w0=30", 2, 37)
    whole, whole32, _ = check.references(imp, coupled=False)
    monkeypatch.setattr(check, "REFERENCE_CHUNK", 8)  # 5 chunks, the last one short
    parts, parts32, _ = check.references(imp, coupled=False)
    assert len(parts) == len(whole) and all(p.shape == w.shape for p, w in zip(parts, whole))
    for p, w in zip(parts, whole):
        torch.testing.assert_close(p, w, rtol=1e-12, atol=1e-12)
    for p, w in zip(parts32, whole32):
        torch.testing.assert_close(p, w, rtol=1e-5, atol=1e-5)
