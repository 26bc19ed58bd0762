func.func @bypass_too_shallow(%x: tensor<2x4xf32>, %w: tensor<4x4xf32>) -> tensor<2x4xf32> {
  %0 = "stream.load"(%x) : (tensor<2x4xf32>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %1:2 = "stream.fork"(%0) : (!stream.channel<tensor<2x4xf32>, 1 : i64>) -> (!stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.channel<tensor<2x4xf32>, 1 : i64>)
  %2 = "stream.weights"(%w) : (tensor<4x4xf32>) -> !stream.buffer<tensor<4x4xf32>>
  %3 = "stream.matmul"(%1#0, %2) : (!stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.buffer<tensor<4x4xf32>>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %4 = "stream.fifo"(%1#1) {depth = 3 : i64} : (!stream.channel<tensor<2x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %5 = "stream.map"(%3, %4) ({
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    "stream.yield"(%s) : (f32) -> ()
  }) : (!stream.channel<tensor<2x4xf32>, 1 : i64>, !stream.channel<tensor<2x4xf32>, 1 : i64>) -> !stream.channel<tensor<2x4xf32>, 1 : i64>
  %6 = "stream.store"(%5) : (!stream.channel<tensor<2x4xf32>, 1 : i64>) -> tensor<2x4xf32>
  return %6 : tensor<2x4xf32>
}
