// RUN: kiln-opt %s --split-input-file --verify-diagnostics

func.func @matmul_contraction(%a: tensor<4x8xf32>, %b: tensor<5x3xf32>) {
  // expected-error @+1 {{'kiln.matmul' op contraction sizes differ: lhs has shape [4, 8] (K = 8), rhs has shape [5, 3] (K = 5)}}
  %0 = kiln.matmul %a, %b : (tensor<4x8xf32>, tensor<5x3xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @matmul_transposed_contraction(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>) {
  // expected-error @+1 {{'kiln.matmul' op contraction sizes differ: lhs has shape [4, 8] (K = 4), rhs has shape [8, 3] (K = 8)}}
  %0 = kiln.matmul %a, %b {transpose_lhs = true} : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<8x3xf32>
  return
}

// -----

func.func @matmul_rank(%a: tensor<8xf32>, %b: tensor<8x3xf32>) {
  // expected-error @+1 {{'kiln.matmul' op operands need rank 2 or more: lhs has shape [8], rhs has shape [8, 3]}}
  %0 = kiln.matmul %a, %b : (tensor<8xf32>, tensor<8x3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x4x8xf32>, %b: tensor<3x8x3xf32>) {
  // expected-error @+1 {{'kiln.matmul' op batch dimensions do not broadcast: lhs has shape [2, 4, 8], rhs has shape [3, 8, 3]}}
  %0 = kiln.matmul %a, %b : (tensor<2x4x8xf32>, tensor<3x8x3xf32>) -> tensor<2x4x3xf32>
  return
}

// -----

func.func @matmul_element(%a: tensor<4x8xf32>, %b: tensor<8x3xf64>) {
  // expected-error @+1 {{'kiln.matmul' op operands have different element types: lhs is 'f32', rhs is 'f64'}}
  %0 = kiln.matmul %a, %b : (tensor<4x8xf32>, tensor<8x3xf64>) -> tensor<4x3xf32>
  return
}

// -----

func.func @dense_features(%x: tensor<?x784xf32>, %w: tensor<128x783xf32>) {
  // expected-error @+1 {{'kiln.dense' op input has shape [?, 784] with 784 features but weight has shape [128, 783] expecting 783}}
  %0 = kiln.dense %x, %w : (tensor<?x784xf32>, tensor<128x783xf32>) -> tensor<?x128xf32>
  return
}

// -----

func.func @dense_weight_rank(%x: tensor<?x784xf32>, %w: tensor<784xf32>) {
  // expected-error @+1 {{'kiln.dense' op weight must be [out, in], got shape [784]}}
  %0 = kiln.dense %x, %w : (tensor<?x784xf32>, tensor<784xf32>) -> tensor<?x128xf32>
  return
}

// -----

func.func @dense_bias(%x: tensor<?x784xf32>, %w: tensor<128x784xf32>, %b: tensor<10xf32>) {
  // expected-error @+1 {{'kiln.dense' op bias has shape [10] but weight has shape [128, 784]: expected [128]}}
  %0 = kiln.dense %x, %w, %b : (tensor<?x784xf32>, tensor<128x784xf32>, tensor<10xf32>) -> tensor<?x128xf32>
  return
}

// -----

func.func @dense_element(%x: tensor<?x4xf32>, %w: tensor<2x4xf64>) {
  // expected-error @+1 {{'kiln.dense' op element types differ: input is 'f32', parameters are 'f64'}}
  %0 = kiln.dense %x, %w : (tensor<?x4xf32>, tensor<2x4xf64>) -> tensor<?x2xf32>
  return
}

// -----

func.func @dense_scalar_input(%x: tensor<f32>, %w: tensor<2x4xf32>) {
  // expected-error @+1 {{'kiln.dense' op input must have rank 1 or more}}
  %0 = kiln.dense %x, %w : (tensor<f32>, tensor<2x4xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @reduce_axis(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{'kiln.sum' op axes [2] are out of range or repeated for input shape [?, 10]}}
  %0 = kiln.sum %x {axes = array<i64: 2>} : (tensor<?x10xf32>) -> tensor<?xf32>
  return
}

// -----

func.func @reduce_repeated(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{'kiln.mean' op axes [1, -1] are out of range or repeated for input shape [?, 10]}}
  %0 = kiln.mean %x {axes = array<i64: 1, -1>} : (tensor<?x10xf32>) -> tensor<?xf32>
  return
}

// -----

func.func @reduce_result(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{'kiln.max' op result #0 is declared 'tensor<?x1xf32>' but its operands and attributes give 'tensor<?xf32>'}}
  %0 = kiln.max %x {axes = array<i64: 1>} : (tensor<?x10xf32>) -> tensor<?x1xf32>
  return
}

// -----

func.func @mean_integer(%x: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.mean' op operand #0 must be ranked tensor of 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = kiln.mean %x : (tensor<4xi32>) -> tensor<i32>
  return
}

// -----

func.func @argmax_axis(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{'kiln.argmax' op axis -3 is out of range for input shape [?, 10]}}
  %0 = kiln.argmax %x {axis = -3} : (tensor<?x10xf32>) -> tensor<?xi64>
  return
}

// -----

func.func @argmax_result(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{'kiln.argmax' op result #0 must be ranked tensor of 64-bit signless integer values, but got 'tensor<?xi32>'}}
  %0 = kiln.argmax %x : (tensor<?x10xf32>) -> tensor<?xi32>
  return
}
