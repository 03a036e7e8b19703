// RUN: kiln-opt %s --split-input-file --kiln-approximate-math | FileCheck %s

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

// -----

// Every approximated function at the widths a vectorizer produces: a
// scalar, 4, 8 (where upstream has AVX-specific rewrites), 16 and a
// ragged 28 lanes. rsqrt stays as it is at every width: LLVM lowers it
// without tying the module to AVX.
// CHECK-LABEL: func.func @widths
// CHECK-NOT: x86vector
// CHECK-NOT: math.exp
// CHECK-NOT: math.log
// CHECK-NOT: math.erf
// CHECK: math.rsqrt %{{.+}} : f32
// CHECK: math.rsqrt %{{.+}} : vector<4xf32>
// CHECK: math.rsqrt %{{.+}} : vector<8xf32>
// CHECK: math.rsqrt %{{.+}} : vector<16xf32>
// CHECK: math.rsqrt %{{.+}} : vector<28xf32>
// CHECK-NOT: x86vector
func.func @widths(%s: f32, %a: vector<4xf32>, %b: vector<8xf32>,
                  %c: vector<16xf32>, %d: vector<28xf32>)
    -> (f32, vector<4xf32>, vector<8xf32>, vector<16xf32>, vector<28xf32>) {
  %s0 = math.exp %s : f32
  %s1 = math.log %s0 : f32
  %s2 = math.erf %s1 : f32
  %s3 = math.rsqrt %s2 : f32
  %a0 = math.exp %a : vector<4xf32>
  %a1 = math.log %a0 : vector<4xf32>
  %a2 = math.erf %a1 : vector<4xf32>
  %a3 = math.rsqrt %a2 : vector<4xf32>
  %b0 = math.exp %b : vector<8xf32>
  %b1 = math.log %b0 : vector<8xf32>
  %b2 = math.erf %b1 : vector<8xf32>
  %b3 = math.rsqrt %b2 : vector<8xf32>
  %c0 = math.exp %c : vector<16xf32>
  %c1 = math.log %c0 : vector<16xf32>
  %c2 = math.erf %c1 : vector<16xf32>
  %c3 = math.rsqrt %c2 : vector<16xf32>
  %d0 = math.exp %d : vector<28xf32>
  %d1 = math.log %d0 : vector<28xf32>
  %d2 = math.erf %d1 : vector<28xf32>
  %d3 = math.rsqrt %d2 : vector<28xf32>
  return %s3, %a3, %b3, %c3, %d3
      : f32, vector<4xf32>, vector<8xf32>, vector<16xf32>, vector<28xf32>
}
