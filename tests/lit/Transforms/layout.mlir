// RUN: kiln-opt %s --kiln-layout | FileCheck %s

// kiln-layout marks the convolutions that the padded NCHW planes suit:
// unit strides, no groups, and every transposed convolution (its input is
// spread by the stride first, then convolved with a unit stride). Strided
// and grouped convolutions keep the image-to-column layout.
// CHECK-LABEL: func.func @convolutions
// CHECK: kiln.conv2d {{.*}}kiln.layout = "planes"{{.*}} -> tensor<?x4x8x8xf32>
// CHECK: kiln.conv2d
// CHECK-NOT: kiln.layout
// CHECK-SAME: -> tensor<?x4x4x4xf32>
// CHECK: kiln.conv2d
// CHECK-NOT: kiln.layout
// CHECK-SAME: -> tensor<?x4x8x8xf32>
// CHECK: kiln.conv_transpose2d {{.*}}kiln.layout = "planes"
// CHECK: kiln.conv2d_filter_grad {{.*}}kiln.layout = "planes"{{.*}} -> tensor<4x2x3x3xf32>
// CHECK: kiln.conv2d_filter_grad
// CHECK-NOT: kiln.layout
// CHECK-SAME: -> tensor<4x2x3x3xf32>
func.func @convolutions(%x: tensor<?x2x8x8xf32>, %w: tensor<4x2x3x3xf32>, %wg: tensor<4x1x3x3xf32>, %wt: tensor<2x4x4x4xf32>, %g: tensor<?x4x8x8xf32>, %gs: tensor<?x4x4x4xf32>) -> (tensor<?x4x8x8xf32>, tensor<?x4x4x4xf32>, tensor<?x4x8x8xf32>, tensor<?x4x16x16xf32>, tensor<4x2x3x3xf32>, tensor<4x2x3x3xf32>) {
  %0 = kiln.conv2d %x, %w {padding = array<i64: 1, 1>} : (tensor<?x2x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<?x4x8x8xf32>
  %1 = kiln.conv2d %x, %w {padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x2x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<?x4x4x4xf32>
  %2 = kiln.conv2d %x, %wg {groups = 2, padding = array<i64: 1, 1>} : (tensor<?x2x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<?x4x8x8xf32>
  %3 = kiln.conv_transpose2d %x, %wt {stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x2x8x8xf32>, tensor<2x4x4x4xf32>) -> tensor<?x4x16x16xf32>
  %4 = kiln.conv2d_filter_grad %x, %g {kernel = array<i64: 3, 3>, padding = array<i64: 1, 1>} : (tensor<?x2x8x8xf32>, tensor<?x4x8x8xf32>) -> tensor<4x2x3x3xf32>
  %5 = kiln.conv2d_filter_grad %x, %gs {kernel = array<i64: 3, 3>, padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x2x8x8xf32>, tensor<?x4x4x4xf32>) -> tensor<4x2x3x3xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<?x4x8x8xf32>, tensor<?x4x4x4xf32>, tensor<?x4x8x8xf32>, tensor<?x4x16x16xf32>, tensor<4x2x3x3xf32>, tensor<4x2x3x3xf32>
}
