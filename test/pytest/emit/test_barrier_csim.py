"""Models whose samples interact compile to barrier kernels and simulate right (issue 4).

Three user models couple the samples of a batch: features centred by their
batch mean (order 1: a sum over the batch in the forward and the backward
pass), features mixed by their batch Gram matrix h^T h (order 1: transposes
of the batch and matmuls of two streams), and a model that swaps the halves
of the batch and scales by sample 2 (order 0: slices, a concatenation and a
select over the batch). Each compiles with one located warning per
batch-combining op, balances within 1 % of unbounded FIFOs, and its bounded
C++ simulation matches PyTorch (the traced derivative function, float64,
computed at test time).
"""

from __future__ import annotations

import json
import re
import textwrap

import pytest

from inrarch_mlir.cli.main import main as inrarch

MODELS = textwrap.dedent('''
    import torch
    from torch import nn

    class Centred(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(2, 8), nn.Linear(8, 1)
        def forward(self, x):
            h = torch.sin(30 * self.a(x))
            return self.b(h - 0.5 * h.mean(0, keepdim=True))

    class Gram(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(2, 4), nn.Linear(4, 2)
        def forward(self, x):
            h = torch.sin(self.a(x))
            return self.b(h @ (h.t() @ h) / x.shape[0])

    class Rows(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(2, 4), nn.Linear(4, 1)
        def forward(self, x):
            h = torch.sin(self.a(x))
            half = x.shape[0] // 2
            swapped = torch.cat([h[half:], h[:half]], dim=0)
            return self.b(h + 0.5 * swapped * h[2])

    def centred(): return Centred()
    def gram(): return Gram()
    def rows(): return Rows()
''')

CASES = {  # factory -> (order, words every warning list must contain)
    "centred": (1, ["averages over the batch dimension", "sums over the batch dimension"]),
    "gram": (1, ["permutes the batch dimension", "multiplies two batch-dependent tensors"]),
    "rows": (0, ["slices the batch dimension", "concatenates along the batch dimension",
                 "selects one sample of the batch"]),
}


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    root = tmp_path_factory.mktemp("barriers")
    (root / "models.py").write_text(MODELS)
    out = {}
    for name, (order, _) in CASES.items():
        rc = inrarch(["compile", f"{root / 'models.py'}:{name}", "--order", str(order), "--batch", "8",
                      "-o", str(root / name), "-q"])
        out[name] = (rc, root / name)
    return root, out


def _csim(capsys, path, *extra):
    rc = inrarch(["csim", str(path), *extra])
    out, err = capsys.readouterr()
    m = re.search(r"max_abs_err=(\S+) max_rel_err=(\S+)", out)
    return rc, out + err, (float(m.group(2)) if m else None)


@pytest.mark.parametrize("name", sorted(CASES))
def test_barrier_design_matches_pytorch(compiled, capsys, name):
    rc, path = compiled[1][name]
    assert rc == 0
    report = json.loads((path / "report.json").read_text())
    for words in CASES[name][1]:
        assert any(words in w and "import.mlir:" in w for w in report["warnings"]), (words, report["warnings"])
    assert report["cycles"] <= report["cycles_unbounded"] * 1.01
    rc, text, rel = _csim(capsys, path, "--bounded", "--tolerance", "1e-5")
    assert rc == 0, text
    assert "DEADLOCK" not in text and rel is not None and rel <= 1e-5


def test_centred_in_fixed_point(compiled, capsys, tmp_path):
    root = compiled[0]
    rc = inrarch(["compile", f"{root / 'models.py'}:centred", "--order", "1", "--batch", "8",
                  "--precision", "fixed<32,10>", "-o", str(tmp_path / "fx"), "-q"])
    assert rc == 0
    rc, text, rel = _csim(capsys, tmp_path / "fx", "--bounded", "--tolerance", "1e-3")
    assert rc == 0, text
    assert rel is not None and rel <= 1e-3


def test_streamed_weight_matmul_in_fixed_point_is_a_clear_error(compiled, capsys, tmp_path):
    root = compiled[0]
    rc = inrarch(["compile", f"{root / 'models.py'}:gram", "--order", "0", "--batch", "8",
                  "--precision", "fixed<32,10>", "-o", str(tmp_path / "fx"), "-q"])
    err = capsys.readouterr().err
    assert rc == 1
    assert "error: --emit-hls: fixed-point emission of a matmul whose weight streams" in err
    assert "Traceback" not in err and not (tmp_path / "fx").exists()
