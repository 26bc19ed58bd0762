// The last chunk is an error case, so the plain runs exit 1 (`not`) after
// printing the chunks that verify.
// RUN: not inrarch-opt %s --split-input-file --stream-insert-forks | FileCheck %s
// RUN: not inrarch-opt %s --split-input-file --stream-insert-forks | inrarch-opt --split-input-file --stream-insert-forks | FileCheck %s
// RUN: inrarch-opt %s --split-input-file --verify-diagnostics --stream-insert-forks > /dev/null

// A channel read twice gets one fork with two outputs; the implicit-forks
// marker is dropped so the strict verifier applies afterwards.

// CHECK-LABEL: func.func @fanout
// CHECK-NOT: stream.implicit_forks
// CHECK: %[[L:.*]] = "stream.load"
// CHECK-NEXT: %[[F:.*]]:2 = "stream.fork"(%[[L]])
// CHECK: "stream.store"(%[[F]]#0)
// CHECK: "stream.store"(%[[F]]#1)
func.func @fanout(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) attributes {stream.implicit_forks} {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %1 = "stream.store"(%0) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  %2 = "stream.store"(%0) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  return %1, %2 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Must not fire: every channel already has one consumer.

// CHECK-LABEL: func.func @single_use
// CHECK-NOT: stream.fork
// CHECK: return
func.func @single_use(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %1 = "stream.store"(%0) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  return %1 : tensor<4x8xf32>
}

// -----

// A fork of a fork collapses into one fork with three outputs.

// CHECK-LABEL: func.func @fork_tree
// CHECK: %[[L:.*]] = "stream.load"
// CHECK-NEXT: %[[F:.*]]:3 = "stream.fork"(%[[L]])
// CHECK-NOT: "stream.fork"
// CHECK: "stream.store"(%[[F]]#0)
// CHECK: "stream.store"(%[[F]]#1)
// CHECK: "stream.store"(%[[F]]#2)
func.func @fork_tree(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %1:2 = "stream.fork"(%0) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.channel<tensor<4x8xf32>, 1 : i64>)
  %2:2 = "stream.fork"(%1#1) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> (!stream.channel<tensor<4x8xf32>, 1 : i64>, !stream.channel<tensor<4x8xf32>, 1 : i64>)
  %3 = "stream.store"(%1#0) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  %4 = "stream.store"(%2#0) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  %5 = "stream.store"(%2#1) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  return %3, %4, %5 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Error case: fan-out outside a function marked stream.implicit_forks is
// rejected before the pass can run.

func.func @unmarked(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  // expected-error @+1 {{has 2 consumers; expected exactly 1}}
  %0 = "stream.load"(%x) : (tensor<4x8xf32>) -> !stream.channel<tensor<4x8xf32>, 1 : i64>
  %1 = "stream.store"(%0) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  %2 = "stream.store"(%0) : (!stream.channel<tensor<4x8xf32>, 1 : i64>) -> tensor<4x8xf32>
  return %1, %2 : tensor<4x8xf32>, tensor<4x8xf32>
}
