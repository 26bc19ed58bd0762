"""Taylor-mode derivatives (`frontend/taylor.py`): the same partials as nested
`torch.func.jacfwd` (float64, computed here), one matmul per Linear, and a
graph the rest of the frontend imports and checks."""

import textwrap

import pytest
import torch

from inrarch_mlir.frontend import DerivativeLayout, FrontendError, import_model, load_model, reference_partials
from inrarch_mlir.frontend.jet_plan import index_of, multi_indices, vector_partitions
from inrarch_mlir.frontend.taylor import taylor_function

SMALL = {
    "siren": "siren:in={d},hidden=8,layers=2,out=2,w0=30",
    "tanh": "tanh:in={d},hidden=8,layers=2,out=2",
    "gauss": "gauss:in={d},hidden=8,layers=2,out=2,sigma=0.5",
    "ffn": "ffn:in={d},hidden=8,layers=2,out=2,freqs=4,scale=3",
    "quad": "quad:in={d},hidden=8,layers=2,out=2",
    "finer": "finer:in={d},hidden=8,layers=2,out=2",
    "patch": "patch:in={d},hidden=8,layers=2,out=2,patch=2",
    "scone": "scone:in={d},hidden=8,layers=2,out=2",
    "asmr": "asmr:in={d},hidden=8,layers=1,out=1",  # input: (layers + 1) levels of d coordinates
}

USER = textwrap.dedent('''
    import torch
    from torch import nn
    import torch.nn.functional as F

    class Mixed(nn.Module):
        """Products and quotients of two jets, abs, relu, where, maximum, clamp, pow, exp, remainder, cat."""
        def __init__(self):
            super().__init__()
            self.a, self.b, self.c = nn.Linear(2, 6), nn.Linear(6, 6), nn.Linear(12, 2)
            self.scale = nn.Parameter(torch.rand(6) + 0.5)
        def forward(self, x):
            h = torch.sin(3.0 * self.a(x))
            g = torch.tanh(self.b(h)) * self.scale
            q = (h * g) / (1.5 + torch.exp(-g))
            r = torch.abs(q) + torch.relu(h - 0.1) + torch.where(g > 0, g * g, -g)
            s = torch.pow(1.2 + torch.sigmoid(r), 2.5) - torch.maximum(h, g) + torch.clamp(g, -0.3, 0.4)
            t = F.softplus(s) + h ** 3 / 3.0 + 2.0 / (2.0 + h) + torch.pow(1.5 + h * h, 0.5 + 0.1 * g)
            t = t + torch.remainder(4.0 * g + 2.0, 4.0) * h  # f' = 1 and f'' = 0 by the traced graph
            return self.c(torch.cat([t, s.sum(-1, keepdim=True).expand(-1, 6) / 6 + x.mean(-1, keepdim=True)], -1))

    class Sorting(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 4)
        def forward(self, x):
            return torch.sort(self.lin(x), dim=-1).values

    class Centred(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(2, 4), nn.Linear(4, 1)
        def forward(self, x):
            h = torch.sin(self.a(x))
            return self.b(h - h.mean(0, keepdim=True))

    def mixed():
        torch.manual_seed(1)
        return Mixed()
''')


@pytest.fixture(scope="module")
def user_models(tmp_path_factory):
    import importlib.util

    path = tmp_path_factory.mktemp("taylor") / "taylor_models.py"
    path.write_text(USER)
    spec = importlib.util.spec_from_file_location("taylor_models", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return path, vars(module)


def _params(module):
    return [n for n, _ in module.named_parameters()], [p.detach() for _, p in module.named_parameters()]


def _max_rel_err(module, order, d, out, *, only_order=False, batch=4):
    module = module.double()
    names, params = _params(module)
    layout = DerivativeLayout.build(d, out, order, only_order, names)
    x = torch.rand(batch, d, generator=torch.Generator().manual_seed(order + 10 * d), dtype=torch.float64) * 2 - 1
    got = taylor_function(module, layout)(x, *params)
    ref = reference_partials(module, layout, x, params)
    assert len(got) == len(ref) == len(layout.results)
    worst = 0.0
    for g, r in zip(got, ref):
        assert g.shape == r.shape == (batch,)
        worst = max(worst, float((g - r).abs().max()) / max(float(r.abs().max()), 1e-300))
    return worst


def test_multi_index_helpers():
    assert multi_indices(2, 2) == [(1, 0), (0, 1), (2, 0), (1, 1), (0, 2)]
    assert index_of((0, 1, 1), 2) == (1, 2)
    parts = [(1, 0), (0, 1), (1, 1)]
    assert sorted(vector_partitions((1, 1), parts)) == [(0, 1), (2,)]


@pytest.mark.parametrize("order", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("family", sorted(SMALL))
def test_builtin_families_match_jacfwd(family, d, order):
    loaded = load_model(SMALL[family].format(d=d))
    out = int(loaded.module(torch.zeros(1, loaded.in_features)).shape[-1])
    assert _max_rel_err(loaded.module, order, loaded.in_features, out) <= 1e-10


@pytest.mark.parametrize("family", ["siren", "tanh"])
def test_only_order(family):
    module = load_model(SMALL[family].format(d=3)).module
    assert _max_rel_err(module, 3, 3, 2, only_order=True) <= 1e-10


@pytest.mark.parametrize("order", [1, 2, 3])
def test_user_model_products_quotients_piecewise(user_models, order):
    _, ns = user_models
    assert _max_rel_err(ns["mixed"](), order, 2, 2, batch=6) <= 1e-10


def _matmuls(gm):
    return [n for n in gm.graph.nodes if n.op == "call_function"
            and n.target in (torch.ops.aten.mm.default, torch.ops.aten.addmm.default)]


@pytest.mark.parametrize("order", [1, 2, 3])
def test_one_matmul_per_linear_over_all_coefficient_rows(order):
    from inrarch_mlir.frontend.tracing import trace_derivatives

    loaded = load_model("siren:in=2,hidden=8,layers=3,out=2,w0=30")
    names, params = _params(loaded.module)
    layout = DerivativeLayout.build(2, 2, order, False, names)
    batch = 5
    gm = trace_derivatives(taylor_function(loaded.module, layout), torch.rand(batch, 2), params)
    mms = _matmuls(gm)
    assert len(mms) == 4  # one per Linear (3 hidden + out), whatever the order
    rows = [n.args[1 if n.target == torch.ops.aten.addmm.default else 0].meta["val"].shape[0] for n in mms]
    terms = len(multi_indices(2, order)) + 1  # T = C(d + n, n)
    assert rows == [batch] + [batch * terms] * 3  # first layer: the primal only, tangents are columns of W


def test_import_and_check(inrarch_import, tmp_path):
    r = import_model("siren:in=2,hidden=8,layers=2,out=2,w0=30", 2, 3, ad="taylor")
    assert r.ad == "taylor" and not r.ad_note
    assert r.op_counts.get("torch.aten.mm", 0) == 3
    status, out, err = inrarch_import("siren:in=2,hidden=8,layers=2,out=2,w0=30", "--order", "3", "--batch", "3",
                                      "--ad", "taylor", "--check", "-q", "-o", str(tmp_path / "m.mlir"))
    assert status == 0, err
    assert "max_rel_err=" in out and " ok" in out


def test_traced_user_model_checks_through_mlir(user_models):
    from inrarch_mlir.frontend import check_module

    path, _ = user_models
    r = import_model(f"{path}:mixed", 2, 4, ad="taylor")
    report = check_module(r)
    assert r.ad == "taylor" and report.ok, report.summary()


def test_reverse_mode_is_unchanged():
    r = import_model("siren:in=2,hidden=8,layers=2,out=2,w0=30", 1, 3, ad="reverse")
    assert r.ad == "reverse" and r.fold_stats.one_hot_selects > 0


def test_unsupported_op_is_located(user_models):
    path, ns = user_models
    with pytest.raises(FrontendError) as e:
        import_model(ns["Sorting"](), 1, 3, in_features=2, ad="taylor", verify=False)
    text = str(e.value)
    assert "no jet rule for 'aten.sort'" in text and "use --ad reverse" in text and "\n" not in text
    assert text.startswith(f"{path}:")
    fallback = import_model(f"{path}:mixed", 1, 3, verify=False)  # the default is taylor when it applies
    assert fallback.ad == "taylor"


def test_default_falls_back_where_taylor_does_not_apply(user_models):
    _, ns = user_models
    r = import_model(ns["Sorting"](), 1, 3, in_features=2, verify=False)
    assert r.ad == "reverse" and "aten.sort" in r.ad_note
    r = import_model(ns["Centred"](), 1, 3, in_features=2, verify=False)
    assert r.ad == "reverse" and "samples interact" in r.ad_note
    with pytest.raises(FrontendError, match="samples interact"):
        import_model(ns["Centred"](), 1, 3, in_features=2, ad="taylor", verify=False)
    with pytest.raises(FrontendError, match="--ad must be one of"):
        import_model("siren:hidden=8,layers=1", 1, 2, ad="forward")
