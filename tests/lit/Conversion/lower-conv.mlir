// RUN: kiln-opt %s --split-input-file --kiln-lower-conv | FileCheck %s

// A strided convolution is an im2col product: patches as rows, times the
// filter.
// The patches are copied from the channels-last input (a single channel is
// channels-last already).
// CHECK-DAG: #[[WINDOW:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 2 + d3, d2 * 2 + d4, d5)>
// CHECK-LABEL: func.func @conv
// CHECK: %[[PAD:.+]] = tensor.pad %{{.+}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[PLANE:.+]] = tensor.collapse_shape %[[PAD]] {{\[}}[0], [1, 2], [3]] : tensor<?x1x30x30xf32> into tensor<?x30x30xf32>
// CHECK: %[[NHWC:.+]] = tensor.expand_shape %[[PLANE]] {{\[}}[0], [1], [2, 3]] output_shape [%{{.+}}, 30, 30, 1] : tensor<?x30x30xf32> into tensor<?x30x30x1xf32>
// CHECK: %[[PATCHES:.+]] = linalg.generic {indexing_maps = [#[[WINDOW]], #{{.+}}]{{.*}}ins(%[[NHWC]] : tensor<?x30x30x1xf32>) outs(%{{.+}} : tensor<?x14x14x3x3x1xf32>)
// CHECK: %[[COL:.+]] = tensor.collapse_shape %[[PATCHES]] {{\[}}[0], [1, 2], [3, 4, 5]] : tensor<?x14x14x3x3x1xf32> into tensor<?x196x9xf32>
// CHECK: %[[WTT:.+]] = linalg.transpose ins(%{{.+}} : tensor<32x1x3x3xf32>) outs(%{{.+}} : tensor<3x3x1x32xf32>) permutation = [2, 3, 1, 0]
// CHECK: %[[WT:.+]] = tensor.collapse_shape %[[WTT]] {{\[}}[0, 1, 2], [3]] : tensor<3x3x1x32xf32> into tensor<9x32xf32>
// CHECK: %[[ROWS:.+]] = tensor.collapse_shape %[[COL]] {{\[}}[0, 1], [2]] : tensor<?x196x9xf32> into tensor<?x9xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}}ins(%[[ROWS]], %[[WT]] : tensor<?x9xf32>, tensor<9x32xf32>)
// CHECK: tensor.expand_shape {{.*}} into tensor<?x196x32xf32>
// CHECK: linalg.transpose {{.*}} permutation = [0, 2, 1]
// CHECK: tensor.expand_shape {{.*}} into tensor<?x32x14x14xf32>
func.func @conv(%x: tensor<?x1x28x28xf32>, %w: tensor<32x1x3x3xf32>, %b: tensor<32xf32>) -> tensor<?x32x14x14xf32> {
  %0 = kiln.conv2d %x, %w, %b {padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x1x28x28xf32>, tensor<32x1x3x3xf32>, tensor<32xf32>) -> tensor<?x32x14x14xf32>
  return %0 : tensor<?x32x14x14xf32>
}

// -----

// Several channels, strided: one transpose to channels-last, then rows of
// channels.
// CHECK-LABEL: func.func @channels
// CHECK: %[[PAD:.+]] = tensor.pad
// CHECK: %[[NHWC:.+]] = linalg.transpose ins(%[[PAD]] : tensor<?x8x10x10xf32>) outs(%{{.+}} : tensor<?x10x10x8xf32>) permutation = [0, 2, 3, 1]
// CHECK: linalg.generic {{.*}}ins(%[[NHWC]] : tensor<?x10x10x8xf32>) outs(%{{.+}} : tensor<?x4x4x3x3x8xf32>)
func.func @channels(%x: tensor<?x8x8x8xf32>, %w: tensor<16x8x3x3xf32>) -> tensor<?x16x4x4xf32> {
  %0 = kiln.conv2d %x, %w {padding = array<i64: 1, 1>, stride = array<i64: 2, 2>} : (tensor<?x8x8x8xf32>, tensor<16x8x3x3xf32>) -> tensor<?x16x4x4xf32>
  return %0 : tensor<?x16x4x4xf32>
}

// -----

// A unit-stride convolution in the planes layout (chosen by kiln-layout)
// reads the padded NCHW planes in place: output
// pixel p = oh * 10 + ow of rows 10 wide (the padded width) reads tap
// (i, j) at p + i * 10 + j. The 80 pixels round up to 96 (whole tiles of
// 32), so the padding below grows until the last tile's reads stay inside
// (95 + 2 * 10 + 2 < 12 * 10); the extra columns are sliced off. The sum
// starts from zeros and the bias joins the valid pixels.
// CHECK-DAG: #[[FILTER:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d3, d4, d5)>
// CHECK-DAG: #[[TAP:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d2 + d4 * 10 + d5)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @direct
// CHECK: %[[PAD:.+]] = tensor.pad %{{.+}} low[0, 0, 1, 1] high[0, 0, 3, 1]
// CHECK: %[[PLANES:.+]] = tensor.collapse_shape %[[PAD]] {{\[}}[0], [1], [2, 3]] : tensor<?x8x12x10xf32> into tensor<?x8x120xf32>
// CHECK: %[[INIT:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<?x16x96xf32>)
// CHECK: %[[WIDE:.+]] = linalg.generic {indexing_maps = [#[[FILTER]], #[[TAP]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%{{.+}}, %[[PLANES]] : tensor<16x8x3x3xf32>, tensor<?x8x120xf32>) outs(%[[INIT]] : tensor<?x16x96xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[ROWS:.+]] = tensor.extract_slice %[[WIDE]][0, 0, 0] [%{{.+}}, 16, 80] [1, 1, 1]
// CHECK: %[[GRID:.+]] = tensor.expand_shape %[[ROWS]] {{\[}}[0], [1], [2, 3]] output_shape [%{{.+}}, 16, 8, 10]
// CHECK: %[[VALID:.+]] = tensor.extract_slice %[[GRID]][0, 0, 0, 0] [%{{.+}}, 16, 8, 8] [1, 1, 1, 1] : tensor<?x16x8x10xf32> to tensor<?x16x8x8xf32>
// CHECK: %[[BIAS:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0, 1, 2]] output_shape [16, 1, 1] : tensor<16xf32> into tensor<16x1x1xf32>
// CHECK: linalg.generic {{.+}} ins(%[[VALID]], %[[BIAS]] : tensor<?x16x8x8xf32>, tensor<16x1x1xf32>)
// CHECK: arith.addf
func.func @direct(%x: tensor<?x8x8x8xf32>, %w: tensor<16x8x3x3xf32>, %b: tensor<16xf32>) -> tensor<?x16x8x8xf32> {
  %0 = kiln.conv2d %x, %w, %b {kiln.layout = "planes", padding = array<i64: 1, 1>} : (tensor<?x8x8x8xf32>, tensor<16x8x3x3xf32>, tensor<16xf32>) -> tensor<?x16x8x8xf32>
  return %0 : tensor<?x16x8x8xf32>
}

// -----

// Without a layout chosen, a unit-stride convolution is an image-to-column
// product too.
// CHECK-LABEL: func.func @unit_stride_patches
// CHECK: linalg.transpose {{.*}} permutation = [0, 2, 3, 1]
// CHECK: linalg.generic {{.*}}outs(%{{.+}} : tensor<?x8x8x3x3x8xf32>)
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-NOT: "reduction", "reduction", "reduction"
func.func @unit_stride_patches(%x: tensor<?x8x8x8xf32>, %w: tensor<16x8x3x3xf32>) -> tensor<?x16x8x8xf32> {
  %0 = kiln.conv2d %x, %w {padding = array<i64: 1, 1>} : (tensor<?x8x8x8xf32>, tensor<16x8x3x3xf32>) -> tensor<?x16x8x8xf32>
  return %0 : tensor<?x16x8x8xf32>
}

// -----

// Groups split the channels into a group dimension.
// CHECK-LABEL: func.func @grouped
// CHECK: tensor.expand_shape
// CHECK: linalg.transpose
// CHECK: linalg.conv_2d_ngchw_fgchw
// CHECK: tensor.collapse_shape
func.func @grouped(%x: tensor<?x4x8x8xf32>, %w: tensor<8x2x3x3xf32>) -> tensor<?x8x6x6xf32> {
  %0 = kiln.conv2d %x, %w {groups = 2} : (tensor<?x4x8x8xf32>, tensor<8x2x3x3xf32>) -> tensor<?x8x6x6xf32>
  return %0 : tensor<?x8x6x6xf32>
}

// -----

// A transposed convolution: spread by the stride, flip the filter, pad
// (2 on each side, plus rows below for the rounded-up pixels), and a
// unit-stride convolution.
// CHECK-DAG: #[[FLIP:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d0, -d2 + 3, -d3 + 3)>
// CHECK-LABEL: func.func @transposed
// CHECK: tensor.insert_slice %{{.+}} into %{{.+}}[0, 0, 0, 0] [%{{.+}}, 8, 7, 7] [1, 1, 2, 2]
// CHECK: linalg.generic {indexing_maps = [#[[FLIP]]
// CHECK: tensor.pad %{{.+}} low[0, 0, 2, 2] high[0, 0, 4, 2]
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
func.func @transposed(%x: tensor<?x8x7x7xf32>, %w: tensor<8x4x4x4xf32>) -> tensor<?x4x14x14xf32> {
  %0 = kiln.conv_transpose2d %x, %w {kiln.layout = "planes", stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x8x7x7xf32>, tensor<8x4x4x4xf32>) -> tensor<?x4x14x14xf32>
  return %0 : tensor<?x4x14x14xf32>
}

// -----

// Max pooling whose windows tile the input is the elementwise maximum of
// one strided slice per tap of the input seen as [N, C, OH, KH, OW, KW];
// other pooling uses linalg's pooling ops.
// CHECK-LABEL: func.func @pools
// CHECK: %[[WINDOWS:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0], [1], [2, 3], [4, 5]] output_shape [%{{.+}}, 4, 4, 2, 4, 2] : tensor<?x4x8x8xf32> into tensor<?x4x4x2x4x2xf32>
// CHECK: %[[T00:.+]] = tensor.extract_slice %[[WINDOWS]][0, 0, 0, 0, 0, 0] [%{{.+}}, 4, 4, 1, 4, 1] [1, 1, 1, 1, 1, 1] : tensor<?x4x4x2x4x2xf32> to tensor<?x4x4x4xf32>
// CHECK: %[[T01:.+]] = tensor.extract_slice %[[WINDOWS]][0, 0, 0, 0, 0, 1]
// CHECK: %[[T10:.+]] = tensor.extract_slice %[[WINDOWS]][0, 0, 0, 1, 0, 0]
// CHECK: %[[T11:.+]] = tensor.extract_slice %[[WINDOWS]][0, 0, 0, 1, 0, 1]
// CHECK: linalg.generic {{.*}}ins(%[[T00]], %[[T01]], %[[T10]], %[[T11]] :
// CHECK-COUNT-3: arith.maximumf
// CHECK: linalg.pooling_nchw_sum
// CHECK: arith.divf
// CHECK: linalg.pooling_nchw_max
func.func @pools(%x: tensor<?x4x8x8xf32>) -> (tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>, tensor<?x4x3x3xf32>) {
  %0 = kiln.max_pool2d %x {kernel = array<i64: 2, 2>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x4x4xf32>
  %1 = kiln.avg_pool2d %x {kernel = array<i64: 2, 2>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x4x4xf32>
  // Overlapping windows.
  %2 = kiln.max_pool2d %x {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>} : (tensor<?x4x8x8xf32>) -> tensor<?x4x3x3xf32>
  return %0, %1, %2 : tensor<?x4x4x4xf32>, tensor<?x4x4x4xf32>, tensor<?x4x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @others
// CHECK: kiln.relu
func.func @others(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
