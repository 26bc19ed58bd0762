# RUN: %python %s | FileCheck %s
"""Builders of the stream dialect produce IR that verifies and prints."""

import gc

from torch_mlir import ir
from torch_mlir.dialects import arith, func, math

from inrarch_mlir.context import make_context
from inrarch_mlir.dialects import stream


def run(f):
    print("\nTEST:", f.__name__)
    with make_context() as ctx, ir.Location.unknown():
        module = ir.Module.create()
        with ir.InsertionPoint(module.body):
            f()
        assert module.operation.verify()
        print(module)
    del module, ctx
    gc.collect()
    return f


# CHECK-LABEL: TEST: testSineLayer
@run
def testSineLayer():
    f32 = ir.F32Type.get()
    x_t = ir.RankedTensorType.get([8, 2], f32)
    w_t = ir.RankedTensorType.get([16, 2], f32)
    y_t = ir.RankedTensorType.get([8, 16], f32)

    @func.FuncOp.from_py_func(x_t, w_t)
    def layer(x, w):
        # CHECK: %[[X:.*]] = "stream.load"(%arg0) : (tensor<8x2xf32>) -> !stream.channel<tensor<8x2xf32>, 2 : i64>
        xs = stream.fifo(stream.load(x, lanes=2), depth=3)
        # CHECK: "stream.fifo"(%[[X]]) {depth = 3 : i64}
        # CHECK: "stream.matmul"({{.*}}) {macs = 8 : i64, transpose_w = true}
        # CHECK-SAME: -> !stream.channel<tensor<8x16xf32>, 4 : i64>
        y = stream.matmul(xs, stream.weights(w), transpose_w=True, lanes=4, macs=8)
        # CHECK: "stream.map"
        # CHECK: math.sin
        # CHECK: "stream.yield"
        out, block = stream.map_([y])
        with ir.InsertionPoint(block):
            stream.yield_([math.sin(block.arguments[0])])
        # CHECK: "stream.store"
        return stream.store(out)


# CHECK-LABEL: TEST: testChannelInfo
# CHECK: padded True words 2 bits 128
@run
def testChannelInfo():
    info = stream.channel_info(stream.channel_type([8, 6], ir.F32Type.get(), 4))
    print("padded", info.padded, "words", info.words_per_sample, "bits", info.bits_per_word)
