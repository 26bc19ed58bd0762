"""The imported module: arguments, layout metadata, no batch-sized constants."""

import re

import torch

import pytest

from inrarch_mlir.frontend import import_model, layout_of
from conftest import USER_MODEL


def _literal_shapes(asm):
    return [tuple(int(d) for d in m.split(",") if d)
            for m in re.findall(r"torch\.vtensor\.literal\(.*?\) : !torch\.vtensor<\[([0-9,]*)\]", asm)]


def test_weights_are_arguments_and_layout_is_attached():
    r = import_model("siren:in=2,hidden=16,layers=2,out=3,w0=30", 2, 7)
    names = [n for n, _ in r.model.module.named_parameters()]
    assert r.layout.arguments == ("coords", *names)
    asm = r.asm
    header = asm[asm.index("func.func @main("):asm.index(") ->")]
    assert header.count("%arg") == 1 + len(names)
    assert "!torch.vtensor<[7,2],f32>" in header
    assert layout_of(r.module) == r.layout
    assert 'inrarch.arg_names = ["coords", "hidden.0.weight"' in asm
    assert "y0_x0x1" in asm and "y0_x1x0" not in asm
    assert asm.count("-> (") == 1 and len(r.layout.results) == 3 * 6


@pytest.mark.parametrize("ad", ["reverse", "taylor"])
def test_no_constant_grows_with_the_batch(ad):
    for spec in ("siren:hidden=16,layers=2", "ffn:hidden=16,layers=2,freqs=4", "quad:hidden=16,layers=2"):
        small = import_model(spec, 2, 5, ad=ad)
        big = import_model(spec, 2, 11, ad=ad)
        if ad == "reverse":  # reverse mode seeds its backward passes with one-hot rows, folded to selects
            assert small.fold_stats.one_hot_selects > 0
        for r, batch in ((small, 5), (big, 11)):
            for shape in _literal_shapes(r.asm):
                assert batch not in shape, (spec, shape)
        assert sorted(map(sum, _literal_shapes(small.asm))) == sorted(map(sum, _literal_shapes(big.asm)))


def test_cse_shares_the_forward_pass():
    r = import_model("siren:hidden=16,layers=2", 3, 4)
    counts = r.op_counts
    # two sine layers: every sin/cos of the same pre-activation is computed once
    assert counts.get("torch.aten.sin", 0) == 2
    assert counts.get("torch.aten.cos", 0) == 2


def test_user_module_object_and_file(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("user_model_fixture", USER_MODEL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    r = import_model(mod.factory(), 1, 4)
    assert r.layout.in_features == 3 and r.layout.out_features == 2
    r2 = import_model(f"{USER_MODEL}:factory", 1, 4)
    assert r2.asm.count("torch.aten.softplus") >= 0 and r2.layout == r.layout


def test_example_coords_in_unit_box():
    r = import_model("tanh:hidden=8,layers=1", 0, 64)
    assert r.coords.shape == (64, 2) and float(r.coords.abs().max()) <= 1.0
    assert r.coords.dtype == torch.float32
