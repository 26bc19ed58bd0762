"""The examples stay runnable: `--smoke` runs of the image examples end to end
(tiny SIREN on an 8x8 camera image, compile, csim over every pixel, PNG), and
the PINN example's residual and output string checked against the heat
equation's exact solution, an independent route. A smoke run's csim outputs
are judged against PyTorch's float64 torch.func derivatives: float32 rounding
gives ~130 dB, a wrong design or a wrong column mapping far less than 80."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _load(name: str):
    """An example script as a module; `common` is the examples' own (bench/ has one too)."""
    saved = sys.modules.pop("common", None), sys.modules.pop("insp_head", None)
    sys.path.insert(0, str(EXAMPLES))
    try:
        spec = importlib.util.spec_from_file_location(f"_example_{name}", EXAMPLES / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(EXAMPLES))
        for key, mod in zip(("common", "insp_head"), saved):
            if mod is not None:
                sys.modules[key] = mod
            else:
                sys.modules.pop(key, None)


def _smoke(name: str, tmp_path: Path) -> dict:
    rc = _load(name).main(["--smoke", "--workdir", str(tmp_path)])
    assert rc == 0
    png = tmp_path / f"{name}.png"
    assert png.is_file() and 5_000 < png.stat().st_size < 200_000
    return json.loads((tmp_path / f"{name}.json").read_text())


def test_edge_detect_smoke(tmp_path):
    figures = _smoke("edge_detect", tmp_path)
    assert figures["pixels"] == 64
    assert figures["gradient_magnitude_psnr_db"] > 80
    assert figures["laplacian_psnr_db"] > 80


def test_insp_edit_smoke(tmp_path):
    figures = _smoke("insp_edit", tmp_path)
    assert figures["csim_vs_torch_psnr_db"] > 80


def test_pinn_residual_matches_the_heat_equation():
    """The exact solution has residual 0 in the example's convention (x0 = x, x1 = t); a wrong
    alpha or swapped coordinates would not. The --outputs string is the same combination."""
    pinn = _load("pinn_residual")

    class Exact(torch.nn.Module):
        def forward(self, xt):
            x, t = xt[:, :1], xt[:, 1:]
            return torch.exp(-pinn.ALPHA * math.pi ** 2 * t) * torch.sin(math.pi * x)

    coords = pinn.common.pixel_grid(6, 5, pinn.LO, pinn.HI)
    ref = pinn.common.derivatives_torch(Exact(), coords)
    assert np.allclose(ref.value[:, 0], pinn.exact(coords), atol=1e-6)
    assert np.abs(pinn.residual(ref)).max() < 1e-6
    assert np.abs(ref.jacobian[:, 0, 1]).max() > 0.1  # the check is not vacuous: u_t itself is not small

    from inrarch_mlir.frontend.outputs import parse_outputs

    value, res = parse_outputs(pinn.OUTPUTS, 2, 1)
    assert value.name == "y0" and res.name == "res"
    assert sorted((round(c, 12), p.channel, p.index) for c, p in res.terms) == [(-pinn.ALPHA, 0, (0, 0)),
                                                                               (1.0, 0, (1,))]


def test_psnr_and_pixel_grid():
    common = _load("fit_siren").common
    ref = np.array([0.0, 1.0, 0.5, 0.5])
    assert common.psnr(ref + 0.1, ref) == pytest.approx(20.0)  # mse 0.01, peak 1
    grid = common.pixel_grid(3, 2)
    assert grid.tolist() == [[-1, -1], [-1, 1], [0, -1], [0, 1], [1, -1], [1, 1]]  # x0 down the rows


def test_committed_head_loads():
    head = _load("insp_head").blur_head()
    assert head(torch.zeros(3, 4)).shape == (3, 1)
