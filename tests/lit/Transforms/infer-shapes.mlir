// RUN: kiln-opt %s --split-input-file --kiln-infer-shapes | FileCheck %s

// Broadcasting fixes a size the declared result left open; the dynamic
// batch dimension stays dynamic, and the signature follows.
// CHECK-LABEL: func.func @broadcast
// CHECK-SAME: -> tensor<8x10xf32>
func.func @broadcast(%a: tensor<?x10xf32>, %b: tensor<8x1xf32>) -> tensor<?x10xf32> {
  // CHECK: kiln.add %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<8x1xf32>) -> tensor<8x10xf32>
  %0 = kiln.add %a, %b : (tensor<?x10xf32>, tensor<8x1xf32>) -> tensor<?x10xf32>
  // CHECK: kiln.relu %{{.*}} : tensor<8x10xf32>
  %1 = kiln.relu %0 : tensor<?x10xf32>
  // CHECK: return %{{.*}} : tensor<8x10xf32>
  return %1 : tensor<?x10xf32>
}

// -----

// A chain through several op families refines step by step.
// CHECK-LABEL: func.func @chain
func.func @chain(%x: tensor<16x1x28x28xf32>, %w: tensor<8x1x3x3xf32>,
                 %fc: tensor<10x1568xf32>) -> tensor<?x?xf32> {
  // CHECK: kiln.conv2d {{.*}} -> tensor<16x8x28x28xf32>
  %0 = kiln.conv2d %x, %w {padding = array<i64: 1, 1>} : (tensor<16x1x28x28xf32>, tensor<8x1x3x3xf32>) -> tensor<?x8x28x28xf32>
  // CHECK: kiln.max_pool2d {{.*}} -> tensor<16x8x14x14xf32>
  %1 = kiln.max_pool2d %0 {kernel = array<i64: 2, 2>} : (tensor<?x8x28x28xf32>) -> tensor<?x8x14x14xf32>
  // CHECK: kiln.flatten {{.*}} -> tensor<16x1568xf32>
  %2 = kiln.flatten %1 : (tensor<?x8x14x14xf32>) -> tensor<?x1568xf32>
  // CHECK: kiln.dense {{.*}} -> tensor<16x10xf32>
  %3 = kiln.dense %2, %fc : (tensor<?x1568xf32>, tensor<10x1568xf32>) -> tensor<?x?xf32>
  return %3 : tensor<?x?xf32>
}

// -----

// A user outside the kiln dialect keeps the type it was written against.
// CHECK-LABEL: func.func @foreign_user
func.func @foreign_user(%a: tensor<4xf32>) -> tensor<?xf32> {
  // CHECK: %[[SUM:.+]] = kiln.add %{{.*}}, %{{.*}} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %0 = kiln.add %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<?xf32>
  // CHECK: %[[CAST:.+]] = tensor.cast %[[SUM]] : tensor<4xf32> to tensor<?xf32>
  // CHECK: tensor.dim %[[CAST]]
  %c0 = arith.constant 0 : index
  %d = tensor.dim %0, %c0 : tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// A function with callers keeps its signature; its body is still refined.
// CHECK-LABEL: func.func @callee
// CHECK-SAME: -> tensor<?xf32>
func.func @callee(%a: tensor<4xf32>) -> tensor<?xf32> {
  // CHECK: kiln.sub %{{.*}}, %{{.*}} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %0 = kiln.exp %a : tensor<4xf32>
  %1 = kiln.sub %0, %0 : (tensor<4xf32>, tensor<4xf32>) -> tensor<?xf32>
  // CHECK: %[[CAST:.+]] = tensor.cast
  // CHECK: return %[[CAST]] : tensor<?xf32>
  return %1 : tensor<?xf32>
}
func.func @caller(%a: tensor<4xf32>) -> tensor<?xf32> {
  %0 = func.call @callee(%a) : (tensor<4xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Nothing to refine: the pass leaves dynamic sizes it cannot prove alone.
// CHECK-LABEL: func.func @unchanged
// CHECK: kiln.sum %{{.*}} {axes = array<i64: 1>} : (tensor<?x?xf32>) -> tensor<?xf32>
// CHECK: return %{{.*}} : tensor<?xf32>
func.func @unchanged(%a: tensor<?x?xf32>) -> tensor<?xf32> {
  %0 = kiln.sum %a {axes = array<i64: 1>} : (tensor<?x?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
