// RUN: inrarch-opt %s --split-input-file --verify-diagnostics --stream-check-deadlock
// RUN: not inrarch-opt %s --split-input-file --stream-check-deadlock | FileCheck %s
// RUN: not inrarch-opt %s --split-input-file --stream-check-deadlock | inrarch-opt --stream-check-deadlock | FileCheck %s

// The second case passes unchanged (the pass only checks).
// CHECK-LABEL: func.func @bypass_deep_enough
// CHECK: "stream.fifo"(%{{.*}}) {depth = 7 : i64}

// fork -> matmul (K = 4 words per sample, 2 samples) -> map join, with a
// bypass FIFO from the fork to the map (channels without a stream.fifo get
// depth 2). The fork writes each word to the matmul first, then to the
// bypass; the map reads the matmul's output before the bypass. The matmul
// reads row 0, then runs row 0's 16-step MAC loop reading row 1 (a word
// every 4 steps, iterations 0, 4, 8, 12); with the default target's adder
// latency (L = 4) its 4 output words are interleaved, 4 k steps each, so the
// first is complete at iteration 12 (after the last row-1 read) and leaves
// the pipeline 8 cycles later. So the bypass fills with all of row 0 and
// the first 3 words of row 1 while the fork feeds row 1 to the matmul (it
// writes word 7 to the matmul before the bypass): depth 2 deadlocks, 6 too
// (enough at L = 1, where word 0 is complete at iteration 3), 7 does not.

// expected-error @+1 {{deadlock (pipelined order) through FIFOs load0.out0->fork0.in0 (full), fork0.out0->matmul0.in0 (empty), matmul0.out0->map0.in0 (empty), fork0.out1->map0.in1 (full)}}
func.func @bypass_too_shallow(%x: tensor<2x4xf32>, %w: tensor<4x4xf32>) -> tensor<2x4xf32> {
  %0 = "stream.load"(%x) : (tensor<2x4xf32>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  // expected-error @+1 {{FIFO load0.out0->fork0.in0 (depth 2) is full on a cycle of waits}}
  %1:2 = "stream.fork"(%0) : (!stream.channel<tensor<2x4xf32>, 1 : i64>) -> (!stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.channel<tensor<2x4xf32>, 1 : i64>)
  %2 = "stream.weights"(%w) : (tensor<4x4xf32>) -> !stream.buffer<tensor<4x4xf32>>
  // expected-error @+1 {{FIFO fork0.out0->matmul0.in0 (depth 2) is empty on a cycle of waits}}
  %3 = "stream.matmul"(%1#0, %2) : (!stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.buffer<tensor<4x4xf32>>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  // expected-error @+1 {{FIFO fork0.out1->map0.in1 (depth 2) is full on a cycle of waits}}
  %4 = "stream.fifo"(%1#1) {depth = 2 : i64} : (!stream.channel<tensor<2x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  // expected-error @+1 {{FIFO matmul0.out0->map0.in0 (depth 2) is empty on a cycle of waits}}
  %5 = "stream.map"(%3, %4) ({
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    "stream.yield"(%s) : (f32) -> ()
  }) : (!stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.channel<tensor<2x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %6 = "stream.store"(%5) : (!stream.channel<tensor<2x4xf32>, 1 : i64>) -> tensor<2x4xf32>
  return %6 : tensor<2x4xf32>
}

// -----

// Depth 7 on the bypass: no cycle of waits (must not fire).

func.func @bypass_deep_enough(%x: tensor<2x4xf32>, %w: tensor<4x4xf32>) -> tensor<2x4xf32> {
  %0 = "stream.load"(%x) : (tensor<2x4xf32>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %1:2 = "stream.fork"(%0) : (!stream.channel<tensor<2x4xf32>, 1 : i64>) -> (!stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.channel<tensor<2x4xf32>, 1 : i64>)
  %2 = "stream.weights"(%w) : (tensor<4x4xf32>) -> !stream.buffer<tensor<4x4xf32>>
  %3 = "stream.matmul"(%1#0, %2) : (!stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.buffer<tensor<4x4xf32>>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %4 = "stream.fifo"(%1#1) {depth = 7 : i64} : (!stream.channel<tensor<2x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %5 = "stream.map"(%3, %4) ({
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    "stream.yield"(%s) : (f32) -> ()
  }) : (!stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.channel<tensor<2x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %6 = "stream.store"(%5) : (!stream.channel<tensor<2x4xf32>, 1 : i64>) -> tensor<2x4xf32>
  return %6 : tensor<2x4xf32>
}

// -----

// The same graph built for fixed point (adder latency L = 1, from stream.target):
// the matmul computes one output word at a time, word 0 complete at iteration 3
// (after 1 row-1 read): depth 6 is enough (must not fire).
// CHECK-LABEL: func.func @bypass_fixed_point
// CHECK: "stream.fifo"(%{{.*}}) {depth = 6 : i64}

func.func @bypass_fixed_point(%x: tensor<2x4xf32>, %w: tensor<4x4xf32>) -> tensor<2x4xf32> attributes {stream.target = {add_latency = 1 : i64, clock_mhz = 3.000000e+02 : f64, mul_latency = 1 : i64, part = "u50", precision = "fixed<32,10>"}} {
  %0 = "stream.load"(%x) : (tensor<2x4xf32>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %1:2 = "stream.fork"(%0) : (!stream.channel<tensor<2x4xf32>, 1 : i64>) -> (!stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.channel<tensor<2x4xf32>, 1 : i64>)
  %2 = "stream.weights"(%w) : (tensor<4x4xf32>) -> !stream.buffer<tensor<4x4xf32>>
  %3 = "stream.matmul"(%1#0, %2) : (!stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.buffer<tensor<4x4xf32>>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %4 = "stream.fifo"(%1#1) {depth = 6 : i64} : (!stream.channel<tensor<2x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %5 = "stream.map"(%3, %4) ({
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    "stream.yield"(%s) : (f32) -> ()
  }) : (!stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.channel<tensor<2x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %6 = "stream.store"(%5) : (!stream.channel<tensor<2x4xf32>, 1 : i64>) -> tensor<2x4xf32>
  return %6 : tensor<2x4xf32>
}

// -----

// Deadlock-free in the timing model's pipelined order but not in the order the
// C++ runs its loops (one process after another within a sample; the bounded
// csim's order): the concat reads all 12 words of in0 before any of in1, while
// the fork alternates out0/out1 per word and the map's FIFOs (depth 2) fill
// first. Both orders are checked.

// expected-error @+1 {{deadlock (sequential order) through FIFOs load0.out0->fork0.in0 (full), fork0.out0->concat0.in0 (empty), map0.out0->concat0.in1 (full), fork0.out1->map0.in0 (full)}}
func.func @concat_bypass_sequential(%x: tensor<1x12xf32>) -> tensor<1x24xf32> {
  %0 = "stream.load"(%x) : (tensor<1x12xf32>) -> !stream.channel<tensor<1x12xf32>, 1 : i64>
  // expected-error @+1 {{FIFO load0.out0->fork0.in0 (depth 2) is full on a cycle of waits}}
  %1:2 = "stream.fork"(%0) : (!stream.channel<tensor<1x12xf32>, 1 : i64>) -> (!stream.channel<tensor<1x12xf32>, 1 : i64>, !stream.channel<tensor<1x12xf32>, 1 : i64>)
  // expected-error @+1 {{FIFO fork0.out1->map0.in0 (depth 2) is full on a cycle of waits}}
  %2 = "stream.map"(%1#1) ({
  ^bb0(%a: f32):
    %s = math.sin %a : f32
    "stream.yield"(%s) : (f32) -> ()
  }) : (!stream.channel<tensor<1x12xf32>, 1 : i64>) -> !stream.channel<tensor<1x12xf32>, 1 : i64>
  // expected-error @+2 {{FIFO fork0.out0->concat0.in0 (depth 2) is empty on a cycle of waits}}
  // expected-error @+1 {{FIFO map0.out0->concat0.in1 (depth 2) is full on a cycle of waits}}
  %3 = "stream.concat"(%1#0, %2) {dim = 1 : i64} : (!stream.channel<tensor<1x12xf32>, 1 : i64>, !stream.channel<tensor<1x12xf32>, 1 : i64>) -> !stream.channel<tensor<1x24xf32>, 1 : i64>
  %4 = "stream.store"(%3) : (!stream.channel<tensor<1x24xf32>, 1 : i64>) -> tensor<1x24xf32>
  return %4 : tensor<1x24xf32>
}
