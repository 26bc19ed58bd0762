"""--outputs and --head through the whole flow: the C simulation against PyTorch.

A Laplacian (collapsed Taylor row) in float and fixed<32,10>, and an editing
head over value, gradient and Laplacian, compiled by `inrarch compile` and run
by the bounded, timed C simulation; the reference is torch.func in float64
computed at compile time (the head applied to it in float64)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from inrarch_mlir.cli.main import main as inrarch

HEAD = Path(__file__).parent / "frontend" / "fixtures" / "edit_head.py"


def _compile_and_csim(capsys, out, *args):
    assert inrarch(["compile", *args, "--batch", "8", "-o", str(out), "-q"]) == 0, capsys.readouterr().err
    capsys.readouterr()
    rc = inrarch(["csim", str(out), "--bounded", "--timed"])
    text = "".join(capsys.readouterr())
    return rc, text


@pytest.mark.parametrize("precision", ["fixed<32,10>"])  # float: the head's design below carries one too
def test_laplacian_simulates(precision, tmp_path, capsys):
    rc, text = _compile_and_csim(capsys, tmp_path / "lap", "siren:in=3,hidden=16,layers=2,out=1,w0=30",
                                 "--outputs", "laplacian", "--precision", precision)
    assert rc == 0, text
    err = float(re.search(r"max_rel_err=(\S+)", text).group(1))
    assert err < (1e-4 if precision == "float" else 1e-3), text
    m = re.search(r"cycles_csim=(\d+) cycles_model=(\d+)", text)
    assert m and m.group(1) == m.group(2), text
    report = json.loads((tmp_path / "lap" / "report.json").read_text())
    assert report["results"] == ["laplacian"]


def test_head_simulates(tmp_path, capsys):
    rc, text = _compile_and_csim(capsys, tmp_path / "head", "siren:in=2,hidden=16,layers=2,out=1,w0=30",
                                 "--outputs", "value,gradient,laplacian", "--head", f"{HEAD}:head")
    assert rc == 0, text
    assert float(re.search(r"max_rel_err=(\S+)", text).group(1)) < 1e-4, text
    report = json.loads((tmp_path / "head" / "report.json").read_text())
    assert report["results"] == ["head0", "head1"]


@pytest.mark.parametrize("args,needle", [
    (["--order", "1", "--outputs", "laplacian"], "needs derivatives of order 2, not --order 1"),
    (["--order", "1", "--head", f"{HEAD}:head"], "--head needs --outputs"),
    (["--outputs", "value,gradient", "--head", f"{HEAD}:head"], "takes 4 inputs, but --outputs gives 3"),
    (["--outputs", "y0_x5"], "x5; the model has 2 input coordinates"),
    ([], "give --order N"),
])
def test_bad_requests_are_one_line(args, needle, tmp_path, capsys):
    rc = inrarch(["compile", "siren:in=2,hidden=8,layers=1,out=1", "--batch", "4", "-o", str(tmp_path / "x"),
                  "-q", *args])
    err = capsys.readouterr().err
    assert rc in (1, 2) and needle in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "x").exists()
