// RUN: inrarch-opt %s | inrarch-opt | FileCheck %s
// RUN: inrarch-opt %s --mlir-print-debuginfo | inrarch-opt | FileCheck %s

// Every stream op survives print -> parse -> print in generic form.

// CHECK-LABEL: func.func @mlp
// CHECK-SAME: (%[[X:.*]]: tensor<8x2xf32>, %[[W:.*]]: tensor<2x16xf32>, %[[B:.*]]: tensor<16xf32>)
func.func @mlp(%x: tensor<8x2xf32>, %w: tensor<2x16xf32>, %b: tensor<16xf32>) -> tensor<8x16xf32> {
  // CHECK: %[[L:.*]] = "stream.load"(%[[X]]) : (tensor<8x2xf32>) -> !stream.channel<tensor<8x2xf32>, 2 : i64>
  %0 = "stream.load"(%x) : (tensor<8x2xf32>) -> !stream.channel<tensor<8x2xf32>, 2 : i64>
  // CHECK: %[[F:.*]] = "stream.fifo"(%[[L]]) {depth = 2 : i64}
  %1 = "stream.fifo"(%0) {depth = 2 : i64} : (!stream.channel<tensor<8x2xf32>, 2 : i64>) -> !stream.channel<tensor<8x2xf32>, 2 : i64>
  // CHECK: %[[WB:.*]] = "stream.weights"(%[[W]]) : (tensor<2x16xf32>) -> !stream.buffer<tensor<2x16xf32>>
  %2 = "stream.weights"(%w) : (tensor<2x16xf32>) -> !stream.buffer<tensor<2x16xf32>>
  // CHECK: %[[MM:.*]] = "stream.matmul"(%[[F]], %[[WB]]) {macs = 4 : i64, transpose_w = false}
  // CHECK-SAME: -> !stream.channel<tensor<8x16xf32>, 4 : i64>
  %3 = "stream.matmul"(%1, %2) {macs = 4 : i64, transpose_w = false} : (!stream.channel<tensor<8x2xf32>, 2 : i64>, !stream.buffer<tensor<2x16xf32>>) -> !stream.channel<tensor<8x16xf32>, 4 : i64>
  // CHECK: %[[BB:.*]] = "stream.weights"(%[[B]])
  %4 = "stream.weights"(%b) : (tensor<16xf32>) -> !stream.buffer<tensor<16xf32>>
  // CHECK: %[[BC:.*]] = "stream.broadcast"(%[[BB]]) : (!stream.buffer<tensor<16xf32>>) -> !stream.channel<tensor<8x16xf32>, 4 : i64>
  %5 = "stream.broadcast"(%4) : (!stream.buffer<tensor<16xf32>>) -> !stream.channel<tensor<8x16xf32>, 4 : i64>
  // CHECK: %[[MAP:.*]] = "stream.map"(%[[MM]], %[[BC]]) ({
  // CHECK-NEXT: ^bb0(%[[A0:.*]]: f32, %[[A1:.*]]: f32):
  // CHECK-NEXT: %[[S:.*]] = arith.addf %[[A0]], %[[A1]] : f32
  // CHECK-NEXT: %[[SIN:.*]] = math.sin %[[S]] : f32
  // CHECK-NEXT: "stream.yield"(%[[SIN]]) : (f32) -> ()
  %6 = "stream.map"(%3, %5) ({
  ^bb0(%a: f32, %c: f32):
    %s = arith.addf %a, %c : f32
    %t = math.sin %s : f32
    "stream.yield"(%t) : (f32) -> ()
  }) : (!stream.channel<tensor<8x16xf32>, 4 : i64>, !stream.channel<tensor<8x16xf32>, 4 : i64>) -> !stream.channel<tensor<8x16xf32>, 4 : i64>
  // CHECK: %[[FK:.*]]:3 = "stream.fork"(%[[MAP]])
  %7:3 = "stream.fork"(%6) : (!stream.channel<tensor<8x16xf32>, 4 : i64>) -> (!stream.channel<tensor<8x16xf32>, 4 : i64>, !stream.channel<tensor<8x16xf32>, 4 : i64>, !stream.channel<tensor<8x16xf32>, 4 : i64>)
  // CHECK: "stream.reduce"(%[[FK]]#1) {dims = array<i64: 1>}
  // CHECK-SAME: -> !stream.channel<tensor<8x1xf32>, 1 : i64>
  %8 = "stream.reduce"(%7#1) {dims = array<i64: 1>} : (!stream.channel<tensor<8x16xf32>, 4 : i64>) -> !stream.channel<tensor<8x1xf32>, 1 : i64>
  // CHECK: "stream.slice"(%[[FK]]#2) {offsets = array<i64: 0, 2>, sizes = array<i64: 8, 3>, strides = array<i64: 1, 4>}
  // CHECK-SAME: -> !stream.channel<tensor<8x3xf32>, #stream.padded<2 : i64>>
  %9 = "stream.slice"(%7#2) {offsets = array<i64: 0, 2>, sizes = array<i64: 8, 3>, strides = array<i64: 1, 4>} : (!stream.channel<tensor<8x16xf32>, 4 : i64>) -> !stream.channel<tensor<8x3xf32>, #stream.padded<2 : i64>>
  // CHECK: "stream.reshape"
  // CHECK-SAME: -> !stream.channel<tensor<8x3x1xf32>, 1 : i64>
  %10 = "stream.reshape"(%9) : (!stream.channel<tensor<8x3xf32>, #stream.padded<2 : i64>>) -> !stream.channel<tensor<8x3x1xf32>, 1 : i64>
  %11 = "stream.reshape"(%10) : (!stream.channel<tensor<8x3x1xf32>, 1 : i64>) -> !stream.channel<tensor<8x3xf32>, 1 : i64>
  %12 = "stream.reduce"(%11) {dims = array<i64: 1>} : (!stream.channel<tensor<8x3xf32>, 1 : i64>) -> !stream.channel<tensor<8x1xf32>, 1 : i64>
  // CHECK: "stream.concat"({{.*}}) {dim = 1 : i64}
  // CHECK-SAME: -> !stream.channel<tensor<8x2xf32>, 1 : i64>
  %13 = "stream.concat"(%8, %12) {dim = 1 : i64} : (!stream.channel<tensor<8x1xf32>, 1 : i64>, !stream.channel<tensor<8x1xf32>, 1 : i64>) -> !stream.channel<tensor<8x2xf32>, 1 : i64>
  %14 = "stream.reduce"(%13) {dims = array<i64: 1>} : (!stream.channel<tensor<8x2xf32>, 1 : i64>) -> !stream.channel<tensor<8x1xf32>, 1 : i64>
  // CHECK: "stream.broadcast"(%{{.*}}) : (!stream.channel<tensor<8x1xf32>, 1 : i64>) -> !stream.channel<tensor<8x16xf32>, 4 : i64>
  %15 = "stream.broadcast"(%14) : (!stream.channel<tensor<8x1xf32>, 1 : i64>) -> !stream.channel<tensor<8x16xf32>, 4 : i64>
  %16 = "stream.map"(%7#0, %15) ({
  ^bb0(%a: f32, %c: f32):
    %m = arith.mulf %a, %c : f32
    "stream.yield"(%m) : (f32) -> ()
  }) : (!stream.channel<tensor<8x16xf32>, 4 : i64>, !stream.channel<tensor<8x16xf32>, 4 : i64>) -> !stream.channel<tensor<8x16xf32>, 4 : i64>
  // CHECK: %[[ST:.*]] = "stream.store"
  // CHECK-SAME: -> tensor<8x16xf32>
  %17 = "stream.store"(%16) : (!stream.channel<tensor<8x16xf32>, 4 : i64>) -> tensor<8x16xf32>
  return %17 : tensor<8x16xf32>
}

// Barrier kernels: ops that combine samples (all rows in, then all rows out).
// CHECK-LABEL: func.func @barriers
func.func @barriers(%x: tensor<4x3xf32>) -> (tensor<3x3xf32>, tensor<4x3xf32>) {
  %0 = "stream.load"(%x) : (tensor<4x3xf32>) -> !stream.channel<tensor<4x3xf32>, 1 : i64>
  %1:4 = "stream.fork"(%0) : (!stream.channel<tensor<4x3xf32>, 1 : i64>) -> (!stream.channel<tensor<4x3xf32>, 1 : i64>, !stream.channel<tensor<4x3xf32>, 1 : i64>, !stream.channel<tensor<4x3xf32>, 1 : i64>, !stream.channel<tensor<4x3xf32>, 1 : i64>)
  // CHECK: "stream.transpose"(%{{.*}}) {perm = array<i64: 1, 0>} : (!stream.channel<tensor<4x3xf32>, 1 : i64>) -> !stream.channel<tensor<3x4xf32>, 1 : i64>
  %2 = "stream.transpose"(%1#0) {perm = array<i64: 1, 0>} : (!stream.channel<tensor<4x3xf32>, 1 : i64>) -> !stream.channel<tensor<3x4xf32>, 1 : i64>
  // CHECK: "stream.matmul"(%{{.*}}, %{{.*}}) {transpose_w = false} : (!stream.channel<tensor<3x4xf32>, 1 : i64>, !stream.channel<tensor<4x3xf32>, 1 : i64>) -> !stream.channel<tensor<3x3xf32>, 1 : i64>
  %3 = "stream.matmul"(%2, %1#1) {transpose_w = false} : (!stream.channel<tensor<3x4xf32>, 1 : i64>, !stream.channel<tensor<4x3xf32>, 1 : i64>) -> !stream.channel<tensor<3x3xf32>, 1 : i64>
  // CHECK: "stream.reduce"(%{{.*}}) {dims = array<i64: 0>} : {{.*}} -> !stream.channel<tensor<1x3xf32>, 1 : i64>
  %4 = "stream.reduce"(%1#2) {dims = array<i64: 0>} : (!stream.channel<tensor<4x3xf32>, 1 : i64>) -> !stream.channel<tensor<1x3xf32>, 1 : i64>
  // CHECK: "stream.broadcast"(%{{.*}}) : (!stream.channel<tensor<1x3xf32>, 1 : i64>) -> !stream.channel<tensor<2x3xf32>, 1 : i64>
  %5 = "stream.broadcast"(%4) : (!stream.channel<tensor<1x3xf32>, 1 : i64>) -> !stream.channel<tensor<2x3xf32>, 1 : i64>
  // CHECK: "stream.slice"(%{{.*}}) {offsets = array<i64: 1, 0>, sizes = array<i64: 2, 3>, strides = array<i64: 2, 1>}
  %6 = "stream.slice"(%1#3) {offsets = array<i64: 1, 0>, sizes = array<i64: 2, 3>, strides = array<i64: 2, 1>} : (!stream.channel<tensor<4x3xf32>, 1 : i64>) -> !stream.channel<tensor<2x3xf32>, 1 : i64>
  // CHECK: "stream.concat"(%{{.*}}, %{{.*}}) {dim = 0 : i64} : {{.*}} -> !stream.channel<tensor<4x3xf32>, 1 : i64>
  %7 = "stream.concat"(%5, %6) {dim = 0 : i64} : (!stream.channel<tensor<2x3xf32>, 1 : i64>, !stream.channel<tensor<2x3xf32>, 1 : i64>) -> !stream.channel<tensor<4x3xf32>, 1 : i64>
  %8 = "stream.store"(%3) : (!stream.channel<tensor<3x3xf32>, 1 : i64>) -> tensor<3x3xf32>
  %9 = "stream.store"(%7) : (!stream.channel<tensor<4x3xf32>, 1 : i64>) -> tensor<4x3xf32>
  return %8, %9 : tensor<3x3xf32>, tensor<4x3xf32>
}
