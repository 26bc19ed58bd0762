"""Jet functors at an initiation interval > 1 (operators shared; issue 14).

Under a tight DSP budget stream-parallelize starts a jet's functor once every
`ii` cycles and bounds its multipliers and adders by ALLOCATION limits, so the
matmuls get the DSPs the jets gave up. Checked on the emitted C++ itself:
the limits are the functor's operations (counted in its source) over `ii`,
the report's jet DSPs are what those limits and the library calls cost, the
timed bounded C simulation takes the model's cycles, the values match
PyTorch, and the same budget without sharing gives a longer period.
"""

from __future__ import annotations

import json
import math
import re

import pytest

import inrarch_mlir.passes.stream_parallelize as parallelize
from inrarch_mlir.cli.main import main as inrarch

SIREN = "siren:in=2,hidden=16,layers=2,out=1,w0=30"
BUDGET = 200  # tight for this order-2 design: the jets' functors are shared


def _compile(out, *extra):
    assert inrarch(["compile", SIREN, "--order", "2", "--batch", "4", "--dsp-budget", str(BUDGET),
                    "-o", str(out), "-q", *extra]) == 0
    return json.loads((out / "report.json").read_text())


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    out = tmp_path_factory.mktemp("shared") / "design"
    return out, _compile(out)


def _jets(top: str):
    """(functor source, cfg dict) of every jet kernel in top.cpp."""
    found = []
    for name in re.findall(r"struct (jet\d+)_cfg", top):
        body = re.search(rf"struct {name}_f {{(.*?)\n}};", top, re.S).group(1)
        cfg = re.search(rf"struct {name}_cfg {{.*?static constexpr int (.*?);", top, re.S).group(1)
        found.append((body, {k: int(v) for k, v in re.findall(r"(\w+) = (\d+)", cfg)}))
    return found


def test_allocation_limits_are_the_functors_operations_over_ii(shared):
    out, report = shared
    jets = _jets((out / "hls" / "top.cpp").read_text())
    assert jets and any(cfg.get("II", 1) > 1 for _, cfg in jets), "the tight budget should share a functor"
    dsp = 0
    for body, cfg in jets:
        muls = len(re.findall(r"data_t\([av]\d+ \* [av]\d+\)", body))
        adds = len(re.findall(r"data_t\([av]\d+ \+ [av]\d+\)", body))
        subs = len(re.findall(r"data_t\([av]\d+ - [av]\d+\)", body))
        calls = len(re.findall(r"inrarch::(?:sin|cos)\(", body))
        ii = cfg.get("II", 1)
        if ii > 1:
            assert cfg["UNROLL"] == 1
            assert cfg["MUL_LIMIT"] == max(1, math.ceil(muls / ii))
            assert cfg["ADD_LIMIT"] == max(1, math.ceil(adds / ii))
            assert cfg["SUB_LIMIT"] == max(1, math.ceil(subs / ii))
        units = cfg["UNROLL"]
        # target.MAP_OP_DSP: float multiplier 3, adder 2, sin / cos 8 (never shared)
        dsp += units * (3 * math.ceil(muls / ii) + 2 * math.ceil(adds / ii) + 2 * math.ceil(subs / ii) + 8 * calls)
    assert report["resources"]["by_kind"]["jet"]["dsp"] == dsp
    assert report["dsp"] <= BUDGET


def test_shared_functors_time_and_compute_as_modelled(shared, capsys):
    out, _ = shared
    rc = inrarch(["csim", str(out), "--bounded", "--timed"])
    text = capsys.readouterr().out
    assert rc == 0, text
    m = re.search(r"cycles_csim=(\d+) cycles_model=(\d+)", text)
    assert m and m.group(1) == m.group(2), text
    assert float(re.search(r"max_rel_err=(\S+)", text).group(1)) <= 1e-4


def test_sharing_buys_a_shorter_period(shared, tmp_path, monkeypatch):
    _, report = shared
    monkeypatch.setattr(parallelize, "JET_II", ())  # functors at ii = 1 only, as before
    plain = _compile(tmp_path / "plain")
    assert "II = " not in (tmp_path / "plain" / "hls" / "top.cpp").read_text()
    assert report["period"] < plain["period"]


def test_fixed_point_limit_covers_the_inlined_sine_and_matches_pytorch(shared, tmp_path, capsys):
    """Re-emitted in ap_fixed<32,10>, a shared functor's `mul` limit adds the
    3 integer multiplies of every inlined fixed-point sin and cos (math.h)."""
    import shutil

    from inrarch_mlir.context import make_context
    from inrarch_mlir.diagnostics import parse_module
    from inrarch_mlir.emit import hls

    out, report = shared
    module = parse_module((out / "hls" / "design.mlir").read_text(), make_context())
    hls.emit_project(module, tmp_path, precision="fixed<32,10>")
    shutil.copytree(out / "hls" / "data", tmp_path / "data", dirs_exist_ok=True)
    jets = _jets((tmp_path / "top.cpp").read_text())
    shared_jets = [(body, cfg) for body, cfg in jets if cfg.get("II", 1) > 1]
    assert shared_jets
    for body, cfg in shared_jets:
        muls = len(re.findall(r"(?:calc|wide)_t\([av]\d+ \* [av]\d+\)", body))  # wide_t: calc_t widened
        calls = len(re.findall(r"inrarch::(?:sin|cos)\(", body))
        assert muls and cfg["MUL_LIMIT"] == math.ceil(muls / cfg["II"]) + 3 * calls
    rc = inrarch(["csim", str(tmp_path), "--bounded", "--timed"])
    text = capsys.readouterr().out
    assert rc == 0, text  # within the fixed-point acceptance (1e-3)
    # the program order does not depend on the precision: the float design's modelled cycles
    assert re.search(r"cycles_csim=(\d+)", text).group(1) == str(report["cycles"]), text
