"""ASMR's activation sharing through the whole flow (`asmr:...,share=1`).

A tiny sharing design (2 axes x 3 levels of 2, a block of 16 of the 64
pixels) compiles to `stream.subsample` / `stream.repeat` kernels; its
bounded, timed C simulation agrees with the plain per-sample forward's
torch.func derivatives and with the timing model, and its MACs per sample
equal a count made here from the distinct coarse prefixes of the block."""

from __future__ import annotations

import itertools
import json
import re

import pytest
import torch

from inrarch_mlir.cli.main import main as inrarch
from inrarch_mlir.frontend.families import ASMR, asmr_level_coords
from inrarch_mlir.frontend.models import load_model

SPEC = "asmr:in=2,hidden=8,layers=2,out=1,base=2,share=1"
BATCH = 16


def _hierarchical_grid(base: int, levels: int) -> torch.Tensor:
    """Every pixel of the (base^levels)^2 grid, sorted coarsest digits first (x then y per level)."""
    side = base ** levels
    pix = [(x, y) for x in range(side) for y in range(side)]

    def key(p):
        return [p[a] // base ** (levels - 1 - lev) % base for lev in range(levels) for a in (0, 1)]

    return torch.tensor(sorted(pix, key=key))


def test_sharing_forward_equals_the_plain_one_on_blocks_and_refuses_other_batches():
    m = load_model(SPEC).module.double()
    plain = m.reference_module().double()
    assert type(plain) is ASMR
    grid = asmr_level_coords(_hierarchical_grid(2, 3), m.dims).double()
    for block in (4, 16, 64):
        x = grid[block:2 * block] if block < 64 else grid
        assert torch.allclose(m(x), plain(x), atol=1e-12), block
    coords = m.example_coords(2 * BATCH, BATCH, seed=3).double()  # two blocks drawn from the grid
    rows = {tuple(r.tolist()) for r in grid}
    assert all(tuple(r.tolist()) in rows for r in coords)
    assert torch.allclose(m(coords[:BATCH]), plain(coords[:BATCH]), atol=1e-12)
    with pytest.raises(ValueError, match="hierarchical order"):
        m(grid[:3])


def test_a_batch_that_is_not_a_block_is_one_line(tmp_path, capsys):
    assert inrarch(["compile", SPEC, "--order", "0", "--batch", "12", "-o", str(tmp_path / "x"), "-q"]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "hierarchical order" in err and "got 12" in err, err


def _shared_macs(order: int) -> float:
    """K x N per row of every layer, run once per distinct coarse prefix of the block, per sample."""
    dims = [[2, 2, 2]] * 2
    block = asmr_level_coords(_hierarchical_grid(2, 3)[:BATCH], dims)
    distinct = [len({tuple(r[:2 * (lev + 1)].tolist()) for r in block}) for lev in range(3)]  # (c_0..c_lev)
    macs = 2 * 8 * distinct[0] + 8 * 8 * distinct[1]  # sine layers: layer i at level i
    macs += 2 * 8 * distinct[1] + 2 * 8 * distinct[2]  # modulator i where level i+1 is added
    macs += 8 * 1 * BATCH  # the output layer, every pixel
    rows = 1 + 6 * order  # Taylor mode at order 1: the primal and 6 tangent rows
    return rows * macs / BATCH


def test_sharing_design_simulates_and_cuts_macs(tmp_path, capsys):
    out = tmp_path / "asmr"
    assert inrarch(["compile", SPEC, "--order", "1", "--batch", str(BATCH), "-o", str(out), "-q"]) == 0, \
        capsys.readouterr().err
    capsys.readouterr()
    design = (out / "hls" / "design.mlir").read_text()
    assert "stream.subsample" in design and "stream.repeat" in design
    report = json.loads((out / "report.json").read_text())
    assert report["macs_per_sample"] == _shared_macs(1)
    plain = (2 * 8 + 8 * 8 + 2 * 2 * 8 + 8) * 7  # every layer on every sample, 7 rows
    assert report["macs_per_sample"] < plain / 2
    rc = inrarch(["csim", str(out), "--bounded", "--timed"])
    text = "".join(capsys.readouterr())
    assert rc == 0, text
    assert float(re.search(r"max_rel_err=(\S+)", text).group(1)) < 1e-3, text
    m = re.search(r"cycles_csim=(\d+) cycles_model=(\d+)", text)
    assert m and m.group(1) == m.group(2), text
