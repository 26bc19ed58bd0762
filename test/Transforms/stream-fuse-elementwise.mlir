// RUN: inrarch-opt %s --split-input-file --stream-fuse-elementwise | FileCheck %s
// RUN: inrarch-opt %s --split-input-file --stream-fuse-elementwise | inrarch-opt --split-input-file --stream-fuse-elementwise | FileCheck %s
// RUN: inrarch-opt %s --split-input-file --verify-diagnostics --stream-fuse-elementwise > /dev/null
// RUN: not inrarch-opt %s --stream-fuse-elementwise=max-inputs=0 2>&1 | FileCheck %s --check-prefix=OPTION

// OPTION: max-inputs must be >= 1, got 0

// sin(x) * 30 then cos: three maps in a chain become one map.

// CHECK-LABEL: func.func @chain
// CHECK: %[[L:.*]] = "stream.load"
// CHECK-NEXT: %[[M:.*]] = "stream.map"(%[[L]]) ({
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32):
// CHECK-NEXT: %[[S:.*]] = math.sin %[[A]]
// CHECK: %[[C:.*]] = arith.mulf %[[S]]
// CHECK-NEXT: %[[COS:.*]] = math.cos %[[C]]
// CHECK-NEXT: "stream.yield"(%[[COS]])
// CHECK-NOT: "stream.map"
// CHECK: "stream.store"(%[[M]])
func.func @chain(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %1 = "stream.map"(%0) ({
  ^bb0(%a: f32):
    %s = math.sin %a : f32
    "stream.yield"(%s) : (f32) -> ()
  }) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %2 = "stream.map"(%1) ({
  ^bb0(%a: f32):
    %c = arith.constant 3.0e+01 : f32
    %m = arith.mulf %a, %c : f32
    "stream.yield"(%m) : (f32) -> ()
  }) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %3 = "stream.map"(%2) ({
  ^bb0(%a: f32):
    %c = math.cos %a : f32
    "stream.yield"(%c) : (f32) -> ()
  }) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %4 = "stream.store"(%3) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  return %4 : tensor<4x8xf32>
}

// -----

// Must not fire through a fork: fusing would compute sin twice.

// CHECK-LABEL: func.func @fanout
// CHECK-COUNT-3: "stream.map"
func.func @fanout(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %1 = "stream.map"(%0) ({
  ^bb0(%a: f32):
    %s = math.sin %a : f32
    "stream.yield"(%s) : (f32) -> ()
  }) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %2:2 = "stream.fork"(%1) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.channel<tensor<4x8xf32>, 1 : i64>)
  %3 = "stream.map"(%2#0) ({
  ^bb0(%a: f32):
    %n = arith.negf %a : f32
    "stream.yield"(%n) : (f32) -> ()
  }) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %4 = "stream.map"(%2#1) ({
  ^bb0(%a: f32):
    %n = math.exp %a : f32
    "stream.yield"(%n) : (f32) -> ()
  }) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %5 = "stream.store"(%3) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  %6 = "stream.store"(%4) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  return %5, %6 : tensor<4x8xf32>, tensor<4x8xf32>
}
