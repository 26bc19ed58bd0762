// RUN: inrarch-opt %s --split-input-file --stream-cse | FileCheck %s
// RUN: inrarch-opt %s --split-input-file --stream-cse | inrarch-opt --split-input-file --stream-cse | FileCheck %s
// RUN: inrarch-opt %s --split-input-file --verify-diagnostics --stream-cse > /dev/null

// Two sin maps read different outputs of one fork, and two matmuls read
// their own stream.weights copies of the same W: upstream cse sees
// different operands; stream-cse sees the same sources and keeps one of
// each. Once the matmuls merge, the single sin map has one reader, so only
// the matmul result is forked (to both stores); the unused weights copy and
// the load's fork disappear.

// CHECK-LABEL: func.func @duplicates
// CHECK: %[[L:.*]] = "stream.load"
// CHECK-NOT: "stream.fork"(%[[L]])
// CHECK: %[[S:.*]] = "stream.map"(%[[L]])
// CHECK: math.sin
// CHECK-NOT: "stream.fork"(%[[S]])
// CHECK: "stream.weights"
// CHECK-NOT: "stream.weights"
// CHECK: %[[M:.*]] = "stream.matmul"(%[[S]]
// CHECK-NOT: "stream.matmul"
// CHECK: %[[G:.*]]:2 = "stream.fork"(%[[M]])
// CHECK: "stream.store"(%[[G]]#0)
// CHECK: "stream.store"(%[[G]]#1)
func.func @duplicates(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %1:2 = "stream.fork"(%0) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.channel<tensor<4x8xf32>, 1 : i64>)
  %2 = "stream.map"(%1#0) ({
  ^bb0(%a: f32):
    %s = math.sin %a : f32
    "stream.yield"(%s) : (f32) -> ()
  }) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %3 = "stream.map"(%1#1) ({
  ^bb0(%b: f32):
    %t = math.sin %b : f32
    "stream.yield"(%t) : (f32) -> ()
  }) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %4 = "stream.weights"(%w) : (tensor<8x8xf32>) -> !stream.buffer<tensor<8x8xf32>>
  %5 = "stream.weights"(%w) : (tensor<8x8xf32>) -> !stream.buffer<tensor<8x8xf32>>
  %6 = "stream.matmul"(%2, %4) : (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.buffer<tensor<8x8xf32>>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %7 = "stream.matmul"(%3, %5) : (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.buffer<tensor<8x8xf32>>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %8 = "stream.store"(%6) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  %9 = "stream.store"(%7) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  return %8, %9 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Must not fire: the bodies differ (sin vs cos), and so do the weight views.

// CHECK-LABEL: func.func @different
// CHECK-COUNT-2: "stream.map"
// CHECK-COUNT-2: "stream.weights"
func.func @different(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %1:2 = "stream.fork"(%0) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.channel<tensor<4x8xf32>, 1 : i64>)
  %2 = "stream.map"(%1#0) ({
  ^bb0(%a: f32):
    %s = math.sin %a : f32
    "stream.yield"(%s) : (f32) -> ()
  }) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %3 = "stream.map"(%1#1) ({
  ^bb0(%b: f32):
    %t = math.cos %b : f32
    "stream.yield"(%t) : (f32) -> ()
  }) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %4 = "stream.weights"(%w) : (tensor<8x8xf32>) -> !stream.buffer<tensor<8x8xf32>>
  %5 = "stream.weights"(%w) {offset = 0 : i64, strides = array<i64: 1, 8>} : (tensor<8x8xf32>) -> !stream.buffer<tensor<8x8xf32>>
  %6 = "stream.matmul"(%2, %4) : (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.buffer<tensor<8x8xf32>>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %7 = "stream.matmul"(%3, %5) : (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.buffer<tensor<8x8xf32>>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %8 = "stream.store"(%6) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  %9 = "stream.store"(%7) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  return %8, %9 : tensor<4x8xf32>, tensor<4x8xf32>
}
