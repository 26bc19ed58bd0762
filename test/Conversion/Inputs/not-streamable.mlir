// Error and warning cases of convert-torch-to-stream (driven from
// ../convert-torch-to-stream.mlir). Ops that combine samples are lowered
// (as barrier kernels) with a warning naming each of them.

func.func @batch_matmul(%x: !torch.vtensor<[4,2],f32>) -> !torch.vtensor<[4,4],f32> {
  %int0 = torch.constant.int 0
  %int1 = torch.constant.int 1
  %perm = torch.prim.ListConstruct %int1, %int0 : (!torch.int, !torch.int) -> !torch.list<int>
  // expected-warning @+1 {{permutes the batch dimension: this forces whole-tensor buffering (not batch-streamable); lowered as a barrier kernel}}
  %xt = torch.aten.permute %x, %perm : !torch.vtensor<[4,2],f32>, !torch.list<int> -> !torch.vtensor<[2,4],f32>
  // expected-warning @+1 {{multiplies two batch-dependent tensors: this forces whole-tensor buffering}}
  %mm = torch.aten.mm %x, %xt : !torch.vtensor<[4,2],f32>, !torch.vtensor<[2,4],f32> -> !torch.vtensor<[4,4],f32>
  return %mm : !torch.vtensor<[4,4],f32>
}

// -----

func.func @batch_sum(%x: !torch.vtensor<[4,2],f32>) -> !torch.vtensor<[2],f32> {
  %int0 = torch.constant.int 0
  %false = torch.constant.bool false
  %none = torch.constant.none
  %dims = torch.prim.ListConstruct %int0 : (!torch.int) -> !torch.list<int>
  // expected-warning @+1 {{sums over the batch dimension: this forces whole-tensor buffering}}
  %s = torch.aten.sum.dim_IntList %x, %dims, %false, %none : !torch.vtensor<[4,2],f32>, !torch.list<int>, !torch.bool, !torch.none -> !torch.vtensor<[2],f32>
  return %s : !torch.vtensor<[2],f32>
}

// -----

func.func @unsupported(%x: !torch.vtensor<[4,2],f32>) -> !torch.vtensor<[4,2],f32> {
  // expected-error @+1 {{unsupported op 'torch.aten.erf' on a batch-dependent tensor}}
  %e = torch.aten.erf %x : !torch.vtensor<[4,2],f32> -> !torch.vtensor<[4,2],f32>
  return %e : !torch.vtensor<[4,2],f32>
}

// -----

func.func @computed_weight(%x: !torch.vtensor<[4,8],f32>, %w: !torch.vtensor<[8],f32>) -> !torch.vtensor<[4,8],f32> {
  %f = torch.constant.float 3.000000e+01
  // expected-error @+1 {{weight expression uses 'torch.aten.mul.Scalar'; only views of weights}}
  %s = torch.aten.mul.Scalar %w, %f : !torch.vtensor<[8],f32>, !torch.float -> !torch.vtensor<[8],f32>
  %m = torch.aten.mul.Tensor %x, %s : !torch.vtensor<[4,8],f32>, !torch.vtensor<[8],f32> -> !torch.vtensor<[4,8],f32>
  return %m : !torch.vtensor<[4,8],f32>
}
