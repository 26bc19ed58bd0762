func.func @main(%x: !torch.vtensor<[4,2],f32>) -> !torch.vtensor<[4,2],f32> {
  %0 = torch.aten.sin %x : !torch.vtensor<[4,2],f32> -> !torch.vtensor<[4,2],f32>
  return %0 : !torch.vtensor<[4,2],f32>
}
