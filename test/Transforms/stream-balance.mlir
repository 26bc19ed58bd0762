// RUN: not inrarch-opt %s --split-input-file --stream-balance | FileCheck %s
// RUN: not inrarch-opt %s --split-input-file --stream-balance | inrarch-opt --stream-balance --stream-check-deadlock | FileCheck %s
// RUN: inrarch-opt %s --split-input-file --verify-diagnostics --stream-balance > /dev/null
// RUN: not inrarch-opt %s --stream-balance=min-depth=0 2>&1 | FileCheck %s --check-prefix=OPTION

// OPTION: min-depth must be >= 1, got 0

// The reconvergent graph of stream-check-deadlock.mlir without FIFOs:
// balancing puts a stream.fifo on each of the 5 kernel-to-kernel channels,
// records the totals on the function, and the result passes the deadlock
// check (second RUN, which also shows re-balancing is stable).

// CHECK-LABEL: func.func @reconvergent
// CHECK-SAME: stream.cycles = [[CYC:[0-9]+]] : i64
// CHECK-SAME: stream.cycles_unbounded =
// CHECK-SAME: stream.fifo_bits =
// CHECK-SAME: stream.fifo_bits_lp =
// CHECK-COUNT-5: "stream.fifo"
// CHECK-NOT: "stream.fifo"
// CHECK: return
func.func @reconvergent(%x: tensor<2x4xf32>, %w: tensor<4x4xf32>) -> tensor<2x4xf32> {
  %0 = "stream.load"(%x) : (tensor<2x4xf32>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %1:2 = "stream.fork"(%0) : (!stream.channel<tensor<2x4xf32>, 1 : i64>) -> (!stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.channel<tensor<2x4xf32>, 1 : i64>)
  %2 = "stream.weights"(%w) : (tensor<4x4xf32>) -> !stream.buffer<tensor<4x4xf32>>
  %3 = "stream.matmul"(%1#0, %2) : (!stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.buffer<tensor<4x4xf32>>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %5 = "stream.map"(%3, %1#1) ({
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    "stream.yield"(%s) : (f32) -> ()
  }) : (!stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.channel<tensor<2x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %6 = "stream.store"(%5) : (!stream.channel<tensor<2x4xf32>, 1 : i64>) -> tensor<2x4xf32>
  return %6 : tensor<2x4xf32>
}

// -----

// Error: fan-out must be materialized as forks before balancing.

// expected-error @+1 {{function still has implicit forks; run stream-insert-forks first}}
func.func @unforked(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) attributes {stream.implicit_forks} {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %1 = "stream.store"(%0) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  %2 = "stream.store"(%0) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  return %1, %2 : tensor<4x8xf32>, tensor<4x8xf32>
}
