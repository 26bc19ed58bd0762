func.func @f(%x: tensor<100000000x8xf32>) -> tensor<100000000x8xf32> {
  %0 = "stream.load"(%x) : (tensor<100000000x8xf32>) -> !stream.channel<tensor<100000000x8xf32>, 1 : i64>
  %1 = "stream.fifo"(%0) {depth = 2 : i64} : (!stream.channel<tensor<100000000x8xf32>, 1 : i64>) -> !stream.channel<tensor<100000000x8xf32>, 1 : i64>
  %2 = "stream.store"(%1) : (!stream.channel<tensor<100000000x8xf32>, 1 : i64>) -> tensor<100000000x8xf32>
  return %2 : tensor<100000000x8xf32>
}
