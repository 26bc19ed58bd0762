"""Pure helpers of the HLS emitter: precision parsing, map functors, views."""

from __future__ import annotations

import numpy as np
import pytest

from inrarch_mlir.emit import cpp_map
from inrarch_mlir.emit.hls import Precision
from inrarch_mlir.kernels.weights import apply_view
from inrarch_mlir.numeric.scalar import eval_map_body

MAP_IR = """
func.func @f(%a: !stream.channel<tensor<4x8xf32>, 1 : i64>, %b: !stream.channel<tensor<4x8xf32>, 1 : i64>)
    -> !stream.channel<tensor<4x8xf32>, 1 : i64> {
  %0 = "stream.map"(%a, %b) ({
  ^bb0(%x: f32, %y: f32):
    %c = arith.constant 3.000000e+01 : f32
    %dead = arith.subf %x, %y : f32
    %s = math.sin %x : f32
    %p = arith.mulf %s, %c : f32
    %g = arith.cmpf ogt, %p, %y : f32
    %m = arith.select %g, %p, %y : f32
    "stream.yield"(%m) : (f32) -> ()
  }) : (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.channel<tensor<4x8xf32>, 1 : i64>)
      -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  return %0 : !stream.channel<tensor<4x8xf32>, 1 : i64>
}
"""


def _map_op():
    from inrarch_mlir.context import make_context
    from inrarch_mlir.diagnostics import parse_module

    module = parse_module(MAP_IR, make_context())
    func = module.body.operations[0].operation
    op = next(o.operation for o in func.regions[0].blocks[0].operations if o.operation.name == "stream.map")
    return module, op


@pytest.mark.parametrize("text,kind,w,i", [("float", "float", 32, 0), ("fixed<32,10>", "fixed", 32, 10),
                                           ("fixed< 24 , 8 >", "fixed", 24, 8)])
def test_precision_parse(text, kind, w, i):
    p = Precision.parse(text)
    assert (p.kind, p.width, p.int_bits) == (kind, w, i)


@pytest.mark.parametrize("text", ["double", "fixed<32>", "fixed<8,8>", "fixed<100,10>"])
def test_precision_rejects(text):
    with pytest.raises(ValueError):
        Precision.parse(text)


def test_float_functor_drops_dead_ops():
    module, op = _map_op()
    src = cpp_map.emit_functor(op, "m_f")
    assert "struct m_f {" in src and "data_t operator()(data_t a0, data_t a1) const" in src
    assert "inrarch::sin(a0)" in src and "data_t(30.0)" in src
    assert "-" not in src.split("operator()")[1].split("return")[0].replace("->", "")  # subf is dead
    assert "const bool" in src and "? " in src


def test_fixed_functor_scales_inputs_and_output():
    module, op = _map_op()
    src = cpp_map.emit_functor(op, "m_f", cpp_map.FixedScales((-3, -1), -5, 7))
    assert "inrarch::from_data<calc_t, -3>(i0, 7)" in src
    assert "inrarch::from_data<calc_t, -1>(i1, 7)" in src
    assert "return inrarch::to_data<data_t, -5>(" in src
    assert "wide_t" not in src


def test_fixed_functor_widens_calc_t_by_the_largest_scale():
    """An input at scale 2^6 holds true values up to 2^15: calc_t gets 6 more integer bits."""
    module, op = _map_op()
    src = cpp_map.emit_functor(op, "m_f", cpp_map.FixedScales((-3, 6), 2, 7))
    assert "typedef inrarch::widen_t<calc_t, 6> wide_t;" in src
    assert "inrarch::from_data<wide_t, -3>(i0, 7)" in src and "inrarch::from_data<wide_t, 6>(i1, 7)" in src
    assert "calc_t(" not in src and "wide_t(" in src  # the body computes in the wider type


def test_map_interpreter():
    module, op = _map_op()
    x = np.linspace(-1, 1, 32).reshape(4, 8)
    y = np.full((4, 8), 0.5)
    got = eval_map_body(op, [x, y])
    want = np.where(np.sin(x) * 30 > y, np.sin(x) * 30, y)
    np.testing.assert_allclose(got, want)


def test_affine_view():
    base = np.arange(12.0)
    # a [4, 3] transpose view of a [3, 4] tensor, starting at 0
    v = apply_view(base, (4, 3), 0, (1, 4))
    np.testing.assert_array_equal(v, base.reshape(3, 4).T)
    # a broadcast row (stride 0) at an offset
    v = apply_view(base, (2, 3), 3, (0, 1))
    np.testing.assert_array_equal(v, [[3, 4, 5], [3, 4, 5]])
    with pytest.raises(ValueError):
        apply_view(base, (2, 3), 10, (0, 1))
