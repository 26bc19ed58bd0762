// RUN: inrarch-opt %s --split-input-file --convert-torch-to-stream | FileCheck %s
// RUN: inrarch-opt %s --split-input-file --convert-torch-to-stream | inrarch-opt --split-input-file --convert-torch-to-stream | FileCheck %s
// RUN: inrarch-opt %s --split-input-file --convert-torch-to-stream --stream-insert-forks > /dev/null
// RUN: inrarch-opt %S/Inputs/not-streamable.mlir --split-input-file --convert-torch-to-stream --verify-diagnostics

// A sine layer: the coordinates stream, W^T becomes a transposed matmul
// over an on-chip buffer, the bias a broadcast buffer, each elementwise op a
// map; weight expressions (permute of W) stay torch ops at load time.

// CHECK-LABEL: func.func @sine_layer
// CHECK-SAME: attributes {stream.implicit_forks}
// CHECK: %[[X:.*]] = builtin.unrealized_conversion_cast %arg0 : !torch.vtensor<[4,2],f32> to tensor<4x2xf32>
// CHECK: %[[L:.*]] = "stream.load"(%[[X]])
// CHECK: %[[WT:.*]] = builtin.unrealized_conversion_cast %arg1 : !torch.vtensor<[8,2],f32> to tensor<8x2xf32>
// CHECK: %[[W:.*]] = "stream.weights"(%[[WT]])
// CHECK: %[[MM:.*]] = "stream.matmul"(%[[L]], %[[W]]) {transpose_w = true}
// CHECK: %[[B:.*]] = "stream.broadcast"
// CHECK: %[[ADD:.*]] = "stream.map"(%[[MM]], %[[B]])
// CHECK: arith.addf
// CHECK: %[[SIN:.*]] = "stream.map"(%[[ADD]])
// CHECK: math.sin
// CHECK: "stream.store"(%[[SIN]])
// CHECK-NOT: torch.aten.mm
// CHECK-NOT: torch.aten.sin
func.func @sine_layer(%x: !torch.vtensor<[4,2],f32>, %w: !torch.vtensor<[8,2],f32>, %b: !torch.vtensor<[8],f32>) -> !torch.vtensor<[4,8],f32> {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %perm = torch.prim.ListConstruct %int1, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %wt = torch.aten.permute %w, %perm : !torch.vtensor<[8,2],f32>, !torch.list<int> -> !torch.vtensor<[2,8],f32>
  %mm = torch.aten.mm %x, %wt : !torch.vtensor<[4,2],f32>, !torch.vtensor<[2,8],f32> -> !torch.vtensor<[4,8],f32>
  %add = torch.aten.add.Tensor %mm, %b, %int1 : !torch.vtensor<[4,8],f32>, !torch.vtensor<[8],f32>, !torch.int -> !torch.vtensor<[4,8],f32>
  %sin = torch.aten.sin %add : !torch.vtensor<[4,8],f32> -> !torch.vtensor<[4,8],f32>
  return %sin : !torch.vtensor<[4,8],f32>
}

// -----

// Selecting an output channel is a slice plus a free reshape.

// CHECK-LABEL: func.func @select_output
// CHECK: "stream.slice"({{.*}}) {offsets = array<i64: 0, 1>, sizes = array<i64: 4, 1>, strides = array<i64: 1, 1>}
// CHECK: "stream.reshape"
// CHECK-SAME: -> !stream.channel<tensor<4xf32>, 1 : i64>
func.func @select_output(%x: !torch.vtensor<[4,2],f32>) -> !torch.vtensor<[4],f32> {
  %int1 = torch.constant.int 1
  %s = torch.aten.select.int %x, %int1, %int1 : !torch.vtensor<[4,2],f32>, !torch.int, !torch.int -> !torch.vtensor<[4],f32>
  return %s : !torch.vtensor<[4],f32>
}

// -----

// Must not fire on weight-only functions: nothing depends on the
// coordinates except the identity result (no torch op to lower).

// CHECK-LABEL: func.func @weights_only
// CHECK: torch.aten.mul.Scalar %arg1
func.func @weights_only(%x: !torch.vtensor<[4,2],f32>, %w: !torch.vtensor<[8],f32>) -> !torch.vtensor<[8],f32> {
  %f = torch.constant.float 3.000000e+01
  %m = torch.aten.mul.Scalar %w, %f : !torch.vtensor<[8],f32>, !torch.float -> !torch.vtensor<[8],f32>
  return %m : !torch.vtensor<[8],f32>
}

// -----

// A weight expression made of views (column 1 of W, as a row) becomes the
// offset/strides of one stream.weights op: W is [8, 2] row-major, so column
// 1 starts at element 1 with stride 2.

// CHECK-LABEL: func.func @weight_column
// CHECK: "stream.weights"(%{{.*}}) {offset = 1 : i64, strides = array<i64: 0, 2>} : (tensor<8x2xf32>) -> !stream.buffer<tensor<1x8xf32>>
// CHECK-NOT: torch.aten.select.int
func.func @weight_column(%x: !torch.vtensor<[4,8],f32>, %w: !torch.vtensor<[8,2],f32>) -> !torch.vtensor<[4,8],f32> {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int4 = torch.constant.int 4
  %int8 = torch.constant.int 8
  %false = torch.constant.bool false
  %perm = torch.prim.ListConstruct %int1, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %wt = torch.aten.permute %w, %perm : !torch.vtensor<[8,2],f32>, !torch.list<int> -> !torch.vtensor<[2,8],f32>
  %col = torch.aten.select.int %wt, %int0, %int1 : !torch.vtensor<[2,8],f32>, !torch.int, !torch.int -> !torch.vtensor<[8],f32>
  %row = torch.aten.unsqueeze %col, %int0 : !torch.vtensor<[8],f32>, !torch.int -> !torch.vtensor<[1,8],f32>
  %size = torch.prim.ListConstruct %int4, %int8 : (!torch.int, !torch.int) -> !torch.list<int>
  %b = torch.aten.expand %row, %size, %false : !torch.vtensor<[1,8],f32>, !torch.list<int>, !torch.bool -> !torch.vtensor<[4,8],f32>
  %m = torch.aten.mul.Tensor %x, %b : !torch.vtensor<[4,8],f32>, !torch.vtensor<[4,8],f32> -> !torch.vtensor<[4,8],f32>
  return %m : !torch.vtensor<[4,8],f32>
}
