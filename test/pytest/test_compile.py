"""`inrarch compile` / `inrarch_mlir.compile`: outputs, report consistency, one-line errors."""

from __future__ import annotations

import json
import re

import pytest

from inrarch_mlir.cli.main import main

SPEC = "siren:in=2,hidden=16,layers=2,out=1,w0=30"
KEYS = ("kernels", "fifos", "fifo_elements", "fifo_bits", "fifo_bits_lower_bound", "cycles", "cycles_lower_bound",
        "dsp", "bram18k", "compile_seconds", "stage_seconds")


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    out = tmp_path_factory.mktemp("compile") / "out"
    rc = main(["compile", SPEC, "--order", "1", "--batch", "4", "-o", str(out), "-q"])
    assert rc == 0
    return out


def test_report_keys_and_bounds(compiled):
    r = json.loads((compiled / "report.json").read_text())
    for k in KEYS:
        assert k in r, k
    assert r["kernels"] > 0 and r["fifos"] > 0
    assert 0 < r["fifo_bits_lower_bound"] <= r["fifo_bits"]
    assert 0 < r["cycles_lower_bound"] <= r["cycles"]
    assert r["dsp_allocated"] <= r["dsp_budget"]
    assert r["fifo_elements"] >= r["fifos"]
    for stage in ("import", "lower", "parallelize", "balance", "emit", "data", "simulate"):
        assert stage in r["stage_seconds"], stage
    md = (compiled / "report.md").read_text()
    assert "FIFO bits lower bound" in md and "estimate" in md


def test_files(compiled):
    for f in ("report.json", "report.md", "graph.dot", "fifo_occupancy.png", "hls/csim.json", "hls/run_hls.tcl",
              "hls/data/manifest.json"):
        assert (compiled / f).is_file(), f
    dot = (compiled / "graph.dot").read_text()
    assert dot.startswith("digraph") and "macs=" in dot and "->" in dot
    assert not any(p.name.startswith(".out.tmp-") for p in compiled.parent.iterdir())


def test_csim_passes(compiled, capsys):
    assert main(["csim", str(compiled)]) == 0
    assert "max_rel_err=" in capsys.readouterr().out


def test_bounded_csim_passes_with_parallelized_matmuls(compiled, capsys):
    # stream-parallelize gave matmuls several MACs; the threaded simulation
    # with FIFOs of exactly their pragma depths must still complete.
    macs = [int(m) for m in re.findall(r"macs=(\d+)", (compiled / "graph.dot").read_text())]
    assert macs and max(macs) > 1
    assert main(["csim", str(compiled), "--bounded"]) == 0
    assert "max_rel_err=" in capsys.readouterr().out


def _one_line_error(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("inrarch compile: error: ") and "Traceback" not in err[0]
    return err[0]


def test_bad_model_spec(tmp_path, capsys):
    out = tmp_path / "bad"
    assert main(["compile", "siren:bogus", "--order", "1", "--batch", "4", "-o", str(out), "-q"]) == 1
    assert "bogus" in _one_line_error(capsys)
    assert list(tmp_path.iterdir()) == []  # no partial or temporary directory


def test_unwritable_output(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["compile", SPEC, "--order", "1", "--batch", "4", "-o", str(blocker / "out"), "-q"]) == 1
    assert "cannot write" in _one_line_error(capsys)


def test_existing_output_needs_force(compiled, capsys):
    assert main(["compile", SPEC, "--order", "1", "--batch", "4", "-o", str(compiled), "-q"]) == 1
    assert "--force" in _one_line_error(capsys)


def test_usage_errors(tmp_path, capsys):
    assert main(["compile", SPEC, "--order", "1", "--batch", "0", "-o", str(tmp_path / "o")]) == 2
    assert main(["compile", SPEC, "--order", "1", "-o", str(tmp_path / "o")]) == 2
    capsys.readouterr()


def test_stop_after_and_dump_ir(tmp_path, capsys):
    out, dump = tmp_path / "o", tmp_path / "ir"
    assert main(["compile", SPEC, "--order", "1", "--batch", "4", "-o", str(out), "-q",
                 "--stop-after", "stream-cse", "--dump-ir", str(dump)]) == 0
    assert (out / "stream-cse.mlir").is_file()
    assert json.loads((out / "report.json").read_text())["stopped_after"] == "stream-cse"
    assert (dump / "00-import.mlir").is_file() and (dump / "04-stream-cse.mlir").is_file()
    assert main(["compile", SPEC, "--order", "1", "--batch", "4", "-o", str(tmp_path / "p"), "-q",
                 "--stop-after", "no-such-pass"]) == 1
    assert "not a pass" in _one_line_error(capsys)


def test_python_api(tmp_path):
    import inrarch_mlir

    from inrarch_mlir.pipeline import compile_pipeline

    assert "stream-parallelize{dsp-budget=1000},stream-annotate-timing" in compile_pipeline(1000)
    r = inrarch_mlir.compile("siren:in=2,hidden=8,layers=1,out=1,w0=30", 1, 2, outdir=tmp_path / "o",
                             precision="fixed<32,10>", dsp_budget=500)
    assert r.precision == "fixed<32,10>" and r.cycles >= r.cycles_lower_bound > 0
    assert r.fifo_bits_lower_bound <= r.fifo_bits
    assert (tmp_path / "o" / "report.json").is_file()


def test_report_has_part_fit_utilization_and_onchip_bytes(compiled):
    r = json.loads((compiled / "report.json").read_text())
    assert r["part"] == "u50" and r["part_string"] == "xcu50-fsvh2104-2-e" and r["fits"] is True
    assert r["dsp_budget"] == int(5952 * 0.7)  # the default: 70% of the U50's DSPs
    assert set(r["utilization"]) == {"dsp", "bram18k", "uram", "lut", "ff"}
    assert r["utilization"]["dsp"] == round(r["dsp"] / 5952, 4)
    mem = r["onchip_bytes"]
    assert set(mem) == {"weights", "fifos", "row_buffers", "barrier_buffers", "total"}
    assert mem["total"] == mem["weights"] + mem["fifos"] + mem["row_buffers"] + mem["barrier_buffers"]
    # 2 -> 16 -> 16 -> 1 SIREN: every weight and bias is held on chip once per reader, 4 bytes each
    assert mem["weights"] >= 4 * (2 * 16 + 16 + 16 * 16 + 16 + 16 + 1)
    assert mem["fifos"] * 8 == r["fifo_bits"]
    md = (compiled / "report.md").read_text()
    assert "## Utilization of u50 (xcu50-fsvh2104-2-e): fits" in md and "| DSP |" in md and " MB |" in md


def test_a_budget_over_the_part_fails_naming_the_dsps(tmp_path, capsys):
    assert main(["compile", SPEC, "--order", "1", "--batch", "4", "--dsp-budget", "3200", "--part", "zcu104",
                 "-o", str(tmp_path / "o"), "-q"]) == 1
    err = _one_line_error(capsys)
    assert "3,200" in err and "1,728 DSPs of zcu104" in err and "--allow-overfit" in err
    assert not (tmp_path / "o").exists()


def test_an_impossible_fixed_point_type_fails_before_any_work(tmp_path, capsys, monkeypatch):
    import inrarch_mlir.frontend as frontend

    monkeypatch.setattr(frontend, "import_model", lambda *a, **k: pytest.fail("imported before the check"))
    assert main(["compile", SPEC, "--order", "1", "--batch", "4", "--precision", "fixed<3,99>",
                 "-o", str(tmp_path / "o"), "-q"]) == 1
    err = _one_line_error(capsys)
    assert "fixed<3,99>" in err and "2 <= W <= 64" in err
    assert not (tmp_path / "o").exists()


def test_an_overfit_design_fails_before_emission_unless_allowed(tmp_path, capsys):
    # 1,700 DSPs fit a ZCU104's 1,728, but the MACs and kernels they buy need more LUTs than it has
    big = "siren:in=2,hidden=128,layers=3,out=1,w0=30"
    assert main(["compile", big, "--order", "1", "--batch", "4", "--part", "zcu104", "--dsp-budget", "1700",
                 "-o", str(tmp_path / "o"), "-q"]) == 1
    err = _one_line_error(capsys)
    assert "does not fit zcu104 (xczu7ev-ffvc1156-2-e): it needs" in err and "LUT but the part has 230,400" in err
    assert "--allow-overfit" in err
    assert not (tmp_path / "o").exists()
    assert main(["compile", big, "--order", "1", "--batch", "4", "--part", "zcu104", "--dsp-budget", "1700",
                 "--allow-overfit", "-o", str(tmp_path / "p"), "-q"]) == 0
    r = json.loads((tmp_path / "p" / "report.json").read_text())
    assert r["fits"] is False and any("emitted anyway" in w for w in r["warnings"])
    assert "does NOT fit" in (tmp_path / "p" / "report.md").read_text()


def test_an_absurd_model_is_refused_in_seconds(tmp_path, capsys):
    import time

    t = time.perf_counter()
    assert main(["compile", "siren:in=2,hidden=4096,layers=2,out=3,w0=30", "--order", "1", "--batch", "4",
                 "-o", str(tmp_path / "o"), "-q"]) == 1
    err = _one_line_error(capsys)
    assert time.perf_counter() - t < 60
    assert "parameters need" in err and "MB on chip" in err and "u250" in err and "59.6 MB" in err
