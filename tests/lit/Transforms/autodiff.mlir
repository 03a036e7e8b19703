// RUN: kiln-opt %s --kiln-autodiff --canonicalize | FileCheck %s

// A dense layer and a mean: the gradient flows from the loss through the
// mean (expanded back, divided by the count) into the weight (dyᵀ x) and
// bias (sum over rows); the input gets none. SGD with momentum adds the
// step's arguments and one state slot per parameter.
kiln.param @w : tensor<3x4xf32> = he_normal
kiln.param @b : tensor<3xf32> = zeros

// CHECK-LABEL: func.func @step
// CHECK-SAME: %[[X:.+]]: tensor<?x4xf32> {kiln.input = "x"}
// CHECK-SAME: %[[W:.+]]: tensor<3x4xf32> {kiln.param = @w}
// CHECK-SAME: %[[B:.+]]: tensor<3xf32> {kiln.param = @b}
// CHECK-SAME: %[[LR:.+]]: tensor<f32> {kiln.learning_rate}
// CHECK-SAME: %[[T:.+]]: tensor<i64> {kiln.step}
// CHECK-SAME: %[[MW:.+]]: tensor<3x4xf32> {kiln.state = "momentum_buffer", kiln.state_of = @w}
// CHECK-SAME: %[[MB:.+]]: tensor<3xf32> {kiln.state = "momentum_buffer", kiln.state_of = @b}
// CHECK-SAME: -> (tensor<f32> {kiln.output = "loss"}, tensor<3x4xf32> {kiln.update = @w}, tensor<3x4xf32> {kiln.state_update = 5 : i64}, tensor<3xf32> {kiln.update = @b}, tensor<3xf32> {kiln.state_update = 6 : i64})
// CHECK: %[[Y:.+]] = kiln.dense %[[X]], %[[W]], %[[B]]
// CHECK: %[[L:.+]] = kiln.mean %[[Y]]
// CHECK: %[[ONE:.+]] = kiln.full {{.*}}value = 1.0
// CHECK: %[[DY:.+]] = kiln.expand_reduced %[[ONE]], %[[Y]] {mean}
// CHECK-NOT: kiln.matmul %[[DY]], %[[W]]
// CHECK: %[[DW:.+]] = kiln.matmul %[[DY]], %[[X]] {transpose_lhs = true}
// CHECK: %[[DB:.+]] = kiln.sum %[[DY]] {axes = array<i64: 0>}
// CHECK: %[[NW:.+]], %[[SW:.+]] = kiln.optimizer_update %[[W]], %[[DW]], %[[LR]], %[[T]], %[[MW]]
// CHECK: %[[NB:.+]], %[[SB:.+]] = kiln.optimizer_update %[[B]], %[[DB]], %[[LR]], %[[T]], %[[MB]]
// CHECK: return %[[L]], %[[NW]], %[[SW]], %[[NB]], %[[SB]]
func.func @step(%x: tensor<?x4xf32> {kiln.input = "x"},
                %w: tensor<3x4xf32> {kiln.param = @w},
                %b: tensor<3xf32> {kiln.param = @b})
    -> (tensor<f32> {kiln.output = "loss"})
    attributes {kiln.entry = #kiln.entry<train>,
                kiln.optimizer = #kiln.optimizer<sgd, {lr = 0.1 : f64, momentum = 0.9 : f64}>} {
  %y = kiln.dense %x, %w, %b : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %l = kiln.mean %y : (tensor<?x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
