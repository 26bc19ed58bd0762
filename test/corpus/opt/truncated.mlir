func.func @f(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %1 