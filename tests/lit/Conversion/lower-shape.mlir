// RUN: kiln-opt %s --split-input-file --kiln-lower-shape | FileCheck %s

// CHECK-LABEL: func.func @views
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2, 3]] : tensor<?x64x7x7xf32> into tensor<?x3136xf32>
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0, 1, 2, 3]] : tensor<?x64x7x7xf32> into tensor<?xf32>
// CHECK: arith.divui
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0, 1]] output_shape [%{{.+}}, 64] : tensor<?xf32> into tensor<?x64xf32>
func.func @views(%x: tensor<?x64x7x7xf32>) -> (tensor<?x3136xf32>, tensor<?x64xf32>) {
  %0 = kiln.flatten %x : (tensor<?x64x7x7xf32>) -> tensor<?x3136xf32>
  %1 = kiln.reshape %x {shape = array<i64: -1, 64>} : (tensor<?x64x7x7xf32>) -> tensor<?x64xf32>
  return %0, %1 : tensor<?x3136xf32>, tensor<?x64xf32>
}

// -----

// CHECK-LABEL: func.func @moves
// CHECK: linalg.transpose ins(%{{.+}} : tensor<2x3x4xf32>) outs(%{{.+}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
// CHECK: tensor.pad %{{.+}} low[0, 1, 0] high[1, 0, 2]
// CHECK: tensor.insert_slice
// CHECK: tensor.insert_slice
// CHECK: tensor.extract_slice
func.func @moves(%x: tensor<2x3x4xf32>) -> (tensor<4x2x3xf32>, tensor<3x4x6xf32>, tensor<2x6x4xf32>, tensor<2x3x2xf32>) {
  %0 = kiln.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %1 = kiln.pad %x {low = array<i64: 0, 1, 0>, high = array<i64: 1, 0, 2>} : (tensor<2x3x4xf32>) -> tensor<3x4x6xf32>
  %2 = kiln.concat %x, %x {axis = 1} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x6x4xf32>
  %3 = kiln.slice %x {axes = array<i64: 2>, starts = array<i64: 0>, ends = array<i64: 4>, steps = array<i64: 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x2xf32>
  return %0, %1, %2, %3 : tensor<4x2x3xf32>, tensor<3x4x6xf32>, tensor<2x6x4xf32>, tensor<2x3x2xf32>
}

// -----

// Embedding lookup reads the table with tensor.extract, index clamped.
// CHECK-LABEL: func.func @gather
// CHECK: linalg.generic
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract %{{.+}}[%{{.+}}, %{{.+}}] : tensor<100x16xf32>
func.func @gather(%t: tensor<100x16xf32>, %ids: tensor<?x12xi32>) -> tensor<?x12x16xf32> {
  %0 = kiln.gather %t, %ids : (tensor<100x16xf32>, tensor<?x12xi32>) -> tensor<?x12x16xf32>
  return %0 : tensor<?x12x16xf32>
}

// -----

// CHECK-LABEL: func.func @others
// CHECK: kiln.relu
func.func @others(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
