// RUN: kiln-opt %s --kiln-lower-optimizers | FileCheck %s

// Adam: the bias corrections are computed once per step, outside the loop;
// one generic reads the gradient and updates the parameter and both moments
// through its outputs, so that they can be written in place.
// CHECK-LABEL: func.func @adam
// CHECK: %[[T:.+]] = tensor.extract %{{.+}}[] : tensor<i64>
// CHECK: arith.sitofp %[[T]]
// CHECK: math.powf
// CHECK: math.powf
// CHECK: %[[R:.+]]:3 = linalg.generic
// CHECK-SAME: ins(%[[G:.+]] : tensor<4x8xf32>)
// CHECK-SAME: outs(%{{.+}}, %{{.+}}, %{{.+}} : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>)
// CHECK: math.sqrt
// CHECK: linalg.yield
// CHECK: return %[[R]]#0, %[[R]]#1, %[[R]]#2
func.func @adam(%w: tensor<4x8xf32>, %g: tensor<4x8xf32>, %lr: tensor<f32>, %t: tensor<i64>,
                %m: tensor<4x8xf32>, %v: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %0:3 = kiln.optimizer_update %w, %g, %lr, %t, %m, %v {optimizer = #kiln.optimizer<adam, {lr = 1.0e-3 : f64}>}
      : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>, tensor<i64>, tensor<4x8xf32>, tensor<4x8xf32>)
      -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>)
  return %0#0, %0#1, %0#2 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// Plain SGD keeps no state: the gradient in, the parameter updated.
// CHECK-LABEL: func.func @sgd
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}} : tensor<3xf32>) outs(%{{.+}} : tensor<3xf32>)
// CHECK-NOT: math.powf
func.func @sgd(%w: tensor<3xf32>, %g: tensor<3xf32>, %lr: tensor<f32>, %t: tensor<i64>) -> tensor<3xf32> {
  %0 = kiln.optimizer_update %w, %g, %lr, %t {optimizer = #kiln.optimizer<sgd, {}>}
      : (tensor<3xf32>, tensor<3xf32>, tensor<f32>, tensor<i64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
