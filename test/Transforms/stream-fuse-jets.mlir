// RUN: not inrarch-opt %s --split-input-file --stream-fuse-jets | FileCheck %s
// RUN: not inrarch-opt %s --split-input-file --stream-fuse-jets | inrarch-opt --split-input-file --stream-fuse-jets | FileCheck %s
// RUN: inrarch-opt %s --split-input-file --stream-fuse-jets --stream-insert-forks --verify-diagnostics > /dev/null
// RUN: not inrarch-opt %s --stream-fuse-jets=max-rows=0 2>&1 | FileCheck %s --check-prefix=OPTION

// Taylor mode lowers sin of a jet (x, dx0, dx1) of [B, 3, N] to three row
// selects (slice + reshape), maps combining them (sin x, cos x * dx0,
// cos x * dx1) and a concatenation read back as [B, 3, N]: the pass makes it
// one stream.jet whose region takes the 3 coefficients of an element.

// CHECK-LABEL: func.func @sine_jet
// CHECK: %[[J:.*]] = "stream.load"
// CHECK-NEXT: "stream.jet"(%[[J]]) ({{[{]}}
// CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[D0:.*]]: f32, %[[D1:.*]]: f32):
// CHECK-NEXT: %[[S:.*]] = math.sin %[[X]]
// CHECK-NEXT: %[[C:.*]] = math.cos %[[X]]
// CHECK-NEXT: %[[Y1:.*]] = arith.mulf %[[C]], %[[D0]]
// CHECK-NEXT: %[[Y2:.*]] = arith.mulf %[[C]], %[[D1]]
// CHECK-NEXT: "stream.yield"(%[[S]], %[[Y1]], %[[Y2]])
// CHECK-NOT: stream.slice
// CHECK-NOT: stream.concat
func.func @sine_jet(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> attributes {stream.implicit_forks} {
  %j = "stream.load"(%x) : (tensor<2x3x4xf32>) -> !stream.channel<tensor<2x3x4xf32>, 1 : i64>
  %s0 = "stream.slice"(%j) {offsets = array<i64: 0, 0, 0>, sizes = array<i64: 2, 1, 4>, strides = array<i64: 1, 1, 1>} : (!stream.channel<tensor<2x3x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x1x4xf32>, 1 : i64>
  %r0 = "stream.reshape"(%s0) : (!stream.channel<tensor<2x1x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %s1 = "stream.slice"(%j) {offsets = array<i64: 0, 1, 0>, sizes = array<i64: 2, 1, 4>, strides = array<i64: 1, 1, 1>} : (!stream.channel<tensor<2x3x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x1x4xf32>, 1 : i64>
  %r1 = "stream.reshape"(%s1) : (!stream.channel<tensor<2x1x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %s2 = "stream.slice"(%j) {offsets = array<i64: 0, 2, 0>, sizes = array<i64: 2, 1, 4>, strides = array<i64: 1, 1, 1>} : (!stream.channel<tensor<2x3x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x1x4xf32>, 1 : i64>
  %r2 = "stream.reshape"(%s2) : (!stream.channel<tensor<2x1x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %y0 = "stream.map"(%r0) ({
  ^bb0(%a: f32):
    %v = math.sin %a : f32
    "stream.yield"(%v) : (f32) -> ()
  }) : (!stream.channel<tensor<2x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %c = "stream.map"(%r0) ({
  ^bb0(%a: f32):
    %v = math.cos %a : f32
    "stream.yield"(%v) : (f32) -> ()
  }) : (!stream.channel<tensor<2x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %y1 = "stream.map"(%c, %r1) ({
  ^bb0(%a: f32, %b: f32):
    %v = arith.mulf %a, %b : f32
    "stream.yield"(%v) : (f32) -> ()
  }) : (!stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.channel<tensor<2x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %y2 = "stream.map"(%c, %r2) ({
  ^bb0(%a: f32, %b: f32):
    %v = arith.mulf %a, %b : f32
    "stream.yield"(%v) : (f32) -> ()
  }) : (!stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.channel<tensor<2x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %cat = "stream.concat"(%y0, %y1, %y2) {dim = 1 : i64} : (!stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.channel<tensor<2x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x12xf32>, 1 : i64>
  %jet = "stream.reshape"(%cat) : (!stream.channel<tensor<2x12xf32>, 1 : i64>) -> !stream.channel<tensor<2x3x4xf32>, 1 : i64>
  %out = "stream.store"(%jet) : (!stream.channel<tensor<2x3x4xf32>, 1 : i64>) -> tensor<2x3x4xf32>
  return %out : tensor<2x3x4xf32>
}

// -----

// A bias row read by the primal (a broadcast of a weight buffer) is widened
// to [B, 3, N] straight from its buffer: every input has one type.
// CHECK-LABEL: func.func @biased
// CHECK: %[[W:.*]] = "stream.weights"
// CHECK: %[[B:.*]] = "stream.broadcast"(%[[W]]){{.*}} -> !stream.channel<tensor<2x3x4xf32>, 1 : i64>
// CHECK: "stream.jet"(%{{.*}}, %[[B]])
// CHECK: ^bb0(%[[X:.*]]: f32, %[[D0:.*]]: f32, %[[D1:.*]]: f32, %[[B0:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[P:.*]] = arith.addf %[[X]], %[[B0]]
// CHECK-NEXT: "stream.yield"(%[[P]], %[[D0]], %[[D1]])
// CHECK-NOT: stream.concat
func.func @biased(%x: tensor<2x3x4xf32>, %b: tensor<4xf32>) -> tensor<2x3x4xf32> attributes {stream.implicit_forks} {
  %j = "stream.load"(%x) : (tensor<2x3x4xf32>) -> !stream.channel<tensor<2x3x4xf32>, 1 : i64>
  %s0 = "stream.slice"(%j) {offsets = array<i64: 0, 0, 0>, sizes = array<i64: 2, 1, 4>, strides = array<i64: 1, 1, 1>} : (!stream.channel<tensor<2x3x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x1x4xf32>, 1 : i64>
  %r0 = "stream.reshape"(%s0) : (!stream.channel<tensor<2x1x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %s1 = "stream.slice"(%j) {offsets = array<i64: 0, 1, 0>, sizes = array<i64: 2, 1, 4>, strides = array<i64: 1, 1, 1>} : (!stream.channel<tensor<2x3x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x1x4xf32>, 1 : i64>
  %r1 = "stream.reshape"(%s1) : (!stream.channel<tensor<2x1x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %s2 = "stream.slice"(%j) {offsets = array<i64: 0, 2, 0>, sizes = array<i64: 2, 1, 4>, strides = array<i64: 1, 1, 1>} : (!stream.channel<tensor<2x3x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x1x4xf32>, 1 : i64>
  %r2 = "stream.reshape"(%s2) : (!stream.channel<tensor<2x1x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %w = "stream.weights"(%b) : (tensor<4xf32>) -> !stream.buffer<tensor<4xf32>>
  %bb = "stream.broadcast"(%w) : (!stream.buffer<tensor<4xf32>>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %y0 = "stream.map"(%r0, %bb) ({
  ^bb0(%a: f32, %c: f32):
    %v = arith.addf %a, %c : f32
    "stream.yield"(%v) : (f32) -> ()
  }) : (!stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.channel<tensor<2x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %cat = "stream.concat"(%y0, %r1, %r2) {dim = 1 : i64} : (!stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.channel<tensor<2x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x12xf32>, 1 : i64>
  %jet = "stream.reshape"(%cat) : (!stream.channel<tensor<2x12xf32>, 1 : i64>) -> !stream.channel<tensor<2x3x4xf32>, 1 : i64>
  %out = "stream.store"(%jet) : (!stream.channel<tensor<2x3x4xf32>, 1 : i64>) -> tensor<2x3x4xf32>
  return %out : tensor<2x3x4xf32>
}

// -----

// Not fused: the primal's map is read outside the jet too (fusing would
// compute it twice).
// CHECK-LABEL: func.func @escapes
// CHECK-NOT: stream.jet
// CHECK: "stream.concat"
func.func @escapes(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<2x4xf32>) attributes {stream.implicit_forks} {
  %j = "stream.load"(%x) : (tensor<2x3x4xf32>) -> !stream.channel<tensor<2x3x4xf32>, 1 : i64>
  %s0 = "stream.slice"(%j) {offsets = array<i64: 0, 0, 0>, sizes = array<i64: 2, 1, 4>, strides = array<i64: 1, 1, 1>} : (!stream.channel<tensor<2x3x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x1x4xf32>, 1 : i64>
  %r0 = "stream.reshape"(%s0) : (!stream.channel<tensor<2x1x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %s1 = "stream.slice"(%j) {offsets = array<i64: 0, 1, 0>, sizes = array<i64: 2, 1, 4>, strides = array<i64: 1, 1, 1>} : (!stream.channel<tensor<2x3x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x1x4xf32>, 1 : i64>
  %r1 = "stream.reshape"(%s1) : (!stream.channel<tensor<2x1x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %s2 = "stream.slice"(%j) {offsets = array<i64: 0, 2, 0>, sizes = array<i64: 2, 1, 4>, strides = array<i64: 1, 1, 1>} : (!stream.channel<tensor<2x3x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x1x4xf32>, 1 : i64>
  %r2 = "stream.reshape"(%s2) : (!stream.channel<tensor<2x1x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %y0 = "stream.map"(%r0) ({
  ^bb0(%a: f32):
    %v = math.sin %a : f32
    "stream.yield"(%v) : (f32) -> ()
  }) : (!stream.channel<tensor<2x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %cat = "stream.concat"(%y0, %r1, %r2) {dim = 1 : i64} : (!stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.channel<tensor<2x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x12xf32>, 1 : i64>
  %jet = "stream.reshape"(%cat) : (!stream.channel<tensor<2x12xf32>, 1 : i64>) -> !stream.channel<tensor<2x3x4xf32>, 1 : i64>
  %out = "stream.store"(%jet) : (!stream.channel<tensor<2x3x4xf32>, 1 : i64>) -> tensor<2x3x4xf32>
  %also = "stream.store"(%y0) : (!stream.channel<tensor<2x4xf32>, 1 : i64>) -> tensor<2x4xf32>
  return %out, %also : tensor<2x3x4xf32>, tensor<2x4xf32>
}

// -----

func.func @bad_region(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %j = "stream.load"(%x) : (tensor<2x3x4xf32>) -> !stream.channel<tensor<2x3x4xf32>, 1 : i64>
  // expected-error @+1 {{'stream.jet' op region has 1 arguments; expected 3 (3 rows x 1 inputs)}}
  %y = "stream.jet"(%j) ({
  ^bb0(%a: f32):
    "stream.yield"(%a, %a, %a) : (f32, f32, f32) -> ()
  }) : (!stream.channel<tensor<2x3x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x3x4xf32>, 1 : i64>
  %out = "stream.store"(%y) : (!stream.channel<tensor<2x3x4xf32>, 1 : i64>) -> tensor<2x3x4xf32>
  return %out : tensor<2x3x4xf32>
}

// OPTION: max-rows must be >= 1, got 0
