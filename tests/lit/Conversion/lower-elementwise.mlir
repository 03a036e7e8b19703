// RUN: kiln-opt %s --split-input-file --kiln-lower-elementwise | FileCheck %s

// Broadcasting lives in the indexing maps; a dynamic size comes from the
// operand that has it.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK-SAME: (%[[X:.+]]: tensor<?x10xf32>, %[[B:.+]]: tensor<10xf32>)
// CHECK: %[[DIM:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x10xf32>
// CHECK: %[[E:.+]] = tensor.empty(%[[DIM]]) : tensor<?x10xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]], %[[B]] : tensor<?x10xf32>, tensor<10xf32>) outs(%[[E]] : tensor<?x10xf32>)
// CHECK: arith.addf
func.func @add_broadcast(%x: tensor<?x10xf32>, %b: tensor<10xf32>) -> tensor<?x10xf32> {
  %0 = kiln.add %x, %b : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}

// -----

// A size-1 dimension that stretches reads index 0.
// CHECK-DAG: #[[STRETCH:.+]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @stretch
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[STRETCH]], #{{.+}}]
// CHECK: arith.maximumf
func.func @stretch(%x: tensor<4x3xf32>, %y: tensor<1x3xf32>) -> tensor<4x3xf32> {
  %0 = kiln.maximum %x, %y : (tensor<4x3xf32>, tensor<1x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func.func @activations
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: math.log1p
// CHECK: arith.cmpf ogt
// CHECK: arith.select
// CHECK: math.erf
// CHECK: math.tanh
func.func @activations(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %0 = kiln.sigmoid %x : tensor<8xf32>
  %1 = kiln.softplus %x : tensor<8xf32>
  %2 = kiln.leaky_relu %x {alpha = 0.1 : f64} : tensor<8xf32>
  %3 = kiln.gelu %x : tensor<8xf32>
  %4 = kiln.gelu %x {approximation = #kiln.gelu<tanh>} : tensor<8xf32>
  return %0, %1, %2, %3, %4 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}

// -----

// Integer arithmetic, comparisons, selection and casts.
// CHECK-LABEL: func.func @integers
// CHECK: arith.muli
// CHECK: arith.cmpi slt
// CHECK: arith.select
// CHECK: arith.sitofp %{{.+}} : i32 to f32
// CHECK: arith.cmpf une
func.func @integers(%a: tensor<4xi32>, %f: tensor<4xf32>) -> (tensor<4xi32>, tensor<4xi32>, tensor<4xf32>, tensor<4xi1>) {
  %0 = kiln.mul %a, %a : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %c = kiln.compare lt, %a, %0 : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
  %1 = kiln.select %c, %a, %0 : (tensor<4xi1>, tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %2 = kiln.cast %a to f32 : (tensor<4xi32>) -> tensor<4xf32>
  %3 = kiln.cast %f to i1 : (tensor<4xf32>) -> tensor<4xi1>
  return %0, %1, %2, %3 : tensor<4xi32>, tensor<4xi32>, tensor<4xf32>, tensor<4xi1>
}

// -----

// Constants and fills.
// CHECK-LABEL: func.func @fills
// CHECK: arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: %[[D:.+]] = tensor.dim
// CHECK: %[[E:.+]] = tensor.empty(%[[D]]) : tensor<?x3xf32>
// CHECK: linalg.fill ins(%{{.+}} : f32) outs(%[[E]] : tensor<?x3xf32>)
// CHECK-NOT: kiln.stop_gradient
func.func @fills(%x: tensor<?x3xf32>) -> (tensor<2xf32>, tensor<?x3xf32>, tensor<?x3xf32>) {
  %c = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %o = kiln.ones_like %x : tensor<?x3xf32>
  %s = kiln.stop_gradient %x : tensor<?x3xf32>
  return %c, %o, %s : tensor<2xf32>, tensor<?x3xf32>, tensor<?x3xf32>
}

// -----

// Ops of other families are left alone.
// CHECK-LABEL: func.func @others
// CHECK: kiln.sum
func.func @others(%x: tensor<4xf32>) -> tensor<f32> {
  %0 = kiln.sum %x : (tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
