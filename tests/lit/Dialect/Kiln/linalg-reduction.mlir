// Round trip of matrix products and reductions.
// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s

// CHECK-LABEL: func @products
func.func @products(%a: tensor<?x8x16xf32>, %b: tensor<16x4xf32>, %c: tensor<5x4xf32>,
                    %x: tensor<?x784xf32>, %w: tensor<128x784xf32>, %bias: tensor<128xf32>,
                    %i: tensor<2x3xi32>) {
  // CHECK: kiln.matmul %{{.*}}, %{{.*}} : (tensor<?x8x16xf32>, tensor<16x4xf32>) -> tensor<?x8x4xf32>
  %0 = kiln.matmul %a, %b : (tensor<?x8x16xf32>, tensor<16x4xf32>) -> tensor<?x8x4xf32>
  // CHECK: kiln.matmul %{{.*}}, %{{.*}} {transpose_rhs = true} : (tensor<?x8x16xf32>, tensor<5x16xf32>) -> tensor<?x8x5xf32>
  %cw = kiln.full {shape = array<i64: 5, 16>, value = 1.0 : f64, dtype = f32} : tensor<5x16xf32>
  %1 = kiln.matmul %a, %cw {transpose_rhs = true} : (tensor<?x8x16xf32>, tensor<5x16xf32>) -> tensor<?x8x5xf32>
  // CHECK: kiln.matmul %{{.*}}, %{{.*}} {transpose_lhs = true} : (tensor<5x4xf32>, tensor<5x4xf32>) -> tensor<4x4xf32>
  %2 = kiln.matmul %c, %c {transpose_lhs = true} : (tensor<5x4xf32>, tensor<5x4xf32>) -> tensor<4x4xf32>
  // CHECK: kiln.matmul %{{.*}}, %{{.*}} {transpose_rhs = true} : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x2xi32>
  %3 = kiln.matmul %i, %i {transpose_rhs = true} : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x2xi32>
  // CHECK: kiln.dense %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x784xf32>, tensor<128x784xf32>, tensor<128xf32>) -> tensor<?x128xf32>
  %4 = kiln.dense %x, %w, %bias : (tensor<?x784xf32>, tensor<128x784xf32>, tensor<128xf32>) -> tensor<?x128xf32>
  // CHECK: kiln.dense %{{.*}}, %{{.*}} : (tensor<?x784xf32>, tensor<128x784xf32>) -> tensor<?x128xf32>
  %5 = kiln.dense %x, %w : (tensor<?x784xf32>, tensor<128x784xf32>) -> tensor<?x128xf32>
  return
}

// CHECK-LABEL: func @reductions
func.func @reductions(%x: tensor<?x10x4xf32>, %i: tensor<3x5xi64>) {
  // CHECK: kiln.sum %{{.*}} : (tensor<?x10x4xf32>) -> tensor<f32>
  %0 = kiln.sum %x : (tensor<?x10x4xf32>) -> tensor<f32>
  // CHECK: kiln.sum %{{.*}} {axes = array<i64: 1, 2>, keepdims = true} : (tensor<?x10x4xf32>) -> tensor<?x1x1xf32>
  %1 = kiln.sum %x {axes = array<i64: 1, 2>, keepdims = true} : (tensor<?x10x4xf32>) -> tensor<?x1x1xf32>
  // CHECK: kiln.mean %{{.*}} {axes = array<i64: 0>} : (tensor<?x10x4xf32>) -> tensor<10x4xf32>
  %2 = kiln.mean %x {axes = array<i64: 0>} : (tensor<?x10x4xf32>) -> tensor<10x4xf32>
  // CHECK: kiln.max %{{.*}} {axes = array<i64: -1>} : (tensor<3x5xi64>) -> tensor<3xi64>
  %3 = kiln.max %i {axes = array<i64: -1>} : (tensor<3x5xi64>) -> tensor<3xi64>
  // CHECK: kiln.min %{{.*}} {axes = array<i64: 1>} : (tensor<?x10x4xf32>) -> tensor<?x4xf32>
  %4 = kiln.min %x {axes = array<i64: 1>} : (tensor<?x10x4xf32>) -> tensor<?x4xf32>
  // CHECK: kiln.logsumexp %{{.*}} {axes = array<i64: 1>, keepdims = true} : (tensor<?x10x4xf32>) -> tensor<?x1x4xf32>
  %5 = kiln.logsumexp %x {axes = array<i64: 1>, keepdims = true} : (tensor<?x10x4xf32>) -> tensor<?x1x4xf32>
  // CHECK: kiln.argmax %{{.*}} {axis = 1 : i64} : (tensor<?x10x4xf32>) -> tensor<?x4xi64>
  %6 = kiln.argmax %x {axis = 1} : (tensor<?x10x4xf32>) -> tensor<?x4xi64>
  // CHECK: kiln.argmin %{{.*}} {keepdims = true} : (tensor<3x5xi64>) -> tensor<3x1xi64>
  %7 = kiln.argmin %i {keepdims = true} : (tensor<3x5xi64>) -> tensor<3x1xi64>
  return
}
