// RUN: kiln-opt %s --split-input-file --kiln-lower-reductions | FileCheck %s

// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @sum_keepdims
// CHECK: %[[Z:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<?xf32>)
// CHECK: %[[S:.+]] = linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "reduction"]}{{.*}}outs(%[[Z]] : tensor<?xf32>)
// CHECK: arith.addf
// CHECK: tensor.expand_shape %[[S]] {{\[}}[0, 1]] output_shape [%{{.+}}, 1] : tensor<?xf32> into tensor<?x1xf32>
func.func @sum_keepdims(%x: tensor<?x10xf32>) -> tensor<?x1xf32> {
  %0 = kiln.sum %x {axes = array<i64: 1>, keepdims = true} : (tensor<?x10xf32>) -> tensor<?x1xf32>
  return %0 : tensor<?x1xf32>
}

// -----

// Softmax subtracts the maximum before exponentiating.
// CHECK-LABEL: func.func @softmax
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: arith.maximumf
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
func.func @softmax(%x: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %0 = kiln.softmax %x : tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}

// -----

// argmax keeps the first index of the maximum.
// CHECK-LABEL: func.func @argmax
// CHECK: linalg.generic {{.*}} outs(%{{.+}}, %{{.+}} : tensor<?xf32>, tensor<?xi64>)
// CHECK: linalg.index 1
// CHECK: arith.cmpf ogt
func.func @argmax(%x: tensor<?x10xf32>) -> tensor<?xi64> {
  %0 = kiln.argmax %x {axis = -1} : (tensor<?x10xf32>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

// -----

// A mean over a dynamic dimension divides by its run-time size.
// CHECK-LABEL: func.func @mean
// CHECK: tensor.dim
// CHECK: arith.index_cast
// CHECK: arith.sitofp
// CHECK: arith.divf
func.func @mean(%x: tensor<?x10xf32>) -> tensor<10xf32> {
  %0 = kiln.mean %x {axes = array<i64: 0>} : (tensor<?x10xf32>) -> tensor<10xf32>
  return %0 : tensor<10xf32>
}

// -----

// CHECK-LABEL: func.func @others
// CHECK: kiln.relu
func.func @others(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A sum over N, H and W (a bias gradient): the 196 pixels of a channel are
// one contiguous row, seen as 49 steps of 4 lanes; the lanes accumulate
// over N and the steps, then add up. A short row (the 10 of @sum_keepdims)
// is reduced as it is.
// CHECK-DAG: #[[ALL:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[LANES:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-LABEL: func.func @bias_gradient
// CHECK: %[[ROWS:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0], [1], [2, 3]] : tensor<?x32x14x14xf32> into tensor<?x32x196xf32>
// CHECK: %[[STEPS:.+]] = tensor.expand_shape %[[ROWS]] {{\[}}[0], [1], [2, 3]] output_shape [%{{.+}}, 32, 49, 4] : tensor<?x32x196xf32> into tensor<?x32x49x4xf32>
// CHECK: %[[PARTIAL:.+]] = linalg.generic {indexing_maps = [#[[ALL]], #[[LANES]]], iterator_types = ["reduction", "parallel", "reduction", "parallel"]} ins(%[[STEPS]] : tensor<?x32x49x4xf32>) outs(%{{.+}} : tensor<32x4xf32>)
// CHECK: linalg.generic {{.+}}iterator_types = ["parallel", "reduction"]} ins(%[[PARTIAL]] : tensor<32x4xf32>) outs(%{{.+}} : tensor<32xf32>)
func.func @bias_gradient(%x: tensor<?x32x14x14xf32>) -> tensor<32xf32> {
  %0 = kiln.sum %x {axes = array<i64: 0, 2, 3>} : (tensor<?x32x14x14xf32>) -> tensor<32xf32>
  return %0 : tensor<32xf32>
}
