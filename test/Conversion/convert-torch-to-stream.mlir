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

// -----

// Ops that combine samples become barrier kernels (with a warning each, see
// Inputs/not-streamable.mlir): a mean over the batch is a reduce over dim 0
// and a scale, broadcast back along the batch from its one row.

// CHECK-LABEL: func.func @centred
// CHECK: %[[L:.*]] = "stream.load"
// CHECK: %[[R:.*]] = "stream.reduce"(%[[L]]) {dims = array<i64: 0>} : {{.*}} -> !stream.channel<tensor<1x3xf32>, 1 : i64>
// CHECK: %[[M:.*]] = "stream.map"(%[[R]])
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: %[[B:.*]] = "stream.broadcast"(%[[M]]) : (!stream.channel<tensor<1x3xf32>, 1 : i64>) -> !stream.channel<tensor<4x3xf32>, 1 : i64>
// CHECK: "stream.map"(%[[L]], %[[B]])
// CHECK: arith.subf
func.func @centred(%x: !torch.vtensor<[4,3],f32>) -> !torch.vtensor<[4,3],f32> {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %true = torch.constant.bool true
  %none = torch.constant.none
  %dims = torch.prim.ListConstruct %int0 : (!torch.int) -> !torch.list<int>
  %m = torch.aten.mean.dim %x, %dims, %true, %none : !torch.vtensor<[4,3],f32>, !torch.list<int>, !torch.bool, !torch.none -> !torch.vtensor<[1,3],f32>
  %d = torch.aten.sub.Tensor %x, %m, %int1 : !torch.vtensor<[4,3],f32>, !torch.vtensor<[1,3],f32>, !torch.int -> !torch.vtensor<[4,3],f32>
  return %d : !torch.vtensor<[4,3],f32>
}

// -----

// A Gram matrix x^T x: the transpose moves the batch (a barrier) and the
// matmul reads its second operand, a stream, whole before its first row.
// A weight times a stream, W x^T, is (x W^T)^T.

// CHECK-LABEL: func.func @gram
// CHECK: %[[L:.*]] = "stream.load"
// CHECK: %[[T:.*]] = "stream.transpose"(%[[L]]) {perm = array<i64: 1, 0>} : {{.*}} -> !stream.channel<tensor<3x4xf32>, 1 : i64>
// CHECK: "stream.matmul"(%[[T]], %[[L]]) {transpose_w = false} : (!stream.channel<tensor<3x4xf32>, 1 : i64>, !stream.channel<tensor<4x3xf32>, 1 : i64>) -> !stream.channel<tensor<3x3xf32>, 1 : i64>
// CHECK-LABEL: func.func @weight_times_stream
// CHECK: "stream.transpose"
// CHECK: %[[T:.*]] = "stream.transpose"
// CHECK: %[[MM:.*]] = "stream.matmul"(%[[T]], %{{.*}}) {transpose_w = true} : (!stream.channel<tensor<3x4xf32>, 1 : i64>, !stream.buffer<tensor<5x4xf32>>) -> !stream.channel<tensor<3x5xf32>, 1 : i64>
// CHECK: "stream.transpose"(%[[MM]]) {perm = array<i64: 1, 0>} : {{.*}} -> !stream.channel<tensor<5x3xf32>, 1 : i64>
func.func @gram(%x: !torch.vtensor<[4,3],f32>) -> !torch.vtensor<[3,3],f32> {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %perm = torch.prim.ListConstruct %int1, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %xt = torch.aten.permute %x, %perm : !torch.vtensor<[4,3],f32>, !torch.list<int> -> !torch.vtensor<[3,4],f32>
  %g = torch.aten.mm %xt, %x : !torch.vtensor<[3,4],f32>, !torch.vtensor<[4,3],f32> -> !torch.vtensor<[3,3],f32>
  return %g : !torch.vtensor<[3,3],f32>
}
func.func @weight_times_stream(%x: !torch.vtensor<[3,4],f32>, %w: !torch.vtensor<[5,4],f32>) -> !torch.vtensor<[5,3],f32> {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %perm = torch.prim.ListConstruct %int1, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  %xt = torch.aten.permute %x, %perm : !torch.vtensor<[3,4],f32>, !torch.list<int> -> !torch.vtensor<[4,3],f32>
  %y = torch.aten.mm %w, %xt : !torch.vtensor<[5,4],f32>, !torch.vtensor<[4,3],f32> -> !torch.vtensor<[5,3],f32>
  return %y : !torch.vtensor<[5,3],f32>
}

// -----

// Selecting one sample, slicing (rows 0 and 2 of [0:3:2]: not every 2nd of the
// whole batch, which would be a stream.subsample) and concatenating along the batch.

// CHECK-LABEL: func.func @batch_rows
// CHECK: %[[L:.*]] = "stream.load"
// CHECK: %[[S:.*]] = "stream.slice"(%[[L]]) {offsets = array<i64: 2, 0>, sizes = array<i64: 1, 3>, strides = array<i64: 1, 1>}
// CHECK: "stream.reshape"(%[[S]]) : (!stream.channel<tensor<1x3xf32>, 1 : i64>) -> !stream.channel<tensor<3xf32>, 1 : i64>
// CHECK: %[[H:.*]] = "stream.slice"(%[[L]]) {offsets = array<i64: 0, 0>, sizes = array<i64: 2, 3>, strides = array<i64: 2, 1>}
// CHECK: "stream.concat"(%[[H]], %[[H]]) {dim = 0 : i64} : {{.*}} -> !stream.channel<tensor<4x3xf32>, 1 : i64>
func.func @batch_rows(%x: !torch.vtensor<[4,3],f32>) -> (!torch.vtensor<[3],f32>, !torch.vtensor<[4,3],f32>) {
  %int0 = torch.constant.int 0
  %int2 = torch.constant.int 2
  %int3 = torch.constant.int 3
  %row = torch.aten.select.int %x, %int0, %int2 : !torch.vtensor<[4,3],f32>, !torch.int, !torch.int -> !torch.vtensor<[3],f32>
  %even = torch.aten.slice.Tensor %x, %int0, %int0, %int3, %int2 : !torch.vtensor<[4,3],f32>, !torch.int, !torch.int, !torch.int, !torch.int -> !torch.vtensor<[2,3],f32>
  %list = torch.prim.ListConstruct %even, %even : (!torch.vtensor<[2,3],f32>, !torch.vtensor<[2,3],f32>) -> !torch.list<vtensor>
  %cat = torch.aten.cat %list, %int0 : !torch.list<vtensor>, !torch.int -> !torch.vtensor<[4,3],f32>
  return %row, %cat : !torch.vtensor<[3],f32>, !torch.vtensor<[4,3],f32>
}
