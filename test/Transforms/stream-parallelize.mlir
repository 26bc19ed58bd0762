// RUN: inrarch-opt %s --split-input-file --stream-parallelize=dsp-budget=43 | FileCheck %s
// RUN: inrarch-opt %s --split-input-file --stream-parallelize=dsp-budget=43 | inrarch-opt --split-input-file --stream-parallelize=dsp-budget=43 | FileCheck %s
// RUN: inrarch-opt %s --split-input-file --verify-diagnostics --stream-parallelize=dsp-budget=7 > /dev/null
// RUN: not inrarch-opt %s --stream-parallelize=dsp-budget=0 2>&1 | FileCheck %s --check-prefix=OPTION

// OPTION: dsp-budget must be >= 1, got 0

// Cost model: the map's mulf costs 3 DSPs, a float MAC 5. Budget 43 leaves
// 40 DSPs = 8 MACs for the 8x16 matmul (128 MACs per sample): it reads its
// 8-word row, then computes for 128 / 8 = 16 cycles, so the period is
// 8 + 16 = 24 cycles per sample (the map needs 16 + 3), and the compute
// bound is 128 / 8 = 16.

// CHECK-LABEL: func.func @layer
// CHECK-SAME: stream.compute_bound = 16 : i64, stream.dsp = 43 : i64, stream.period = 24 : i64, stream.period_floor = 19 : i64
// CHECK: "stream.matmul"{{.*}}macs = 8 : i64
func.func @layer(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %1 = "stream.weights"(%w) : (tensor<8x16xf32>) -> !stream.buffer<tensor<8x16xf32>>
  // expected-error @-3 {{dsp-budget 7 is below the minimum of 8 DSPs}}
  %2 = "stream.matmul"(%0, %1) : (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.buffer<tensor<8x16xf32>>) -> !stream.channel<tensor<4x16xf32>, 1 : i64>
  %3 = "stream.map"(%2) ({
  ^bb0(%a: f32):
    %c = arith.constant 3.0e+01 : f32
    %m = arith.mulf %a, %c : f32
    "stream.yield"(%m) : (f32) -> ()
  }) : (!stream.channel<tensor<4x16xf32>, 1 : i64>) -> !stream.channel<tensor<4x16xf32>, 1 : i64>
  %4 = "stream.store"(%3) : (!stream.channel<tensor<4x16xf32>, 1 : i64>) -> tensor<4x16xf32>
  return %4 : tensor<4x16xf32>
}
