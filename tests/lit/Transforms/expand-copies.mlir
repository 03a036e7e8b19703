// RUN: kiln-opt %s --kiln-expand-copies | FileCheck %s

// Copies become loops...
// CHECK-LABEL: func.func @copy
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%{{.+}} : memref<?x4xf32, strided<[8, 1]>>) outs(%{{.+}} : memref<?x4xf32>)
func.func @copy(%a: memref<?x4xf32, strided<[8, 1]>>, %b: memref<?x4xf32>) {
  memref.copy %a, %b : memref<?x4xf32, strided<[8, 1]>> to memref<?x4xf32>
  return
}

// ...except small static ones of contiguous rows, which become vector
// transfers (an image-to-column tile: one pixel's channels).
// CHECK-LABEL: func.func @rows
// CHECK-NOT: memref.copy
// CHECK: %[[V:.+]] = vector.transfer_read %{{.+}}[%[[C0:.+]], %[[C0]]], %{{.+}} {in_bounds = [true, true]} : memref<4x32xf32, strided<[?, 1], offset: ?>>, vector<4x32xf32>
// CHECK: vector.transfer_write %[[V]], %{{.+}}[%[[C0]], %[[C0]]] {in_bounds = [true, true]} : vector<4x32xf32>, memref<4x32xf32>
func.func @rows(%a: memref<4x32xf32, strided<[?, 1], offset: ?>>, %b: memref<4x32xf32>) {
  memref.copy %a, %b : memref<4x32xf32, strided<[?, 1], offset: ?>> to memref<4x32xf32>
  return
}

// Not when a row is strided, nor for masks (vectors of i1 are bits).
// CHECK-LABEL: func.func @strided_rows
// CHECK: linalg.copy
// CHECK-LABEL: func.func @mask
// CHECK: linalg.copy
func.func @strided_rows(%a: memref<4x32xf32, strided<[64, 2]>>, %b: memref<4x32xf32>) {
  memref.copy %a, %b : memref<4x32xf32, strided<[64, 2]>> to memref<4x32xf32>
  return
}
func.func @mask(%a: memref<4x32xi1>, %b: memref<4x32xi1>) {
  memref.copy %a, %b : memref<4x32xi1> to memref<4x32xi1>
  return
}
