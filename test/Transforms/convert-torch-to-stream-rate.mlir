// RUN: inrarch-opt %s --split-input-file --convert-torch-to-stream | FileCheck %s
// RUN: inrarch-opt %s --split-input-file --convert-torch-to-stream | inrarch-opt --split-input-file --convert-torch-to-stream | FileCheck %s
// RUN: inrarch-opt %s --split-input-file --convert-torch-to-stream --stream-insert-forks --stream-annotate-timing --stream-check-deadlock > /dev/null
// RUN: inrarch-opt %S/Inputs/rate-errors.mlir --split-input-file --verify-diagnostics

// ASMR's activation sharing: a batch slice keeping every 4th sample becomes
// stream.subsample (streams, no barrier), torch's repeat_interleave along the
// batch (view(expand(unsqueeze(x, 1)))) becomes stream.repeat, and a
// constant expanded to the coarse rows is a buffer broadcast at that rate.

// CHECK-LABEL: func.func @share_one_level
// CHECK: %[[L:.*]] = "stream.load"
// CHECK: %[[C:.*]] = "stream.subsample"(%[[L]]) {offset = 0 : i64, stride = 4 : i64} : (!stream.channel<tensor<8x2xf32>, 1 : i64>) -> !stream.channel<tensor<2x2xf32>, 1 : i64>
// CHECK: "stream.map"
// CHECK: %[[R:.*]] = "stream.repeat"({{.*}}) {times = 4 : i64} : (!stream.channel<tensor<2x2xf32>, 1 : i64>) -> !stream.channel<tensor<8x2xf32>, 1 : i64>
// CHECK: "stream.map"(%[[R]]
// CHECK-NOT: stream.broadcast
// CHECK-NOT: stream.slice
func.func @share_one_level(%x: !torch.vtensor<[8,2],f32>) -> !torch.vtensor<[8,2],f32> {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %int4 = torch.constant.int 4
  %int8 = torch.constant.int 8
  %false = torch.constant.bool false
  %end = torch.constant.int 9223372036854775807
  %c = torch.aten.slice.Tensor %x, %int0, %int0, %end, %int4 : !torch.vtensor<[8,2],f32>, !torch.int, !torch.int, !torch.int, !torch.int -> !torch.vtensor<[2,2],f32>
  %s = torch.aten.sin %c : !torch.vtensor<[2,2],f32> -> !torch.vtensor<[2,2],f32>
  %u = torch.aten.unsqueeze %s, %int1 : !torch.vtensor<[2,2],f32>, !torch.int -> !torch.vtensor<[2,1,2],f32>
  %shape = torch.prim.ListConstruct %int2, %int4, %int2 : (!torch.int, !torch.int, !torch.int) -> !torch.list<int>
  %e = torch.aten.expand %u, %shape, %false : !torch.vtensor<[2,1,2],f32>, !torch.list<int>, !torch.bool -> !torch.vtensor<[2,4,2],f32>
  %flat = torch.prim.ListConstruct %int8, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %r = torch.aten.view %e, %flat : !torch.vtensor<[2,4,2],f32>, !torch.list<int> -> !torch.vtensor<[8,2],f32>
  %y = torch.aten.add.Tensor %r, %x, %int1 : !torch.vtensor<[8,2],f32>, !torch.vtensor<[8,2],f32>, !torch.int -> !torch.vtensor<[8,2],f32>
  return %y : !torch.vtensor<[8,2],f32>
}

// -----

// A constant expanded to the rows of a subsampled stream: a buffer broadcast
// at the coarse rate (not a channel of the full batch); offset 1 is kept.

// CHECK-LABEL: func.func @coarse_constant
// CHECK: "stream.subsample"({{.*}}) {offset = 1 : i64, stride = 2 : i64}
// CHECK: %[[B:.*]] = "stream.broadcast"({{.*}}) : (!stream.buffer<tensor<1x2xf32>>) -> !stream.channel<tensor<4x2xf32>, 1 : i64>
// CHECK: "stream.map"({{.*}}, %[[B]])
func.func @coarse_constant(%x: !torch.vtensor<[8,2],f32>) -> !torch.vtensor<[4,2],f32> {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int2 = torch.constant.int 2
  %int4 = torch.constant.int 4
  %int8 = torch.constant.int 8
  %false = torch.constant.bool false
  %k = torch.vtensor.literal(dense<[[1.000000e+00, 2.000000e+00]]> : tensor<1x2xf32>) : !torch.vtensor<[1,2],f32>
  %c = torch.aten.slice.Tensor %x, %int0, %int1, %int8, %int2 : !torch.vtensor<[8,2],f32>, !torch.int, !torch.int, !torch.int, !torch.int -> !torch.vtensor<[4,2],f32>
  %shape = torch.prim.ListConstruct %int4, %int2 : (!torch.int, !torch.int) -> !torch.list<int>
  %e = torch.aten.expand %k, %shape, %false : !torch.vtensor<[1,2],f32>, !torch.list<int>, !torch.bool -> !torch.vtensor<[4,2],f32>
  %y = torch.aten.mul.Tensor %c, %e : !torch.vtensor<[4,2],f32>, !torch.vtensor<[4,2],f32> -> !torch.vtensor<[4,2],f32>
  return %y : !torch.vtensor<[4,2],f32>
}

// -----

// Must not fire: a batch slice that does not cover the whole batch (the
// first half) is no rate change; it stays a barrier slice (with its warning).

// CHECK-LABEL: func.func @half_batch
// CHECK: "stream.slice"({{.*}}) {offsets = array<i64: 0, 0>, sizes = array<i64: 4, 2>, strides = array<i64: 1, 1>}
// CHECK-NOT: stream.subsample
func.func @half_batch(%x: !torch.vtensor<[8,2],f32>) -> !torch.vtensor<[4,2],f32> {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %int4 = torch.constant.int 4
  %h = torch.aten.slice.Tensor %x, %int0, %int0, %int4, %int1 : !torch.vtensor<[8,2],f32>, !torch.int, !torch.int, !torch.int, !torch.int -> !torch.vtensor<[4,2],f32>
  return %h : !torch.vtensor<[4,2],f32>
}
