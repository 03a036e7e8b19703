// RUN: kiln-opt %s --kiln-emit-entry-abi | FileCheck %s

// Every C interface gets a void(void **) wrapper that loads its pointers.
// CHECK: llvm.func @kiln_entry_infer(%[[ARGS:.+]]: !llvm.ptr)
// CHECK: %[[S0:.+]] = llvm.getelementptr %[[ARGS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[P0:.+]] = llvm.load %[[S0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[S1:.+]] = llvm.getelementptr %[[ARGS]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[P1:.+]] = llvm.load %[[S1]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @_mlir_ciface_infer(%[[P0]], %[[P1]]) : (!llvm.ptr, !llvm.ptr) -> ()
// CHECK: llvm.return
// Functions without a C interface get none.
// CHECK-NOT: @kiln_entry_helper
llvm.func @_mlir_ciface_infer(%res: !llvm.ptr, %x: !llvm.ptr) {
  llvm.return
}
llvm.func @helper(%x: !llvm.ptr) {
  llvm.return
}
