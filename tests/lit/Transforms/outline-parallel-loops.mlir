// RUN: kiln-opt %s --kiln-outline-parallel-loops | FileCheck %s
// RUN: kiln-opt %s --kiln-outline-parallel-loops | FileCheck %s --check-prefix=PROFILE
// RUN: kiln-opt %s --kiln-outline-parallel-loops --convert-linalg-to-loops \
// RUN:   --expand-strided-metadata --lower-affine --convert-scf-to-cf \
// RUN:   --convert-to-llvm --reconcile-unrealized-casts \
// RUN:   | FileCheck %s --check-prefix=LLVM

// The loop becomes a call into the runtime with a closure of the captured
// buffers and scalar; constants are rebuilt in the body, not captured.
// CHECK: llvm.func @kiln_rt_parallel_for(i64, !llvm.ptr, !llvm.ptr, i64, !llvm.ptr)
// CHECK-LABEL: func.func @scale
// CHECK: %[[SLOT:.+]] = llvm.alloca %{{.+}} x !llvm.struct<(struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, f32)>
// CHECK-NOT: scf.parallel
// CHECK: llvm.store %{{.+}}, %[[SLOT]]
// CHECK: %[[COUNT:.+]] = arith.ceildivsi
// CHECK: %[[COUNT64:.+]] = arith.index_cast %[[COUNT]] : index to i64
// CHECK: %[[BODY:.+]] = llvm.mlir.addressof @scale_parallel_0
// An iteration's estimated work: 8 x 32 multiplies and stores.
// CHECK: %[[WORK:.+]] = llvm.mlir.constant(512 : i64)
// CHECK: %[[SITE:.+]] = llvm.getelementptr %{{.+}}[0, 0] : (!llvm.ptr) -> !llvm.ptr, !llvm.array<{{[0-9]+}} x i8>
// CHECK: llvm.call @kiln_rt_parallel_for(%[[COUNT64]], %[[BODY]], %[[SLOT]], %[[WORK]], %[[SITE]])
// CHECK: llvm.func internal @scale_parallel_0(%[[BEGIN:.+]]: i64, %[[END:.+]]: i64, %[[CLOSURE:.+]]: !llvm.ptr)
// CHECK: llvm.load %[[CLOSURE]]
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C8:.+]] = arith.constant 8 : index
// CHECK: scf.for %[[K:.+]] = %{{.+}} to %{{.+}} step
// CHECK: %[[OFFSET:.+]] = arith.muli %[[K]], %[[C8]]
// CHECK: %[[I:.+]] = arith.addi %[[C0]], %[[OFFSET]]
// CHECK: memref.subview %{{.+}}[%[[I]], 0] [8, 32]
// CHECK: linalg.generic
// CHECK: llvm.return

// The profile's name for each loop: its source position and what it runs.
// PROFILE-DAG: llvm.mlir.global internal constant @scale_parallel_0_site("outline-parallel-loops.mlir:{{[0-9]+}}:3 scalar loops\00")
// PROFILE-DAG: llvm.mlir.global internal constant @nested_parallel_1_site("outline-parallel-loops.mlir:{{[0-9]+}}:3 scalar loops\00")

// LLVM-NOT: unrealized_conversion_cast
// LLVM: llvm.call @kiln_rt_parallel_for

func.func @scale(%src: memref<64x32xf32>, %dst: memref<64x32xf32>, %k: f32) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%i) = (%c0) to (%c64) step (%c8) {
    %s = memref.subview %src[%i, 0] [8, 32] [1, 1] : memref<64x32xf32> to memref<8x32xf32, strided<[32, 1], offset: ?>>
    %d = memref.subview %dst[%i, 0] [8, 32] [1, 1] : memref<64x32xf32> to memref<8x32xf32, strided<[32, 1], offset: ?>>
    linalg.generic {indexing_maps = [affine_map<(a, b) -> (a, b)>, affine_map<(a, b) -> (a, b)>], iterator_types = ["parallel", "parallel"]} ins(%s : memref<8x32xf32, strided<[32, 1], offset: ?>>) outs(%d : memref<8x32xf32, strided<[32, 1], offset: ?>>) {
    ^bb0(%x: f32, %y: f32):
      %m = arith.mulf %x, %k : f32
      linalg.yield %m : f32
    }
    scf.reduce
  }
  return
}

// Inner parallel loops stay inside the outlined body; loops with
// reductions are left alone.
// CHECK-LABEL: func.func @nested
// CHECK: llvm.call @kiln_rt_parallel_for
// CHECK: scf.parallel
// CHECK-SAME: init
// CHECK: llvm.func internal @nested_parallel_1
// CHECK: scf.parallel
func.func @nested(%buf: memref<4x4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.parallel (%j) = (%c0) to (%c4) step (%c1) {
      memref.store %zero, %buf[%i, %j] : memref<4x4xf32>
      scf.reduce
    }
    scf.reduce
  }
  %sum = scf.parallel (%i) = (%c0) to (%c4) step (%c1) init (%zero) -> f32 {
    %x = memref.load %buf[%i, %c0] : memref<4x4xf32>
    scf.reduce(%x : f32) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      scf.reduce.return %s : f32
    }
  }
  return %sum : f32
}

// A loop over several dimensions (blocks per image and per tile of
// filters) is collapsed into one: the runtime splits count = images x 8
// iterations, and the body recovers both indices from the one it gets.
// CHECK-LABEL: func.func @blocks
// CHECK: %[[DIM:.+]] = memref.dim
// CHECK: %[[ROWS:.+]] = arith.muli %{{.+}}, %[[DIM]] : index
// CHECK: %[[COUNT:.+]] = arith.muli %[[ROWS]], %{{.+}} : index
// CHECK: %[[TRIPS:.+]] = arith.ceildivsi %{{.+}}, %{{.+}} : index
// CHECK: %[[TRIPS64:.+]] = arith.index_cast %[[TRIPS]] : index to i64
// CHECK: llvm.call @kiln_rt_parallel_for(%[[TRIPS64]],
// CHECK: llvm.func internal @blocks_parallel_2
// CHECK: arith.remsi
// CHECK: arith.divsi
// CHECK: memref.store
func.func @blocks(%buf: memref<?x64xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %buf, %c0 : memref<?x64xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %c64) step (%c1, %c8) {
    memref.store %zero, %buf[%i, %j] : memref<?x64xf32>
    scf.reduce
  }
  return
}
