// RUN: kiln-opt %s --split-input-file --kiln-write-updates-in-place --verify-diagnostics | FileCheck %s

// An update computed in its argument's buffer leaves nothing to do: the
// result goes, the loss stays.
// CHECK-LABEL: func.func @in_place
// CHECK-SAME: (%[[W:.+]]: memref<4xf32>, %[[G:.+]]: memref<4xf32>) -> memref<f32>
// CHECK-NOT: memref.copy
// CHECK: return %{{.+}} : memref<f32>
func.func @in_place(%w: memref<4xf32>, %g: memref<4xf32>)
    -> (memref<f32>, memref<4xf32> {kiln.writes_argument = 0 : i64}) {
  linalg.sub ins(%w, %g : memref<4xf32>, memref<4xf32>) outs(%w : memref<4xf32>)
  %loss = memref.alloc() : memref<f32>
  return %loss, %w : memref<f32>, memref<4xf32>
}

// -----

// An update that bufferization had to compute elsewhere is copied in.
// CHECK-LABEL: func.func @elsewhere
// CHECK-SAME: (%[[W:.+]]: memref<4xf32>, %[[G:.+]]: memref<4xf32>)
// CHECK: %[[NEW:.+]] = memref.alloc
// CHECK: memref.copy %[[NEW]], %[[W]]
// CHECK-NEXT: return
// CHECK-NOT: memref<4xf32> {kiln.writes_argument
func.func @elsewhere(%w: memref<4xf32>, %g: memref<4xf32>)
    -> (memref<4xf32> {kiln.writes_argument = 0 : i64}) {
  %new = memref.alloc() : memref<4xf32>
  linalg.sub ins(%w, %g : memref<4xf32>, memref<4xf32>) outs(%new : memref<4xf32>)
  return %new : memref<4xf32>
}

// -----

// Before bufferization there is no buffer to write.
// expected-error @+1 {{must be bufferized before its updates are written in place}}
func.func @tensors(%w: tensor<4xf32>)
    -> (tensor<4xf32> {kiln.writes_argument = 0 : i64}) {
  return %w : tensor<4xf32>
}

// -----

// The mark must name an argument of the result's type.
// expected-error @+1 {{result #0 must name an argument of its type}}
func.func @wrong_type(%w: memref<4xf32>)
    -> (memref<8xf32> {kiln.writes_argument = 0 : i64}) {
  %new = memref.alloc() : memref<8xf32>
  return %new : memref<8xf32>
}
