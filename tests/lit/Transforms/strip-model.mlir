// RUN: kiln-opt %s --kiln-strip-model | FileCheck %s

// CHECK-NOT: kiln.param
// CHECK-LABEL: func.func @infer
// CHECK-SAME: (%{{.+}}: tensor<?x4xf32> {bufferization.writable = false}, %{{.+}}: tensor<4xf32> {bufferization.writable = false}) -> tensor<?x4xf32>
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func private @helper
// CHECK-NOT: kiln.{{[a-z_]+}} = {{["@#]}}
kiln.param @w : tensor<4xf32> = zeros
func.func @infer(%x: tensor<?x4xf32> {kiln.input = "x"}, %w: tensor<4xf32> {kiln.param = @w})
    -> (tensor<?x4xf32> {kiln.output = "y"}) attributes {kiln.entry = #kiln.entry<infer>} {
  %0 = func.call @helper(%x, %w) : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
func.func @helper(%x: tensor<?x4xf32>, %w: tensor<4xf32>) -> tensor<?x4xf32> {
  %0 = kiln.add %x, %w : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// A train entry may write the parameters and optimizer state it returns
// new values of (in place); its inputs and other parameters stay read-only.
// Results that carry those new values name the argument they belong in.
// CHECK-LABEL: func.func @step
// CHECK-SAME: (%{{.+}}: tensor<?x4xf32> {bufferization.writable = false}, %{{.+}}: tensor<4xf32> {bufferization.writable = true}, %{{.+}}: tensor<4xf32> {bufferization.writable = false}, %{{.+}}: tensor<f32> {bufferization.writable = false}, %{{.+}}: tensor<i64> {bufferization.writable = false}, %{{.+}}: tensor<4xf32> {bufferization.writable = true})
// CHECK-SAME: -> (tensor<f32>, tensor<4xf32> {kiln.writes_argument = 1 : i64}, tensor<4xf32> {kiln.writes_argument = 5 : i64})
kiln.param @v : tensor<4xf32> = zeros
func.func @step(%x: tensor<?x4xf32> {kiln.input = "x"}, %w: tensor<4xf32> {kiln.param = @w},
                %v: tensor<4xf32> {kiln.param = @v},
                %lr: tensor<f32> {kiln.learning_rate}, %t: tensor<i64> {kiln.step},
                %m: tensor<4xf32> {kiln.state = "momentum_buffer", kiln.state_of = @w})
    -> (tensor<f32> {kiln.output = "loss"}, tensor<4xf32> {kiln.update = @w},
        tensor<4xf32> {kiln.state_update = 5 : i64})
    attributes {kiln.entry = #kiln.entry<train>,
                kiln.optimizer = #kiln.optimizer<sgd, {momentum = 0.9 : f64}>} {
  %y = kiln.mul %x, %v : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %l = kiln.mean %y : (tensor<?x4xf32>) -> tensor<f32>
  return %l, %w, %m : tensor<f32>, tensor<4xf32>, tensor<4xf32>
}
