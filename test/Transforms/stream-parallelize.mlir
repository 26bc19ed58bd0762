// RUN: inrarch-opt %s --split-input-file --stream-parallelize=dsp-budget=200 | FileCheck %s
// RUN: inrarch-opt %s --split-input-file --stream-parallelize=dsp-budget=200 | inrarch-opt --split-input-file --stream-parallelize=dsp-budget=200 | FileCheck %s
// RUN: inrarch-opt %s --split-input-file --verify-diagnostics --stream-parallelize=dsp-budget=7 > /dev/null
// RUN: not inrarch-opt %s --stream-parallelize=dsp-budget=0 2>&1 | FileCheck %s --check-prefix=OPTION

// OPTION: dsp-budget must be >= 1, got 0

// Cost model: a float MAC costs 5 DSPs, a map 3 DSPs (its mulf) per lane.
// The load's channel widens for free: 8 lanes let the matmul read its row in
// one word. The group {matmul out, map out} pays 3 DSPs per lane. Smallest
// period within 200 DSPs, 13 cycles: the 8x16 matmul (128 MACs per sample)
// takes 1 read + ceil(128/MACS) + 8 (pipeline) <= 13, so 32 MACs at 4 lanes
// (MACS must divide or be a multiple of the output lanes): 160 + 12 = 172
// DSPs. Period 12 needs 43 MACs, 215 DSPs before the map. The map, 16/4
// words + 3 cycles of latency, is the slowest non-matmul kernel (floor 7).
// Compute bound: 128 MACs / (197 // 5 = 39 MAC units) = 3.3 -> 4.

// CHECK-LABEL: func.func @layer
// CHECK-SAME: stream.compute_bound = 4 : i64, stream.dsp = 172 : i64, stream.max_lanes = 8 : i64, stream.period = 13 : i64, stream.period_floor = 7 : i64
// CHECK: "stream.load"{{.*}}-> !stream.channel<tensor<4x8xf32>, 8 : i64>
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

// A trade-off: the map between the matmuls costs 3 DSPs per lane; 4 lanes
// (12 DSPs) let the first matmul emit 4-wide words and the second read its
// row in 4 words, so both meet period 25 with 16 + 20 MACs: 80 + 100 + 12 =
// 192 DSPs. At 2 lanes the second matmul would read 8 words and need
// ceil(256/9) = 29 MACs (231 DSPs); at 16 lanes the map costs 48 DSPs and
// the MACs must be multiples of 16.

// CHECK-LABEL: func.func @chain
// CHECK-SAME: stream.dsp = 192 : i64, stream.max_lanes = 16 : i64, stream.period = 25 : i64
// CHECK: "stream.load"{{.*}}-> !stream.channel<tensor<4x16xf32>, 16 : i64>
// CHECK: "stream.matmul"{{.*}}macs = 16 : i64{{.*}}-> !stream.channel<tensor<4x16xf32>, 4 : i64>
// CHECK: "stream.map"
// CHECK: (!stream.channel<tensor<4x16xf32>, 4 : i64>) -> !stream.channel<tensor<4x16xf32>, 4 : i64>
// CHECK: "stream.matmul"{{.*}}macs = 20 : i64{{.*}}-> !stream.channel<tensor<4x16xf32>, 2 : i64>
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
// leaves no lanes but 1 on its group. Only the load widens. (Its minimum,
// 5 DSPs, fits budget 7: no diagnostic in the --verify-diagnostics run.)

// CHECK-LABEL: func.func @pinned
// CHECK: "stream.load"{{.*}}-> !stream.channel<tensor<4x16xf32>, 16 : i64>
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
