// RUN: not inrarch-opt %s --split-input-file --stream-set-target | FileCheck %s
// RUN: not inrarch-opt %s --split-input-file --stream-set-target | inrarch-opt --split-input-file --stream-set-target | FileCheck %s
// RUN: not inrarch-opt %s --split-input-file --stream-set-target="part=zcu104 clock-mhz=200 precision=fixed<32,10>" | FileCheck %s --check-prefix=FIXED
// RUN: inrarch-opt %s --split-input-file --verify-diagnostics --stream-set-target > /dev/null
// RUN: not inrarch-opt %s --stream-set-target=part=u9000 2>&1 | FileCheck %s --check-prefix=OPTION

// OPTION: unknown part 'u9000'; known parts: u50 (xcu50-fsvh2104-2-e), u55c

// The default target: the Alveo U50 at 300 MHz in float32, whose adder
// takes 4 cycles (so an accumulator may be updated every 4th cycle); a
// fixed-point adder takes 1.

// CHECK-LABEL: func.func @layer
// CHECK-SAME: stream.target = {add_latency = 4 : i64, clock_mhz = 3.000000e+02 : f64, mul_latency = 3 : i64, part = "u50", precision = "float"}
// FIXED-LABEL: func.func @layer
// FIXED-SAME: stream.target = {add_latency = 1 : i64, clock_mhz = 2.000000e+02 : f64, mul_latency = 1 : i64, part = "zcu104", precision = "fixed<32,10>"}
func.func @layer(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %1 = "stream.store"(%0) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  return %1 : tensor<4x8xf32>
}

// -----

// A function without channels is not a design: left alone.
// CHECK-LABEL: func.func @helper
// CHECK-NOT: stream.target
func.func @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

func.func @half(%x: tensor<4x8xf16>) -> tensor<4x8xf16> {
  // expected-error @+1 {{stream-set-target: channels of f16 are not supported}}
  %0 = "stream.load"(%x) : (tensor<4x8xf16>) -> !stream.channel<tensor<4x8xf16>, 1 : i64>
  %1 = "stream.store"(%0) : (!stream.channel<tensor<4x8xf16>, 1 : i64>) -> tensor<4x8xf16>
  return %1 : tensor<4x8xf16>
}
