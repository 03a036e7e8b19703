//===- ParallelCodegen.h - LLVM on every core -------------------*- C++ -*-===//
//
// LLVM's optimizer and code generator take most of kilnc's time and run on
// one thread. A module's functions are independent (entries reach their
// thread blocks through pointers handed to the runtime), so the module is
// split into parts that are optimized and compiled on their own threads,
// each in its own LLVM context, and the objects are linked together.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TARGET_PARALLELCODEGEN_H
#define KILN_TARGET_PARALLELCODEGEN_H

#include "kiln/Target/Kmod.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/SmallVector.h"

namespace kiln {

/// Objects for `module` (in the LLVM dialect): `parts` of them, compiled on
/// up to `parts` threads, or one for a module too small to be worth
/// splitting. The split depends on `parts` only, not on the host's cores,
/// so that the same compiler gives the same code everywhere.
mlir::FailureOr<llvm::SmallVector<llvm::SmallVector<char>>>
compileToObjects(mlir::ModuleOp module, const TargetDescription &target,
                 unsigned parts);

} // namespace kiln

#endif // KILN_TARGET_PARALLELCODEGEN_H
