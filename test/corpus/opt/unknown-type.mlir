func.func @f(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.pipe<tensor<4x8xf32>>
  %1 = "stream.store"(%0) : (!stream.pipe<tensor<4x8xf32>>) -> tensor<4x8xf32>
  return %1 : tensor<4x8xf32>
}
