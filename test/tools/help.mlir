// RUN: inrarch-opt --help | FileCheck %s

// --help lists every registered pass with its one-line summary.

// CHECK: usage: inrarch-opt
// CHECK: --split-input-file
// CHECK: --verify-diagnostics
// CHECK: --mlir-print-ir-after-all
// CHECK: passes (inrarch-mlir):
// CHECK: --stream-insert-forks{{ +}}Insert stream.fork where a channel has more than one consumer.
