"""`inrarch import --check` passes for every built-in family at order 4 (issue 14, point 3).

Order 4 asks for every unique partial of orders 0..4. The check lowers the
imported (Taylor-mode) module to linalg, runs it with the MLIR
ExecutionEngine in float32 and compares with per-sample `torch.func` in
float64 (an independent route); the default acceptance is 1e-4 of each
output's range or F32_FACTOR x PyTorch's own float32 error.
"""

from __future__ import annotations

import re

import pytest

from inrarch_mlir.cli.main import main as inrarch
from inrarch_mlir.frontend.models import FAMILIES
from inrarch_mlir.numeric.compare import F32_FACTOR

from family_specs import SMALL as FAMILY_SPECS

# order 4 over ASMR's 6 inputs would ask for 210 partials: one layer (2 levels, 4 inputs, 70)
SMALL = {**FAMILY_SPECS, "asmr": "asmr:hidden=8,layers=1,out=1"}


def test_every_family_is_covered():
    assert set(SMALL) == set(FAMILIES)


@pytest.mark.parametrize("family", sorted(SMALL))
def test_family_checks_at_order_4(family, tmp_path, capsys):
    rc = inrarch(["import", SMALL[family], "--order", "4", "--batch", "4", "--check", "-o", str(tmp_path / "m.mlir")])
    out, err = capsys.readouterr()
    assert rc == 0, out + err
    assert "by taylor mode" in out + err, out + err
    m = re.search(r"max_rel_err=(\S+) torch_f32_rel_err=(\S+)", out + err)
    assert m, out + err
    rel, f32 = float(m.group(1)), float(m.group(2))
    assert rel <= max(1e-4, F32_FACTOR * f32), out + err
