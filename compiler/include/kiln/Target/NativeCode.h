//===- NativeCode.h - From the LLVM dialect to a shared object ---*- C++ -*-===//
//
// Translation of a fully lowered module to LLVM IR, optimization at O3 for
// the target machine, object emission, and linking the object into a
// position-independent shared object with LLVM's lld, in process.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TARGET_NATIVECODE_H
#define KILN_TARGET_NATIVECODE_H

#include "kiln/Target/Kmod.h"

#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/Module.h"

#include <memory>

namespace kiln {

/// The host, unless `cpu` or `features` (comma-separated, "+avx2,-avx512f")
/// override it.
TargetDescription describeTarget(llvm::StringRef cpu,
                                 llvm::StringRef features);

/// Translates an LLVM-dialect module to LLVM IR for `target` (its data
/// layout and triple), identical functions merged.
mlir::FailureOr<std::unique_ptr<llvm::Module>>
translateForTarget(mlir::ModuleOp module, llvm::LLVMContext &context,
                   const TargetDescription &target);

/// Optimizes LLVM IR at O3 for `target`, then merges the functions that
/// became identical.
llvm::Error optimizeForTarget(llvm::Module &module,
                              const TargetDescription &target);

/// Both of the above.
mlir::FailureOr<std::unique_ptr<llvm::Module>>
translateAndOptimize(mlir::ModuleOp module, llvm::LLVMContext &context,
                     const TargetDescription &target);

enum class CodeFileKind { Assembly, Object };

/// Machine code for `module` as assembly text or an ELF object.
mlir::FailureOr<llvm::SmallVector<char>>
emitMachineCode(llvm::Module &module, const TargetDescription &target,
                CodeFileKind kind);

/// Links objects into one shared object with no undefined symbols other
/// than the C library's.
mlir::FailureOr<llvm::SmallVector<char>>
linkSharedObject(llvm::ArrayRef<llvm::SmallVector<char>> objects,
                 std::string &errorMessage);

} // namespace kiln

#endif // KILN_TARGET_NATIVECODE_H
