// RUN: kiln-opt %s --split-input-file --kiln-lower-recurrent | FileCheck %s

// The input projection is hoisted out of the loop over time; the loop
// carries the states and the output sequence.
// CHECK-LABEL: func.func @lstm
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0, 1], [2]] : tensor<?x28x28xf32> into tensor<?x28xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}}outs(%{{.+}} : tensor<?x512xf32>)
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) -> (tensor<?x128xf32>, tensor<?x128xf32>, tensor<?x28x128xf32>)
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: linalg.generic
// CHECK: math.tanh
// CHECK: tensor.insert_slice
// CHECK: scf.yield
func.func @lstm(%x: tensor<?x28x28xf32>, %wi: tensor<1x512x28xf32>, %wh: tensor<1x512x128xf32>, %b: tensor<1x512xf32>) -> tensor<?x28x128xf32> {
  %0:3 = kiln.lstm %x, %wi, %wh, %b, %b : (tensor<?x28x28xf32>, tensor<1x512x28xf32>, tensor<1x512x128xf32>, tensor<1x512xf32>, tensor<1x512xf32>) -> (tensor<?x28x128xf32>, tensor<1x?x128xf32>, tensor<1x?x128xf32>)
  return %0#0 : tensor<?x28x128xf32>
}

// -----

// Two directions: two loops, the second reading time backwards.
// CHECK-LABEL: func.func @bidirectional
// CHECK: scf.for
// CHECK: scf.for
// CHECK: arith.subi
func.func @bidirectional(%x: tensor<?x6x5xf32>, %wi: tensor<2x12x5xf32>, %wh: tensor<2x12x4xf32>, %b: tensor<2x12xf32>) -> tensor<?x6x8xf32> {
  %0:2 = kiln.gru %x, %wi, %wh, %b, %b {bidirectional} : (tensor<?x6x5xf32>, tensor<2x12x5xf32>, tensor<2x12x4xf32>, tensor<2x12xf32>, tensor<2x12xf32>) -> (tensor<?x6x8xf32>, tensor<2x?x4xf32>)
  return %0#0 : tensor<?x6x8xf32>
}

// -----

// CHECK-LABEL: func.func @others
// CHECK: kiln.relu
func.func @others(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
