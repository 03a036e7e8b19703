// RUN: kiln-opt %s --split-input-file --kiln-lower-contractions | FileCheck %s

// A dense layer: the bias broadcast into the rows is the accumulator. With
// fewer than 8 rows (decided when the entry runs) the weight is read where
// it lies, as dot products with 16 partial sums per output; otherwise it is
// transposed and the product reads it row by row.
// CHECK-DAG: #[[BIAS:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[DOTX:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[DOTW:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d3, d2)>
// CHECK-DAG: #[[DOTOUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @dense
// CHECK-SAME: (%[[X:.+]]: tensor<?x784xf32>, %[[W:.+]]: tensor<128x784xf32>, %[[B:.+]]: tensor<128xf32>)
// CHECK: %[[INIT:.+]] = linalg.generic {indexing_maps = [#[[BIAS]], #{{.+}}]{{.*}}ins(%[[B]]
// CHECK: %[[FEW:.+]] = arith.cmpi ult, %{{.+}}, %c8
// CHECK: scf.if %[[FEW]] -> (tensor<?x128xf32>)
// CHECK: %[[XS:.+]] = tensor.expand_shape %[[X]] {{\[}}[0], [1, 2]] output_shape [%{{.+}}, 49, 16]
// CHECK: %[[WS:.+]] = tensor.expand_shape %[[W]] {{\[}}[0], [1, 2]] output_shape [128, 49, 16]
// CHECK: %[[PARTIAL:.+]] = linalg.generic {indexing_maps = [#[[DOTX]], #[[DOTW]], #[[DOTOUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[XS]], %[[WS]] : tensor<?x49x16xf32>, tensor<128x49x16xf32>)
// CHECK: %[[SUMS:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}}ins(%[[PARTIAL]] : tensor<?x128x16xf32>) outs(%[[INIT]] : tensor<?x128xf32>)
// CHECK: scf.yield %[[SUMS]]
// CHECK: } else {
// CHECK: %[[WT:.+]] = linalg.transpose ins(%[[W]] : tensor<128x784xf32>) outs(%{{.+}} : tensor<784x128xf32>) permutation = [1, 0]
// CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]], %[[WT]] : tensor<?x784xf32>, tensor<784x128xf32>) outs(%[[INIT]] : tensor<?x128xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @dense(%x: tensor<?x784xf32>, %w: tensor<128x784xf32>, %b: tensor<128xf32>) -> tensor<?x128xf32> {
  %0 = kiln.dense %x, %w, %b : (tensor<?x784xf32>, tensor<128x784xf32>, tensor<128xf32>) -> tensor<?x128xf32>
  return %0 : tensor<?x128xf32>
}

// -----

// A batched matmul broadcasts rhs over the batch and reads lhs transposed.
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
// CHECK-LABEL: func.func @batched
// CHECK: linalg.fill
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
func.func @batched(%a: tensor<?x5x3xf32>, %b: tensor<5x4xf32>) -> tensor<?x3x4xf32> {
  %0 = kiln.matmul %a, %b {transpose_lhs = true} : (tensor<?x5x3xf32>, tensor<5x4xf32>) -> tensor<?x3x4xf32>
  return %0 : tensor<?x3x4xf32>
}

// -----

// A dense layer over [N, T, K] collapses the leading dimensions and
// expands them back.
// CHECK-LABEL: func.func @dense3d
// CHECK-NOT: scf.if
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0, 1], [2]] : tensor<?x6x5xf32> into tensor<?x5xf32>
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0, 1], [2]] output_shape [%{{.+}}, 6, 3] : tensor<?x3xf32> into tensor<?x6x3xf32>
func.func @dense3d(%x: tensor<?x6x5xf32>, %w: tensor<3x5xf32>) -> tensor<?x6x3xf32> {
  %0 = kiln.dense %x, %w : (tensor<?x6x5xf32>, tensor<3x5xf32>) -> tensor<?x6x3xf32>
  return %0 : tensor<?x6x3xf32>
}

// -----

// CHECK-LABEL: func.func @others
// CHECK: kiln.relu
func.func @others(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A known small batch takes the dot products directly.
// CHECK-LABEL: func.func @dense_two_rows
// CHECK-NOT: scf.if
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {{.*}}ins(%{{.+}}, %{{.+}} : tensor<2x2x16xf32>, tensor<10x2x16xf32>)
func.func @dense_two_rows(%x: tensor<2x32xf32>, %w: tensor<10x32xf32>) -> tensor<2x10xf32> {
  %0 = kiln.dense %x, %w : (tensor<2x32xf32>, tensor<10x32xf32>) -> tensor<2x10xf32>
  return %0 : tensor<2x10xf32>
}
