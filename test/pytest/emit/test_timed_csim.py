"""The timed C simulation (-DINRARCH_TIMED) against the Python timing model, kernel by kernel.

`hls_runtime/test/test_reconvergent.cpp` (load -> fork -> matmul -> join ->
store, K = 8, 4 MACs, the bypass FIFO's depth and the adder latency L set
by flags) is built cycle-stamped; the same graph written with the
`dataflow.Kernel` factories (the weight load as the matmul's prologue) must
give the same cycles, and the depth below which the cycle-stamped schedule
deadlocks must be the one below which the model's static check finds a
cycle of waits. The CTests `hls_runtime.timed.*` pin the same figures.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from inrarch_mlir.dataflow import GraphBuilder, Kernel, check_deadlock, simulate
from inrarch_mlir.dataflow.graph import stream_in_delay
from inrarch_mlir.emit import hls
from inrarch_mlir.kernels.matmul import weight_chunk

ROOT = Path(__file__).resolve().parents[3]
B, K, MACS, LATENCY = 4, 8, 4, 8

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is needed")


def model(L: int, depth: int):
    """test_reconvergent.cpp's graph in the timing model."""
    p = weight_chunk(K, K, 1, MACS, True, 4)  # the weights stream at 4 lanes, W^T
    words = K * K // 4
    prologue = K * K // p + stream_in_delay(np.arange(words), np.arange(words) * (4 // p))
    b = GraphBuilder()
    b.add(Kernel.load("load_x", K, samples=B))
    b.add(Kernel.fork("fork_x", K, 2, samples=B))
    b.add(Kernel.matmul("matmul", K, K, 1, 1, MACS, LATENCY, prologue_cycles=prologue, samples=B, interleave=L))
    b.add(Kernel.map("join_add", K, 2, 4, samples=B))
    b.add(Kernel.store("store_y", K, samples=B))
    b.connect("load_x", "fork_x", depth=2)
    b.connect("fork_x", "matmul", src_port="out0", depth=2)
    b.connect("matmul", "join_add", dst_port="in0", depth=2)
    b.connect("fork_x", "join_add", src_port="out1", dst_port="in1", depth=depth)
    b.connect("join_add", "store_y", depth=2)
    return b.build()


def timed_run(tmp_path: Path, L: int, depth: int) -> str:
    exe = tmp_path / f"reconv_l{L}_d{depth}"
    cmd = ["g++", "-std=c++17", "-O1", "-Wall", "-Wextra", "-Werror", "-isystem", hls.ap_types_dir(),
           f"-I{ROOT / 'hls_runtime' / 'include'}", "-DINRARCH_BOUNDED_FIFO", "-DINRARCH_TIMED",
           f"-DSHORT_DEPTH={depth}", f"-DMM_L={L}", str(ROOT / "hls_runtime" / "test" / "test_reconvergent.cpp"),
           "-o", str(exe), "-pthread"]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    proc = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr  # the untimed threads complete either way
    return proc.stdout


def threaded_rc(tmp_path: Path, L: int, depth: int) -> int:
    """Exit status of the bounded threaded (untimed) run: 0 completes, 3 deadlocks."""
    exe = tmp_path / f"reconv_untimed_l{L}_d{depth}"
    cmd = ["g++", "-std=c++17", "-O1", "-Wall", "-Wextra", "-Werror", "-isystem", hls.ap_types_dir(),
           f"-I{ROOT / 'hls_runtime' / 'include'}", "-DINRARCH_BOUNDED_FIFO", f"-DSHORT_DEPTH={depth}",
           f"-DMM_L={L}", str(ROOT / "hls_runtime" / "test" / "test_reconvergent.cpp"), "-o", str(exe), "-pthread"]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return subprocess.run([str(exe)], capture_output=True, text=True, timeout=60).returncode


@pytest.mark.parametrize("L", [1, 4])
def test_sequential_order_threshold_is_the_bounded_csims(tmp_path, L):
    """The sequential program order (the C++ source order) deadlocks exactly where the
    bounded threaded C simulation does; the pipelined order needs more words here (the
    matmul reads its next row before its results leave), so designs must pass both."""
    seq = next(d for d in range(1, 40) if check_deadlock(model(L, d), pipelined=False) is None)
    piped = next(d for d in range(1, 40) if check_deadlock(model(L, d), pipelined=True) is None)
    assert piped > seq
    assert threaded_rc(tmp_path, L, seq) == 0 and threaded_rc(tmp_path, L, seq - 1) == 3
    assert check_deadlock(model(L, seq)) is not None and check_deadlock(model(L, piped)) is None  # both orders


@pytest.mark.parametrize("L", [1, 4])
def test_reconvergent_timed_cycles_and_deadlock_match_the_model(tmp_path, L):
    # the timing model's threshold (the timed C++ resolves stalls in the same pipelined order)
    depth = next(d for d in range(2, 40) if check_deadlock(model(L, d), pipelined=True) is None)
    out = timed_run(tmp_path, L, depth)
    cycles = {int(c) for c in re.findall(r"TIMED: cycles=(\d+)", out)}
    assert cycles == {simulate(model(L, depth)).total_cycles}, out[:2000]  # every run, both types
    out = timed_run(tmp_path, L, depth - 1)
    assert "TIMED: deadlock" in out and "TIMED: cycles=" not in out
    assert f"process 'fork_x' waits to write word {depth - 1} of FIFO 'x_short' (depth {depth - 1})" in out


def test_tiled_weight_streams_match_the_model(tmp_path, capsys):
    """Matmuls whose [K, N] weights have few banks along N (2 output lanes; 1 lane with 13
    MACs) get their weights in tiles (weights_tiles, WEIGHT_TILE): the prologue the model
    charges (a word, or 8 rows of one, per cycle after the fill) is what the timed C++ takes."""
    import json

    from torch_mlir import ir
    from torch_mlir.dialects import func, math as tmath

    from inrarch_mlir import Pipeline
    from inrarch_mlir.cli.main import main
    from inrarch_mlir.context import make_context
    from inrarch_mlir.dialects import stream
    from inrarch_mlir.dialects.stream_graph import extract
    from inrarch_mlir.emit.hls import torch_shape
    from inrarch_mlir.emit.testbench import write_data
    from inrarch_mlir.kernels.weights import tiling
    from inrarch_mlir.numeric.interpreter import evaluate

    ctx = make_context()
    with ctx, ir.Location.unknown():
        f32 = ir.F32Type.get()
        module = ir.Module.create()
        types = [ir.RankedTensorType.get(s, f32) for s in ([3, 16], [16, 32], [32, 16])]
        with ir.InsertionPoint(module.body):
            @func.FuncOp.from_py_func(*types, name="top")
            def top(x, w1, w2):
                h = stream.matmul(stream.load(x), stream.weights(w1), lanes=2, macs=16)  # KU 8, JU 2
                h, block = stream.map_([h])
                with ir.InsertionPoint(block):
                    stream.yield_([tmath.sin(block.arguments[0])])
                return stream.store(stream.matmul(h, stream.weights(w2), lanes=1, macs=13))  # KU 13, JU 1
        Pipeline.parse("stream-insert-forks,stream-annotate-timing,stream-balance").run(module)
        fn = module.body.operations[0].operation
        weights = [op for op in fn.regions[0].blocks[0].operations if op.operation.name == "stream.weights"]
        assert [tiling(w) for w in weights] == [(8, 8), (16, 8)]
        graph = extract(fn).graph
    model = simulate(graph, trace_points=0).total_cycles
    design = hls.emit_project(module, tmp_path, precision="float")
    (tmp_path / "design.mlir").write_text(str(module) + "\n")
    assert (tmp_path / "top.cpp").read_text().count("inrarch::weights_tiles<") == 2
    rng = np.random.default_rng(1)
    args = [rng.uniform(-1, 1, torch_shape(a.type)) for a in fn.regions[0].blocks[0].arguments]
    write_data(tmp_path, design, args, evaluate(fn, args)[0])
    assert main(["csim", str(tmp_path), "--bounded", "--timed", "-O", "0", "--json", str(tmp_path / "t.json")]) == 0
    capsys.readouterr()
    res = json.loads((tmp_path / "t.json").read_text())
    assert res["cycles_csim"] == res["cycles_model"] == model
