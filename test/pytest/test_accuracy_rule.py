"""The accuracy rule of `--check` and csim (issue 15, point 4): within the
tolerance, or within k = F32_FACTOR x PyTorch's own float32 error; a design
worse than both fails; an explicit tolerance (no float32 figure) applies alone."""

import numpy as np
import pytest

from inrarch_mlir.numeric.compare import F32_FACTOR, accepted, compare


def test_readme_states_the_factor_in_use():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    m = re.search(r"within k = (\d+(?:\.\d+)?) × `torch_f32_rel_err`", readme)
    assert m, "README documents k"
    assert float(m.group(1)) == F32_FACTOR


@pytest.mark.parametrize("err, f32, ok", [
    (5e-5, None, True),  # within the tolerance alone
    (2e-4, None, False),
    (2e-3, 2.3e-3, True),  # FINER-like: float32 itself is that far off
    (4.0e-3, 2.3e-3, True),  # within 2x
    (5.0e-3, 2.3e-3, False),  # worse than 2x float32: the compiler's fault
    (9e-5, 1e-9, True),  # a tiny float32 error never tightens the tolerance
])
def test_accepted(err, f32, ok):
    assert accepted(err, 1e-4, f32) is ok


def test_errors_are_relative_to_each_outputs_range():
    ref = [np.array([1.0, -2.0]), np.array([100.0, 50.0])]
    got = [np.array([1.0, -2.002]), np.array([100.05, 50.0])]
    res = compare(got, ref, ["a", "b"], [0, 1])
    assert res["max_rel_err"] == pytest.approx(1e-3)  # 0.002 / 2 beats 0.05 / 100
    assert res["worst"] == "a"
