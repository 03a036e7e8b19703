// RUN: kiln-opt %s --split-input-file --kiln-specialize-batch=batch=64 --verify-diagnostics | FileCheck %s

kiln.param @w : tensor<10x784xf32> = he_normal
kiln.param @b : tensor<10xf32> = zeros

// Inputs get the batch; parameters and everything downstream follow.
// CHECK-LABEL: func.func @infer
// CHECK-SAME: (%{{.*}}: tensor<64x784xf32> {kiln.input = "x"}, %{{.*}}: tensor<10x784xf32> {kiln.param = @w}, %{{.*}}: tensor<10xf32> {kiln.param = @b}) -> tensor<64x10xf32>
func.func @infer(%x: tensor<?x784xf32> {kiln.input = "x"},
                 %w: tensor<10x784xf32> {kiln.param = @w},
                 %b: tensor<10xf32> {kiln.param = @b}) -> tensor<?x10xf32>
    attributes {kiln.entry = #kiln.entry<infer>} {
  // CHECK: kiln.dense {{.*}} -> tensor<64x10xf32>
  %0 = kiln.dense %x, %w, %b : (tensor<?x784xf32>, tensor<10x784xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  // CHECK: kiln.softmax %{{.*}} : tensor<64x10xf32>
  %1 = kiln.softmax %0 : tensor<?x10xf32>
  return %1 : tensor<?x10xf32>
}

// A function that is not an entry keeps its dynamic batch.
// CHECK-LABEL: func.func @helper
// CHECK-SAME: tensor<?x784xf32>
func.func @helper(%x: tensor<?x784xf32>) -> tensor<?x784xf32> {
  %0 = kiln.relu %x : tensor<?x784xf32>
  return %0 : tensor<?x784xf32>
}

// -----

// Every input of a train entry, labels too, gets the batch; the loss stays
// a scalar.
// CHECK-LABEL: func.func @step
// CHECK-SAME: tensor<64x784xf32> {kiln.input = "x"}, %{{.*}}: tensor<64xi32> {kiln.input = "label"}
// CHECK: kiln.softmax_cross_entropy {{.*}} : (tensor<64x10xf32>, tensor<64xi32>) -> tensor<f32>
kiln.param @w : tensor<10x784xf32> = he_normal
func.func @step(%x: tensor<?x784xf32> {kiln.input = "x"},
                %label: tensor<?xi32> {kiln.input = "label"},
                %w: tensor<10x784xf32> {kiln.param = @w}) -> tensor<f32>
    attributes {kiln.entry = #kiln.entry<train>,
                kiln.optimizer = #kiln.optimizer<sgd, {lr = 0.1 : f64}>} {
  %0 = kiln.dense %x, %w : (tensor<?x784xf32>, tensor<10x784xf32>) -> tensor<?x10xf32>
  %1 = kiln.softmax_cross_entropy %0, %label : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
  return %1 : tensor<f32>
}

// -----

// A batch that contradicts a static size elsewhere is reported where the
// two meet.
func.func @conflict(%x: tensor<?x4xf32> {kiln.input = "x"},
                    %y: tensor<32x4xf32> {kiln.input = "y"}) -> tensor<?x4xf32>
    attributes {kiln.entry = #kiln.entry<infer>} {
  // expected-error @+1 {{'kiln.add' op operands are not broadcast-compatible: lhs has shape [64, 4], rhs has shape [32, 4]}}
  %0 = kiln.add %x, %y : (tensor<?x4xf32>, tensor<32x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
