func.func @f(%x: tensor<4x6xf32>) -> tensor<4x6xf32> {
  %0 = "stream.load"(%x) : (tensor<4x6xf32>) -> !stream.channel<tensor<4x6xf32>, 4 : i64>
  %1 = "stream.store"(%0) : (!stream.channel<tensor<4x6xf32>, 4 : i64>) -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}
