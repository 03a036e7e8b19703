// Round trip of random, recurrent and loss ops.
// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s

// CHECK-LABEL: func @random
func.func @random(%key: tensor<2xi64>, %mu: tensor<?x20xf32>) {
  // CHECK: kiln.random_normal %{{.*}}, %{{.*}} {stream = 0 : i64} : (tensor<2xi64>, tensor<?x20xf32>) -> tensor<?x20xf32>
  %0 = kiln.random_normal %key, %mu {stream = 0} : (tensor<2xi64>, tensor<?x20xf32>) -> tensor<?x20xf32>
  // CHECK: kiln.random_normal %{{.*}} {dtype = f64, shape = array<i64: 16, 64>, std = 2.000000e+00 : f64, stream = 1 : i64} : (tensor<2xi64>) -> tensor<16x64xf64>
  %1 = kiln.random_normal %key {stream = 1, shape = array<i64: 16, 64>, dtype = f64, std = 2.0 : f64} : (tensor<2xi64>) -> tensor<16x64xf64>
  // CHECK: kiln.random_uniform %{{.*}}, %{{.*}} {low = -1.000000e+00 : f64, stream = 2 : i64} : (tensor<2xi64>, tensor<?x20xf32>) -> tensor<?x20xf32>
  %2 = kiln.random_uniform %key, %mu {stream = 2, low = -1.0 : f64, high = 1.0 : f64} : (tensor<2xi64>, tensor<?x20xf32>) -> tensor<?x20xf32>
  // CHECK: kiln.random_uniform %{{.*}} {shape = array<i64: 3>, stream = 3 : i64} : (tensor<2xi64>) -> tensor<3xf32>
  %3 = kiln.random_uniform %key {stream = 3, shape = array<i64: 3>} : (tensor<2xi64>) -> tensor<3xf32>
  // CHECK: kiln.bernoulli %{{.*}}, %{{.*}} {stream = 4 : i64} : (tensor<2xi64>, tensor<?x20xf32>) -> tensor<?x20xf32>
  %4 = kiln.bernoulli %key, %mu {stream = 4} : (tensor<2xi64>, tensor<?x20xf32>) -> tensor<?x20xf32>
  return
}

// CHECK-LABEL: func @recurrent
func.func @recurrent(%x: tensor<?x28x28xf32>,
                     %wi1: tensor<1x128x28xf32>, %wh1: tensor<1x128x128xf32>, %b1: tensor<1x128xf32>,
                     %wi3: tensor<1x384x28xf32>, %wh3: tensor<1x384x128xf32>, %b3: tensor<1x384xf32>,
                     %wi4: tensor<2x512x28xf32>, %wh4: tensor<2x512x128xf32>, %b4: tensor<2x512xf32>,
                     %h0: tensor<2x?x128xf32>, %c0: tensor<2x?x128xf32>, %g0: tensor<1x?x128xf32>) {
  // CHECK: kiln.rnn %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x28x28xf32>, tensor<1x128x28xf32>, tensor<1x128x128xf32>, tensor<1x128xf32>, tensor<1x128xf32>) -> (tensor<?x28x128xf32>, tensor<1x?x128xf32>)
  %0:2 = kiln.rnn %x, %wi1, %wh1, %b1, %b1 : (tensor<?x28x28xf32>, tensor<1x128x28xf32>, tensor<1x128x128xf32>, tensor<1x128xf32>, tensor<1x128xf32>) -> (tensor<?x28x128xf32>, tensor<1x?x128xf32>)
  // CHECK: kiln.gru %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} initial(%{{.*}}) : (tensor<?x28x28xf32>, tensor<1x384x28xf32>, tensor<1x384x128xf32>, tensor<1x384xf32>, tensor<1x384xf32>, tensor<1x?x128xf32>) -> (tensor<?x28x128xf32>, tensor<1x?x128xf32>)
  %1:2 = kiln.gru %x, %wi3, %wh3, %b3, %b3 initial(%g0) : (tensor<?x28x28xf32>, tensor<1x384x28xf32>, tensor<1x384x128xf32>, tensor<1x384xf32>, tensor<1x384xf32>, tensor<1x?x128xf32>) -> (tensor<?x28x128xf32>, tensor<1x?x128xf32>)
  // CHECK: kiln.lstm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {bidirectional} : (tensor<?x28x28xf32>, tensor<2x512x28xf32>, tensor<2x512x128xf32>, tensor<2x512xf32>, tensor<2x512xf32>) -> (tensor<?x28x256xf32>, tensor<2x?x128xf32>, tensor<2x?x128xf32>)
  %2:3 = kiln.lstm %x, %wi4, %wh4, %b4, %b4 {bidirectional} : (tensor<?x28x28xf32>, tensor<2x512x28xf32>, tensor<2x512x128xf32>, tensor<2x512xf32>, tensor<2x512xf32>) -> (tensor<?x28x256xf32>, tensor<2x?x128xf32>, tensor<2x?x128xf32>)
  // CHECK: kiln.lstm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} initial(%{{.*}}, %{{.*}}) {bidirectional}
  %3:3 = kiln.lstm %x, %wi4, %wh4, %b4, %b4 initial(%h0, %c0) {bidirectional} : (tensor<?x28x28xf32>, tensor<2x512x28xf32>, tensor<2x512x128xf32>, tensor<2x512xf32>, tensor<2x512xf32>, tensor<2x?x128xf32>, tensor<2x?x128xf32>) -> (tensor<?x28x256xf32>, tensor<2x?x128xf32>, tensor<2x?x128xf32>)
  return
}

// CHECK-LABEL: func @losses
func.func @losses(%p: tensor<?x784xf32>, %t: tensor<?x784xf32>, %logits: tensor<?x10xf32>,
                  %labels: tensor<?xi32>) {
  // CHECK: kiln.mse %{{.*}}, %{{.*}} : (tensor<?x784xf32>, tensor<?x784xf32>) -> tensor<f32>
  %0 = kiln.mse %p, %t : (tensor<?x784xf32>, tensor<?x784xf32>) -> tensor<f32>
  // CHECK: kiln.l1 %{{.*}}, %{{.*}} {reduction = #kiln.reduction<none>} : (tensor<?x784xf32>, tensor<?x784xf32>) -> tensor<?x784xf32>
  %1 = kiln.l1 %p, %t {reduction = #kiln.reduction<none>} : (tensor<?x784xf32>, tensor<?x784xf32>) -> tensor<?x784xf32>
  // CHECK: kiln.bce %{{.*}}, %{{.*}} {reduction = #kiln.reduction<sum>} : (tensor<?x784xf32>, tensor<?x784xf32>) -> tensor<f32>
  %2 = kiln.bce %p, %t {reduction = #kiln.reduction<sum>} : (tensor<?x784xf32>, tensor<?x784xf32>) -> tensor<f32>
  // CHECK: kiln.bce_with_logits %{{.*}}, %{{.*}} : (tensor<?x784xf32>, tensor<?x784xf32>) -> tensor<f32>
  %3 = kiln.bce_with_logits %p, %t : (tensor<?x784xf32>, tensor<?x784xf32>) -> tensor<f32>
  // CHECK: kiln.softmax_cross_entropy %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
  %4 = kiln.softmax_cross_entropy %logits, %labels : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
  // CHECK: kiln.nll %{{.*}}, %{{.*}} {reduction = #kiln.reduction<none>} : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<?xf32>
  %5 = kiln.nll %logits, %labels {reduction = #kiln.reduction<none>} : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<?xf32>
  // CHECK: kiln.hinge %{{.*}}, %{{.*}} {margin = 2.000000e+00 : f64} : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
  %6 = kiln.hinge %logits, %labels {margin = 2.0 : f64} : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
  return
}
