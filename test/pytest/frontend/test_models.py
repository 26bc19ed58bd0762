"""Model specs: parsing, defaults, deterministic init, the benchmark's size."""

import pytest
import torch

from inrarch_mlir.frontend import FAMILIES, FrontendError, load_model, parse_builtin_spec


def test_benchmark_siren_has_inr_arch_parameter_count():
    m = load_model("siren:in=2,hidden=256,layers=4,out=3,w0=30")
    assert sum(p.numel() for p in m.module.parameters()) == 198_915
    assert m.in_features == 2


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_family_builds_with_defaults_and_small_sizes(family):
    spec = f"{family}:hidden=8,layers=2,out=2"
    m = load_model(spec)
    params = parse_builtin_spec(spec)[1]
    y = m.module(torch.zeros(4, m.in_features))  # 2 coordinates; ASMR: 2 per level
    assert y.shape == (4, FAMILIES[family].out_width(params))  # 2 channels; PatchINR: per patch pixel


def test_init_is_deterministic_per_seed():
    a = load_model("siren:hidden=8", seed=1).module.hidden[0].weight
    b = load_model("siren:hidden=8", seed=1).module.hidden[0].weight
    c = load_model("siren:hidden=8", seed=2).module.hidden[0].weight
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_siren_init_bounds():
    m = load_model("siren:in=2,hidden=64,layers=3,out=3,w0=30").module
    assert m.hidden[0].weight.abs().max() <= 1 / 2
    assert m.hidden[1].weight.abs().max() <= (6 / 64) ** 0.5 / 30 + 1e-7


def test_parse_fills_defaults():
    fam, p = parse_builtin_spec("gauss:hidden=32,sigma=0.25")
    assert fam == "gauss" and p["hidden"] == 32 and p["sigma"] == 0.25 and p["in"] == 2


@pytest.mark.parametrize("spec, needle", [
    ("blah", "unknown model 'blah'"),
    ("siren:hidden=x", "hidden='x' is not an integer"),
    ("siren:foo=1", "unknown key 'foo'"),
    ("siren:hidden", "'hidden' is not key=value"),
    ("siren:layers=0", "layers must be >= 1"),
    ("gauss:sigma=-1", "sigma must be > 0"),
    ("missing_dir/model.py:factory", "no such file"),
    ("model.py", "expected 'path/file.py:factory'"),
])
def test_bad_specs_are_one_line_errors(spec, needle):
    with pytest.raises(FrontendError) as info:
        load_model(spec)
    text = str(info.value)
    assert needle in text and "\n" not in text and text.startswith("error: ")


def test_in_features_must_match_builtin_spec():
    with pytest.raises(FrontendError, match="contradicts"):
        load_model("siren:in=2", in_features=3)
