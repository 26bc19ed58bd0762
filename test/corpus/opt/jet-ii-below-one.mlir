func.func @jet_ii_below_one(%x: tensor<2x8xf32>) -> tensor<2x2x8xf32> {
  %0 = "stream.load"(%x) : (tensor<2x8xf32>) -> !stream.channel<tensor<2x8xf32>, 4 : i64>
  %1 = "stream.reshape"(%0) : (!stream.channel<tensor<2x8xf32>, 4 : i64>) -> !stream.channel<tensor<2x1x8xf32>, 4 : i64>
  %2 = "stream.jet"(%1) ({
  ^bb0(%a: f32):
    %s = math.sin %a : f32
    "stream.yield"(%s, %a) : (f32, f32) -> ()
  }) {ii = 0 : i64} : (!stream.channel<tensor<2x1x8xf32>, 4 : i64>) -> !stream.channel<tensor<2x2x8xf32>, 4 : i64>
  %3 = "stream.store"(%2) : (!stream.channel<tensor<2x2x8xf32>, 4 : i64>) -> tensor<2x2x8xf32>
  return %3 : tensor<2x2x8xf32>
}
