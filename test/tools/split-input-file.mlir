// RUN: inrarch-opt %s --split-input-file | FileCheck %s
// RUN: not inrarch-opt %s 2>&1 | FileCheck %s --check-prefix=WHOLE

// Each chunk is parsed on its own: two functions named @f do not clash, and
// the chunks are printed separated by the split marker.

// CHECK-LABEL: func.func @f
// CHECK-SAME: tensor<4x8xf32>
// CHECK: // -----
// CHECK-LABEL: func.func @f
// CHECK-SAME: tensor<2x3xf32>
// WHOLE: split-input-file.mlir:{{[0-9]+}}:{{[0-9]+}}: error: redefinition of symbol named 'f'
func.func @f(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  return %x : tensor<4x8xf32>
}

// -----

func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  return %x : tensor<2x3xf32>
}
