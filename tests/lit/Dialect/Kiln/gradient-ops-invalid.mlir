// RUN: kiln-opt %s --split-input-file --verify-diagnostics

func.func @expand_wrong_shape(%g: tensor<3xf32>, %like: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'kiln.expand_reduced' op input has shape [3] but reducing [?, 4] over axes [0] gives [4]}}
  %0 = kiln.expand_reduced %g, %like {axes = array<i64: 0>} : (tensor<3xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @filter_grad_mismatch(%x: tensor<?x1x28x28xf32>, %g: tensor<?x8x27x27xf32>) -> tensor<8x1x3x3xf32> {
  // expected-error @+1 {{'kiln.conv2d_filter_grad' op grad_output has shape [?, 8, 27, 27] but the forward op gives [?, 8, 26, 26]}}
  %0 = kiln.conv2d_filter_grad %x, %g {kernel = array<i64: 3, 3>} : (tensor<?x1x28x28xf32>, tensor<?x8x27x27xf32>) -> tensor<8x1x3x3xf32>
  return %0 : tensor<8x1x3x3xf32>
}

// -----

func.func @filter_grad_groups(%x: tensor<?x6x8x8xf32>, %g: tensor<?x4x6x6xf32>) -> tensor<4x2x3x3xf32> {
  // expected-error @+1 {{'kiln.conv2d_filter_grad' op grad_output channels (4) do not divide into 3 group(s)}}
  %0 = kiln.conv2d_filter_grad %x, %g {kernel = array<i64: 3, 3>, groups = 3 : i64} : (tensor<?x6x8x8xf32>, tensor<?x4x6x6xf32>) -> tensor<4x2x3x3xf32>
  return %0 : tensor<4x2x3x3xf32>
}

// -----

func.func @pool_grad_mismatch(%x: tensor<?x4x8x8xf32>, %g: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> {
  // expected-error @+1 {{'kiln.max_pool2d_grad' op grad_output has shape [?, 4, 8, 8] but the forward op gives [?, 4, 4, 4]}}
  %0 = kiln.max_pool2d_grad %x, %g {kernel = array<i64: 2, 2>} : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  return %0 : tensor<?x4x8x8xf32>
}

// -----

func.func @missing_state(%w: tensor<4xf32>, %g: tensor<4xf32>, %lr: tensor<f32>, %t: tensor<i64>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.optimizer_update' op optimizer #kiln.optimizer<adam, {}> keeps 2 state tensor(s) per parameter, got 0}}
  %0 = kiln.optimizer_update %w, %g, %lr, %t {optimizer = #kiln.optimizer<adam, {}>} : (tensor<4xf32>, tensor<4xf32>, tensor<f32>, tensor<i64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @gradient_type(%w: tensor<4xf32>, %g: tensor<5xf32>, %lr: tensor<f32>, %t: tensor<i64>) -> tensor<4xf32> {
  // expected-error @+1 {{'kiln.optimizer_update' op gradient type 'tensor<5xf32>' differs from the parameter's 'tensor<4xf32>'}}
  %0 = kiln.optimizer_update %w, %g, %lr, %t {optimizer = #kiln.optimizer<sgd, {}>} : (tensor<4xf32>, tensor<5xf32>, tensor<f32>, tensor<i64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
