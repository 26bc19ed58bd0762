func.func @f(%x: tensor<4x8xf32>, %w: tensor<7x16xf32>) -> tensor<4x16xf32> {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %1 = "stream.weights"(%w) : (tensor<7x16xf32>) -> !stream.buffer<tensor<7x16xf32>>
  %2 = "stream.matmul"(%0, %1) {macs = 1 : i64, transpose_w = false} : (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.buffer<tensor<7x16xf32>>) -> !stream.channel<tensor<4x16xf32>, 1 : i64>
  %3 = "stream.store"(%2) : (!stream.channel<tensor<4x16xf32>, 1 : i64>) -> tensor<4x16xf32>
  return %3 : tensor<4x16xf32>
}
