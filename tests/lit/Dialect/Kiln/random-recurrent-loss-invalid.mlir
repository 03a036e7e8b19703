// RUN: kiln-opt %s --split-input-file --verify-diagnostics

func.func @random_no_shape(%k: tensor<2xi64>) {
  // expected-error @+1 {{'kiln.random_normal' op needs a 'like' operand or a 'shape'}}
  %0 = kiln.random_normal %k {stream = 0} : (tensor<2xi64>) -> tensor<3xf32>
  return
}

// -----

func.func @random_both_shapes(%k: tensor<2xi64>, %x: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.random_uniform' op takes its shape either from 'like' or from 'shape' and 'dtype', not both}}
  %0 = kiln.random_uniform %k, %x {stream = 0, shape = array<i64: 3>} : (tensor<2xi64>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @random_dynamic_shape(%k: tensor<2xi64>) {
  // expected-error @+1 {{'kiln.random_normal' op shape must be static and non-negative, got [-1]}}
  %0 = kiln.random_normal %k {stream = 0, shape = array<i64: -1>} : (tensor<2xi64>) -> tensor<?xf32>
  return
}

// -----

func.func @random_key(%k: tensor<2xi32>) {
  // expected-error @+1 {{'kiln.random_normal' op operand #0 must be random key (tensor<2xi64>: seed, step), but got 'tensor<2xi32>'}}
  %0 = kiln.random_normal %k {stream = 0, shape = array<i64: 3>} : (tensor<2xi32>) -> tensor<3xf32>
  return
}

// -----

func.func @random_stream(%k: tensor<2xi64>) {
  // expected-error @+1 {{'kiln.random_normal' op requires attribute 'stream'}}
  %0 = "kiln.random_normal"(%k) {shape = array<i64: 3>} : (tensor<2xi64>) -> tensor<3xf32>
  return
}

// -----

func.func @bernoulli_probs(%k: tensor<2xi64>, %p: tensor<3xi32>) {
  // expected-error @+1 {{'kiln.bernoulli' op operand #1 must be ranked tensor of 32-bit float or 64-bit float values, but got 'tensor<3xi32>'}}
  %0 = kiln.bernoulli %k, %p {stream = 0} : (tensor<2xi64>, tensor<3xi32>) -> tensor<3xi32>
  return
}

// -----

func.func @rnn_input_rank(%x: tensor<?x28xf32>, %w: tensor<1x8x28xf32>, %h: tensor<1x8x8xf32>, %b: tensor<1x8xf32>) {
  // expected-error @+1 {{'kiln.rnn' op input must be [batch, time, features], got [?, 28]}}
  %0:2 = kiln.rnn %x, %w, %h, %b, %b : (tensor<?x28xf32>, tensor<1x8x28xf32>, tensor<1x8x8xf32>, tensor<1x8xf32>, tensor<1x8xf32>) -> (tensor<?x28x8xf32>, tensor<1x?x8xf32>)
  return
}

// -----

func.func @lstm_gates(%x: tensor<?x5x4xf32>, %w: tensor<1x10x4xf32>, %h: tensor<1x10x2xf32>, %b: tensor<1x10xf32>) {
  // expected-error @+1 {{'kiln.lstm' op w_ih must be [directions, 4 * hidden, features] with a static gate dimension, got [1, 10, 4]}}
  %0:3 = kiln.lstm %x, %w, %h, %b, %b : (tensor<?x5x4xf32>, tensor<1x10x4xf32>, tensor<1x10x2xf32>, tensor<1x10xf32>, tensor<1x10xf32>) -> (tensor<?x5x2xf32>, tensor<1x?x2xf32>, tensor<1x?x2xf32>)
  return
}

// -----

func.func @gru_directions(%x: tensor<?x5x4xf32>, %w: tensor<1x6x4xf32>, %h: tensor<1x6x2xf32>, %b: tensor<1x6xf32>) {
  // expected-error @+1 {{'kiln.gru' op w_ih has shape [1, 6, 4] but a bidirectional layer has 2 direction(s) in dimension 0}}
  %0:2 = kiln.gru %x, %w, %h, %b, %b {bidirectional} : (tensor<?x5x4xf32>, tensor<1x6x4xf32>, tensor<1x6x2xf32>, tensor<1x6xf32>, tensor<1x6xf32>) -> (tensor<?x5x4xf32>, tensor<2x?x2xf32>)
  return
}

// -----

func.func @gru_features(%x: tensor<?x5x3xf32>, %w: tensor<1x6x4xf32>, %h: tensor<1x6x2xf32>, %b: tensor<1x6xf32>) {
  // expected-error @+1 {{'kiln.gru' op input has shape [?, 5, 3] but w_ih has shape [1, 6, 4]: their feature sizes differ}}
  %0:2 = kiln.gru %x, %w, %h, %b, %b : (tensor<?x5x3xf32>, tensor<1x6x4xf32>, tensor<1x6x2xf32>, tensor<1x6xf32>, tensor<1x6xf32>) -> (tensor<?x5x2xf32>, tensor<1x?x2xf32>)
  return
}

// -----

func.func @gru_hidden_weights(%x: tensor<?x5x4xf32>, %w: tensor<1x6x4xf32>, %h: tensor<1x6x3xf32>, %b: tensor<1x6xf32>) {
  // expected-error @+1 {{'kiln.gru' op w_hh has type 'tensor<1x6x3xf32>' but input [?, 5, 4] and w_ih [1, 6, 4] imply shape [1, 6, 2] of 'f32'}}
  %0:2 = kiln.gru %x, %w, %h, %b, %b : (tensor<?x5x4xf32>, tensor<1x6x4xf32>, tensor<1x6x3xf32>, tensor<1x6xf32>, tensor<1x6xf32>) -> (tensor<?x5x2xf32>, tensor<1x?x2xf32>)
  return
}

// -----

func.func @rnn_initial_state(%x: tensor<4x5x4xf32>, %w: tensor<1x2x4xf32>, %h: tensor<1x2x2xf32>, %b: tensor<1x2xf32>, %h0: tensor<1x3x2xf32>) {
  // expected-error @+1 {{'kiln.rnn' op h0 has type 'tensor<1x3x2xf32>' but input [4, 5, 4] and w_ih [1, 2, 4] imply shape [1, 4, 2] of 'f32'}}
  %0:2 = kiln.rnn %x, %w, %h, %b, %b initial(%h0) : (tensor<4x5x4xf32>, tensor<1x2x4xf32>, tensor<1x2x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x3x2xf32>) -> (tensor<4x5x2xf32>, tensor<1x4x2xf32>)
  return
}

// -----

func.func @lstm_one_initial_state(%x: tensor<4x5x4xf32>, %w: tensor<1x8x4xf32>, %h: tensor<1x8x2xf32>, %b: tensor<1x8xf32>, %h0: tensor<1x4x2xf32>) {
  // expected-error @+1 {{'kiln.lstm' op initial states h0 and c0 must be given together}}
  %0:3 = "kiln.lstm"(%x, %w, %h, %b, %b, %h0) {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0>} : (tensor<4x5x4xf32>, tensor<1x8x4xf32>, tensor<1x8x2xf32>, tensor<1x8xf32>, tensor<1x8xf32>, tensor<1x4x2xf32>) -> (tensor<4x5x2xf32>, tensor<1x4x2xf32>, tensor<1x4x2xf32>)
  return
}

// -----

func.func @mse_shapes(%p: tensor<?x10xf32>, %t: tensor<?x9xf32>) {
  // expected-error @+1 {{'kiln.mse' op input and target must have the same shape: input has shape [?, 10], target has shape [?, 9]}}
  %0 = kiln.mse %p, %t : (tensor<?x10xf32>, tensor<?x9xf32>) -> tensor<f32>
  return
}

// -----

func.func @bce_element(%p: tensor<?x10xf32>, %t: tensor<?x10xf64>) {
  // expected-error @+1 {{'kiln.bce' op input is 'f32' but target is 'f64'}}
  %0 = kiln.bce %p, %t : (tensor<?x10xf32>, tensor<?x10xf64>) -> tensor<f32>
  return
}

// -----

func.func @loss_not_scalar(%p: tensor<?x10xf32>, %t: tensor<?x10xf32>) {
  // expected-error @+1 {{'kiln.l1' op result #0 is declared 'tensor<?x10xf32>' but its operands and attributes give 'tensor<f32>'}}
  %0 = kiln.l1 %p, %t : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<?x10xf32>
  return
}

// -----

func.func @cross_entropy_rank(%p: tensor<?x10x2xf32>, %l: tensor<?xi32>) {
  // expected-error @+1 {{'kiln.softmax_cross_entropy' op input must be [batch, classes], got shape [?, 10, 2]}}
  %0 = kiln.softmax_cross_entropy %p, %l : (tensor<?x10x2xf32>, tensor<?xi32>) -> tensor<f32>
  return
}

// -----

func.func @cross_entropy_labels(%p: tensor<8x10xf32>, %l: tensor<7xi32>) {
  // expected-error @+1 {{'kiln.softmax_cross_entropy' op labels have shape [7] but input has shape [8, 10]: expected [8], one label per sample}}
  %0 = kiln.softmax_cross_entropy %p, %l : (tensor<8x10xf32>, tensor<7xi32>) -> tensor<f32>
  return
}

// -----

func.func @nll_label_type(%p: tensor<8x10xf32>, %l: tensor<8xf32>) {
  // expected-error @+1 {{'kiln.nll' op operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<8xf32>'}}
  %0 = kiln.nll %p, %l : (tensor<8x10xf32>, tensor<8xf32>) -> tensor<f32>
  return
}

// -----

func.func @hinge_unreduced(%p: tensor<8x10xf32>, %l: tensor<8xi64>) {
  // expected-error @+1 {{'kiln.hinge' op result #0 is declared 'tensor<f32>' but its operands and attributes give 'tensor<8xf32>'}}
  %0 = kiln.hinge %p, %l {reduction = #kiln.reduction<none>} : (tensor<8x10xf32>, tensor<8xi64>) -> tensor<f32>
  return
}
