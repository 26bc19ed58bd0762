// RUN: inrarch-opt %s --split-input-file --stream-annotate-timing | FileCheck %s
// RUN: inrarch-opt %s --split-input-file --stream-annotate-timing | inrarch-opt --split-input-file --stream-annotate-timing | FileCheck %s
// RUN: inrarch-opt %s --split-input-file --verify-diagnostics --stream-annotate-timing > /dev/null

// Timing model (README, "Timing model"): a map streams one word per cycle
// after its body's latency (math.sin = 10 cycles); a matmul double-buffers
// its input row: it reads row 0 (8 words), then each row's MAC loop (16
// outputs x 8 / macs = 32 cycles, 2 k steps of 4 per output word) reads the
// next row, spread over the loop (a word every 4 iterations). With the
// default target's adder latency L = 4 the loop interleaves 4 output words
// (iteration (group, k step, word)), so each group's 4 words are complete in
// a burst during its second step, one per cycle (ii = 1): the first word at
// iteration 4, out after 8 + 4 + 8 (adder tree) = 20 cycles, having read row 0
// and the first word of row 1 (need = 9); 32 + 8 cycles a row. `cycles` is
// per sample at full speed, pipeline drain included (the map: 16 words + 10).

// CHECK-LABEL: func.func @layer
// CHECK: "stream.load"{{.*}}stream.timing = {cycles = 8 : i64, ii = 1 : i64, latency = 0 : i64, need = 0 : i64}
// CHECK: "stream.matmul"{{.*}}stream.timing = {cycles = 40 : i64, ii = 1 : i64, latency = 20 : i64, need = 9 : i64}
// CHECK: "stream.map"{{.*}}
// CHECK: stream.timing = {cycles = 26 : i64, ii = 1 : i64, latency = 10 : i64, need = 0 : i64}
func.func @layer(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %1 = "stream.weights"(%w) : (tensor<8x16xf32>) -> !stream.buffer<tensor<8x16xf32>>
  %2 = "stream.matmul"(%0, %1) {macs = 4 : i64} : (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.buffer<tensor<8x16xf32>>) -> !stream.channel<tensor<4x16xf32>, 1 : i64>
  %3 = "stream.map"(%2) ({
  ^bb0(%a: f32):
    %s = math.sin %a : f32
    "stream.yield"(%s) : (f32) -> ()
  }) : (!stream.channel<tensor<4x16xf32>, 1 : i64>) -> !stream.channel<tensor<4x16xf32>, 1 : i64>
  %4 = "stream.store"(%3) : (!stream.channel<tensor<4x16xf32>, 1 : i64>) -> tensor<4x16xf32>
  return %4 : tensor<4x16xf32>
}
