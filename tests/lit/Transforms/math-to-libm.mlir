// RUN: kiln-opt %s --kiln-math-to-libm | FileCheck %s

// f64 erf, scalar and vector (lane by lane), becomes a C library call.
// CHECK-DAG: func.func private @erf(f64) -> f64
// CHECK-LABEL: func.func @f64
// CHECK: call @erf(%{{.+}}) : (f64) -> f64
// CHECK: vector.extract
// CHECK: call @erf
// CHECK-NOT: math.erf
func.func @f64(%x: f64, %v: vector<2xf64>) -> (f64, vector<2xf64>) {
  %0 = math.erf %x : f64
  %1 = math.erf %v : vector<2xf64>
  return %0, %1 : f64, vector<2xf64>
}

// Everything else is left for convert-to-llvm: f32 erf (approximated
// before), and f64 functions LLVM has intrinsics for.
// CHECK-LABEL: func.func @others
// CHECK: math.erf %{{.+}} : vector<8xf32>
// CHECK: math.exp %{{.+}} : f64
// CHECK: math.floor %{{.+}} : vector<4xf64>
func.func @others(%x: vector<8xf32>, %y: f64, %z: vector<4xf64>)
    -> (vector<8xf32>, f64, vector<4xf64>) {
  %0 = math.erf %x : vector<8xf32>
  %1 = math.exp %y : f64
  %2 = math.floor %z : vector<4xf64>
  return %0, %1, %2 : vector<8xf32>, f64, vector<4xf64>
}
