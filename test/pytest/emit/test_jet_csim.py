"""Taylor-mode designs end to end: one matmul per Linear, one jet kernel per nonlinearity,
C simulation against PyTorch (float and fixed point, unbounded and bounded FIFOs)."""

from __future__ import annotations

import json
import re

import pytest

from inrarch_mlir.cli.main import main as inrarch

SIREN = "siren:in=2,hidden=16,layers=2,out=2,w0=30"


@pytest.fixture(scope="module")
def designs(tmp_path_factory):
    root = tmp_path_factory.mktemp("jets")
    built = {}
    for order, precision in ((1, "float"), (2, "float"), (2, "fixed<32,10>")):
        out = root / f"o{order}-{precision[:5]}"
        assert inrarch(["compile", SIREN, "--order", str(order), "--batch", "4", "--ad", "taylor",
                        "--precision", precision, "-o", str(out), "-q"]) == 0
        built[(order, precision)] = out
    return built


@pytest.mark.parametrize("order", [1, 2])
def test_one_matmul_per_linear_and_one_jet_per_nonlinearity(designs, order):
    r = json.loads((designs[(order, "float")] / "report.json").read_text())
    kinds = r["kernel_kinds"]
    assert kinds["matmul"] == 3  # 2 hidden layers and the output layer, whatever the order
    assert kinds["jet"] == 2  # one per sine layer
    assert "concat" not in kinds  # the coefficient rows travel together through the jet kernels
    design = (designs[(order, "float")] / "hls" / "top.cpp").read_text()
    assert design.count("inrarch::jet<") == 2 and "static constexpr int NI =" in design


@pytest.mark.parametrize("case", [(1, "float"), (2, "float"), (2, "fixed<32,10>")], ids=str)
@pytest.mark.parametrize("mode", ["unbounded", "bounded"])
def test_csim_matches_pytorch(designs, capsys, case, mode):
    args = ["csim", str(designs[case])] + (["--bounded"] if mode == "bounded" else [])
    rc = inrarch(args)
    out, err = capsys.readouterr()
    assert rc == 0, out + err
    rel = float(re.search(r"max_rel_err=(\S+)", out).group(1))
    assert rel <= (1e-4 if case[1] == "float" else 1e-3)
