// RUN: inrarch-translate --emit-hls %s -o %t && FileCheck %s --input-file %t/top.cpp
// RUN: FileCheck %s --check-prefix=COUNT --input-file %t/top.cpp
// RUN: FileCheck %s --check-prefix=HEADER --input-file %t/top.h
// RUN: not inrarch-translate --emit-hls %s -o %t.fixed --precision 'fixed<32,10>' 2>&1 | FileCheck %s --check-prefix=NORANGE
// RUN: not inrarch-translate --emit-hls %s -o %t.bad --precision 'fixed<3>' 2>&1 | FileCheck %s --check-prefix=BADPREC

// A balanced SIREN (2 -> 8 -> 8 -> 1, w0 = 30), first order, batch 4, as
// produced by `inrarch import` and the stream pipeline (convert, fuse,
// forks, canonicalize, timing, balance, deadlock check). 26 kernels, 9
// weight buffers, 26 stream.fifo ops; the reconvergent bypass
// fork0 -> map6 is the one FIFO the balancer made deeper (16).

// Kernel parameters travel by name: one config struct per process, at
// namespace scope before top() (hls4ml's CONFIG_T habit).
// CHECK: struct load0_cfg {
// CHECK-NEXT:   using T = data_t;
// CHECK-NEXT:   static constexpr int B = 4, ROW = 2, LANES = 1;
// CHECK-NEXT: };
// CHECK: struct weights0_cfg {
// CHECK-NEXT:   using T = data_t;
// CHECK-NEXT:   static constexpr int SIZE = 16, LANES = 16;
// CHECK: struct matmul0_cfg {
// CHECK-NEXT:   using T = data_t;
// CHECK-NEXT:   using ACC = inrarch::acc_t<data_t>;
// CHECK-NEXT:   static constexpr int B = 4, K = 2, N = 8, LI = 1, LO = 1, MACS = 1, L = 4, LATENCY = 8;
// CHECK-NEXT:   static constexpr bool TRANSPOSE_W = true;
// CHECK-NEXT:   static constexpr bool WEIGHT_URAM = false;
// The map's LATENCY is its body's critical path (addf 4 + mulf 3 cycles), the
// matmul's L the default target's float adder latency, as the timing model has them.
// CHECK: struct map0_cfg {
// CHECK-NEXT:   using F = map0_f;
// CHECK-NEXT:   static constexpr int B = 4, ROW = 8, LANES = 1, LATENCY = 7;
// CHECK: struct fork0_cfg {
// CHECK-NEXT:   static constexpr int B = 4, ROW = 8, LANES = 1;
// An affine weight view (offset/strides) goes through inrarch::weights_view.
// CHECK: struct weights6_cfg {
// CHECK-NEXT:   using T = data_t;
// CHECK-NEXT:   using Shape = inrarch::shape<1, 8>;
// CHECK-NEXT:   using Strides = inrarch::shape<0, 1>;
// CHECK-NEXT:   static constexpr int SIZE = 8, OFFSET = 0, LANES = 16, S = 0;
// CHECK: struct store2_cfg {
// CHECK-NEXT:   using T = data_t;
// CHECK-NEXT:   static constexpr int B = 4, ROW = 1, LANES = 1;

// Ports: m_axi per tensor, s_axilite control.
// CHECK-LABEL: void top(int n, const mem_t in_coords[8], const mem_t p_hidden_0_weight[16],
// CHECK-SAME: mem_t out_y0[4], mem_t out_y0_x0[4], mem_t out_y0_x1[4]) {
// CHECK: INRARCH_PRAGMA(HLS INTERFACE m_axi port=in_coords offset=slave bundle=gmem0 depth=8)
// CHECK: INRARCH_PRAGMA(HLS INTERFACE s_axilite port=in_coords bundle=control)
// CHECK: INRARCH_PRAGMA(HLS INTERFACE s_axilite port=n bundle=control)
// CHECK-NEXT: INRARCH_PRAGMA(HLS INTERFACE s_axilite port=return bundle=control)

// FIFO depths are the stream.fifo depths.
// CHECK: INRARCH_FIFO(load0_out0__matmul0_in0, 2, w1_t);
// CHECK: INRARCH_FIFO(map0_out0__fork0_in0, 2, w1_t);
// CHECK-NEXT: INRARCH_FIFO(fork0_out0__map1_in0, 2, w1_t);
// CHECK-NEXT: INRARCH_FIFO(fork0_out1__map6_in1, 16, w1_t);
// Weights reach their kernel through a FIFO of their own.
// Weight streams carry 16 elements per word (one 512-bit AXI beat).
// CHECK: INRARCH_FIFO(weights0__matmul0_in1, 2, w16_t);

// CHECK: INRARCH_DATAFLOW_BEGIN("top");
// CHECK-NEXT: INRARCH_PROCESS("load0", inrarch::load<load0_cfg>(n, in_coords, load0_out0__matmul0_in0));
// CHECK-NEXT: INRARCH_PROCESS("weights0", inrarch::weights<weights0_cfg>(p_hidden_0_weight, weights0__matmul0_in1));
// CHECK-NEXT: INRARCH_PROCESS("matmul0", inrarch::matmul<matmul0_cfg>(n, load0_out0__matmul0_in0, weights0__matmul0_in1, matmul0_out0__map0_in0));
// CHECK: INRARCH_PROCESS("fork0", inrarch::fork<fork0_cfg>(n, map0_out0__fork0_in0, fork0_out0__map1_in0, fork0_out1__map6_in1));
// CHECK: INRARCH_PROCESS("weights6", inrarch::weights_view<weights6_cfg>(p_out_weight, weights6__broadcast3_in0));
// CHECK: INRARCH_PROCESS("store2", inrarch::store<store2_cfg>(n, slice2_out0__store2_in0, out_y0_x1));
// CHECK-NEXT: INRARCH_DATAFLOW_END();

// One FIFO per channel (26 kernel-to-kernel + 9 weight streams), one process
// per kernel (26) and per weights op (9).
// COUNT-COUNT-35: INRARCH_FIFO(
// COUNT-NOT: INRARCH_FIFO(
// COUNT: INRARCH_DATAFLOW_BEGIN
// COUNT-COUNT-35: INRARCH_PROCESS(
// COUNT-NOT: INRARCH_PROCESS(

// HEADER: #include "inrarch/boundary.h"
// HEADER: typedef float data_t;
// HEADER: constexpr int TOP_BATCH = 4;
// HEADER-NEXT: constexpr bool TOP_TILEABLE = true;
// HEADER: constexpr int TOP_ROW_in_coords = 2;  // elements per sample
// HEADER: void top(

// NORANGE: error: --emit-hls: fixed-point emission needs range annotations (stream.max_abs)
// BADPREC: error: --precision must be 'float' or 'fixed<W,I>', got 'fixed<3>'

module {
  func.func @main(%arg0: !torch.vtensor<[4,2],f32>, %arg1: !torch.vtensor<[8,2],f32>, %arg2: !torch.vtensor<[8],f32>, %arg3: !torch.vtensor<[8,8],f32>, %arg4: !torch.vtensor<[8],f32>, %arg5: !torch.vtensor<[1,8],f32>, %arg6: !torch.vtensor<[1],f32>) -> (!torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>) attributes {inrarch.arg_names = ["coords", "hidden.0.weight", "hidden.0.bias", "hidden.1.weight", "hidden.1.bias", "out.weight", "out.bias"], inrarch.layout = "{\22in_features\22:2,\22out_features\22:1,\22orders\22:[0,1],\22arguments\22:[\22coords\22,\22hidden.0.weight\22,\22hidden.0.bias\22,\22hidden.1.weight\22,\22hidden.1.bias\22,\22out.weight\22,\22out.bias\22],\22results\22:[{\22channel\22:0,\22index\22:[],\22order\22:0,\22name\22:\22y0\22},{\22channel\22:0,\22index\22:[0],\22order\22:1,\22name\22:\22y0_x0\22},{\22channel\22:0,\22index\22:[1],\22order\22:1,\22name\22:\22y0_x1\22}]}", inrarch.result_names = ["y0", "y0_x0", "y0_x1"], stream.cycles = 510 : i64, stream.cycles_unbounded = 506 : i64, stream.fifo_bits = 2112 : i64, stream.fifo_bits_lp = 2564 : i64, stream.fifo_words = 66 : i64} {
    %int0 = torch.constant.int 0
    %int1 = torch.constant.int 1
    %0 = torch.prim.ListConstruct %int1, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
    %1 = torch.aten.permute %arg1, %0 : !torch.vtensor<[8,2],f32>, !torch.list<int> -> !torch.vtensor<[2,8],f32>
    %2 = torch.aten.permute %arg3, %0 : !torch.vtensor<[8,8],f32>, !torch.list<int> -> !torch.vtensor<[8,8],f32>
    %3 = torch.aten.permute %arg5, %0 : !torch.vtensor<[1,8],f32>, !torch.list<int> -> !torch.vtensor<[8,1],f32>
    %4 = torch.aten.permute %3, %0 : !torch.vtensor<[8,1],f32>, !torch.list<int> -> !torch.vtensor<[1,8],f32>
    %5 = torch.aten.select.int %4, %int0, %int0 : !torch.vtensor<[1,8],f32>, !torch.int, !torch.int -> !torch.vtensor<[8],f32>
    %6 = torch.aten.unsqueeze %5, %int0 : !torch.vtensor<[8],f32>, !torch.int -> !torch.vtensor<[1,8],f32>
    %7 = torch.aten.permute %2, %0 : !torch.vtensor<[8,8],f32>, !torch.list<int> -> !torch.vtensor<[8,8],f32>
    %8 = torch.aten.permute %1, %0 : !torch.vtensor<[2,8],f32>, !torch.list<int> -> !torch.vtensor<[8,2],f32>
    %9 = builtin.unrealized_conversion_cast %arg0 : !torch.vtensor<[4,2],f32> to tensor<4x2xf32>
    %10 = "stream.load"(%9) {stream.timing = {cycles = 2 : i64, ii = 1 : i64, latency = 0 : i64, need = 0 : i64}} : (tensor<4x2xf32>) -> !stream.channel<tensor<4x2xf32>, 1 : i64>
    %11 = "stream.fifo"(%10) {depth = 2 : i64} : (!stream.channel<tensor<4x2xf32>, 1 : i64>) -> !stream.channel<tensor<4x2xf32>, 1 : i64>
    %12 = builtin.unrealized_conversion_cast %arg1 : !torch.vtensor<[8,2],f32> to tensor<8x2xf32>
    %13 = "stream.weights"(%12) : (tensor<8x2xf32>) -> !stream.buffer<tensor<8x2xf32>>
    %14 = "stream.matmul"(%11, %13) {stream.timing = {cycles = 18 : i64, ii = 2 : i64, latency = 10 : i64, need = 2 : i64}, transpose_w = true} : (!stream.channel<tensor<4x2xf32>, 1 : i64>, !stream.buffer<tensor<8x2xf32>>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %15 = "stream.fifo"(%14) {depth = 2 : i64} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %16 = builtin.unrealized_conversion_cast %arg2 : !torch.vtensor<[8],f32> to tensor<8xf32>
    %17 = "stream.weights"(%16) : (tensor<8xf32>) -> !stream.buffer<tensor<8xf32>>
    %18 = "stream.broadcast"(%17) {stream.timing = {cycles = 8 : i64, ii = 1 : i64, latency = 0 : i64, need = 0 : i64}} : (!stream.buffer<tensor<8xf32>>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %19 = "stream.fifo"(%18) {depth = 2 : i64} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %20 = "stream.map"(%15, %19) ({
    ^bb0(%arg7: f32, %arg8: f32):
      %cst = arith.constant 3.000000e+01 : f32
      %86 = arith.addf %arg7, %arg8 : f32
      %87 = arith.mulf %86, %cst : f32
      "stream.yield"(%87) : (f32) -> ()
    }) {stream.timing = {cycles = 8 : i64, ii = 1 : i64, latency = 7 : i64, need = 0 : i64}} : (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %21 = "stream.fifo"(%20) {depth = 2 : i64} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %22:2 = "stream.fork"(%21) {stream.timing = {cycles = 8 : i64, ii = 1 : i64, latency = 0 : i64, need = 0 : i64}} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.channel<tensor<4x8xf32>, 1 : i64>)
    %23 = "stream.fifo"(%22#1) {depth = 16 : i64} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %24 = "stream.fifo"(%22#0) {depth = 2 : i64} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %25 = "stream.map"(%24) ({
    ^bb0(%arg7: f32):
      %86 = math.sin %arg7 : f32
      "stream.yield"(%86) : (f32) -> ()
    }) {stream.timing = {cycles = 8 : i64, ii = 1 : i64, latency = 10 : i64, need = 0 : i64}} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %26 = "stream.fifo"(%25) {depth = 2 : i64} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %27 = builtin.unrealized_conversion_cast %arg3 : !torch.vtensor<[8,8],f32> to tensor<8x8xf32>
    %28 = "stream.weights"(%27) : (tensor<8x8xf32>) -> !stream.buffer<tensor<8x8xf32>>
    %29 = "stream.matmul"(%26, %28) {stream.timing = {cycles = 72 : i64, ii = 8 : i64, latency = 16 : i64, need = 8 : i64}, transpose_w = true} : (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.buffer<tensor<8x8xf32>>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %30 = "stream.fifo"(%29) {depth = 2 : i64} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %31 = builtin.unrealized_conversion_cast %arg4 : !torch.vtensor<[8],f32> to tensor<8xf32>
    %32 = "stream.weights"(%31) : (tensor<8xf32>) -> !stream.buffer<tensor<8xf32>>
    %33 = "stream.broadcast"(%32) {stream.timing = {cycles = 8 : i64, ii = 1 : i64, latency = 0 : i64, need = 0 : i64}} : (!stream.buffer<tensor<8xf32>>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %34 = "stream.fifo"(%33) {depth = 2 : i64} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %35 = "stream.map"(%30, %34) ({
    ^bb0(%arg7: f32, %arg8: f32):
      %cst = arith.constant 3.000000e+01 : f32
      %86 = arith.addf %arg7, %arg8 : f32
      %87 = arith.mulf %86, %cst : f32
      "stream.yield"(%87) : (f32) -> ()
    }) {stream.timing = {cycles = 8 : i64, ii = 1 : i64, latency = 7 : i64, need = 0 : i64}} : (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %36 = "stream.fifo"(%35) {depth = 2 : i64} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %37:2 = "stream.fork"(%36) {stream.timing = {cycles = 8 : i64, ii = 1 : i64, latency = 0 : i64, need = 0 : i64}} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.channel<tensor<4x8xf32>, 1 : i64>)
    %38 = "stream.fifo"(%37#1) {depth = 2 : i64} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %39 = "stream.fifo"(%37#0) {depth = 2 : i64} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %40 = "stream.map"(%39) ({
    ^bb0(%arg7: f32):
      %86 = math.sin %arg7 : f32
      "stream.yield"(%86) : (f32) -> ()
    }) {stream.timing = {cycles = 8 : i64, ii = 1 : i64, latency = 10 : i64, need = 0 : i64}} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %41 = "stream.fifo"(%40) {depth = 2 : i64} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %42 = builtin.unrealized_conversion_cast %arg5 : !torch.vtensor<[1,8],f32> to tensor<1x8xf32>
    %43 = "stream.weights"(%42) : (tensor<1x8xf32>) -> !stream.buffer<tensor<1x8xf32>>
    %44 = "stream.matmul"(%41, %43) {stream.timing = {cycles = 16 : i64, ii = 8 : i64, latency = 16 : i64, need = 8 : i64}, transpose_w = true} : (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.buffer<tensor<1x8xf32>>) -> !stream.channel<tensor<4x1xf32>, 1 : i64>
    %45 = "stream.fifo"(%44) {depth = 2 : i64} : (!stream.channel<tensor<4x1xf32>, 1 : i64>) -> !stream.channel<tensor<4x1xf32>, 1 : i64>
    %46 = builtin.unrealized_conversion_cast %arg6 : !torch.vtensor<[1],f32> to tensor<1xf32>
    %47 = "stream.weights"(%46) : (tensor<1xf32>) -> !stream.buffer<tensor<1xf32>>
    %48 = "stream.broadcast"(%47) {stream.timing = {cycles = 1 : i64, ii = 1 : i64, latency = 0 : i64, need = 0 : i64}} : (!stream.buffer<tensor<1xf32>>) -> !stream.channel<tensor<4x1xf32>, 1 : i64>
    %49 = "stream.fifo"(%48) {depth = 2 : i64} : (!stream.channel<tensor<4x1xf32>, 1 : i64>) -> !stream.channel<tensor<4x1xf32>, 1 : i64>
    %50 = "stream.map"(%45, %49) ({
    ^bb0(%arg7: f32, %arg8: f32):
      %86 = arith.addf %arg7, %arg8 : f32
      "stream.yield"(%86) : (f32) -> ()
    }) {stream.timing = {cycles = 1 : i64, ii = 1 : i64, latency = 4 : i64, need = 0 : i64}} : (!stream.channel<tensor<4x1xf32>, 1 : i64>, !stream.channel<tensor<4x1xf32>, 1 : i64>) -> !stream.channel<tensor<4x1xf32>, 1 : i64>
    %51 = "stream.fifo"(%50) {depth = 2 : i64} : (!stream.channel<tensor<4x1xf32>, 1 : i64>) -> !stream.channel<tensor<4x1xf32>, 1 : i64>
    %52 = "stream.slice"(%51) {offsets = array<i64: 0, 0>, sizes = array<i64: 4, 1>, stream.timing = {cycles = 1 : i64, ii = 1 : i64, latency = 0 : i64, need = 0 : i64}, strides = array<i64: 1, 1>} : (!stream.channel<tensor<4x1xf32>, 1 : i64>) -> !stream.channel<tensor<4x1xf32>, 1 : i64>
    %53 = "stream.fifo"(%52) {depth = 2 : i64} : (!stream.channel<tensor<4x1xf32>, 1 : i64>) -> !stream.channel<tensor<4x1xf32>, 1 : i64>
    %54 = "stream.reshape"(%53) : (!stream.channel<tensor<4x1xf32>, 1 : i64>) -> !stream.channel<tensor<4xf32>, 1 : i64>
    %55 = builtin.unrealized_conversion_cast %arg5 : !torch.vtensor<[1,8],f32> to tensor<1x8xf32>
    %56 = "stream.weights"(%55) {offset = 0 : i64, strides = array<i64: 0, 1>} : (tensor<1x8xf32>) -> !stream.buffer<tensor<1x8xf32>>
    %57 = "stream.broadcast"(%56) {stream.timing = {cycles = 8 : i64, ii = 1 : i64, latency = 0 : i64, need = 0 : i64}} : (!stream.buffer<tensor<1x8xf32>>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %58 = "stream.fifo"(%57) {depth = 2 : i64} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %59 = "stream.map"(%58, %38) ({
    ^bb0(%arg7: f32, %arg8: f32):
      %cst = arith.constant 3.000000e+01 : f32
      %86 = math.cos %arg8 : f32
      %87 = arith.mulf %arg7, %86 : f32
      %88 = arith.mulf %87, %cst : f32
      "stream.yield"(%88) : (f32) -> ()
    }) {stream.timing = {cycles = 8 : i64, ii = 1 : i64, latency = 16 : i64, need = 0 : i64}} : (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %60 = "stream.fifo"(%59) {depth = 2 : i64} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %61 = builtin.unrealized_conversion_cast %arg3 : !torch.vtensor<[8,8],f32> to tensor<8x8xf32>
    %62 = "stream.weights"(%61) : (tensor<8x8xf32>) -> !stream.buffer<tensor<8x8xf32>>
    %63 = "stream.matmul"(%60, %62) {stream.timing = {cycles = 72 : i64, ii = 8 : i64, latency = 16 : i64, need = 8 : i64}, transpose_w = false} : (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.buffer<tensor<8x8xf32>>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %64 = "stream.fifo"(%63) {depth = 2 : i64} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %65 = "stream.map"(%64, %23) ({
    ^bb0(%arg7: f32, %arg8: f32):
      %cst = arith.constant 3.000000e+01 : f32
      %86 = math.cos %arg8 : f32
      %87 = arith.mulf %arg7, %86 : f32
      %88 = arith.mulf %87, %cst : f32
      "stream.yield"(%88) : (f32) -> ()
    }) {stream.timing = {cycles = 8 : i64, ii = 1 : i64, latency = 16 : i64, need = 0 : i64}} : (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %66 = "stream.fifo"(%65) {depth = 2 : i64} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
    %67 = builtin.unrealized_conversion_cast %arg1 : !torch.vtensor<[8,2],f32> to tensor<8x2xf32>
    %68 = "stream.weights"(%67) : (tensor<8x2xf32>) -> !stream.buffer<tensor<8x2xf32>>
    %69 = "stream.matmul"(%66, %68) {stream.timing = {cycles = 24 : i64, ii = 8 : i64, latency = 16 : i64, need = 8 : i64}, transpose_w = false} : (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.buffer<tensor<8x2xf32>>) -> !stream.channel<tensor<4x2xf32>, 1 : i64>
    %70 = "stream.fifo"(%69) {depth = 2 : i64} : (!stream.channel<tensor<4x2xf32>, 1 : i64>) -> !stream.channel<tensor<4x2xf32>, 1 : i64>
    %71:2 = "stream.fork"(%70) {stream.timing = {cycles = 2 : i64, ii = 1 : i64, latency = 0 : i64, need = 0 : i64}} : (!stream.channel<tensor<4x2xf32>, 1 : i64>) -> (!stream.channel<tensor<4x2xf32>, 1 : i64>, !stream.channel<tensor<4x2xf32>, 1 : i64>)
    %72 = "stream.fifo"(%71#1) {depth = 2 : i64} : (!stream.channel<tensor<4x2xf32>, 1 : i64>) -> !stream.channel<tensor<4x2xf32>, 1 : i64>
    %73 = "stream.fifo"(%71#0) {depth = 2 : i64} : (!stream.channel<tensor<4x2xf32>, 1 : i64>) -> !stream.channel<tensor<4x2xf32>, 1 : i64>
    %74 = "stream.slice"(%73) {offsets = array<i64: 0, 0>, sizes = array<i64: 4, 1>, stream.timing = {cycles = 2 : i64, ii = 2 : i64, latency = 0 : i64, need = 0 : i64}, strides = array<i64: 1, 1>} : (!stream.channel<tensor<4x2xf32>, 1 : i64>) -> !stream.channel<tensor<4x1xf32>, 1 : i64>
    %75 = "stream.fifo"(%74) {depth = 2 : i64} : (!stream.channel<tensor<4x1xf32>, 1 : i64>) -> !stream.channel<tensor<4x1xf32>, 1 : i64>
    %76 = "stream.reshape"(%75) : (!stream.channel<tensor<4x1xf32>, 1 : i64>) -> !stream.channel<tensor<4xf32>, 1 : i64>
    %77 = "stream.slice"(%72) {offsets = array<i64: 0, 1>, sizes = array<i64: 4, 1>, stream.timing = {cycles = 2 : i64, ii = 2 : i64, latency = 0 : i64, need = 0 : i64}, strides = array<i64: 1, 1>} : (!stream.channel<tensor<4x2xf32>, 1 : i64>) -> !stream.channel<tensor<4x1xf32>, 1 : i64>
    %78 = "stream.fifo"(%77) {depth = 2 : i64} : (!stream.channel<tensor<4x1xf32>, 1 : i64>) -> !stream.channel<tensor<4x1xf32>, 1 : i64>
    %79 = "stream.reshape"(%78) : (!stream.channel<tensor<4x1xf32>, 1 : i64>) -> !stream.channel<tensor<4xf32>, 1 : i64>
    %80 = "stream.store"(%54) {stream.timing = {cycles = 1 : i64, ii = 1 : i64, latency = 1 : i64, need = 1 : i64}} : (!stream.channel<tensor<4xf32>, 1 : i64>) -> tensor<4xf32>
    %81 = builtin.unrealized_conversion_cast %80 : tensor<4xf32> to !torch.vtensor<[4],f32>
    %82 = "stream.store"(%76) {stream.timing = {cycles = 1 : i64, ii = 1 : i64, latency = 1 : i64, need = 1 : i64}} : (!stream.channel<tensor<4xf32>, 1 : i64>) -> tensor<4xf32>
    %83 = builtin.unrealized_conversion_cast %82 : tensor<4xf32> to !torch.vtensor<[4],f32>
    %84 = "stream.store"(%79) {stream.timing = {cycles = 1 : i64, ii = 1 : i64, latency = 1 : i64, need = 1 : i64}} : (!stream.channel<tensor<4xf32>, 1 : i64>) -> tensor<4xf32>
    %85 = builtin.unrealized_conversion_cast %84 : tensor<4xf32> to !torch.vtensor<[4],f32>
    return %81, %83, %85 : !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>, !torch.vtensor<[4],f32>
  }
}
