// Round trip of the convolution family and normalisation.
// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s

// CHECK-LABEL: func @convolutions
func.func @convolutions(%x: tensor<?x1x28x28xf32>, %w: tensor<32x1x3x3xf32>, %b: tensor<32xf32>,
                        %g: tensor<?x64x14x14xf32>, %gw: tensor<64x16x3x3xf32>,
                        %z: tensor<?x128x7x7xf32>, %tw: tensor<128x64x4x4xf32>, %tb: tensor<64xf32>) {
  // CHECK: kiln.conv2d %{{.*}}, %{{.*}}, %{{.*}} {padding = array<i64: 1, 1>} : (tensor<?x1x28x28xf32>, tensor<32x1x3x3xf32>, tensor<32xf32>) -> tensor<?x32x28x28xf32>
  %0 = kiln.conv2d %x, %w, %b {padding = array<i64: 1, 1>} : (tensor<?x1x28x28xf32>, tensor<32x1x3x3xf32>, tensor<32xf32>) -> tensor<?x32x28x28xf32>
  // CHECK: kiln.conv2d %{{.*}}, %{{.*}} {dilation = array<i64: 2, 2>, stride = array<i64: 2, 2>} : (tensor<?x1x28x28xf32>, tensor<32x1x3x3xf32>) -> tensor<?x32x12x12xf32>
  %1 = kiln.conv2d %x, %w {stride = array<i64: 2, 2>, dilation = array<i64: 2, 2>} : (tensor<?x1x28x28xf32>, tensor<32x1x3x3xf32>) -> tensor<?x32x12x12xf32>
  // CHECK: kiln.conv2d %{{.*}}, %{{.*}} {groups = 4 : i64, padding = array<i64: 1, 1>} : (tensor<?x64x14x14xf32>, tensor<64x16x3x3xf32>) -> tensor<?x64x14x14xf32>
  %2 = kiln.conv2d %g, %gw {groups = 4, padding = array<i64: 1, 1>} : (tensor<?x64x14x14xf32>, tensor<64x16x3x3xf32>) -> tensor<?x64x14x14xf32>
  // CHECK: kiln.conv_transpose2d %{{.*}}, %{{.*}}, %{{.*}} {padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x128x7x7xf32>, tensor<128x64x4x4xf32>, tensor<64xf32>) -> tensor<?x64x14x14xf32>
  %3 = kiln.conv_transpose2d %z, %tw, %tb {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x128x7x7xf32>, tensor<128x64x4x4xf32>, tensor<64xf32>) -> tensor<?x64x14x14xf32>
  // CHECK: kiln.conv_transpose2d %{{.*}}, %{{.*}} {output_padding = array<i64: 1, 1>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x128x7x7xf32>, tensor<128x64x3x3xf32>) -> tensor<?x64x14x14xf32>
  %tw3 = kiln.full {shape = array<i64: 128, 64, 3, 3>, value = 0.0 : f64, dtype = f32} : tensor<128x64x3x3xf32>
  %4 = kiln.conv_transpose2d %z, %tw3 {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, output_padding = array<i64: 1, 1>} : (tensor<?x128x7x7xf32>, tensor<128x64x3x3xf32>) -> tensor<?x64x14x14xf32>
  return
}

// CHECK-LABEL: func @pooling
func.func @pooling(%x: tensor<?x32x28x28xf32>, %y: tensor<?x8x7x7xf32>) {
  // CHECK: kiln.max_pool2d %{{.*}} {kernel = array<i64: 2, 2>} : (tensor<?x32x28x28xf32>) -> tensor<?x32x14x14xf32>
  %0 = kiln.max_pool2d %x {kernel = array<i64: 2, 2>} : (tensor<?x32x28x28xf32>) -> tensor<?x32x14x14xf32>
  // CHECK: kiln.max_pool2d %{{.*}} {kernel = array<i64: 3, 3>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x8x7x7xf32>) -> tensor<?x8x4x4xf32>
  %1 = kiln.max_pool2d %y {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x8x7x7xf32>) -> tensor<?x8x4x4xf32>
  // CHECK: kiln.avg_pool2d %{{.*}} {count_include_pad = false, kernel = array<i64: 2, 2>} : (tensor<?x8x7x7xf32>) -> tensor<?x8x3x3xf32>
  %2 = kiln.avg_pool2d %y {kernel = array<i64: 2, 2>, count_include_pad = false} : (tensor<?x8x7x7xf32>) -> tensor<?x8x3x3xf32>
  // CHECK: kiln.global_avg_pool2d %{{.*}} : (tensor<?x8x7x7xf32>) -> tensor<?x8x1x1xf32>
  %3 = kiln.global_avg_pool2d %y : (tensor<?x8x7x7xf32>) -> tensor<?x8x1x1xf32>
  // CHECK: kiln.upsample_nearest2d %{{.*}} {scale = array<i64: 2, 3>} : (tensor<?x8x7x7xf32>) -> tensor<?x8x14x21xf32>
  %4 = kiln.upsample_nearest2d %y {scale = array<i64: 2, 3>} : (tensor<?x8x7x7xf32>) -> tensor<?x8x14x21xf32>
  return
}

// CHECK-LABEL: func @normalisation
func.func @normalisation(%x: tensor<?x32x14x14xf32>, %c: tensor<32xf32>, %h: tensor<?x10x64xf32>,
                         %s: tensor<64xf32>, %key: tensor<2xi64>) {
  // CHECK: kiln.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {training} : (tensor<?x32x14x14xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> (tensor<?x32x14x14xf32>, tensor<32xf32>, tensor<32xf32>)
  %0:3 = kiln.batch_norm %x, %c, %c, %c, %c {training} : (tensor<?x32x14x14xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> (tensor<?x32x14x14xf32>, tensor<32xf32>, tensor<32xf32>)
  // CHECK: kiln.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f64} : (tensor<?x32x14x14xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> (tensor<?x32x14x14xf32>, tensor<32xf32>, tensor<32xf32>)
  %1:3 = kiln.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-3 : f64} : (tensor<?x32x14x14xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> (tensor<?x32x14x14xf32>, tensor<32xf32>, tensor<32xf32>)
  // CHECK: kiln.layer_norm %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x10x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x10x64xf32>
  %2 = kiln.layer_norm %h, %s, %s : (tensor<?x10x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x10x64xf32>
  // CHECK: kiln.dropout %{{.*}}, %{{.*}} {rate = 5.000000e-01 : f64, stream = 3 : i64} : (tensor<?x10x64xf32>, tensor<2xi64>) -> tensor<?x10x64xf32>
  %3 = kiln.dropout %h, %key {rate = 0.5 : f64, stream = 3} : (tensor<?x10x64xf32>, tensor<2xi64>) -> tensor<?x10x64xf32>
  return
}
