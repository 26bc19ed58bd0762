// One broken stream.repeat / stream.subsample rule per chunk.

func.func @repeat_rows(%x: tensor<2x3xf32>) -> tensor<6x3xf32> {
  %0 = "stream.load"(%x) : (tensor<2x3xf32>) -> !stream.channel<tensor<2x3xf32>, 1 : i64>
  // expected-error @+1 {{'stream.repeat' op 2 samples repeated 4 times make 8, but the output has 6}}
  %1 = "stream.repeat"(%0) {times = 4 : i64} : (!stream.channel<tensor<2x3xf32>, 1 : i64>) -> !stream.channel<tensor<6x3xf32>, 1 : i64>
  %2 = "stream.store"(%1) : (!stream.channel<tensor<6x3xf32>, 1 : i64>) -> tensor<6x3xf32>
  return %2 : tensor<6x3xf32>
}

// -----

func.func @repeat_lanes(%x: tensor<2x4xf32>) -> tensor<4x4xf32> {
  %0 = "stream.load"(%x) : (tensor<2x4xf32>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  // expected-error @+1 {{'stream.repeat' op repeat: lanes 1 in but 2 out; words are copied whole}}
  %1 = "stream.repeat"(%0) {times = 2 : i64} : (!stream.channel<tensor<2x4xf32>, 1 : i64>) -> !stream.channel<tensor<4x4xf32>, 2 : i64>
  %2 = "stream.store"(%1) : (!stream.channel<tensor<4x4xf32>, 2 : i64>) -> tensor<4x4xf32>
  return %2 : tensor<4x4xf32>
}

// -----

func.func @subsample_offset(%x: tensor<8x3xf32>) -> tensor<4x3xf32> {
  %0 = "stream.load"(%x) : (tensor<8x3xf32>) -> !stream.channel<tensor<8x3xf32>, 1 : i64>
  // expected-error @+1 {{'stream.subsample' op stride = 2, offset = 2; expected stride >= 1 and 0 <= offset < stride}}
  %1 = "stream.subsample"(%0) {stride = 2 : i64, offset = 2 : i64} : (!stream.channel<tensor<8x3xf32>, 1 : i64>) -> !stream.channel<tensor<4x3xf32>, 1 : i64>
  %2 = "stream.store"(%1) : (!stream.channel<tensor<4x3xf32>, 1 : i64>) -> tensor<4x3xf32>
  return %2 : tensor<4x3xf32>
}

// -----

func.func @subsample_batch(%x: tensor<6x3xf32>) -> tensor<1x3xf32> {
  %0 = "stream.load"(%x) : (tensor<6x3xf32>) -> !stream.channel<tensor<6x3xf32>, 1 : i64>
  // expected-error @+1 {{'stream.subsample' op every 4-th of 6 samples makes 1.5, but the output has 1; the batch must be a multiple of the stride}}
  %1 = "stream.subsample"(%0) {stride = 4 : i64, offset = 0 : i64} : (!stream.channel<tensor<6x3xf32>, 1 : i64>) -> !stream.channel<tensor<1x3xf32>, 1 : i64>
  %2 = "stream.store"(%1) : (!stream.channel<tensor<1x3xf32>, 1 : i64>) -> tensor<1x3xf32>
  return %2 : tensor<1x3xf32>
}
