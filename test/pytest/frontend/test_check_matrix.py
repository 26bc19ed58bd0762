"""Every family x order 0..3 passes `inrarch import --check` (float32 vs float64 torch.func)."""

import re

import pytest

SMALL = {
    "siren": "siren:in=2,hidden=16,layers=2,out=3,w0=30",
    "ffn": "ffn:in=2,hidden=16,layers=2,out=3,freqs=8,scale=10",
    "gauss": "gauss:in=2,hidden=16,layers=2,out=3,sigma=0.5",
    "quad": "quad:in=2,hidden=16,layers=2,out=3,w0=1",
    "tanh": "tanh:in=2,hidden=16,layers=2,out=3",
}


def _errors(text):
    abs_err = float(re.search(r"max_abs_err=(\S+)", text).group(1))
    rel_err = float(re.search(r"max_rel_err=(\S+)", text).group(1))
    return abs_err, rel_err


@pytest.mark.parametrize("order", [0, 1, 2, 3])
@pytest.mark.parametrize("family", sorted(SMALL))
def test_family_order_check(family, order, inrarch_import, tmp_path):
    out = tmp_path / "m.mlir"
    status, stdout, stderr = inrarch_import(SMALL[family], "--order", str(order), "--batch", "5",
                                            "-o", str(out), "--check", "-q")
    assert status == 0, stderr
    _, rel = _errors(stdout)
    assert rel <= 1e-4
    assert "func.func @main" in out.read_text()


def test_siren_order_4(inrarch_import, tmp_path):
    status, stdout, stderr = inrarch_import("siren:in=2,hidden=32,layers=3,out=3,w0=30", "--order", "4",
                                            "--batch", "3", "-o", str(tmp_path / "m.mlir"), "--check", "-q")
    assert status == 0, stderr
    assert _errors(stdout)[1] <= 1e-4


def test_benchmark_siren_256_order_1(inrarch_import, tmp_path):
    status, stdout, stderr = inrarch_import("siren:in=2,hidden=256,layers=4,out=3,w0=30", "--order", "1",
                                            "--batch", "8", "-o", str(tmp_path / "m.mlir"), "--check", "-q")
    assert status == 0, stderr
    assert _errors(stdout)[1] <= 1e-4


def test_only_order_check(inrarch_import, tmp_path):
    status, stdout, stderr = inrarch_import(SMALL["tanh"], "--order", "2", "--only-order", "--batch", "4",
                                            "-o", str(tmp_path / "m.mlir"), "--check", "-q")
    assert status == 0, stderr
    assert _errors(stdout)[1] <= 1e-4


def test_check_fails_over_tolerance(inrarch_import, tmp_path):
    status, stdout, stderr = inrarch_import(SMALL["siren"], "--order", "1", "--batch", "4", "-o",
                                            str(tmp_path / "m.mlir"), "--check", "-q", "--tolerance", "1e-15")
    assert status == 1
    assert "max_rel_err=" in stdout
    assert stderr.startswith("error: --check failed") and "Traceback" not in stderr
