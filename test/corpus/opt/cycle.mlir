func.func @f(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %1 = "stream.map"(%0, %2) ({
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    "stream.yield"(%s) : (f32) -> ()
  }) : (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %2 = "stream.fifo"(%1) {depth = 2 : i64} : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  return %x : tensor<4x8xf32>
}
