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
  %m = kiln.mean %y : (tensor<?x4xf32>) -> tensor<f32>
  // expected-error @+1 {{'kiln.expand_reduced' op has no gradient rule, so train entry 'step' cannot differentiate through it}}
  %e = kiln.expand_reduced %m, %y {mean} : (tensor<f32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %l = kiln.sum %e : (tensor<?x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

kiln.param @w : tensor<4x4xf32> = he_normal

// A rule that covers part of an op's forms says which.
func.func @step(%x: tensor<?x4xf32> {kiln.input = "x"},
                %w: tensor<4x4xf32> {kiln.param = @w})
    -> (tensor<f32> {kiln.output = "loss"})
    attributes {kiln.entry = #kiln.entry<train>,
                kiln.optimizer = #kiln.optimizer<sgd, {lr = 0.1 : f64}>} {
  %y = kiln.dense %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  // expected-error @+1 {{'kiln.slice' op gradients of slices along a dynamic dimension are not supported}}
  %s = kiln.slice %y {axes = array<i64: 0>, starts = array<i64: 1>, ends = array<i64: 3>} : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %l = kiln.mean %s : (tensor<?x4xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

kiln.param @w : tensor<4x4xf32> = he_normal

func.func @step(%x: tensor<?x4xf32> {kiln.input = "x"},
                %w: tensor<4x4xf32> {kiln.param = @w})
    -> (tensor<f32> {kiln.output = "loss"})
    attributes {kiln.entry = #kiln.entry<train>,
                kiln.optimizer = #kiln.optimizer<sgd, {lr = 0.1 : f64}>} {
  %y = kiln.dense %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  // expected-error @+1 {{'kiln.concat' op gradients of a concatenation along a dynamic dimension are not supported}}
  %c = kiln.concat %y, %y {axis = 0 : i64} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %l = kiln.mean %c : (tensor<?x4xf32>) -> tensor<f32>
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
