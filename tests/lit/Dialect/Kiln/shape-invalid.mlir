// RUN: kiln-opt %s --split-input-file --verify-diagnostics

func.func @reshape_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.reshape' op cannot reshape [2, 3] to [4, 2]: input has 6 elements but the target shape holds 8}}
  %0 = kiln.reshape %x {shape = array<i64: 4, 2>} : (tensor<2x3xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @reshape_two_inferred(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.reshape' op cannot reshape [2, 3] to [-1, -1]: at most one entry of the target shape may be -1}}
  %0 = kiln.reshape %x {shape = array<i64: -1, -1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @reshape_not_multiple(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.reshape' op cannot reshape [2, 3] to [-1, 4]: cannot infer the -1 entry: 6 elements are not a multiple of 4}}
  %0 = kiln.reshape %x {shape = array<i64: -1, 4>} : (tensor<2x3xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @reshape_negative(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.reshape' op cannot reshape [2, 3] to [-3, 2]: target sizes must be non-negative or -1, got -3}}
  %0 = kiln.reshape %x {shape = array<i64: -3, 2>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @flatten_range(%x: tensor<?x4x4xf32>) {
  // expected-error @+1 {{'kiln.flatten' op cannot flatten dimensions 2 to 1 of input shape [?, 4, 4]}}
  %0 = kiln.flatten %x {start_dim = 2, end_dim = 1} : (tensor<?x4x4xf32>) -> tensor<?x16xf32>
  return
}

// -----

func.func @transpose_perm(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'kiln.transpose' op perm [0, 0, 1] is not a permutation of the dimensions of input shape [2, 3, 4]}}
  %0 = kiln.transpose %x {perm = array<i64: 0, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<2x2x3xf32>
  return
}

// -----

func.func @transpose_rank(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'kiln.transpose' op perm [1, 0] is not a permutation of the dimensions of input shape [2, 3, 4]}}
  %0 = kiln.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3x4xf32>) -> tensor<3x2xf32>
  return
}

// -----

func.func @broadcast_stretch(%x: tensor<?x3xf32>) {
  // expected-error @+1 {{'kiln.broadcast_to' op cannot broadcast [?, 3] to [-1, 4]: dimension 1 of size 3 cannot stretch to 4}}
  %0 = kiln.broadcast_to %x {shape = array<i64: -1, 4>} : (tensor<?x3xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @broadcast_rank(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.broadcast_to' op cannot broadcast [2, 3] to [3]: the target has fewer dimensions than the input}}
  %0 = kiln.broadcast_to %x {shape = array<i64: 3>} : (tensor<2x3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @broadcast_keep_new_dim(%x: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.broadcast_to' op cannot broadcast [3] to [-1, 3]: -1 is only allowed where the input has a dimension}}
  %0 = kiln.broadcast_to %x {shape = array<i64: -1, 3>} : (tensor<3xf32>) -> tensor<1x3xf32>
  return
}

// -----

func.func @broadcast_negative(%x: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.broadcast_to' op cannot broadcast [3] to [-2, 3]: sizes must be non-negative or -1}}
  %0 = kiln.broadcast_to %x {shape = array<i64: -2, 3>} : (tensor<3xf32>) -> tensor<1x3xf32>
  return
}

// -----

func.func @concat_empty() {
  // expected-error @+1 {{'kiln.concat' op needs at least one input}}
  %0 = "kiln.concat"() {axis = 0 : i64} : () -> tensor<3xf32>
  return
}

// -----

func.func @concat_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.concat' op axis 2 is out of range for input #0 of shape [2, 3]}}
  %0 = kiln.concat %x, %x {axis = 2} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_other_dim(%x: tensor<2x3xf32>, %y: tensor<4x3xf32>) {
  // expected-error @+1 {{'kiln.concat' op input #1 has shape [4, 3] but input #0 has shape [2, 3]: they differ in dimension 0, which is not the axis}}
  %0 = kiln.concat %x, %y {axis = 1} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_rank(%x: tensor<2x3xf32>, %y: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.concat' op input #1 has shape [3] of another rank than input #0 [2, 3]}}
  %0 = kiln.concat %x, %y {axis = 0} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<5x3xf32>
  return
}

// -----

func.func @concat_element(%x: tensor<2x3xf32>, %y: tensor<2x3xi32>) {
  // expected-error @+1 {{'kiln.concat' op input #1 has element type 'i32' but input #0 has 'f32'}}
  %0 = kiln.concat %x, %y {axis = 0} : (tensor<2x3xf32>, tensor<2x3xi32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @slice_lengths(%x: tensor<4x5xf32>) {
  // expected-error @+1 {{'kiln.slice' op axes, starts, ends and steps must have the same length, got 2, 1, 2 and 2}}
  %0 = kiln.slice %x {axes = array<i64: 0, 1>, starts = array<i64: 0>, ends = array<i64: 2, 2>} : (tensor<4x5xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @slice_axis(%x: tensor<4x5xf32>) {
  // expected-error @+1 {{'kiln.slice' op axis 2 is out of range or repeated for input shape [4, 5]}}
  %0 = kiln.slice %x {axes = array<i64: 2>, starts = array<i64: 0>, ends = array<i64: 2>} : (tensor<4x5xf32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @slice_step(%x: tensor<4x5xf32>) {
  // expected-error @+1 {{'kiln.slice' op step 0 along axis 0 must be positive}}
  %0 = kiln.slice %x {axes = array<i64: 0>, starts = array<i64: 0>, ends = array<i64: 2>, steps = array<i64: 0>} : (tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @pad_lengths(%x: tensor<4x5xf32>) {
  // expected-error @+1 {{'kiln.pad' op low and high need one entry per dimension of input shape [4, 5], got 1 and 2}}
  %0 = kiln.pad %x {low = array<i64: 1>, high = array<i64: 1, 1>} : (tensor<4x5xf32>) -> tensor<6x7xf32>
  return
}

// -----

func.func @pad_negative(%x: tensor<4x5xf32>) {
  // expected-error @+1 {{'kiln.pad' op padding must be non-negative, got low [-1, 0] and high [1, 1]}}
  %0 = kiln.pad %x {low = array<i64: -1, 0>, high = array<i64: 1, 1>} : (tensor<4x5xf32>) -> tensor<4x6xf32>
  return
}

// -----

func.func @gather_axis(%t: tensor<10x4xf32>, %i: tensor<3xi32>) {
  // expected-error @+1 {{'kiln.gather' op axis 2 is out of range for table of shape [10, 4]}}
  %0 = kiln.gather %t, %i {axis = 2} : (tensor<10x4xf32>, tensor<3xi32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @gather_index_type(%t: tensor<10x4xf32>, %i: tensor<3xf32>) {
  // expected-error @+1 {{'kiln.gather' op operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<3xf32>'}}
  %0 = kiln.gather %t, %i : (tensor<10x4xf32>, tensor<3xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @one_hot_depth(%i: tensor<3xi32>) {
  // expected-error @+1 {{'kiln.one_hot' op depth must be positive, got 0}}
  %0 = kiln.one_hot %i {depth = 0} : (tensor<3xi32>) -> tensor<3x0xf32>
  return
}

// -----

func.func @constant_type() {
  // expected-error @+1 {{'kiln.constant' op result #0 must be ranked tensor of 32-bit float or 64-bit float or 1-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<2xf16>'}}
  %0 = kiln.constant dense<1.0> : tensor<2xf16>
  return
}

// -----

func.func @full_shape() {
  // expected-error @+1 {{'kiln.full' op shape must be static and non-negative, got [-1, 3]}}
  %0 = kiln.full {shape = array<i64: -1, 3>, value = 0.0 : f64, dtype = f32} : tensor<?x3xf32>
  return
}

// -----

func.func @full_result(%x: tensor<2xf32>) {
  // expected-error @+1 {{'kiln.full' op result #0 is declared 'tensor<3x2xf32>' but its operands and attributes give 'tensor<2x3xf32>'}}
  %0 = kiln.full {shape = array<i64: 2, 3>, value = 0.0 : f64, dtype = f32} : tensor<3x2xf32>
  return
}
