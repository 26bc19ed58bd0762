"""Fixed-point scales per coefficient row (emit/hls/scales.py, numeric/ranges.py; issue 14).

A hand-written Taylor-mode design: a jet makes 3 coefficient rows of very
different size, a matmul streams them through one weight buffer, a fork and
two slices take rows 0 and 2 to the outputs. The expected scales are worked
out here from the documented rule (max|v| * 2^-s <= limit / 4, weights
within 0.99 limit, matmul rows at s_x + s_w), not read from the solver.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from inrarch_mlir.context import make_context
from inrarch_mlir.diagnostics import parse_module
from inrarch_mlir.emit import hls

LIMIT = 2.0 ** (10 - 1)  # fixed<32,10> holds |v| < 512
LO = -(32 - 10)


def _ch(*shape):
    return f"!stream.channel<tensor<{'x'.join(map(str, shape))}xf32>, 1 : i64>"


def design_text(jet_rows: str, mm_rows: str, w_max: float = 0.75) -> str:
    """coords [2,2] -> jet [2,3,2] (rows a, 60a, 3000a) -> [6,2] x W^T [3,2] -> [2,3,3] -> rows 0 and 2 out."""
    return f"""
module {{
  func.func @main(%arg0: !torch.vtensor<[2,2],f32>, %arg1: !torch.vtensor<[3,2],f32>) -> (!torch.vtensor<[2,3],f32>, !torch.vtensor<[2,3],f32>) {{
    %0 = builtin.unrealized_conversion_cast %arg0 : !torch.vtensor<[2,2],f32> to tensor<2x2xf32>
    %1 = "stream.load"(%0) {{stream.max_abs = [0.9]}} : (tensor<2x2xf32>) -> {_ch(2, 2)}
    %2 = "stream.reshape"(%1) : ({_ch(2, 2)}) -> {_ch(2, 1, 2)}
    %3 = "stream.jet"(%2) ({{
    ^bb0(%a: f32):
      %c1 = arith.constant 6.0e+01 : f32
      %c2 = arith.constant 3.0e+03 : f32
      %b = arith.mulf %a, %c1 : f32
      %c = arith.mulf %a, %c2 : f32
      "stream.yield"(%a, %b, %c) : (f32, f32, f32) -> ()
    }}) {{stream.max_abs = [{jet_rows}]}} : ({_ch(2, 1, 2)}) -> {_ch(2, 3, 2)}
    %4 = "stream.reshape"(%3) : ({_ch(2, 3, 2)}) -> {_ch(6, 2)}
    %5 = builtin.unrealized_conversion_cast %arg1 : !torch.vtensor<[3,2],f32> to tensor<3x2xf32>
    %6 = "stream.weights"(%5) {{stream.max_abs = [{w_max}]}} : (tensor<3x2xf32>) -> !stream.buffer<tensor<3x2xf32>>
    %7 = "stream.matmul"(%4, %6) {{transpose_w = true, stream.max_abs = [{mm_rows}]}} : ({_ch(6, 2)}, !stream.buffer<tensor<3x2xf32>>) -> {_ch(6, 3)}
    %8 = "stream.reshape"(%7) : ({_ch(6, 3)}) -> {_ch(2, 3, 3)}
    %9:2 = "stream.fork"(%8) {{stream.max_abs = [{mm_rows}, {mm_rows}]}} : ({_ch(2, 3, 3)}) -> ({_ch(2, 3, 3)}, {_ch(2, 3, 3)})
    %10 = "stream.slice"(%9#0) {{offsets = array<i64: 0, 0, 0>, sizes = array<i64: 2, 1, 3>, strides = array<i64: 1, 1, 1>, stream.max_abs = [1.0]}} : ({_ch(2, 3, 3)}) -> {_ch(2, 1, 3)}
    %11 = "stream.slice"(%9#1) {{offsets = array<i64: 0, 2, 0>, sizes = array<i64: 2, 1, 3>, strides = array<i64: 1, 1, 1>, stream.max_abs = [1.0]}} : ({_ch(2, 3, 3)}) -> {_ch(2, 1, 3)}
    %12 = "stream.reshape"(%10) : ({_ch(2, 1, 3)}) -> {_ch(2, 3)}
    %13 = "stream.reshape"(%11) : ({_ch(2, 1, 3)}) -> {_ch(2, 3)}
    %14 = "stream.store"(%12) : ({_ch(2, 3)}) -> tensor<2x3xf32>
    %15 = "stream.store"(%13) : ({_ch(2, 3)}) -> tensor<2x3xf32>
    %16 = builtin.unrealized_conversion_cast %14 : tensor<2x3xf32> to !torch.vtensor<[2,3],f32>
    %17 = builtin.unrealized_conversion_cast %15 : tensor<2x3xf32> to !torch.vtensor<[2,3],f32>
    return %16, %17 : !torch.vtensor<[2,3],f32>, !torch.vtensor<[2,3],f32>
  }}
}}
"""


def _emit(text, tmp_path):
    module = parse_module(text, make_context())
    return hls.emit_project(module, tmp_path / "hls", precision="fixed<32,10>"), (tmp_path / "hls" / "top.cpp")


def stored_scale(m: float) -> int:
    """The least s with m * 2^-s <= LIMIT / 4 (2 bits of headroom), at least LO."""
    s = LO
    while m > 0 and m * 2.0 ** -s > LIMIT / 4:
        s += 1
    return s


def weight_scale(m: float) -> int:
    s = LO
    while m * 2.0 ** -s > 0.99 * LIMIT:
        s += 1
    return s


def test_rows_of_one_channel_get_their_own_scales_and_matmul_rows_keep_s_w(tmp_path):
    jet, mm = [0.9, 60.0, 3000.0], [1.2, 90.0, 2000.0]
    d, top = _emit(design_text(str(jet), str(mm)), tmp_path)
    s_x = [stored_scale(m) for m in jet]
    assert s_x == [-7, -1, 5]  # worked by hand: 0.9 -> 2^-7 * 128, 60 -> 2^-1, 3000 -> 2^5
    assert d.scales["jet0.out0"] == s_x
    # one s_w for the three rows: the largest row need (desired output - input), at least the weights' floor
    s_w = max([weight_scale(0.75)] + [stored_scale(y) - x for y, x in zip(mm, s_x)])
    assert s_w == 1
    assert d.scales["weights0"] == s_w
    s_y = d.scales["matmul0.out0"]
    assert [y - x for y, x in zip(s_y, s_x)] == [s_w] * 3  # the row-oblivious C++ matmul is exact per row
    assert all(y >= stored_scale(m) for y, m in zip(s_y, mm))  # every row still holds its range
    assert len(set(s_y)) == 3
    # rows travel through the fork and the slices to the ports
    assert d.scales["fork0.out1"] == s_y
    assert [p.scale for p in d.outputs] == [s_y[0], s_y[2]]
    # the jet functor stores each output row at its own scale
    text = top.read_text()
    assert re.findall(r"out\[(\d)\] = inrarch::to_data<data_t, (-?\d+)>", text) == [
        (str(j), str(s)) for j, s in enumerate(s_x)]
    # its largest scale (row 2's, 5) widens the functor's calc_t by 5 integer bits
    assert "typedef inrarch::widen_t<calc_t, 5> wide_t;" in text
    assert "inrarch::from_data<wide_t, -7>(in[0]" in text


def test_an_input_row_measured_zero_does_not_raise_s_w(tmp_path):
    """Row 1 of the jet is zero: its need (lo - lo = 0) must not set s_w,
    which the other rows put at -3 (a gain of 1/8 through W)."""
    jet, mm = [0.9, 0.0, 3000.0], [0.1, 0.0, 300.0]
    d, _ = _emit(design_text(str(jet), str(mm)), tmp_path)
    s_w = max([weight_scale(0.75)] + [stored_scale(mm[j]) - stored_scale(jet[j]) for j in (0, 2)])
    assert s_w == -3 and d.scales["weights0"] == s_w
    s_x, s_y = d.scales["jet0.out0"], d.scales["matmul0.out0"]
    assert [y - x for y, x in zip(s_y, s_x)] == [s_w] * 3


def test_one_value_per_result_still_reads_as_a_bound_on_every_row(tmp_path):
    """Annotations written before rows were measured: one scale for the whole jet output."""
    d, _ = _emit(design_text("3000.0", "2000.0"), tmp_path)
    assert d.scales["jet0.out0"] == stored_scale(3000.0)
    assert d.scales["matmul0.out0"] == stored_scale(3000.0) + d.scales["weights0"]


def test_the_range_analysis_measures_each_row(tmp_path):
    """`ranges.measure` on the design: the jet's rows are a, 60a, 3000a and
    the matmul's row j is (c_j x) W^T, computed here in NumPy."""
    from inrarch_mlir.emit.hls.analyze import the_func
    from inrarch_mlir.numeric import ranges

    module = parse_module(design_text("1.0", "1.0"), make_context())
    func = the_func(module)
    rng = np.random.default_rng(3)
    x, w = rng.uniform(-1, 1, (5, 2)), rng.uniform(-1, 1, (3, 2))
    with module.context:
        ranges.annotate(func, ranges.measure(func, x, [w], coupled=False, batch=2))
    ops = {op.name: op for op in (o.operation for o in func.regions[0].blocks[0].operations)}
    c = [1.0, 60.0, 3000.0]
    np.testing.assert_allclose(ranges.read_rows(ops["stream.jet"])[0], [k * np.abs(x).max() for k in c])
    np.testing.assert_allclose(ranges.read_rows(ops["stream.matmul"])[0],
                               [np.abs((k * x) @ w.T).max() for k in c])
    assert ranges.read(ops["stream.matmul"]) == [pytest.approx(np.abs((3000 * x) @ w.T).max())]
    assert ranges.read_rows(ops["stream.load"]) == [[pytest.approx(np.abs(x).max())]]



def test_scone_order_3_fixed_csim_within_the_default_tolerance(tmp_path, capsys):
    """A small SCONE at order 3 in ap_fixed<32,10> (bounded csim, default
    1e-3): its third partials reach 1e4 x the value, and with one scale per
    channel the primal lost its fraction bits (max_rel_err 2.1e-3 before
    per-row scales, 1.0e-4 with them)."""
    from inrarch_mlir.cli.main import main as inrarch

    out = tmp_path / "scone3"
    assert inrarch(["compile", "scone:hidden=8,layers=2,out=1", "--order", "3", "--batch", "4",
                    "--precision", "fixed<32,10>", "-o", str(out), "-q"]) == 0
    capsys.readouterr()
    rc = inrarch(["csim", str(out), "--bounded"])
    text = "".join(capsys.readouterr())
    m = re.search(r"max_rel_err=(\S+)", text)
    assert rc == 0 and m and float(m.group(1)) <= 1e-3, text
    scales = json.loads((out / "hls" / "csim.json").read_text())["design"]["scales"]
    assert any(isinstance(v, list) and len(set(v)) > 1 for v in scales.values())  # rows with their own scales
