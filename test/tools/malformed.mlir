// RUN: not inrarch-opt %s 2>&1 | FileCheck %s
// RUN: not inrarch-opt %s --nonexistent-pass 2>&1 | FileCheck %s --check-prefix=PASS
// RUN: not inrarch-opt %s.missing 2>&1 | FileCheck %s --check-prefix=MISSING

// A syntax error is one located diagnostic, exit 1, no traceback.

// CHECK: malformed.mlir:10:33: error:
// CHECK-NOT: Traceback
// PASS: inrarch-opt: error: 'nonexistent-pass' does not refer to a registered pass
func.func @f(%x: tensor<4x8xf32> -> tensor<4x8xf32> {
  return %x : tensor<4x8xf32>
}
// MISSING: inrarch-opt: error: cannot open '{{.*}}malformed.mlir.missing': no such file
