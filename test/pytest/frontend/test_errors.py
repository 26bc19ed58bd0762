"""User errors: one line on stderr, exit 1 (2 for usage), never a traceback."""

import os
import subprocess
import sys

import pytest

from conftest import USER_MODEL


def _one_line(stderr):
    lines = [l for l in stderr.splitlines() if l.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize("factory, order, needle, line_of", [
    ("branchy", 0, "data-dependent control flow", "if h.mean() > 0"),
    ("unsupported", 0, "unsupported op 'aten.erfinv'", None),
    ("not_a_module", 0, "returned int, expected a torch.nn.Module", None),
    ("broken", 0, "broken() failed: ValueError: factory exploded", "raise ValueError"),
    ("missing", 0, "has no function 'missing'", None),
    ("no_linear", 0, "pass --in-features K", None),
])
def test_user_model_errors(factory, order, needle, line_of, inrarch_import):
    status, _, stderr = inrarch_import(f"{USER_MODEL}:{factory}", "--order", str(order), "--batch", "3", "-q")
    line = _one_line(stderr)
    assert status == 1 and needle in line
    if line_of is not None:
        src = open(USER_MODEL).read().splitlines()
        prefix = f"{USER_MODEL}:"
        assert line.startswith(prefix), line
        lineno = int(line[len(prefix):].split(":")[0])
        assert line_of in src[lineno - 1]
    else:
        assert "error: " in line


def test_unsupported_op_names_the_source_line(inrarch_import):
    status, _, stderr = inrarch_import(f"{USER_MODEL}:unsupported", "--order", "0", "--batch", "3", "-q")
    line = _one_line(stderr)
    assert line.startswith(f"{USER_MODEL}:") and status == 1


def test_rounding_and_sign_are_differentiated_almost_everywhere(tmp_path, inrarch_import):
    """round and sign have derivative 0 almost everywhere (and remainder 1): allowed at every
    order since periodic activations are written with them; --check agrees with torch.func."""
    status, _, stderr = inrarch_import(f"{USER_MODEL}:rounding", "--order", "2", "--batch", "3", "--check", "-q")
    assert status == 0, stderr
    path = tmp_path / "signy.py"
    path.write_text(
        "import torch\nfrom torch import nn\n\n"
        "class M(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n        self.l = nn.Linear(2, 4)\n\n"
        "    def forward(self, x):\n        return torch.sign(self.l(x)) + torch.remainder(self.l(x), 0.5)\n\n"
        "def factory():\n    return M()\n")
    status, out, stderr = inrarch_import(f"{path}:factory", "--order", "1", "--batch", "3", "--check")
    assert status == 0 and "max_rel_err=" in out + stderr, stderr


def test_index_valued_ops_are_refused_at_order_1(tmp_path, inrarch_import):
    path = tmp_path / "bucket.py"
    path.write_text(
        "import torch\nfrom torch import nn\n\n"
        "class M(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n        self.l = nn.Linear(2, 4)\n\n"
        "    def forward(self, x):\n        h = self.l(x)\n        return h * torch.argmax(h, dim=-1, keepdim=True)\n\n"
        "def factory():\n    return M()\n")
    status, _, stderr = inrarch_import(f"{path}:factory", "--order", "1", "--batch", "3", "-q", "--ad", "reverse")
    assert status == 1 and "'aten.argmax' is not differentiable" in _one_line(stderr), stderr


@pytest.mark.parametrize("argv, needle", [
    (["nope/model.py:factory", "--order", "1"], "cannot open model file 'nope/model.py': no such file"),
    (["siren:hidden=x", "--order", "1"], "hidden='x' is not an integer"),
    (["blah", "--order", "1"], "unknown model 'blah'"),
])
def test_spec_errors(argv, needle, inrarch_import):
    status, _, stderr = inrarch_import(*argv, "-q")
    assert status == 1 and needle in _one_line(stderr)


@pytest.mark.parametrize("argv", [
    ["siren", "--order", "-1"],
    ["siren", "--order", "1", "--batch", "0"],
    ["siren", "--order", "1", "--tolerance", "0"],
    ["siren"],  # --order is required
])
def test_usage_errors_exit_2(argv, inrarch_import):
    status, _, stderr = inrarch_import(*argv, "-q")
    assert status == 2 and "Traceback" not in stderr


def test_cli_subprocess_user_model(tmp_path):
    """`inrarch import path/file.py:factory --check` end to end, as a user runs it."""
    out = tmp_path / "user.mlir"
    code = ("import sys; from inrarch_mlir.cli.main import main; sys.exit(main(sys.argv[1:]))")
    proc = subprocess.run(
        [sys.executable, "-c", code, "import", f"{USER_MODEL}:factory", "--order", "2", "--batch", "4",
         "-o", str(out), "--check", "--layout", str(tmp_path / "layout.json")],
        capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert proc.returncode == 0, proc.stderr
    assert "max_abs_err=" in proc.stdout and "max_rel_err=" in proc.stdout
    assert "Traceback" not in proc.stderr
    assert "func.func @main" in out.read_text()
    assert '"in_features":3' in (tmp_path / "layout.json").read_text()
