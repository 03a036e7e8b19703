// RUN: kiln-opt %s --split-input-file --kiln-lower-norm --kiln-lower-random | FileCheck %s

// Training-form batch norm: moments over N, H, W and the running updates.
// CHECK-LABEL: func.func @batch_norm
// CHECK: iterator_types = ["reduction", "parallel", "reduction", "reduction"]
// CHECK: math.rsqrt
// CHECK: return
func.func @batch_norm(%x: tensor<?x4x5x5xf32>, %c: tensor<4xf32>) -> (tensor<?x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0:3 = kiln.batch_norm %x, %c, %c, %c, %c {training} : (tensor<?x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1, %0#2 : tensor<?x4x5x5xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Inference-form batch norm returns the running statistics unchanged.
// CHECK-LABEL: func.func @batch_norm_infer
// CHECK-SAME: (%{{.+}}: tensor<?x4xf32>, %[[C:.+]]: tensor<4xf32>)
// CHECK: %[[Y:.+]] = linalg.generic
// CHECK: return %[[Y]], %[[C]], %[[C]]
func.func @batch_norm_infer(%x: tensor<?x4xf32>, %c: tensor<4xf32>) -> (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0:3 = kiln.batch_norm %x, %c, %c, %c, %c : (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>)
  return %0#0, %0#1, %0#2 : tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Dropout: Philox rounds on the element index, the stream and the step.
// CHECK-LABEL: func.func @dropout
// CHECK: tensor.extract %{{.+}}[%{{.+}}] : tensor<2xi64>
// CHECK: linalg.generic
// CHECK: linalg.index 0
// CHECK-COUNT-20: arith.mului_extended
// CHECK: arith.cmpf oge
// CHECK: arith.select
func.func @dropout(%x: tensor<?x8xf32>, %key: tensor<2xi64>) -> tensor<?x8xf32> {
  %0 = kiln.dropout %x, %key {rate = 0.5 : f64, stream = 1 : i64} : (tensor<?x8xf32>, tensor<2xi64>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// Normal samples by Box-Muller.
// CHECK-LABEL: func.func @normal
// CHECK: math.log
// CHECK: math.sqrt
// CHECK: math.cos
func.func @normal(%key: tensor<2xi64>) -> tensor<3x4xf32> {
  %0 = kiln.random_normal %key {stream = 0 : i64, shape = array<i64: 3, 4>} : (tensor<2xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// CHECK-LABEL: func.func @others
// CHECK: kiln.relu
func.func @others(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
