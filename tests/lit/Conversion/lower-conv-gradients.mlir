// RUN: kiln-opt %s --split-input-file --kiln-lower-conv-gradients | FileCheck %s

// Max pooling's gradient goes to each window's first maximum. With windows
// that tile the input, both steps are elementwise: the argmax over one
// strided slice per tap (in tap order, the first strictly greater wins),
// and the routing over the input seen as [N, C, OH, KH, OW, KW]. No
// reduction over windows, no reads at computed indices.
// CHECK-DAG: #[[WINDOW:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d4)>
// CHECK-LABEL: func.func @pool_tiles
// CHECK: %[[TAPS:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0], [1], [2, 3], [4, 5]] output_shape [%{{.+}}, 4, 4, 2, 4, 2]
// CHECK: %[[T00:.+]] = tensor.extract_slice %[[TAPS]][0, 0, 0, 0, 0, 0]
// CHECK: %[[T01:.+]] = tensor.extract_slice %[[TAPS]][0, 0, 0, 0, 0, 1]
// CHECK: %[[T10:.+]] = tensor.extract_slice %[[TAPS]][0, 0, 0, 1, 0, 0]
// CHECK: %[[T11:.+]] = tensor.extract_slice %[[TAPS]][0, 0, 0, 1, 0, 1]
// CHECK: %[[ARGMAX:.+]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[T00]], %[[T01]], %[[T10]], %[[T11]] : {{.+}}) outs(%{{.+}} : tensor<?x4x4x4xi32>)
// CHECK-COUNT-4: arith.cmpf ogt
// CHECK: %[[ROUTED:.+]] = linalg.generic {indexing_maps = [#[[WINDOW]], #[[WINDOW]], #{{.+}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[ARGMAX]], %{{.+}} : tensor<?x4x4x4xi32>, tensor<?x4x4x4xf32>) outs(%{{.+}} : tensor<?x4x4x2x4x2xf32>)
// CHECK-NOT: tensor.extract
// CHECK: arith.cmpi eq
// CHECK: arith.select
// CHECK: tensor.collapse_shape %[[ROUTED]] {{\[}}[0], [1], [2, 3], [4, 5]] : tensor<?x4x4x2x4x2xf32> into tensor<?x4x8x8xf32>
func.func @pool_tiles(%x: tensor<?x4x8x8xf32>, %g: tensor<?x4x4x4xf32>) -> tensor<?x4x8x8xf32> {
  %0 = kiln.max_pool2d_grad %x, %g {kernel = array<i64: 2, 2>} : (tensor<?x4x8x8xf32>, tensor<?x4x4x4xf32>) -> tensor<?x4x8x8xf32>
  return %0 : tensor<?x4x8x8xf32>
}

// -----

// A row past the last window (7 = 3 x 2 + 1) gets no gradient: the general
// routing finds each position's window and reads its argmax.
// CHECK-LABEL: func.func @pool_remainder
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: tensor.extract
// CHECK-NOT: tensor.collapse_shape
func.func @pool_remainder(%x: tensor<?x4x7x7xf32>, %g: tensor<?x4x3x3xf32>) -> tensor<?x4x7x7xf32> {
  %0 = kiln.max_pool2d_grad %x, %g {kernel = array<i64: 2, 2>} : (tensor<?x4x7x7xf32>, tensor<?x4x3x3xf32>) -> tensor<?x4x7x7xf32>
  return %0 : tensor<?x4x7x7xf32>
}

// -----

// A filter's gradient over a single channel is an image-to-column product
// over all pixels of all images: patches [N*OH*OW, KH*KW*C] against the
// output gradient.
// CHECK-LABEL: func.func @filter
// CHECK: linalg.generic {{.*}}outs(%{{.+}} : tensor<?x26x26x3x3x1xf32>)
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
func.func @filter(%x: tensor<?x1x28x28xf32>, %g: tensor<?x8x26x26xf32>) -> tensor<8x1x3x3xf32> {
  %0 = kiln.conv2d_filter_grad %x, %g {kernel = array<i64: 3, 3>} : (tensor<?x1x28x28xf32>, tensor<?x8x26x26xf32>) -> tensor<8x1x3x3xf32>
  return %0 : tensor<8x1x3x3xf32>
}

// -----

// In the planes layout, with channels in whole register tiles, a
// unit-stride filter gradient reads the padded planes in place (rows 8 wide, one more row below for
// the last taps) against the output gradient channels-last, zero in the
// two columns past each row of 6: [KH, KW, C, F], transposed to the filter.
// CHECK-DAG: #[[PLANES:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d2, d5 + d0 * 8 + d1)>
// CHECK-DAG: #[[PIXELS:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5, d3)>
// CHECK-DAG: #[[TAPS:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @filter_direct
// CHECK: %[[PAD:.+]] = tensor.pad %{{.+}} low[0, 0, 1, 1] high[0, 0, 2, 1]
// CHECK: %[[FLAT:.+]] = tensor.collapse_shape %[[PAD]] {{\[}}[0], [1], [2, 3]] : tensor<?x8x9x8xf32> into tensor<?x8x72xf32>
// CHECK: %[[LAST:.+]] = linalg.transpose ins(%{{.+}} : tensor<?x16x6x6xf32>) outs(%{{.+}} : tensor<?x6x6x16xf32>) permutation = [0, 2, 3, 1]
// CHECK: %[[WIDE:.+]] = tensor.pad %[[LAST]] low[0, 0, 0, 0] high[0, 0, 2, 0]
// CHECK: %[[ROWS:.+]] = tensor.collapse_shape %[[WIDE]] {{\[}}[0], [1, 2], [3]] : tensor<?x6x8x16xf32> into tensor<?x48x16xf32>
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[PLANES]], #[[PIXELS]], #[[TAPS]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[FLAT]], %[[ROWS]] : tensor<?x8x72xf32>, tensor<?x48x16xf32>) outs(%{{.+}} : tensor<3x3x8x16xf32>)
// CHECK: linalg.transpose ins(%[[SUM]] : tensor<3x3x8x16xf32>) outs(%{{.+}} : tensor<16x8x3x3xf32>) permutation = [3, 2, 0, 1]
func.func @filter_direct(%x: tensor<?x8x6x6xf32>, %g: tensor<?x16x6x6xf32>) -> tensor<16x8x3x3xf32> {
  %0 = kiln.conv2d_filter_grad %x, %g {kernel = array<i64: 3, 3>, kiln.layout = "planes", padding = array<i64: 1, 1>} : (tensor<?x8x6x6xf32>, tensor<?x16x6x6xf32>) -> tensor<16x8x3x3xf32>
  return %0 : tensor<16x8x3x3xf32>
}
