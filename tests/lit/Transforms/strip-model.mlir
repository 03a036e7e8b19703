// RUN: kiln-opt %s --kiln-strip-model | FileCheck %s

// CHECK-NOT: kiln.param
// CHECK-LABEL: func.func @infer
// CHECK-SAME: (%{{.+}}: tensor<?x4xf32> {bufferization.writable = false}, %{{.+}}: tensor<4xf32> {bufferization.writable = false}) -> tensor<?x4xf32>
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func private @helper
// CHECK-NOT: kiln.{{[a-z_]+}} = 
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
