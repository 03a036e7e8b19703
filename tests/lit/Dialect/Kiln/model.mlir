// A model's structure: parameters, entries, optimizers.
// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s

// CHECK: kiln.param @fc.w : tensor<10x784xf32> = he_normal
kiln.param @fc.w : tensor<10x784xf32> = he_normal
// CHECK: kiln.param @fc.b : tensor<10xf32> = zeros
kiln.param @fc.b : tensor<10xf32> = zeros
// CHECK: kiln.param @g.w : tensor<784x64xf32> = normal {group = "generator", std = 2.000000e-02 : f64}
kiln.param @g.w : tensor<784x64xf32> = normal {std = 0.02 : f64, group = "generator"}
// CHECK: kiln.param @g.s : tensor<784xf32> = constant {group = "generator", value = 5.000000e-01 : f64}
kiln.param @g.s : tensor<784xf32> = constant {value = 0.5 : f64, group = "generator"}
// CHECK: kiln.param @u : tensor<3x3xf64> = uniform {high = 1.000000e-01 : f64, low = -1.000000e-01 : f64}
kiln.param @u : tensor<3x3xf64> = uniform {low = -0.1 : f64, high = 0.1 : f64}
// CHECK: kiln.param @gu : tensor<4x4x3x3xf32> = glorot_uniform {gain = 2.000000e+00 : f64}
kiln.param @gu : tensor<4x4x3x3xf32> = glorot_uniform {gain = 2.0 : f64}
// CHECK: kiln.param @gn : tensor<4x4xf32> = glorot_normal
kiln.param @gn : tensor<4x4xf32> = glorot_normal
// CHECK: kiln.param @hu : tensor<4x4xf32> = he_uniform
kiln.param @hu : tensor<4x4xf32> = he_uniform
// CHECK: kiln.param @o : tensor<4xi64> = ones
kiln.param @o : tensor<4xi64> = ones
// CHECK: kiln.param @bn.mean : tensor<32xf32> = zeros {buffer}
kiln.param @bn.mean : tensor<32xf32> = zeros {buffer}

// CHECK-LABEL: func.func @infer
// CHECK-SAME: (%{{.*}}: tensor<?x784xf32> {kiln.input = "image"}, %{{.*}}: tensor<10x784xf32> {kiln.param = @fc.w}, %{{.*}}: tensor<10xf32> {kiln.param = @fc.b})
// CHECK-SAME: attributes {kiln.entry = #kiln.entry<infer>}
func.func @infer(%x: tensor<?x784xf32> {kiln.input = "image"},
                 %w: tensor<10x784xf32> {kiln.param = @fc.w},
                 %b: tensor<10xf32> {kiln.param = @fc.b}) -> tensor<?x10xf32>
    attributes {kiln.entry = #kiln.entry<infer>} {
  %0 = kiln.dense %x, %w, %b : (tensor<?x784xf32>, tensor<10x784xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %1 = kiln.softmax %0 : tensor<?x10xf32>
  return %1 : tensor<?x10xf32>
}

// CHECK-LABEL: func.func @step
// CHECK-SAME: %{{.*}}: tensor<2xi64> {kiln.rng_key}
// CHECK-SAME: kiln.entry = #kiln.entry<train>
// CHECK-SAME: kiln.optimizer = #kiln.optimizer<sgd, {lr = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64, nesterov = true}>
func.func @step(%x: tensor<?x784xf32> {kiln.input = "image"},
                %labels: tensor<?xi32> {kiln.input = "label"},
                %w: tensor<10x784xf32> {kiln.param = @fc.w},
                %b: tensor<10xf32> {kiln.param = @fc.b},
                %key: tensor<2xi64> {kiln.rng_key}) -> tensor<f32>
    attributes {kiln.entry = #kiln.entry<train>,
                kiln.optimizer = #kiln.optimizer<sgd, {lr = 0.1 : f64, momentum = 0.9 : f64, nesterov = true}>} {
  %d = kiln.dropout %x, %key {rate = 0.2 : f64, stream = 0} : (tensor<?x784xf32>, tensor<2xi64>) -> tensor<?x784xf32>
  %0 = kiln.dense %d, %w, %b : (tensor<?x784xf32>, tensor<10x784xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %1 = kiln.softmax_cross_entropy %0, %labels : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
  return %1 : tensor<f32>
}

// CHECK-LABEL: func.func @g_step
// CHECK-SAME: kiln.group = "generator"
// CHECK-SAME: kiln.optimizer = #kiln.optimizer<adam, {beta1 = 5.000000e-01 : f64, lr = 2.000000e-04 : f64}>
func.func @g_step(%w: tensor<784x64xf32> {kiln.param = @g.w}) -> tensor<f32>
    attributes {kiln.entry = #kiln.entry<train>, kiln.group = "generator",
                kiln.optimizer = #kiln.optimizer<adam, {lr = 2.0e-4 : f64, beta1 = 0.5 : f64}>} {
  %0 = kiln.sum %w : (tensor<784x64xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func @others
// CHECK-SAME: #kiln.optimizer<adamw, {weight_decay = 1.000000e-02 : f64}>
func.func @others(%w: tensor<784x64xf32> {kiln.param = @g.w}) -> tensor<f32>
    attributes {kiln.entry = #kiln.entry<train>,
                kiln.optimizer = #kiln.optimizer<adamw, {weight_decay = 0.01 : f64}>} {
  %0 = kiln.mean %w : (tensor<784x64xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func @rms
// CHECK-SAME: #kiln.optimizer<rmsprop, {alpha = 0.98999999999999999 : f64, clip_norm = 1.000000e+00 : f64}>
func.func @rms(%w: tensor<784x64xf32> {kiln.param = @g.w}) -> tensor<f32>
    attributes {kiln.entry = #kiln.entry<train>,
                kiln.optimizer = #kiln.optimizer<rmsprop, {alpha = 0.99 : f64, clip_norm = 1.0 : f64}>} {
  %0 = kiln.mean %w : (tensor<784x64xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// Entry results: named outputs and buffer updates.
// CHECK: kiln.param @bn.var : tensor<32xf32> = ones {buffer}
kiln.param @bn.var : tensor<32xf32> = ones {buffer}
// CHECK-LABEL: func.func @results
// CHECK-SAME: -> (tensor<f32> {kiln.output = "loss"}, tensor<32xf32> {kiln.update = @bn.mean}, tensor<32xf32> {kiln.update = @bn.var})
func.func @results(%m: tensor<32xf32> {kiln.param = @bn.mean}, %v: tensor<32xf32> {kiln.param = @bn.var},
                   %w: tensor<784x64xf32> {kiln.param = @g.w})
    -> (tensor<f32> {kiln.output = "loss"}, tensor<32xf32> {kiln.update = @bn.mean}, tensor<32xf32> {kiln.update = @bn.var})
    attributes {kiln.entry = #kiln.entry<train>, kiln.optimizer = #kiln.optimizer<sgd, {}>} {
  %0 = kiln.mean %w : (tensor<784x64xf32>) -> tensor<f32>
  return %0, %m, %v : tensor<f32>, tensor<32xf32>, tensor<32xf32>
}

// The loss of @step, for validation, and an entry fed with noise.
// CHECK-LABEL: func.func @step_loss
// CHECK-SAME: kiln.loss_of = @step
func.func @step_loss(%x: tensor<?x784xf32> {kiln.input = "image"},
                     %labels: tensor<?xi32> {kiln.input = "label"},
                     %w: tensor<10x784xf32> {kiln.param = @fc.w},
                     %b: tensor<10xf32> {kiln.param = @fc.b}) -> tensor<f32>
    attributes {kiln.entry = #kiln.entry<infer>, kiln.loss_of = @step} {
  %0 = kiln.dense %x, %w, %b : (tensor<?x784xf32>, tensor<10x784xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %1 = kiln.softmax_cross_entropy %0, %labels : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
  return %1 : tensor<f32>
}

// CHECK-LABEL: func.func @generate
// CHECK-SAME: kiln.noise = #kiln.noise<normal, {std = 5.000000e-01 : f64}>
// CHECK-SAME: kiln.noise = #kiln.noise<uniform, {high = 1.000000e+00 : f64, low = -1.000000e+00 : f64}>
func.func @generate(%z: tensor<?x64xf32> {kiln.input = "z", kiln.noise = #kiln.noise<normal, {std = 0.5 : f64}>},
                    %u: tensor<?x64xf32> {kiln.input = "u", kiln.noise = #kiln.noise<uniform, {low = -1.0 : f64, high = 1.0 : f64}>})
    -> tensor<?x64xf32> attributes {kiln.entry = #kiln.entry<infer>} {
  %0 = kiln.add %z, %u : (tensor<?x64xf32>, tensor<?x64xf32>) -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}
