"""Whole inputs in tiles: `inrarch csim DIR --coords FILE.npy` (issue 17, point 2).

A tiny SIREN compiled at batch 8 runs 21 coordinates (two full tiles and a
tile of 5: the top called with n = 5 < its batch) and its outputs are
checked against derivatives computed here with torch.autograd in float64,
from the model rebuilt from its spec (not from anything the compile saved).
Bad coordinate files get one-line errors before anything is built.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from inrarch_mlir.cli.main import main as inrarch
from inrarch_mlir.emit.hls import ap_types_dir

SPEC = "siren:in=2,hidden=8,layers=2,out=1"
pytestmark = pytest.mark.skipif(not ap_types_dir(), reason="hls4ml's ap_types headers are needed to build the csim")


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiles") / "siren"
    assert inrarch(["compile", SPEC, "--order", "1", "--batch", "8", "-o", str(out), "-q"]) == 0
    return out


def _autograd_reference(coords: np.ndarray) -> np.ndarray:
    """[N, 3]: y, dy/dx0, dy/dx1 of the seeded model, float64, by torch.autograd."""
    from inrarch_mlir.frontend.models import load_model

    model = load_model(SPEC, seed=0).module.double()
    x = torch.tensor(coords, dtype=torch.float64, requires_grad=True)
    y = model(x)[:, 0]
    (g,) = torch.autograd.grad(y.sum(), x)
    return torch.stack([y, g[:, 0], g[:, 1]], dim=1).detach().numpy()


def test_coords_not_a_multiple_of_the_batch(compiled, tmp_path, capsys):
    coords = np.random.default_rng(3).uniform(-1, 1, (21, 2))
    np.save(tmp_path / "c.npy", coords)
    rc = inrarch(["csim", str(compiled), "--coords", str(tmp_path / "c.npy"), "--json", str(tmp_path / "r.json")])
    text = capsys.readouterr().out
    assert rc == 0, text
    assert "3 tile(s) of 8" in text and "max_rel_err=" in text and "torch_f32_rel_err=" in text
    got = np.load(compiled / "csim_outputs.npy")
    names = json.loads((compiled / "csim_outputs.json").read_text())["columns"]
    assert got.shape == (21, 3) and names == ["y0", "y0_x0", "y0_x1"]
    ref = _autograd_reference(coords.astype(np.float32))
    rel = np.abs(got - ref).max(axis=0) / np.abs(ref).max(axis=0)
    assert rel.max() < 1e-5, rel  # float32 design, every row (the last tile's 5 too)
    # The reported error is this comparison's (an independent route to the same figure).
    reported = json.loads((tmp_path / "r.json").read_text())["max_rel_err"]
    assert reported == pytest.approx(rel.max(), rel=0.05, abs=1e-7)


@pytest.mark.parametrize("array, words", [
    (np.zeros((5, 3)), "must be an [N, 2] array (N >= 1), got shape [5, 3]"),
    (np.array([[0.1, 0.2], [np.nan, 0.0]]), "non-finite value(s) (first at row 1, column 0: nan)"),
    (np.zeros((0, 2)), "got shape [0, 2]"),
])
def test_bad_coords_file_is_one_line(compiled, tmp_path, capsys, array, words):
    np.save(tmp_path / "bad.npy", array)
    rc = inrarch(["csim", str(compiled), "--coords", str(tmp_path / "bad.npy")])
    err = capsys.readouterr().err.strip()
    assert rc == 1 and len(err.splitlines()) == 1 and words in err, err


def test_not_an_npy_file(compiled, tmp_path, capsys):
    (tmp_path / "c.npy").write_text("0.1 0.2\n")
    assert inrarch(["csim", str(compiled), "--coords", str(tmp_path / "c.npy")]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "is not a readable .npy array" in err, err
