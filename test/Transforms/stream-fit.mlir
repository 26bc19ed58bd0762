// RUN: not inrarch-opt %s --split-input-file --stream-fit | FileCheck %s
// RUN: not inrarch-opt %s --split-input-file --stream-fit | inrarch-opt --split-input-file --stream-fit | FileCheck %s
// RUN: inrarch-opt %s --split-input-file --verify-diagnostics --stream-fit > /dev/null
// RUN: inrarch-opt %s --split-input-file --stream-fit=allow-overfit=true 2>&1 | FileCheck %s --check-prefix=OVERFIT

// Resources are the documented estimate (inrarch_mlir.resources) on the part
// of the function's stream.target. A 256x256 float weight buffer read by one
// MAC is one partition of 65,536 x 32 bits: 114 BRAM18K, or 16 URAMs of
// 4,096 words.

// One layer on the U50 fits as it is: no buffer moves.
// CHECK-LABEL: func.func @fits
// CHECK-SAME: stream.fits = true
// CHECK-NOT: stream.weight_storage
func.func @fits(%x: tensor<4x256xf32>, %w0: tensor<256x256xf32>) -> tensor<4x256xf32> attributes {stream.target = {add_latency = 4 : i64, clock_mhz = 3.000000e+02 : f64, mul_latency = 3 : i64, part = "u50", precision = "float"}} {
  %h0 = "stream.load"(%x) : (tensor<4x256xf32>) -> !stream.channel<tensor<4x256xf32>, 1 : i64>
  %b0 = "stream.weights"(%w0) : (tensor<256x256xf32>) -> !stream.buffer<tensor<256x256xf32>>
  %h1 = "stream.matmul"(%h0, %b0) {macs = 1 : i64, transpose_w = false} : (!stream.channel<tensor<4x256xf32>, 1 : i64>, !stream.buffer<tensor<256x256xf32>>) -> !stream.channel<tensor<4x256xf32>, 1 : i64>
  %y = "stream.store"(%h1) : (!stream.channel<tensor<4x256xf32>, 1 : i64>) -> tensor<4x256xf32>
  return %y : tensor<4x256xf32>
}

// -----

// Six layers on the ZCU104 need 684 BRAM18K of its 624: one buffer moves to
// URAM (saving 114 for 16 of its 96 URAMs), the first of the equally good
// ones, and the design fits.
// CHECK-LABEL: func.func @to_uram
// CHECK-SAME: stream.fits = true
// CHECK: "stream.matmul"{{.*}}stream.weight_storage = "uram"
// CHECK-NOT: stream.weight_storage
// CHECK: return
func.func @to_uram(%x: tensor<4x256xf32>, %w0: tensor<256x256xf32>, %w1: tensor<256x256xf32>, %w2: tensor<256x256xf32>, %w3: tensor<256x256xf32>, %w4: tensor<256x256xf32>, %w5: tensor<256x256xf32>) -> tensor<4x256xf32> attributes {stream.target = {add_latency = 4 : i64, clock_mhz = 2.000000e+02 : f64, mul_latency = 3 : i64, part = "zcu104", precision = "float"}} {
  %h0 = "stream.load"(%x) : (tensor<4x256xf32>) -> !stream.channel<tensor<4x256xf32>, 1 : i64>
  %b0 = "stream.weights"(%w0) : (tensor<256x256xf32>) -> !stream.buffer<tensor<256x256xf32>>
  %h1 = "stream.matmul"(%h0, %b0) {macs = 1 : i64, transpose_w = false} : (!stream.channel<tensor<4x256xf32>, 1 : i64>, !stream.buffer<tensor<256x256xf32>>) -> !stream.channel<tensor<4x256xf32>, 1 : i64>
  %b1 = "stream.weights"(%w1) : (tensor<256x256xf32>) -> !stream.buffer<tensor<256x256xf32>>
  %h2 = "stream.matmul"(%h1, %b1) {macs = 1 : i64, transpose_w = false} : (!stream.channel<tensor<4x256xf32>, 1 : i64>, !stream.buffer<tensor<256x256xf32>>) -> !stream.channel<tensor<4x256xf32>, 1 : i64>
  %b2 = "stream.weights"(%w2) : (tensor<256x256xf32>) -> !stream.buffer<tensor<256x256xf32>>
  %h3 = "stream.matmul"(%h2, %b2) {macs = 1 : i64, transpose_w = false} : (!stream.channel<tensor<4x256xf32>, 1 : i64>, !stream.buffer<tensor<256x256xf32>>) -> !stream.channel<tensor<4x256xf32>, 1 : i64>
  %b3 = "stream.weights"(%w3) : (tensor<256x256xf32>) -> !stream.buffer<tensor<256x256xf32>>
  %h4 = "stream.matmul"(%h3, %b3) {macs = 1 : i64, transpose_w = false} : (!stream.channel<tensor<4x256xf32>, 1 : i64>, !stream.buffer<tensor<256x256xf32>>) -> !stream.channel<tensor<4x256xf32>, 1 : i64>
  %b4 = "stream.weights"(%w4) : (tensor<256x256xf32>) -> !stream.buffer<tensor<256x256xf32>>
  %h5 = "stream.matmul"(%h4, %b4) {macs = 1 : i64, transpose_w = false} : (!stream.channel<tensor<4x256xf32>, 1 : i64>, !stream.buffer<tensor<256x256xf32>>) -> !stream.channel<tensor<4x256xf32>, 1 : i64>
  %b5 = "stream.weights"(%w5) : (tensor<256x256xf32>) -> !stream.buffer<tensor<256x256xf32>>
  %h6 = "stream.matmul"(%h5, %b5) {macs = 1 : i64, transpose_w = false} : (!stream.channel<tensor<4x256xf32>, 1 : i64>, !stream.buffer<tensor<256x256xf32>>) -> !stream.channel<tensor<4x256xf32>, 1 : i64>
  %y = "stream.store"(%h6) : (!stream.channel<tensor<4x256xf32>, 1 : i64>) -> tensor<4x256xf32>
  return %y : tensor<4x256xf32>
}

// -----

// 400 float MACs need 2,000 DSPs; the ZCU104 has 1,728: the one line names
// the resource, the need and the capacity (and the others over: LUTs, at
// 700 per float MAC). With allow-overfit it warns.
// OVERFIT: warning: stream-fit: the design does not fit zcu104 (xczu7ev-ffvc1156-2-e): it needs 2,000 DSP but the part has 1,728 (also over: LUT 280,832/230,400) (emitted anyway: allow-overfit)
// OVERFIT-LABEL: func.func @too_many_dsps
// OVERFIT-SAME: stream.fits = false
// expected-error @+1 {{stream-fit: the design does not fit zcu104 (xczu7ev-ffvc1156-2-e): it needs 2,000 DSP but the part has 1,728}}
func.func @too_many_dsps(%x: tensor<4x256xf32>, %w0: tensor<256x256xf32>) -> tensor<4x256xf32> attributes {stream.target = {add_latency = 4 : i64, clock_mhz = 2.000000e+02 : f64, mul_latency = 3 : i64, part = "zcu104", precision = "float"}} {
  %h0 = "stream.load"(%x) : (tensor<4x256xf32>) -> !stream.channel<tensor<4x256xf32>, 1 : i64>
  %b0 = "stream.weights"(%w0) : (tensor<256x256xf32>) -> !stream.buffer<tensor<256x256xf32>>
  %h1 = "stream.matmul"(%h0, %b0) {macs = 400 : i64, transpose_w = false} : (!stream.channel<tensor<4x256xf32>, 1 : i64>, !stream.buffer<tensor<256x256xf32>>) -> !stream.channel<tensor<4x256xf32>, 1 : i64>
  %y = "stream.store"(%h1) : (!stream.channel<tensor<4x256xf32>, 1 : i64>) -> tensor<4x256xf32>
  return %y : tensor<4x256xf32>
}
