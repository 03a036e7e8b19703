// RUN: kiln-opt %s --kiln-approximate-math | FileCheck %s

// f32 transcendental functions become polynomials; f64 ones are left for
// the C library.
// CHECK-LABEL: func.func @f32
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK: arith.mulf
// CHECK-LABEL: func.func @f64
// CHECK: math.exp %{{.+}} : f64
func.func @f32(%x: vector<16xf32>) -> vector<16xf32> {
  %0 = math.exp %x : vector<16xf32>
  %1 = math.tanh %0 : vector<16xf32>
  return %1 : vector<16xf32>
}
func.func @f64(%x: f64) -> f64 {
  %0 = math.exp %x : f64
  return %0 : f64
}
