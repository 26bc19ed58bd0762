"""HLS emission + g++ C simulation against PyTorch (issue 5).

SIREN (2 -> 64 x3 -> 1, w0 = 30) at orders 0..2 and a tanh MLP, in float
(max_rel_err <= 1e-5) and ap_fixed<32,10> (error / output range <= 1e-4,
required 1e-3); the bounded threaded simulation completes at the balanced
depths and reports the deadlock when a reconvergent bypass FIFO is forced
to depth 2; a too-small fixed-point scale is reported as an overflow.
Everything compiles with -Wall -Wextra -Werror at -O1.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from inrarch_mlir.cli.main import main as inrarch

SIREN = "siren:in=2,hidden=64,layers=3,out=1,w0=30"
TANH = "tanh:in=2,hidden=16,layers=2,out=2"
BATCH = 8
FIXED = "fixed<32,10>"


def _parse(text):
    from inrarch_mlir.context import make_context
    from inrarch_mlir.diagnostics import parse_module

    return parse_module(text, make_context())


def _reemit(src: Path, dst: Path, precision: str, edit=None) -> object:
    """Re-emits src/design.mlir (optionally edited) into dst with src's data."""
    from inrarch_mlir.emit import hls

    module = _parse((src / "design.mlir").read_text())
    if edit is not None:
        from torch_mlir import ir

        with module.context, ir.Location.unknown():
            edit(module)
    design = hls.emit_project(module, dst, precision=precision)
    (dst / "design.mlir").write_text(str(module) + "\n")  # the design the project is (timed csim's model)
    shutil.copytree(src / "data", dst / "data", dirs_exist_ok=True)
    return design


@pytest.fixture(scope="module")
def designs(tmp_path_factory):
    from inrarch_mlir.compiler import Compilation, CompileOptions

    def build_design(model, order, batch, *, precision, outdir):
        # the stream pipeline without stream-parallelize (lanes 1, one MAC each)
        return Compilation(CompileOptions(model, order, batch, precision=precision, parallelize=False)).build_project(outdir)

    root = tmp_path_factory.mktemp("hls")
    built = {}
    for order in (0, 1, 2):
        d = root / f"siren{order}"
        build_design(SIREN, order, BATCH, precision="float", outdir=d / "float")
        _reemit(d / "float", d / "fixed", FIXED)
        built[("siren", order)] = d
    # nested reverse mode: its reconvergent bypasses are what a too-shallow FIFO deadlocks
    Compilation(CompileOptions(SIREN, 1, BATCH, precision="float", parallelize=False, ad="reverse")).build_project(
        root / "siren1-reverse" / "float")
    built[("siren-reverse", 1)] = root / "siren1-reverse"
    d = root / "tanh1"
    build_design(TANH, 1, BATCH, precision="float", outdir=d / "float")
    _reemit(d / "float", d / "fixed", FIXED)
    built[("tanh", 1)] = d
    return built


def _csim(capsys, path, *extra):
    rc = inrarch(["csim", str(path), *extra])
    out, err = capsys.readouterr()
    m = re.search(r"max_abs_err=(\S+) max_rel_err=(\S+)", out)
    return rc, out, err, (float(m.group(2)) if m else None)


@pytest.mark.parametrize("case", [("siren", 0), ("siren", 1), ("siren", 2), ("tanh", 1)],
                         ids=lambda c: f"{c[0]}-order{c[1]}")
def test_float_matches_pytorch(designs, capsys, case):
    rc, out, err, rel = _csim(capsys, designs[case] / "float", "--tolerance", "1e-5")
    assert rc == 0, out + err
    assert rel is not None and rel <= 1e-5


@pytest.mark.parametrize("case", [("siren", 0), ("siren", 1), ("siren", 2), ("tanh", 1)],
                         ids=lambda c: f"{c[0]}-order{c[1]}")
def test_fixed_point_matches_pytorch(designs, capsys, case):
    rc, out, err, rel = _csim(capsys, designs[case] / "fixed", "--tolerance", "1e-4")
    assert rc == 0, out + err
    assert "OVERFLOW" not in out
    assert rel is not None and rel <= 1e-4


def test_bounded_simulation_completes_at_balanced_depths(designs, capsys):
    rc, out, err, rel = _csim(capsys, designs[("siren", 1)] / "float", "--bounded", "--tolerance", "1e-5")
    assert rc == 0, out + err
    assert "DEADLOCK" not in err and rel <= 1e-5


@pytest.mark.parametrize("precision", ["float", "fixed"])
def test_timed_csim_matches_the_model(designs, capsys, tmp_path, precision):
    """The cycle-stamped C++ (`--bounded --timed`) of SIREN order 1 takes the cycles the
    timing model simulates for the design (its design.mlir: no report.json here), within 1 %;
    in fixed point too (the same loops: L comes from the design's target)."""
    import json

    path = designs[("siren", 1)] / precision
    rc, out, err, _ = _csim(capsys, path, "--bounded", "--timed", "-O", "0", "--json", str(tmp_path / "t.json"))
    assert rc == 0, out + err
    res = json.loads((tmp_path / "t.json").read_text())
    assert res["mode"] == "timed" and res["cycles_model"] and "simulated now" in res["cycles_model_source"]
    assert abs(res["cycles_csim"] - res["cycles_model"]) <= 0.01 * res["cycles_model"], res
    assert f"cycles_csim={res['cycles_csim']} cycles_model={res['cycles_model']}" in out
    assert (path / "timed.json").is_file()


def test_emitted_design_has_no_accumulator_recurrence(designs, tmp_path):
    """The whole emitted SIREN order-2 design built with -DINRARCH_CHECK_RECURRENCE: no
    accumulator of any matmul or reduce is updated twice within L = 4 iterations of a loop."""
    import json
    import subprocess

    from inrarch_mlir.emit import hls

    proj = designs[("siren", 2)] / "float"
    cfg = json.loads((proj / "csim.json").read_text())
    exe = tmp_path / "csim_rec"
    cmd = ["g++", *cfg["cxxflags"], "-isystem", hls.ap_types_dir(), *(f"-I{proj / i}" for i in cfg["includes"]),
           "-DINRARCH_CHECK_RECURRENCE", *(str(proj / f) for f in cfg["sources"]), "-o", str(exe)]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    proc = subprocess.run([str(exe), str(proj / "data"), str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    m = re.search(r"RECURRENCE summary: (\d+) accumulator updates, min distance (-?\d+), (\d+) violation", proc.stderr)
    assert m and int(m.group(1)) > 0 and int(m.group(2)) >= 4 and int(m.group(3)) == 0, proc.stderr[-2000:]


def test_timed_needs_bounded(designs, capsys):
    rc, out, err, _ = _csim(capsys, designs[("siren", 1)] / "float", "--timed")
    assert rc == 1 and "give --bounded too" in err


def test_forced_shallow_bypass_deadlocks(designs, capsys, tmp_path):
    """The deepest FIFO of a balanced design is a reconvergent bypass; at depth 2 it deadlocks."""
    from torch_mlir import ir

    from inrarch_mlir.emit import hls

    src = designs[("siren-reverse", 1)] / "float"
    balanced = hls.analyze(_parse((src / "design.mlir").read_text()))
    victim = max(balanced.fifos, key=lambda f: f.depth)
    assert victim.depth > 2

    def shrink(module):
        deepest = None
        for op in module.body.operations[0].regions[0].blocks[0].operations:
            op = op.operation
            if op.name == "stream.fifo":
                d = ir.IntegerAttr(op.attributes["depth"]).value
                if deepest is None or d > ir.IntegerAttr(deepest.attributes["depth"]).value:
                    deepest = op
        deepest.attributes["depth"] = ir.IntegerAttr.get(ir.IntegerType.get_signless(64), 2)

    design = _reemit(src, tmp_path / "dl", "float", shrink)
    assert next(f for f in design.fifos if f.cname == victim.cname).depth == 2
    rc, out, err, _ = _csim(capsys, tmp_path / "dl", "--bounded")
    assert rc == 1
    assert "deadlock" in err and "DEADLOCK" in err
    assert re.search(rf"FIFO '{victim.cname}' depth=2 occupancy=2: writer '\w+' blocked on write", err), err
    assert victim.cname in err.splitlines()[-1]  # named in the one-line summary as a full FIFO
    # the unbounded simulation (HLS's default csim) cannot see it
    rc, out, err, _ = _csim(capsys, tmp_path / "dl", "--tolerance", "1e-5")
    assert rc == 0, out + err


def test_too_small_scale_is_reported_as_overflow(designs, capsys, tmp_path):
    from inrarch_mlir.numeric import ranges

    def understate_ranges(module):
        from torch_mlir import ir

        f64 = ir.F64Type.get()
        for op in module.body.operations[0].regions[0].blocks[0].operations:
            op = op.operation
            if op.name in ("stream.map", "stream.jet"):  # the nonlinear kernels, reverse or Taylor mode
                vals = ranges.read(op)
                op.attributes[ranges.MAX_ABS_ATTR] = ir.ArrayAttr.get(
                    [ir.FloatAttr.get(f64, v / 1e4) for v in vals])

    _reemit(designs[("siren", 1)] / "float", tmp_path / "ovf", FIXED, understate_ranges)
    rc, out, err, _ = _csim(capsys, tmp_path / "ovf")
    assert rc == 1
    assert re.search(r"OVERFLOW: kernel (map|jet)\d+: \d+ value\(s\) saturated", out), out
    assert "fixed-point overflow" in err


def test_interpreter_matches_pytorch_reference(designs):
    """The NumPy semantics of the stream IR (used for ranges) equal PyTorch's partials."""
    import json

    from inrarch_mlir.numeric.interpreter import evaluate

    proj = designs[("siren", 2)] / "float"
    module = _parse((proj / "design.mlir").read_text())
    manifest = json.loads((proj / "data" / "manifest.json").read_text())
    func = module.body.operations[0].operation
    nargs = len(func.regions[0].blocks[0].arguments)
    args = [None] * nargs
    for cname, info in manifest["inputs"].items():
        args[info["arg"]] = np.fromfile(proj / "data" / f"{cname}.bin", dtype=np.float32).astype(np.float64)
    types = [a.type for a in func.regions[0].blocks[0].arguments]
    from inrarch_mlir.emit.hls import torch_shape

    args = [a.reshape(torch_shape(t)) for a, t in zip(args, types)]
    outs, ranges = evaluate(func, args)
    for cname, info in manifest["outputs"].items():
        ref = np.fromfile(proj / "data" / f"expected_{cname}.bin", dtype=np.float64)
        np.testing.assert_allclose(outs[info["index"]].reshape(-1), ref, rtol=1e-9, atol=1e-9 * np.abs(ref).max())
    assert all(v >= 0 for vals in ranges.values() for v in vals)


def test_project_files(designs):
    proj = designs[("siren", 1)] / "fixed"
    for name in ("top.cpp", "top.h", "tb.cpp", "run_hls.tcl", "Makefile", "CMakeLists.txt",
                 "csim.json", "include/inrarch/inrarch.h", "include/inrarch/boundary.h",
                 "include/inrarch/testbench.h", "data/manifest.json"):
        assert (proj / name).is_file(), name
    tcl = (proj / "run_hls.tcl").read_text()
    assert "set part {xcu50-fsvh2104-2-e}" in tcl and "set clock 3.33" in tcl
    assert all(step in tcl for step in ("csim_design", "csynth_design", "cosim_design"))
    assert "-DINRARCH_BOUNDED_FIFO" in (proj / "Makefile").read_text()
    assert "ap_fixed<32, 10, AP_RND, AP_SAT> data_t" in (proj / "top.h").read_text()


def test_csim_without_project(capsys, tmp_path):
    rc = inrarch(["csim", str(tmp_path)])
    _, err = capsys.readouterr()
    assert rc == 1 and "csim.json not found" in err
