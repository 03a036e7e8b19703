// Round trip of the elementwise ops, in the custom and the generic form.
// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s

// CHECK-LABEL: func @unary
func.func @unary(%x: tensor<?x10xf32>, %i: tensor<4xi32>) {
  // CHECK: kiln.neg %{{.*}} : tensor<?x10xf32>
  %0 = kiln.neg %x : tensor<?x10xf32>
  // CHECK: kiln.neg %{{.*}} : tensor<4xi32>
  %1 = kiln.neg %i : tensor<4xi32>
  // CHECK: kiln.abs %{{.*}} : tensor<4xi32>
  %2 = kiln.abs %i : tensor<4xi32>
  // CHECK: kiln.exp
  %3 = kiln.exp %x : tensor<?x10xf32>
  // CHECK: kiln.log
  %4 = kiln.log %x : tensor<?x10xf32>
  // CHECK: kiln.sqrt
  %5 = kiln.sqrt %x : tensor<?x10xf32>
  // CHECK: kiln.rsqrt
  %6 = kiln.rsqrt %x : tensor<?x10xf32>
  // CHECK: kiln.relu
  %7 = kiln.relu %x : tensor<?x10xf32>
  // CHECK: kiln.sigmoid
  %8 = kiln.sigmoid %x : tensor<?x10xf32>
  // CHECK: kiln.tanh
  %9 = kiln.tanh %x : tensor<?x10xf32>
  // CHECK: kiln.softplus
  %10 = kiln.softplus %x : tensor<?x10xf32>
  // CHECK: kiln.leaky_relu %{{.*}} {alpha = 2.000000e-01 : f64} : tensor<?x10xf32>
  %11 = kiln.leaky_relu %x {alpha = 0.2 : f64} : tensor<?x10xf32>
  // CHECK: kiln.elu %{{.*}} : tensor<?x10xf32>
  %12 = kiln.elu %x : tensor<?x10xf32>
  // CHECK: kiln.gelu %{{.*}} {approximation = #kiln.gelu<tanh>} : tensor<?x10xf32>
  %13 = kiln.gelu %x {approximation = #kiln.gelu<tanh>} : tensor<?x10xf32>
  // CHECK: kiln.clamp %{{.*}} {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64} : tensor<?x10xf32>
  %14 = kiln.clamp %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<?x10xf32>
  // CHECK: kiln.clamp %{{.*}} {min = 1.000000e+00 : f64} : tensor<4xi32>
  %15 = kiln.clamp %i {min = 1.0 : f64} : tensor<4xi32>
  // CHECK: kiln.softmax %{{.*}} {axis = 1 : i64} : tensor<?x10xf32>
  %16 = kiln.softmax %x {axis = 1} : tensor<?x10xf32>
  // CHECK: kiln.log_softmax %{{.*}} : tensor<?x10xf32>
  %17 = kiln.log_softmax %x : tensor<?x10xf32>
  // CHECK: kiln.stop_gradient %{{.*}} : tensor<?x10xf32>
  %18 = kiln.stop_gradient %x : tensor<?x10xf32>
  return
}

// CHECK-LABEL: func @filled
func.func @filled(%x: tensor<?x10xf32>, %b: tensor<3xi1>) {
  // CHECK: kiln.zeros_like %{{.*}} : tensor<?x10xf32>
  %0 = kiln.zeros_like %x : tensor<?x10xf32>
  // CHECK: kiln.ones_like %{{.*}} : tensor<3xi1>
  %1 = kiln.ones_like %b : tensor<3xi1>
  // CHECK: kiln.full_like %{{.*}} {value = 5.000000e-01 : f64} : tensor<?x10xf32>
  %2 = kiln.full_like %x {value = 0.5 : f64} : tensor<?x10xf32>
  return
}

// CHECK-LABEL: func @binary
func.func @binary(%a: tensor<?x10xf32>, %b: tensor<10xf32>, %s: tensor<f32>,
                  %i: tensor<3x1xi64>, %j: tensor<4xi64>) {
  // CHECK: kiln.add %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %0 = kiln.add %a, %b : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  // CHECK: kiln.sub %{{.*}}, %{{.*}} : (tensor<f32>, tensor<?x10xf32>) -> tensor<?x10xf32>
  %1 = kiln.sub %s, %a : (tensor<f32>, tensor<?x10xf32>) -> tensor<?x10xf32>
  // CHECK: kiln.mul %{{.*}}, %{{.*}} : (tensor<3x1xi64>, tensor<4xi64>) -> tensor<3x4xi64>
  %2 = kiln.mul %i, %j : (tensor<3x1xi64>, tensor<4xi64>) -> tensor<3x4xi64>
  // CHECK: kiln.div
  %3 = kiln.div %a, %s : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
  // CHECK: kiln.pow
  %4 = kiln.pow %a, %s : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
  // CHECK: kiln.minimum
  %5 = kiln.minimum %a, %b : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  // CHECK: kiln.maximum
  %6 = kiln.maximum %a, %b : (tensor<?x10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  return
}

// CHECK-LABEL: func @compare_select_cast
func.func @compare_select_cast(%a: tensor<?x10xf32>, %s: tensor<f32>,
                               %c: tensor<?x1xi1>) {
  // CHECK: kiln.compare eq, %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xi1>
  %0 = kiln.compare eq, %a, %s : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xi1>
  // CHECK: kiln.compare ne
  %1 = kiln.compare ne, %a, %s : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xi1>
  // CHECK: kiln.compare lt
  %2 = kiln.compare lt, %a, %s : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xi1>
  // CHECK: kiln.compare le
  %3 = kiln.compare le, %a, %s : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xi1>
  // CHECK: kiln.compare gt
  %4 = kiln.compare gt, %a, %s : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xi1>
  // CHECK: kiln.compare ge
  %5 = kiln.compare ge, %a, %s : (tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xi1>
  // CHECK: kiln.select %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x1xi1>, tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
  %6 = kiln.select %c, %a, %s : (tensor<?x1xi1>, tensor<?x10xf32>, tensor<f32>) -> tensor<?x10xf32>
  // CHECK: kiln.cast %{{.*}} to i32 : (tensor<?x10xf32>) -> tensor<?x10xi32>
  %7 = kiln.cast %a to i32 : (tensor<?x10xf32>) -> tensor<?x10xi32>
  // CHECK: kiln.cast %{{.*}} to f64 : (tensor<?x1xi1>) -> tensor<?x1xf64>
  %8 = kiln.cast %c to f64 : (tensor<?x1xi1>) -> tensor<?x1xf64>
  return
}
