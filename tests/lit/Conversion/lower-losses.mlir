// RUN: kiln-opt %s --split-input-file --kiln-lower-losses | FileCheck %s

// Cross-entropy: a stable logsumexp minus the label's logit, then the mean.
// CHECK-LABEL: func.func @cross_entropy
// CHECK: linalg.index 0
// CHECK: arith.index_cast %{{.+}} : i32 to index
// CHECK: tensor.extract
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: math.log
// CHECK: arith.subf
// CHECK: iterator_types = ["reduction"]
// CHECK: arith.divf
func.func @cross_entropy(%x: tensor<?x10xf32>, %l: tensor<?xi32>) -> tensor<f32> {
  %0 = kiln.softmax_cross_entropy %x, %l : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// BCE on logits in its stable form; `none` keeps every element.
// CHECK-LABEL: func.func @bce_logits
// CHECK: math.absf
// CHECK: math.log1p
// CHECK-NOT: iterator_types = ["reduction"
// CHECK: return
func.func @bce_logits(%x: tensor<?x4xf32>, %t: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = kiln.bce_with_logits %x, %t {reduction = #kiln.reduction<none>} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func.func @others
// CHECK: kiln.sum
func.func @others(%x: tensor<4xf32>) -> tensor<f32> {
  %0 = kiln.sum %x : (tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
