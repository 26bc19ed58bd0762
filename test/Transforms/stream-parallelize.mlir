// RUN: inrarch-opt %s --split-input-file --stream-parallelize=dsp-budget=200 | FileCheck %s
// RUN: inrarch-opt %s --split-input-file --stream-parallelize=dsp-budget=200 | inrarch-opt --split-input-file --stream-parallelize=dsp-budget=200 | FileCheck %s
// RUN: inrarch-opt %s --split-input-file --verify-diagnostics --stream-parallelize=dsp-budget=7 > /dev/null
// RUN: not inrarch-opt %s --stream-parallelize=dsp-budget=0 2>&1 | FileCheck %s --check-prefix=OPTION

// OPTION: dsp-budget must be >= 1, got 0

// Cost model: a float MAC costs 5 DSPs, a map 3 DSPs (its mulf) per lane.
// A matmul reads row b+1 during row b's MAC loop, so its period is
// max(ceil(K/LI), C) + 8 (pipeline), C = ceil(N/LO) * ceil(K/(MACS/LO)).
// Smallest period within 200 DSPs, 12: C <= 4 for the 8x16 matmul, i.e. 4
// output lanes with all 8 inputs per step, 32 MACs (4 words x 1 step); the
// row read, ceil(8/LI) <= 4, needs 2 lanes on the load (free). The map then
// runs at 4 lanes (12 DSPs): 160 + 12 = 172 DSPs; its 16/4 words + 3 cycles
// of latency make it the slowest other kernel (floor 7). Period 11 needs
// C <= 3: 64 MACs at 8 lanes or 48 at 16, over budget. Compute bound:
// 128 MACs / (197 // 5 = 39 MAC units) = 3.3 -> 4.

// CHECK-LABEL: func.func @layer
// CHECK-SAME: stream.compute_bound = 4 : i64, stream.dsp = 172 : i64, stream.max_lanes = 4 : i64, stream.period = 12 : i64, stream.period_floor = 7 : i64
// CHECK: "stream.load"{{.*}}-> !stream.channel<tensor<4x8xf32>, 2 : i64>
// CHECK: "stream.matmul"{{.*}}macs = 32 : i64{{.*}}-> !stream.channel<tensor<4x16xf32>, 4 : i64>
// CHECK: "stream.map"
// CHECK: (!stream.channel<tensor<4x16xf32>, 4 : i64>) -> !stream.channel<tensor<4x16xf32>, 4 : i64>
// CHECK: "stream.store"{{.*}}(!stream.channel<tensor<4x16xf32>, 4 : i64>)
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

// -----

// Lanes cost DSPs in the map between two 16x16 matmuls (3 per lane) and
// buy nothing here: at 1 lane a matmul's MAC loop, 16 words x 1 step with 16
// MACs, hides its 16-word row read, so the period is 16 + 8 = 24 for
// 160 + 3 = 163 DSPs. Period 23 would need C <= 15, i.e. 2 output lanes and
// 32 MACs per matmul (320 DSPs). The map at 1 lane, 16 words + 3 cycles of
// latency, is the floor (19).

// CHECK-LABEL: func.func @chain
// CHECK-SAME: stream.dsp = 163 : i64, stream.max_lanes = 1 : i64, stream.period = 24 : i64, stream.period_floor = 19 : i64
// CHECK: "stream.load"{{.*}}-> !stream.channel<tensor<4x16xf32>, 1 : i64>
// CHECK: "stream.matmul"{{.*}}macs = 16 : i64{{.*}}-> !stream.channel<tensor<4x16xf32>, 1 : i64>
// CHECK: "stream.map"
// CHECK: (!stream.channel<tensor<4x16xf32>, 1 : i64>) -> !stream.channel<tensor<4x16xf32>, 1 : i64>
// CHECK: "stream.matmul"{{.*}}macs = 16 : i64{{.*}}-> !stream.channel<tensor<4x16xf32>, 1 : i64>
func.func @chain(%x: tensor<4x16xf32>, %w0: tensor<16x16xf32>, %w1: tensor<16x16xf32>) -> tensor<4x16xf32> {
  %0 = "stream.load"(%x) : (tensor<4x16xf32>) -> !stream.channel<tensor<4x16xf32>, 1 : i64>
  %1 = "stream.weights"(%w0) : (tensor<16x16xf32>) -> !stream.buffer<tensor<16x16xf32>>
  // expected-error @-3 {{dsp-budget 7 is below the minimum of 13 DSPs}}
  %2 = "stream.matmul"(%0, %1) : (!stream.channel<tensor<4x16xf32>, 1 : i64>, !stream.buffer<tensor<16x16xf32>>) -> !stream.channel<tensor<4x16xf32>, 1 : i64>
  %3 = "stream.map"(%2) ({
  ^bb0(%a: f32):
    %m = arith.mulf %a, %a : f32
    "stream.yield"(%m) : (f32) -> ()
  }) : (!stream.channel<tensor<4x16xf32>, 1 : i64>) -> !stream.channel<tensor<4x16xf32>, 1 : i64>
  %4 = "stream.weights"(%w1) : (tensor<16x16xf32>) -> !stream.buffer<tensor<16x16xf32>>
  %5 = "stream.matmul"(%3, %4) : (!stream.channel<tensor<4x16xf32>, 1 : i64>, !stream.buffer<tensor<16x16xf32>>) -> !stream.channel<tensor<4x16xf32>, 1 : i64>
  %6 = "stream.store"(%5) : (!stream.channel<tensor<4x16xf32>, 1 : i64>) -> tensor<4x16xf32>
  return %6 : tensor<4x16xf32>
}

// -----

// Lanes must not widen where they buy nothing or break a wire: the C++
// slice moves one element per cycle, so its ports stay at 1 lane (and the
// matmul before it writes 1-lane words); the reshape to rows of length 1
// leaves no lanes but 1 on its group. Only the load widens, to 2 lanes: at
// period 16 the 16x8 matmul has C = 8 words x 1 step (16 MACs) and its
// 16-element row must arrive in 8 words. (Its minimum, 5 DSPs, fits budget
// 7: no diagnostic in the --verify-diagnostics run.)

// CHECK-LABEL: func.func @pinned
// CHECK-SAME: stream.dsp = 80 : i64, stream.max_lanes = 2 : i64, stream.period = 16 : i64
// CHECK: "stream.load"{{.*}}-> !stream.channel<tensor<4x16xf32>, 2 : i64>
// CHECK: "stream.matmul"{{.*}}-> !stream.channel<tensor<4x8xf32>, 1 : i64>
// CHECK: "stream.slice"{{.*}}(!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x4xf32>, 1 : i64>
// CHECK: "stream.reshape"{{.*}}-> !stream.channel<tensor<4x4x1xf32>, 1 : i64>
func.func @pinned(%x: tensor<4x16xf32>, %w: tensor<16x8xf32>) -> tensor<4x4x1xf32> {
  %0 = "stream.load"(%x) : (tensor<4x16xf32>) -> !stream.channel<tensor<4x16xf32>, 1 : i64>
  %1 = "stream.weights"(%w) : (tensor<16x8xf32>) -> !stream.buffer<tensor<16x8xf32>>
  %2 = "stream.matmul"(%0, %1) : (!stream.channel<tensor<4x16xf32>, 1 : i64>, !stream.buffer<tensor<16x8xf32>>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %3 = "stream.slice"(%2) {offsets = array<i64: 0, 0>, sizes = array<i64: 4, 4>, strides = array<i64: 1, 1>} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x4xf32>, 1 : i64>
  %4 = "stream.reshape"(%3) : (!stream.channel<tensor<4x4xf32>, 1 : i64>) -> !stream.channel<tensor<4x4x1xf32>, 1 : i64>
  %5 = "stream.store"(%4) : (!stream.channel<tensor<4x4x1xf32>, 1 : i64>) -> tensor<4x4x1xf32>
  return %5 : tensor<4x4x1xf32>
}

// -----

// A jet's DSPs scale with its functor instances (`unroll`), not its lanes:
// at 200 DSPs the first matmul writes 4-lane words (8 MACs, fine MAC steps
// for the 16x16 layers) while the jet (sin and cos, 16 DSPs a functor) runs
// one functor, 4 iterations per word of its row: 16 + 8 words + its
// latency, within the period of 40 the matmuls set. Re-running the pass
// poses the problem afresh (it owns `unroll`) and gives the same answer.
// CHECK-LABEL: func.func @jet_unroll
// CHECK: "stream.matmul"({{.*}}) {macs = 8 : i64}{{.*}}-> !stream.channel<tensor<2x16xf32>, 4 : i64>
// CHECK: "stream.jet"
// CHECK: unroll = 1 : i64
// CHECK-SAME: -> !stream.channel<tensor<2x2x16xf32>, 4 : i64>

// expected-error @+1 {{dsp-budget 7 is below the minimum of 26 DSPs}}
func.func @jet_unroll(%x: tensor<2x16xf32>, %w0: tensor<16x16xf32>, %w1: tensor<16x16xf32>) -> tensor<4x16xf32> {
  %0 = "stream.load"(%x) : (tensor<2x16xf32>) -> !stream.channel<tensor<2x16xf32>, 1 : i64>
  %1 = "stream.weights"(%w0) : (tensor<16x16xf32>) -> !stream.buffer<tensor<16x16xf32>>
  %2 = "stream.matmul"(%0, %1) : (!stream.channel<tensor<2x16xf32>, 1 : i64>, !stream.buffer<tensor<16x16xf32>>) -> !stream.channel<tensor<2x16xf32>, 1 : i64>
  %3 = "stream.reshape"(%2) : (!stream.channel<tensor<2x16xf32>, 1 : i64>) -> !stream.channel<tensor<2x1x16xf32>, 1 : i64>
  %4 = "stream.jet"(%3) ({
  ^bb0(%a: f32):
    %s = math.sin %a : f32
    %c = math.cos %a : f32
    "stream.yield"(%s, %c) : (f32, f32) -> ()
  }) : (!stream.channel<tensor<2x1x16xf32>, 1 : i64>) -> !stream.channel<tensor<2x2x16xf32>, 1 : i64>
  %5 = "stream.reshape"(%4) : (!stream.channel<tensor<2x2x16xf32>, 1 : i64>) -> !stream.channel<tensor<4x16xf32>, 1 : i64>
  %6 = "stream.weights"(%w1) : (tensor<16x16xf32>) -> !stream.buffer<tensor<16x16xf32>>
  %7 = "stream.matmul"(%5, %6) : (!stream.channel<tensor<4x16xf32>, 1 : i64>, !stream.buffer<tensor<16x16xf32>>) -> !stream.channel<tensor<4x16xf32>, 1 : i64>
  %8 = "stream.store"(%7) : (!stream.channel<tensor<4x16xf32>, 1 : i64>) -> tensor<4x16xf32>
  return %8 : tensor<4x16xf32>
}
