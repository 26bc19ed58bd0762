// RUN: inrarch-opt %s --split-input-file --verify-diagnostics

// One broken verifier rule per chunk.

func.func @depth_zero(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  // expected-error @+1 {{'stream.fifo' op depth must be >= 1, got 0}}
  %1 = "stream.fifo"(%0) {depth = 0 : i64} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %2 = "stream.store"(%1) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  return %2 : tensor<4x8xf32>
}

// -----

func.func @two_consumers(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  // expected-error @+1 {{'stream.load' op result #0 has 2 consumers; expected exactly 1: insert a stream.fork}}
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %1 = "stream.store"(%0) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  %2 = "stream.store"(%0) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  return %1, %2 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

func.func @no_consumer(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'stream.load' op result #0 has no consumer}}
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  return
}

// -----

func.func @fifo_type_mismatch(%x: tensor<4x8xf32>) -> tensor<4x8xf16> {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  // expected-error @+1 {{'stream.fifo' op input type !stream.channel<tensor<4x8xf32>, 1 : i64> does not match output type !stream.channel<tensor<4x8xf16>, 1 : i64>}}
  %1 = "stream.fifo"(%0) {depth = 2 : i64} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf16>, 1 : i64>
  %2 = "stream.store"(%1) : (!stream.channel<tensor<4x8xf16>, 1 : i64>) -> tensor<4x8xf16>
  return %2 : tensor<4x8xf16>
}

// -----

func.func @matmul_shape_mismatch(%x: tensor<4x8xf32>, %w: tensor<7x16xf32>) -> tensor<4x16xf32> {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %1 = "stream.weights"(%w) : (tensor<7x16xf32>) -> !stream.buffer<tensor<7x16xf32>>
  // expected-error @+1 {{'stream.matmul' op input has 8 features but the weight [7, 16] expects 7}}
  %2 = "stream.matmul"(%0, %1) : (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.buffer<tensor<7x16xf32>>) -> !stream.channel<tensor<4x16xf32>, 1 : i64>
  %3 = "stream.store"(%2) : (!stream.channel<tensor<4x16xf32>, 1 : i64>) -> tensor<4x16xf32>
  return %3 : tensor<4x16xf32>
}

// -----

func.func @matmul_element_mismatch(%x: tensor<4x8xf32>, %w: tensor<8x16xf16>) -> tensor<4x16xf32> {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %1 = "stream.weights"(%w) : (tensor<8x16xf16>) -> !stream.buffer<tensor<8x16xf16>>
  // expected-error @+1 {{'stream.matmul' op weight: element type f32 does not match f16}}
  %2 = "stream.matmul"(%0, %1) : (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.buffer<tensor<8x16xf16>>) -> !stream.channel<tensor<4x16xf32>, 1 : i64>
  %3 = "stream.store"(%2) : (!stream.channel<tensor<4x16xf32>, 1 : i64>) -> tensor<4x16xf32>
  return %3 : tensor<4x16xf32>
}

// -----

func.func @map_region_arity(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  // expected-error @+1 {{'stream.map' op region has 2 arguments but the op has 1 inputs}}
  %1 = "stream.map"(%0) ({
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    "stream.yield"(%s) : (f32) -> ()
  }) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %2 = "stream.store"(%1) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  return %2 : tensor<4x8xf32>
}

// -----

func.func @map_region_types(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  // expected-error @+1 {{'stream.map' op region argument #0 has type f16 but input #0 streams f32}}
  %1 = "stream.map"(%0) ({
  ^bb0(%a: f16):
    %s = arith.extf %a : f16 to f32
    "stream.yield"(%s) : (f32) -> ()
  }) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %2 = "stream.store"(%1) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  return %2 : tensor<4x8xf32>
}

// -----

func.func @map_yield_type(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  // expected-error @+1 {{'stream.map' op region yields (f16) but the output streams f32}}
  %1 = "stream.map"(%0) ({
  ^bb0(%a: f32):
    %s = arith.truncf %a : f32 to f16
    "stream.yield"(%s) : (f16) -> ()
  }) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %2 = "stream.store"(%1) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  return %2 : tensor<4x8xf32>
}

// -----

func.func @map_shape_mismatch(%x: tensor<4x8xf32>) -> tensor<4x4xf32> {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  // expected-error @+1 {{'stream.map' op input #0 has shape [4, 8] but the output has [4, 4]}}
  %1 = "stream.map"(%0) ({
  ^bb0(%a: f32):
    "stream.yield"(%a) : (f32) -> ()
  }) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x4xf32>, 1 : i64>
  %2 = "stream.store"(%1) : (!stream.channel<tensor<4x4xf32>, 1 : i64>) -> tensor<4x4xf32>
  return %2 : tensor<4x4xf32>
}

// -----

func.func @lanes_do_not_divide(%x: tensor<4x6xf32>) -> tensor<4x6xf32> {
  // expected-error @+1 {{'stream.load' op result #0: lanes = 4 does not divide the row length 6; declare padding with #stream.padded<4 : i64>}}
  %0 = "stream.load"(%x) : (tensor<4x6xf32>) -> !stream.channel<tensor<4x6xf32>, 4 : i64>
  %1 = "stream.store"(%0) : (!stream.channel<tensor<4x6xf32>, 4 : i64>) -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// -----

func.func @store_type_mismatch(%x: tensor<4x6xf32>) -> tensor<4x5xf32> {
  %0 = "stream.load"(%x) : (tensor<4x6xf32>) -> !stream.channel<tensor<4x6xf32>, 1 : i64>
  // expected-error @+1 {{'stream.store' op stores a channel of tensor<4x6xf32> into tensor<4x5xf32>}}
  %1 = "stream.store"(%0) : (!stream.channel<tensor<4x6xf32>, 1 : i64>) -> tensor<4x5xf32>
  return %1 : tensor<4x5xf32>
}

// -----

func.func @reduce_bad_dim(%x: tensor<4x6xf32>) -> tensor<1x6xf32> {
  %0 = "stream.load"(%x) : (tensor<4x6xf32>) -> !stream.channel<tensor<4x6xf32>, 1 : i64>
  // expected-error @+1 {{'stream.reduce' op dims [2] must be distinct dims in [0, 1]}}
  %1 = "stream.reduce"(%0) {dims = array<i64: 2>} : (!stream.channel<tensor<4x6xf32>, 1 : i64>) -> !stream.channel<tensor<1x6xf32>, 1 : i64>
  %2 = "stream.store"(%1) : (!stream.channel<tensor<1x6xf32>, 1 : i64>) -> tensor<1x6xf32>
  return %2 : tensor<1x6xf32>
}

// -----

func.func @transpose_not_a_permutation(%x: tensor<4x6xf32>) -> tensor<6x4xf32> {
  %0 = "stream.load"(%x) : (tensor<4x6xf32>) -> !stream.channel<tensor<4x6xf32>, 1 : i64>
  // expected-error @+1 {{'stream.transpose' op perm [1, 1] is not a permutation of the 2 dims}}
  %1 = "stream.transpose"(%0) {perm = array<i64: 1, 1>} : (!stream.channel<tensor<4x6xf32>, 1 : i64>) -> !stream.channel<tensor<6x4xf32>, 1 : i64>
  %2 = "stream.store"(%1) : (!stream.channel<tensor<6x4xf32>, 1 : i64>) -> tensor<6x4xf32>
  return %2 : tensor<6x4xf32>
}

// -----

func.func @transpose_wrong_shape(%x: tensor<4x6xf32>) -> tensor<4x6xf32> {
  %0 = "stream.load"(%x) : (tensor<4x6xf32>) -> !stream.channel<tensor<4x6xf32>, 1 : i64>
  // expected-error @+1 {{'stream.transpose' op output shape [4, 6] does not match expected [6, 4]}}
  %1 = "stream.transpose"(%0) {perm = array<i64: 1, 0>} : (!stream.channel<tensor<4x6xf32>, 1 : i64>) -> !stream.channel<tensor<4x6xf32>, 1 : i64>
  %2 = "stream.store"(%1) : (!stream.channel<tensor<4x6xf32>, 1 : i64>) -> tensor<4x6xf32>
  return %2 : tensor<4x6xf32>
}

// -----

func.func @matmul_streamed_weight_transposed(%x: tensor<4x6xf32>, %w: tensor<6x3xf32>) -> tensor<4x3xf32> {
  %0 = "stream.load"(%x) : (tensor<4x6xf32>) -> !stream.channel<tensor<4x6xf32>, 1 : i64>
  %1 = "stream.load"(%w) : (tensor<6x3xf32>) -> !stream.channel<tensor<6x3xf32>, 1 : i64>
  // expected-error @+1 {{'stream.matmul' op a streamed weight cannot be transposed; stream it as [K, N]}}
  %2 = "stream.matmul"(%0, %1) {transpose_w = true} : (!stream.channel<tensor<4x6xf32>, 1 : i64>, !stream.channel<tensor<6x3xf32>, 1 : i64>) -> !stream.channel<tensor<4x3xf32>, 1 : i64>
  %3 = "stream.store"(%2) : (!stream.channel<tensor<4x3xf32>, 1 : i64>) -> tensor<4x3xf32>
  return %3 : tensor<4x3xf32>
}

// -----

func.func @broadcast_batch_not_one(%x: tensor<2x6xf32>) -> tensor<4x6xf32> {
  %0 = "stream.load"(%x) : (tensor<2x6xf32>) -> !stream.channel<tensor<2x6xf32>, 1 : i64>
  // expected-error @+1 {{'stream.broadcast' op cannot broadcast a channel of [2, 6] to [4, 6]: same rank and batch (or a batch of 1) required}}
  %1 = "stream.broadcast"(%0) : (!stream.channel<tensor<2x6xf32>, 1 : i64>) -> !stream.channel<tensor<4x6xf32>, 1 : i64>
  %2 = "stream.store"(%1) : (!stream.channel<tensor<4x6xf32>, 1 : i64>) -> tensor<4x6xf32>
  return %2 : tensor<4x6xf32>
}

// -----

func.func @slice_out_of_bounds(%x: tensor<4x6xf32>) -> tensor<4x3xf32> {
  %0 = "stream.load"(%x) : (tensor<4x6xf32>) -> !stream.channel<tensor<4x6xf32>, 1 : i64>
  // expected-error @+1 {{'stream.slice' op dim 1: offset 4, size 3, stride 1 is out of bounds for size 6}}
  %1 = "stream.slice"(%0) {offsets = array<i64: 0, 4>, sizes = array<i64: 4, 3>, strides = array<i64: 1, 1>} : (!stream.channel<tensor<4x6xf32>, 1 : i64>) -> !stream.channel<tensor<4x3xf32>, 1 : i64>
  %2 = "stream.store"(%1) : (!stream.channel<tensor<4x3xf32>, 1 : i64>) -> tensor<4x3xf32>
  return %2 : tensor<4x3xf32>
}

// -----

func.func @concat_sizes(%x: tensor<4x1xf32>, %y: tensor<4x1xf32>) -> tensor<4x3xf32> {
  %0 = "stream.load"(%x) : (tensor<4x1xf32>) -> !stream.channel<tensor<4x1xf32>, 1 : i64>
  %1 = "stream.load"(%y) : (tensor<4x1xf32>) -> !stream.channel<tensor<4x1xf32>, 1 : i64>
  // expected-error @+1 {{'stream.concat' op inputs add up to 2 along dim 1 but the output has 3}}
  %2 = "stream.concat"(%0, %1) {dim = 1 : i64} : (!stream.channel<tensor<4x1xf32>, 1 : i64>, !stream.channel<tensor<4x1xf32>, 1 : i64>) -> !stream.channel<tensor<4x3xf32>, 1 : i64>
  %3 = "stream.store"(%2) : (!stream.channel<tensor<4x3xf32>, 1 : i64>) -> tensor<4x3xf32>
  return %3 : tensor<4x3xf32>
}

// -----

func.func @broadcast_bad(%b: tensor<5xf32>) -> tensor<4x6xf32> {
  %0 = "stream.weights"(%b) : (tensor<5xf32>) -> !stream.buffer<tensor<5xf32>>
  // expected-error @+1 {{'stream.broadcast' op cannot broadcast a buffer of [5] to samples of [6]}}
  %1 = "stream.broadcast"(%0) : (!stream.buffer<tensor<5xf32>>) -> !stream.channel<tensor<4x6xf32>, 1 : i64>
  %2 = "stream.store"(%1) : (!stream.channel<tensor<4x6xf32>, 1 : i64>) -> tensor<4x6xf32>
  return %2 : tensor<4x6xf32>
}

// -----

func.func @reshape_elements(%x: tensor<4x6xf32>) -> tensor<4x5xf32> {
  %0 = "stream.load"(%x) : (tensor<4x6xf32>) -> !stream.channel<tensor<4x6xf32>, 1 : i64>
  // expected-error @+1 {{'stream.reshape' op cannot reshape [4, 6] to [4, 5]: batch and elements per sample must match}}
  %1 = "stream.reshape"(%0) : (!stream.channel<tensor<4x6xf32>, 1 : i64>) -> !stream.channel<tensor<4x5xf32>, 1 : i64>
  %2 = "stream.store"(%1) : (!stream.channel<tensor<4x5xf32>, 1 : i64>) -> tensor<4x5xf32>
  return %2 : tensor<4x5xf32>
}

// -----

func.func @not_a_channel(%x: tensor<4x6xf32>) -> tensor<4x6xf32> {
  // expected-error @+1 {{expected base type 'stream.channel' but got 'builtin.tensor'}}
  %0 = "stream.fifo"(%x) {depth = 2 : i64} : (tensor<4x6xf32>) -> !stream.channel<tensor<4x6xf32>, 1 : i64>
  %1 = "stream.store"(%0) : (!stream.channel<tensor<4x6xf32>, 1 : i64>) -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// -----

func.func @weights_view_out_of_bounds(%w: tensor<8x2xf32>, %x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'stream.weights' op view reads element 17 of a source with 16 elements}}
  %0 = "stream.weights"(%w) {offset = 3 : i64, strides = array<i64: 0, 2>} : (tensor<8x2xf32>) -> !stream.buffer<tensor<1x8xf32>>
  %1 = "stream.broadcast"(%0) : (!stream.buffer<tensor<1x8xf32>>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %2 = "stream.store"(%1) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  return %2 : tensor<4x8xf32>
}

// -----

func.func @jet_unroll_not_a_divisor(%x: tensor<2x8xf32>) -> tensor<2x2x8xf32> {
  %0 = "stream.load"(%x) : (tensor<2x8xf32>) -> !stream.channel<tensor<2x8xf32>, 4 : i64>
  %1 = "stream.reshape"(%0) : (!stream.channel<tensor<2x8xf32>, 4 : i64>) -> !stream.channel<tensor<2x1x8xf32>, 4 : i64>
  // expected-error @+1 {{'stream.jet' op unroll 3 must be a positive divisor of the lanes (4)}}
  %2 = "stream.jet"(%1) ({
  ^bb0(%a: f32):
    %s = math.sin %a : f32
    "stream.yield"(%s, %a) : (f32, f32) -> ()
  }) {unroll = 3 : i64} : (!stream.channel<tensor<2x1x8xf32>, 4 : i64>) -> !stream.channel<tensor<2x2x8xf32>, 4 : i64>
  %3 = "stream.store"(%2) : (!stream.channel<tensor<2x2x8xf32>, 4 : i64>) -> tensor<2x2x8xf32>
  return %3 : tensor<2x2x8xf32>
}

// -----

func.func @jet_ii_below_one(%x: tensor<2x8xf32>) -> tensor<2x2x8xf32> {
  %0 = "stream.load"(%x) : (tensor<2x8xf32>) -> !stream.channel<tensor<2x8xf32>, 1 : i64>
  %1 = "stream.reshape"(%0) : (!stream.channel<tensor<2x8xf32>, 1 : i64>) -> !stream.channel<tensor<2x1x8xf32>, 1 : i64>
  // expected-error @+1 {{'stream.jet' op ii 0 must be >= 1}}
  %2 = "stream.jet"(%1) ({
  ^bb0(%a: f32):
    %s = math.sin %a : f32
    "stream.yield"(%s, %a) : (f32, f32) -> ()
  }) {ii = 0 : i64} : (!stream.channel<tensor<2x1x8xf32>, 1 : i64>) -> !stream.channel<tensor<2x2x8xf32>, 1 : i64>
  %3 = "stream.store"(%2) : (!stream.channel<tensor<2x2x8xf32>, 1 : i64>) -> tensor<2x2x8xf32>
  return %3 : tensor<2x2x8xf32>
}

// -----

func.func @jet_ii_with_many_functors(%x: tensor<2x8xf32>) -> tensor<2x2x8xf32> {
  %0 = "stream.load"(%x) : (tensor<2x8xf32>) -> !stream.channel<tensor<2x8xf32>, 4 : i64>
  %1 = "stream.reshape"(%0) : (!stream.channel<tensor<2x8xf32>, 4 : i64>) -> !stream.channel<tensor<2x1x8xf32>, 4 : i64>
  // expected-error @+1 {{'stream.jet' op ii 2 > 1 needs one functor instance (unroll = 1), got 4}}
  %2 = "stream.jet"(%1) ({
  ^bb0(%a: f32):
    %s = math.sin %a : f32
    "stream.yield"(%s, %a) : (f32, f32) -> ()
  }) {ii = 2 : i64} : (!stream.channel<tensor<2x1x8xf32>, 4 : i64>) -> !stream.channel<tensor<2x2x8xf32>, 4 : i64>
  %3 = "stream.store"(%2) : (!stream.channel<tensor<2x2x8xf32>, 4 : i64>) -> tensor<2x2x8xf32>
  return %3 : tensor<2x2x8xf32>
}
