// RUN: kiln-opt %s --kiln-autodiff --split-input-file --verify-diagnostics

kiln.param @w : tensor<4x4xf32> = he_normal

// An op on the path from the parameters to the loss without a gradient
// rule is named.
func.func @step(%x: tensor<?x4xf32> {kiln.input = "x"},
                %w: tensor<4x4xf32> {kiln.param = @w})
    -> (tensor<f32> {kiln.output = "loss"})
    attributes {kiln.entry = #kiln.entry<train>,
                kiln.optimizer = #kiln.optimizer<sgd, {lr = 0.1 : f64}>} {
  %y = kiln.dense %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  // expected-error @+1 {{'kiln.max' op has no gradient rule, so train entry 'step' cannot differentiate through it}}
  %l = kiln.max %y : (tensor<?x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

kiln.param @w : tensor<4x4xf32> = he_normal

// A loss that the trained parameters do not reach.
// expected-error @+1 {{train entry 'step': the loss does not depend on any trainable parameter}}
func.func @step(%x: tensor<?x4xf32> {kiln.input = "x"},
                %w: tensor<4x4xf32> {kiln.param = @w})
    -> (tensor<f32> {kiln.output = "loss"})
    attributes {kiln.entry = #kiln.entry<train>,
                kiln.optimizer = #kiln.optimizer<sgd, {lr = 0.1 : f64}>} {
  %s = kiln.stop_gradient %w : tensor<4x4xf32>
  %y = kiln.dense %x, %s : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %l = kiln.mean %y : (tensor<?x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
