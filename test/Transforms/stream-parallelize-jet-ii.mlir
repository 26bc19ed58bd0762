// RUN: inrarch-opt %s --split-input-file --stream-parallelize=dsp-budget=100 | FileCheck %s
// RUN: inrarch-opt %s --split-input-file --stream-parallelize=dsp-budget=100 | inrarch-opt --split-input-file --stream-parallelize=dsp-budget=100 | FileCheck %s
// RUN: inrarch-opt %s --split-input-file --verify-diagnostics --stream-parallelize=dsp-budget=7 > /dev/null
// RUN: inrarch-opt %s --split-input-file --stream-parallelize=dsp-budget=400 | FileCheck %s --check-prefix=WIDE
// RUN: inrarch-opt %s --split-input-file --stream-parallelize=dsp-budget=29 | FileCheck %s --check-prefix=LEAST

// A jet functor run once every `ii` cycles shares its multipliers and adders
// over the interval (kernels.map.shared_dsp). This jet has a sin, a cos and
// six multiplications: 8 + 8 + 6 x 3 = 34 DSPs at ii = 1, 8 + 8 + 3 x 3 = 25
// at ii = 2. Within 100 DSPs, at ii = 1 the matmuls get 66 DSPs (2 + 8 MACs,
// period 160); sharing the functor leaves them 75 (3 + 12 MACs) and the
// period falls to 128, which one element every 2 cycles still meets (the
// jet's 16 elements take 32 of them). Re-running the pass gives the same
// answer (it owns `ii`). With 400 DSPs nothing is shared: the spare DSPs buy
// the jet back its ii = 1 (a shorter fill), and no `ii` is set.
// CHECK-LABEL: func.func @jet_shared
// CHECK-SAME: stream.period = 128 : i64
// CHECK: "stream.matmul"({{.*}}) {macs = 3 : i64}
// CHECK: "stream.jet"
// CHECK: {ii = 2 : i64}
// CHECK: "stream.matmul"({{.*}}) {macs = 12 : i64}
// WIDE-LABEL: func.func @jet_shared
// WIDE-NOT: ii =
// WIDE: return
// At the least budget (29) the jet shares one multiplier over ii = 6.
// LEAST-LABEL: func.func @jet_shared
// LEAST-SAME: stream.dsp = 29 : i64
// LEAST: {ii = 6 : i64}

// The least DSPs: one MAC per matmul and the jet at its cheapest functor
// (sin and cos are library calls, never shared; 6 multiplications at ii = 64
// share one 3-DSP multiplier): 5 + 5 + 8 + 8 + 3 = 29.
// expected-error @+1 {{dsp-budget 7 is below the minimum of 29 DSPs}}
func.func @jet_shared(%x: tensor<2x16xf32>, %w0: tensor<16x16xf32>, %w1: tensor<16x16xf32>) -> tensor<8x16xf32> {
  %0 = "stream.load"(%x) : (tensor<2x16xf32>) -> !stream.channel<tensor<2x16xf32>, 1 : i64>
  %1 = "stream.weights"(%w0) : (tensor<16x16xf32>) -> !stream.buffer<tensor<16x16xf32>>
  %2 = "stream.matmul"(%0, %1) : (!stream.channel<tensor<2x16xf32>, 1 : i64>, !stream.buffer<tensor<16x16xf32>>) -> !stream.channel<tensor<2x16xf32>, 1 : i64>
  %3 = "stream.reshape"(%2) : (!stream.channel<tensor<2x16xf32>, 1 : i64>) -> !stream.channel<tensor<2x1x16xf32>, 1 : i64>
  %4 = "stream.jet"(%3) ({
  ^bb0(%a: f32):
    %s = math.sin %a : f32
    %c = math.cos %a : f32
    %m1 = arith.mulf %c, %a : f32
    %m2 = arith.mulf %s, %a : f32
    %m3 = arith.mulf %m1, %m2 : f32
    %m4 = arith.mulf %m3, %a : f32
    %m5 = arith.mulf %m4, %m1 : f32
    %m6 = arith.mulf %m5, %m2 : f32
    "stream.yield"(%s, %m1, %m3, %m6) : (f32, f32, f32, f32) -> ()
  }) : (!stream.channel<tensor<2x1x16xf32>, 1 : i64>) -> !stream.channel<tensor<2x4x16xf32>, 1 : i64>
  %5 = "stream.reshape"(%4) : (!stream.channel<tensor<2x4x16xf32>, 1 : i64>) -> !stream.channel<tensor<8x16xf32>, 1 : i64>
  %6 = "stream.weights"(%w1) : (tensor<16x16xf32>) -> !stream.buffer<tensor<16x16xf32>>
  %7 = "stream.matmul"(%5, %6) : (!stream.channel<tensor<8x16xf32>, 1 : i64>, !stream.buffer<tensor<16x16xf32>>) -> !stream.channel<tensor<8x16xf32>, 1 : i64>
  %8 = "stream.store"(%7) : (!stream.channel<tensor<8x16xf32>, 1 : i64>) -> tensor<8x16xf32>
  return %8 : tensor<8x16xf32>
}

// -----

// The same jet in a group whose lanes are pinned to 1 (its result feeds a
// slice, an element-serial kernel): its functor chooses its ii as well, so
// the least budget the pass announces (29) is one it can meet (it used to
// count the shared functor in the minimum, then price it unshared and stop
// on an internal error at budgets 29 to 40).
// CHECK-LABEL: func.func @jet_pinned
// CHECK-SAME: stream.period = 128 : i64
// CHECK: {ii = 2 : i64}
// WIDE-LABEL: func.func @jet_pinned
// WIDE-NOT: ii =
// WIDE: return
// LEAST-LABEL: func.func @jet_pinned
// LEAST-SAME: stream.dsp = 29 : i64
// LEAST: {ii = 6 : i64}

// expected-error @+1 {{dsp-budget 7 is below the minimum of 29 DSPs}}
func.func @jet_pinned(%x: tensor<2x16xf32>, %w0: tensor<16x16xf32>, %w1: tensor<16x16xf32>) -> tensor<8x16xf32> {
  %0 = "stream.load"(%x) : (tensor<2x16xf32>) -> !stream.channel<tensor<2x16xf32>, 1 : i64>
  %1 = "stream.weights"(%w0) : (tensor<16x16xf32>) -> !stream.buffer<tensor<16x16xf32>>
  %2 = "stream.matmul"(%0, %1) : (!stream.channel<tensor<2x16xf32>, 1 : i64>, !stream.buffer<tensor<16x16xf32>>) -> !stream.channel<tensor<2x16xf32>, 1 : i64>
  %3 = "stream.reshape"(%2) : (!stream.channel<tensor<2x16xf32>, 1 : i64>) -> !stream.channel<tensor<2x1x16xf32>, 1 : i64>
  %4 = "stream.jet"(%3) ({
  ^bb0(%a: f32):
    %s = math.sin %a : f32
    %c = math.cos %a : f32
    %m1 = arith.mulf %c, %a : f32
    %m2 = arith.mulf %s, %a : f32
    %m3 = arith.mulf %m1, %m2 : f32
    %m4 = arith.mulf %m3, %a : f32
    %m5 = arith.mulf %m4, %m1 : f32
    %m6 = arith.mulf %m5, %m2 : f32
    "stream.yield"(%s, %m1, %m3, %m6) : (f32, f32, f32, f32) -> ()
  }) : (!stream.channel<tensor<2x1x16xf32>, 1 : i64>) -> !stream.channel<tensor<2x4x16xf32>, 1 : i64>
  %sl = "stream.slice"(%4) {offsets = array<i64: 0, 0, 0>, sizes = array<i64: 2, 4, 16>, strides = array<i64: 1, 1, 1>} : (!stream.channel<tensor<2x4x16xf32>, 1 : i64>) -> !stream.channel<tensor<2x4x16xf32>, 1 : i64>
  %5 = "stream.reshape"(%sl) : (!stream.channel<tensor<2x4x16xf32>, 1 : i64>) -> !stream.channel<tensor<8x16xf32>, 1 : i64>
  %6 = "stream.weights"(%w1) : (tensor<16x16xf32>) -> !stream.buffer<tensor<16x16xf32>>
  %7 = "stream.matmul"(%5, %6) : (!stream.channel<tensor<8x16xf32>, 1 : i64>, !stream.buffer<tensor<16x16xf32>>) -> !stream.channel<tensor<8x16xf32>, 1 : i64>
  %8 = "stream.store"(%7) : (!stream.channel<tensor<8x16xf32>, 1 : i64>) -> tensor<8x16xf32>
  return %8 : tensor<8x16xf32>
}
