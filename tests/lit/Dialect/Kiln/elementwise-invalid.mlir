// Every error the elementwise ops report.
// RUN: kiln-opt %s --split-input-file --verify-diagnostics

func.func @float_only(%x: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.exp' op operand #0 must be ranked tensor of 32-bit float or 64-bit float values}}
  %0 = kiln.exp %x : tensor<4xi32>
  return
}

// -----

func.func @unary_result_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.relu' op requires the same type for all operands and results}}
  %0 = "kiln.relu"(%x) : (tensor<4xf32>) -> tensor<4xf64>
  return
}

// -----

func.func @not_broadcastable(%a: tensor<?x10xf32>, %b: tensor<3x5xf32>) {
  // expected-error @+1 {{'kiln.add' op operands are not broadcast-compatible: lhs has shape [?, 10], rhs has shape [3, 5]}}
  %0 = kiln.add %a, %b : (tensor<?x10xf32>, tensor<3x5xf32>) -> tensor<?x10xf32>
  return
}

// -----

func.func @element_types_differ(%a: tensor<4xf32>, %b: tensor<4xf64>) {
  // expected-error @+1 {{'kiln.mul' op operands have different element types: lhs is 'f32', rhs is 'f64'}}
  %0 = kiln.mul %a, %b : (tensor<4xf32>, tensor<4xf64>) -> tensor<4xf32>
  return
}

// -----

func.func @wrong_result_shape(%a: tensor<4x1xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.sub' op result #0 is declared 'tensor<4x4xf32>' but its operands and attributes give 'tensor<4x3xf32>'}}
  %0 = kiln.sub %a, %b : (tensor<4x1xf32>, tensor<3xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @wrong_result_rank(%a: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.maximum' op result #0 is declared 'tensor<?x4xf32>' but its operands and attributes give 'tensor<4xf32>'}}
  %0 = kiln.maximum %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @compare_shapes(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.compare' op operands are not broadcast-compatible: lhs has shape [2], rhs has shape [3]}}
  %0 = kiln.compare lt, %a, %b : (tensor<2xf32>, tensor<3xf32>) -> tensor<2xi1>
  return
}

// -----

func.func @compare_result(%a: tensor<2xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{'kiln.compare' op result #0 must be ranked tensor of 1-bit signless integer values}}
  %0 = kiln.compare lt, %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @select_condition(%c: tensor<4xf32>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.select' op operand #0 must be ranked tensor of 1-bit signless integer values}}
  %0 = kiln.select %c, %a, %a : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @select_values(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xi32>) {
  // expected-error @+1 {{'kiln.select' op values have different element types: on_true is 'f32', on_false is 'i32'}}
  %0 = kiln.select %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return
}

// -----

func.func @select_shapes(%c: tensor<5xi1>, %a: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.select' op operands are not broadcast-compatible: cond has shape [5], on_true has shape [4]}}
  %0 = kiln.select %c, %a, %a : (tensor<5xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @cast_shape(%a: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.cast' op result #0 is declared 'tensor<5xi32>' but its operands and attributes give 'tensor<4xi32>'}}
  %0 = kiln.cast %a to i32 : (tensor<4xf32>) -> tensor<5xi32>
  return
}

// -----

func.func @cast_target(%a: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.cast' op attribute 'to' failed to satisfy constraint: type attribute of 32-bit float or 64-bit float or 1-bit signless integer or 32-bit signless integer or 64-bit signless integer}}
  %0 = "kiln.cast"(%a) {to = f16} : (tensor<4xf32>) -> tensor<4xf16>
  return
}

// -----

func.func @clamp_bounds(%x: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.clamp' op 'min' (6) exceeds 'max' (0)}}
  %0 = kiln.clamp %x {min = 6.0 : f64, max = 0.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @softmax_axis(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{'kiln.softmax' op axis 2 is out of range for input of shape [?, 10]}}
  %0 = kiln.softmax %x {axis = 2} : tensor<?x10xf32>
  return
}

// -----

func.func @log_softmax_axis(%x: tensor<f32>) {
  // expected-error @+1 {{'kiln.log_softmax' op axis -1 is out of range for input of shape []}}
  %0 = kiln.log_softmax %x : tensor<f32>
  return
}
