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
  %r = kiln.reshape %y {shape = array<i64: -1, 1, 2, 2>} : (tensor<?x4xf32>) -> tensor<?x1x2x2xf32>
  // expected-error @+1 {{'kiln.avg_pool2d' op gradients of average pooling are supported for windows that tile the input (stride = kernel, no padding)}}
  %p = kiln.avg_pool2d %r {kernel = array<i64: 2, 2>, stride = array<i64: 1, 1>, padding = array<i64: 1, 1>} : (tensor<?x1x2x2xf32>) -> tensor<?x1x3x3xf32>
  %l = kiln.mean %p : (tensor<?x1x3x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

kiln.param @w : tensor<2x1x3x3xf32> = he_normal

func.func @step(%x: tensor<?x1x8x8xf32> {kiln.input = "x"},
                %w: tensor<2x1x3x3xf32> {kiln.param = @w})
    -> (tensor<f32> {kiln.output = "loss"})
    attributes {kiln.entry = #kiln.entry<train>,
                kiln.optimizer = #kiln.optimizer<sgd, {lr = 0.1 : f64}>} {
  %c = kiln.conv2d %x, %w : (tensor<?x1x8x8xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x6x6xf32>
  // expected-error @+1 {{'kiln.max_pool2d' op gradients of max pooling with overlapping windows are not supported yet}}
  %p = kiln.max_pool2d %c {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>} : (tensor<?x2x6x6xf32>) -> tensor<?x2x4x4xf32>
  %l = kiln.mean %p : (tensor<?x2x4x4xf32>) -> tensor<f32>
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
