// RUN: kiln-opt %s --split-input-file --verify-diagnostics

func.func @conv_rank(%x: tensor<?x28x28xf32>, %w: tensor<32x1x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op input must be a rank-4 tensor, got [?, 28, 28]}}
  %0 = kiln.conv2d %x, %w : (tensor<?x28x28xf32>, tensor<32x1x3x3xf32>) -> tensor<?x32x26x26xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<?x3x28x28xf32>, %w: tensor<32x1x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op input has shape [?, 3, 28, 28] with 3 channels but weight has shape [32, 1, 3, 3], which expects 1 in 1 group(s)}}
  %0 = kiln.conv2d %x, %w : (tensor<?x3x28x28xf32>, tensor<32x1x3x3xf32>) -> tensor<?x32x26x26xf32>
  return
}

// -----

func.func @conv_groups(%x: tensor<?x4x8x8xf32>, %w: tensor<6x1x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op weight has shape [6, 1, 3, 3]: 6 filters do not divide into 4 group(s)}}
  %0 = kiln.conv2d %x, %w {groups = 4} : (tensor<?x4x8x8xf32>, tensor<6x1x3x3xf32>) -> tensor<?x6x6x6xf32>
  return
}

// -----

func.func @conv_zero_groups(%x: tensor<?x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op groups must be positive, got 0}}
  %0 = kiln.conv2d %x, %w {groups = 0} : (tensor<?x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<?x6x6x6xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<?x1x8x8xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op bias has shape [5] but the op has 4 output channels}}
  %0 = kiln.conv2d %x, %w, %b : (tensor<?x1x8x8xf32>, tensor<4x1x3x3xf32>, tensor<5xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func.func @conv_bias_type(%x: tensor<?x1x8x8xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<4xf64>) {
  // expected-error @+1 {{'kiln.conv2d' op bias has element type 'f64' but input has 'f32'}}
  %0 = kiln.conv2d %x, %w, %b : (tensor<?x1x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf64>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func.func @conv_weight_type(%x: tensor<?x1x8x8xf32>, %w: tensor<4x1x3x3xf64>) {
  // expected-error @+1 {{'kiln.conv2d' op weight has element type 'f64' but input has 'f32'}}
  %0 = kiln.conv2d %x, %w : (tensor<?x1x8x8xf32>, tensor<4x1x3x3xf64>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func.func @conv_stride(%x: tensor<?x1x8x8xf32>, %w: tensor<4x1x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op 'stride' entries must be positive, got [0, 1]}}
  %0 = kiln.conv2d %x, %w {stride = array<i64: 0, 1>} : (tensor<?x1x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func.func @conv_padding_entries(%x: tensor<?x1x8x8xf32>, %w: tensor<4x1x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op 'padding' needs 2 entries (H, W), got 4}}
  %0 = kiln.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>} : (tensor<?x1x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @conv_window(%x: tensor<?x1x2x2xf32>, %w: tensor<4x1x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op window does not fit input of shape [?, 1, 2, 2]: the output would be empty}}
  %0 = kiln.conv2d %x, %w : (tensor<?x1x2x2xf32>, tensor<4x1x3x3xf32>) -> tensor<?x4x0x0xf32>
  return
}

// -----

func.func @conv_result(%x: tensor<?x1x8x8xf32>, %w: tensor<4x1x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv2d' op result #0 is declared 'tensor<?x4x8x8xf32>' but its operands and attributes give 'tensor<?x4x6x6xf32>'}}
  %0 = kiln.conv2d %x, %w : (tensor<?x1x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func.func @conv_transpose_channels(%x: tensor<?x8x7x7xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv_transpose2d' op input has shape [?, 8, 7, 7] but weight has shape [4, 2, 3, 3]: weight dimension 0 must equal the input channels and divide into 1 group(s)}}
  %0 = kiln.conv_transpose2d %x, %w : (tensor<?x8x7x7xf32>, tensor<4x2x3x3xf32>) -> tensor<?x2x9x9xf32>
  return
}

// -----

func.func @conv_transpose_output_padding(%x: tensor<?x8x7x7xf32>, %w: tensor<8x2x3x3xf32>) {
  // expected-error @+1 {{'kiln.conv_transpose2d' op output_padding [1, 1] must be smaller than the stride or the dilation}}
  %0 = kiln.conv_transpose2d %x, %w {output_padding = array<i64: 1, 1>} : (tensor<?x8x7x7xf32>, tensor<8x2x3x3xf32>) -> tensor<?x2x10x10xf32>
  return
}

// -----

func.func @conv_transpose_bias(%x: tensor<?x8x7x7xf32>, %w: tensor<8x2x3x3xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{'kiln.conv_transpose2d' op bias has shape [8] but the op has 2 output channels}}
  %0 = kiln.conv_transpose2d %x, %w, %b : (tensor<?x8x7x7xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<?x2x9x9xf32>
  return
}

// -----

func.func @pool_kernel(%x: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'kiln.max_pool2d' op 'kernel' needs 2 entries (H, W), got 1}}
  %0 = kiln.max_pool2d %x {kernel = array<i64: 2>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x4x4xf32>
  return
}

// -----

func.func @pool_padding(%x: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'kiln.max_pool2d' op padding [2, 2] exceeds half the kernel [2, 2]}}
  %0 = kiln.max_pool2d %x {kernel = array<i64: 2, 2>, padding = array<i64: 2, 2>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func.func @pool_window(%x: tensor<?x4x2x2xf32>) {
  // expected-error @+1 {{'kiln.avg_pool2d' op window does not fit input of shape [?, 4, 2, 2]: the output would be empty}}
  %0 = kiln.avg_pool2d %x {kernel = array<i64: 3, 3>} : (tensor<?x4x2x2xf32>) -> tensor<?x4x0x0xf32>
  return
}

// -----

func.func @pool_rank(%x: tensor<?x8x8xf32>) {
  // expected-error @+1 {{'kiln.global_avg_pool2d' op input must be a rank-4 tensor, got [?, 8, 8]}}
  %0 = kiln.global_avg_pool2d %x : (tensor<?x8x8xf32>) -> tensor<?x1x1xf32>
  return
}

// -----

func.func @upsample_scale(%x: tensor<?x4x8x8xf32>) {
  // expected-error @+1 {{'kiln.upsample_nearest2d' op 'scale' entries must be positive, got [0, 2]}}
  %0 = kiln.upsample_nearest2d %x {scale = array<i64: 0, 2>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x8x16xf32>
  return
}

// -----

func.func @batch_norm_rank(%x: tensor<?x4x8xf32>, %c: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.batch_norm' op input must be [N, C] or [N, C, H, W], got shape [?, 4, 8]}}
  %0:3 = kiln.batch_norm %x, %c, %c, %c, %c : (tensor<?x4x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x8xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @batch_norm_stats(%x: tensor<?x4xf32>, %c: tensor<4xf32>, %v: tensor<5xf32>) {
  // expected-error @+1 {{'kiln.batch_norm' op running_var has shape [5] but input of shape [?, 4] needs [4]}}
  %0:3 = kiln.batch_norm %x, %c, %c, %c, %v : (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<5xf32>) -> (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @batch_norm_momentum(%x: tensor<?x4xf32>, %c: tensor<4xf32>) {
  // expected-error @+1 {{'kiln.batch_norm' op needs 0 <= momentum <= 1 and epsilon > 0}}
  %0:3 = kiln.batch_norm %x, %c, %c, %c, %c {momentum = 1.5 : f64} : (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @batch_norm_element(%x: tensor<?x4xf32>, %c: tensor<4xf32>, %d: tensor<4xf64>) {
  // expected-error @+1 {{'kiln.batch_norm' op scale has element type 'f64' but input has 'f32'}}
  %0:3 = kiln.batch_norm %x, %d, %c, %c, %c : (tensor<?x4xf32>, tensor<4xf64>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @layer_norm_shape(%x: tensor<?x10x64xf32>, %s: tensor<10x64xf32>, %o: tensor<64xf32>) {
  // expected-error @+1 {{'kiln.layer_norm' op scale has shape [10, 64] but input of shape [?, 10, 64] needs [64]}}
  %0 = kiln.layer_norm %x, %s, %o : (tensor<?x10x64xf32>, tensor<10x64xf32>, tensor<64xf32>) -> tensor<?x10x64xf32>
  return
}

// -----

func.func @layer_norm_axis(%x: tensor<?x10x64xf32>, %s: tensor<64xf32>) {
  // expected-error @+1 {{'kiln.layer_norm' op axis 3 is out of range for input shape [?, 10, 64]}}
  %0 = kiln.layer_norm %x, %s, %s {axis = 3} : (tensor<?x10x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x10x64xf32>
  return
}

// -----

func.func @layer_norm_epsilon(%x: tensor<?x64xf32>, %s: tensor<64xf32>) {
  // expected-error @+1 {{'kiln.layer_norm' op epsilon must be positive}}
  %0 = kiln.layer_norm %x, %s, %s {epsilon = 0.0 : f64} : (tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64xf32>
  return
}

// -----

func.func @dropout_rate(%x: tensor<?x64xf32>, %k: tensor<2xi64>) {
  // expected-error @+1 {{'kiln.dropout' op rate must be in [0, 1), got 1}}
  %0 = kiln.dropout %x, %k {rate = 1.0 : f64, stream = 0} : (tensor<?x64xf32>, tensor<2xi64>) -> tensor<?x64xf32>
  return
}

// -----

func.func @dropout_key(%x: tensor<?x64xf32>, %k: tensor<3xi64>) {
  // expected-error @+1 {{'kiln.dropout' op operand #1 must be random key (tensor<2xi64>: seed, step), but got 'tensor<3xi64>'}}
  %0 = kiln.dropout %x, %k {rate = 0.5 : f64, stream = 0} : (tensor<?x64xf32>, tensor<3xi64>) -> tensor<?x64xf32>
  return
}
