// RUN: inrarch-opt %s --stream-annotate-timing --stream-balance -o %t.mlir
// RUN: inrarch-translate --emit-hls %t.mlir -o %t && FileCheck %s --input-file %t/top.cpp
// RUN: FileCheck %s --check-prefix=HEADER --input-file %t/top.h

// Barrier kernels (ops that combine samples) and their C++ kernels: each
// reads every input row before writing any output row. The whole-tensor
// forms take the full shape, batch included; a matmul whose weight streams
// reads it from its FIFO like a weights stream.

// CHECK: struct transpose0_cfg {
// CHECK-NEXT:   using T = data_t;
// CHECK-NEXT:   using InShape = inrarch::shape<4, 3>;
// CHECK-NEXT:   using Perm = inrarch::shape<1, 0>;
// CHECK-NEXT:   static constexpr int LI = 1, LO = 1;
// CHECK: struct matmul0_cfg {
// CHECK:   static constexpr int B = 3, K = 4, N = 3, LI = 1, LO = 1, MACS = 1, L = 4, LATENCY = 8;
// CHECK-NEXT:   static constexpr bool TRANSPOSE_W = false;
// CHECK-NEXT:   static constexpr bool WEIGHT_URAM = false;
// The sum over the batch updates each output every 3 elements (the batch dim's
// stride), closer than the float adder's L = 4: 4 partial sums per output,
// combined by a 2-level tree, LATENCY = 4 + 2 x 4.
// CHECK: struct reduce0_cfg {
// CHECK:   using InShape = inrarch::shape<4, 3>;
// CHECK-NEXT:   using Mask = inrarch::shape<1, 0>;
// CHECK-NEXT:   static constexpr int B = 1, LI = 1, LO = 1, L = 4, LATENCY = 12;
// CHECK: struct broadcast0_cfg {
// CHECK:   using InShape = inrarch::shape<3>;
// CHECK-NEXT:   using OutShape = inrarch::shape<3>;
// CHECK-NEXT:   static constexpr int B = 2, LANES = 1, WL = 1;
// CHECK: struct slice0_cfg {
// CHECK:   using InShape = inrarch::shape<4, 3>;
// CHECK-NEXT:   using Offsets = inrarch::shape<1, 0>;
// CHECK-NEXT:   using Sizes = inrarch::shape<2, 3>;
// CHECK-NEXT:   using Strides = inrarch::shape<2, 1>;
// CHECK: struct concat0_cfg {
// CHECK-NEXT:   using T = data_t;
// CHECK-NEXT:   using Rows = inrarch::shape<2, 2>;
// CHECK-NEXT:   static constexpr int ROW = 3, LO = 1;
// Samples interact (barriers): every batch kernel keeps its configured batch, not the top's n.
// CHECK-LABEL: void top(int n,
// CHECK: INRARCH_PROCESS("transpose0", inrarch::transpose<transpose0_cfg>(
// CHECK: INRARCH_PROCESS("matmul0", inrarch::matmul<matmul0_cfg>(matmul0_cfg::B, transpose0_out0__matmul0_in0, fork0_out1__matmul0_in1, matmul0_out0__store0_in0));
// CHECK: INRARCH_PROCESS("reduce0", inrarch::reduce_sum<reduce0_cfg>(reduce0_cfg::B,
// CHECK: INRARCH_PROCESS("broadcast0", inrarch::broadcast_buffer<broadcast0_cfg>(
// CHECK: INRARCH_PROCESS("slice0", inrarch::slice_batch<slice0_cfg>(
// CHECK: INRARCH_PROCESS("concat0", inrarch::concat_batch<concat0_cfg>(concat0_out0__store1_in0, broadcast0_out0__concat0_in0, slice0_out0__concat0_in1));

module {
func.func @barriers(%x: tensor<4x3xf32>) -> (tensor<3x3xf32>, tensor<4x3xf32>) {
  %0 = "stream.load"(%x) : (tensor<4x3xf32>) -> !stream.channel<tensor<4x3xf32>, 1 : i64>
  %1:4 = "stream.fork"(%0) : (!stream.channel<tensor<4x3xf32>, 1 : i64>) -> (!stream.channel<tensor<4x3xf32>, 1 : i64>, !stream.channel<tensor<4x3xf32>, 1 : i64>, !stream.channel<tensor<4x3xf32>, 1 : i64>, !stream.channel<tensor<4x3xf32>, 1 : i64>)
  %2 = "stream.transpose"(%1#0) {perm = array<i64: 1, 0>} : (!stream.channel<tensor<4x3xf32>, 1 : i64>) -> !stream.channel<tensor<3x4xf32>, 1 : i64>
  %3 = "stream.matmul"(%2, %1#1) {transpose_w = false} : (!stream.channel<tensor<3x4xf32>, 1 : i64>, !stream.channel<tensor<4x3xf32>, 1 : i64>) -> !stream.channel<tensor<3x3xf32>, 1 : i64>
  %4 = "stream.reduce"(%1#2) {dims = array<i64: 0>} : (!stream.channel<tensor<4x3xf32>, 1 : i64>) -> !stream.channel<tensor<1x3xf32>, 1 : i64>
  %5 = "stream.broadcast"(%4) : (!stream.channel<tensor<1x3xf32>, 1 : i64>) -> !stream.channel<tensor<2x3xf32>, 1 : i64>
  %6 = "stream.slice"(%1#3) {offsets = array<i64: 1, 0>, sizes = array<i64: 2, 3>, strides = array<i64: 2, 1>} : (!stream.channel<tensor<4x3xf32>, 1 : i64>) -> !stream.channel<tensor<2x3xf32>, 1 : i64>
  %7 = "stream.concat"(%5, %6) {dim = 0 : i64} : (!stream.channel<tensor<2x3xf32>, 1 : i64>, !stream.channel<tensor<2x3xf32>, 1 : i64>) -> !stream.channel<tensor<4x3xf32>, 1 : i64>
  %8 = "stream.store"(%3) : (!stream.channel<tensor<3x3xf32>, 1 : i64>) -> tensor<3x3xf32>
  %9 = "stream.store"(%7) : (!stream.channel<tensor<4x3xf32>, 1 : i64>) -> tensor<4x3xf32>
  return %8, %9 : tensor<3x3xf32>, tensor<4x3xf32>
}
}

// HEADER: constexpr bool TOP_TILEABLE = false;  // samples interact: n must be TOP_BATCH
