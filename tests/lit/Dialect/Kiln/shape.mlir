// Round trip of the shape and data-movement ops, with their inferred types.
// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s

// CHECK-LABEL: func @reshape_flatten_transpose
func.func @reshape_flatten_transpose(%x: tensor<?x64x7x7xf32>, %y: tensor<2x3x4xf32>) {
  // CHECK: kiln.reshape %{{.*}} {shape = array<i64: -1, 3136>} : (tensor<?x64x7x7xf32>) -> tensor<?x3136xf32>
  %0 = kiln.reshape %x {shape = array<i64: -1, 3136>} : (tensor<?x64x7x7xf32>) -> tensor<?x3136xf32>
  // CHECK: kiln.reshape %{{.*}} {shape = array<i64: 4, -1>} : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
  %1 = kiln.reshape %y {shape = array<i64: 4, -1>} : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
  // CHECK: kiln.flatten %{{.*}} : (tensor<?x64x7x7xf32>) -> tensor<?x3136xf32>
  %2 = kiln.flatten %x : (tensor<?x64x7x7xf32>) -> tensor<?x3136xf32>
  // CHECK: kiln.flatten %{{.*}} {end_dim = 2 : i64, start_dim = 0 : i64} : (tensor<?x64x7x7xf32>) -> tensor<?x7xf32>
  %3 = kiln.flatten %x {start_dim = 0, end_dim = 2} : (tensor<?x64x7x7xf32>) -> tensor<?x7xf32>
  // CHECK: kiln.transpose %{{.*}} {perm = array<i64: 0, 2, 3, 1>} : (tensor<?x64x7x7xf32>) -> tensor<?x7x7x64xf32>
  %4 = kiln.transpose %x {perm = array<i64: 0, 2, 3, 1>} : (tensor<?x64x7x7xf32>) -> tensor<?x7x7x64xf32>
  return
}

// CHECK-LABEL: func @broadcast_concat_slice_pad
func.func @broadcast_concat_slice_pad(%x: tensor<?x1xf32>, %y: tensor<?x3xf32>, %z: tensor<4x5xf32>) {
  // CHECK: kiln.broadcast_to %{{.*}} {shape = array<i64: -1, 10>} : (tensor<?x1xf32>) -> tensor<?x10xf32>
  %0 = kiln.broadcast_to %x {shape = array<i64: -1, 10>} : (tensor<?x1xf32>) -> tensor<?x10xf32>
  // CHECK: kiln.broadcast_to %{{.*}} {shape = array<i64: 2, 4, 5>} : (tensor<4x5xf32>) -> tensor<2x4x5xf32>
  %1 = kiln.broadcast_to %z {shape = array<i64: 2, 4, 5>} : (tensor<4x5xf32>) -> tensor<2x4x5xf32>
  // CHECK: kiln.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<?x1xf32>, tensor<?x3xf32>) -> tensor<?x4xf32>
  %2 = kiln.concat %x, %y {axis = 1} : (tensor<?x1xf32>, tensor<?x3xf32>) -> tensor<?x4xf32>
  // CHECK: kiln.concat %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<8x5xf32>
  %3 = kiln.concat %z, %z {axis = 0} : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<8x5xf32>
  // CHECK: kiln.slice %{{.*}} {axes = array<i64: 1>, ends = array<i64: 5>, starts = array<i64: 1>, steps = array<i64: 2>} : (tensor<4x5xf32>) -> tensor<4x2xf32>
  %4 = kiln.slice %z {axes = array<i64: 1>, starts = array<i64: 1>, ends = array<i64: 5>, steps = array<i64: 2>} : (tensor<4x5xf32>) -> tensor<4x2xf32>
  // CHECK: kiln.slice %{{.*}} {axes = array<i64: 1>, ends = array<i64: 9223372036854775807>, starts = array<i64: -2>} : (tensor<?x3xf32>) -> tensor<?x2xf32>
  %5 = kiln.slice %y {axes = array<i64: 1>, starts = array<i64: -2>, ends = array<i64: 9223372036854775807>} : (tensor<?x3xf32>) -> tensor<?x2xf32>
  // CHECK: kiln.pad %{{.*}} {high = array<i64: 0, 2>, low = array<i64: 0, 1>, value = -1.000000e+00 : f64} : (tensor<?x3xf32>) -> tensor<?x6xf32>
  %6 = kiln.pad %y {low = array<i64: 0, 1>, high = array<i64: 0, 2>, value = -1.0 : f64} : (tensor<?x3xf32>) -> tensor<?x6xf32>
  return
}

// CHECK-LABEL: func @gather_one_hot
func.func @gather_one_hot(%table: tensor<100x16xf32>, %ids: tensor<?x12xi32>, %labels: tensor<?xi64>) {
  // CHECK: kiln.gather %{{.*}}, %{{.*}} : (tensor<100x16xf32>, tensor<?x12xi32>) -> tensor<?x12x16xf32>
  %0 = kiln.gather %table, %ids : (tensor<100x16xf32>, tensor<?x12xi32>) -> tensor<?x12x16xf32>
  // CHECK: kiln.gather %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<100x16xf32>, tensor<?xi64>) -> tensor<100x?xf32>
  %1 = kiln.gather %table, %labels {axis = 1} : (tensor<100x16xf32>, tensor<?xi64>) -> tensor<100x?xf32>
  // CHECK: kiln.one_hot %{{.*}} {depth = 10 : i64} : (tensor<?xi64>) -> tensor<?x10xf32>
  %2 = kiln.one_hot %labels {depth = 10} : (tensor<?xi64>) -> tensor<?x10xf32>
  // CHECK: kiln.one_hot %{{.*}} {depth = 3 : i64, dtype = f64} : (tensor<?xi64>) -> tensor<?x3xf64>
  %3 = kiln.one_hot %labels {depth = 3, dtype = f64} : (tensor<?xi64>) -> tensor<?x3xf64>
  return
}

// CHECK-LABEL: func @constants
func.func @constants() {
  // CHECK: kiln.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  %0 = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  // CHECK: kiln.constant dense<7> : tensor<i64>
  %1 = kiln.constant dense<7> : tensor<i64>
  // CHECK: kiln.full {dtype = i32, shape = array<i64: 2, 3>, value = 4.000000e+00 : f64} : tensor<2x3xi32>
  %2 = kiln.full {shape = array<i64: 2, 3>, value = 4.0 : f64, dtype = i32} : tensor<2x3xi32>
  // Without a dtype the element type is f32.
  // CHECK: kiln.full {shape = array<i64: 4>, value = 5.000000e-01 : f64} : tensor<4xf32>
  %3 = kiln.full {shape = array<i64: 4>, value = 0.5 : f64} : tensor<4xf32>
  return
}
