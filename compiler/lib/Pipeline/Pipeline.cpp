//===- Pipeline.cpp - The stages of kilnc ---------------------------------===//
//
// The pipelines are spelled as pass-pipeline text so that each stage can be
// reproduced with kiln-opt (`kiln-opt --pass-pipeline=...`).
//
//===----------------------------------------------------------------------===//

#include "kiln/Pipeline/Pipeline.h"

#include "mlir/Pass/PassRegistry.h"

static constexpr llvm::StringLiteral kDifferentiate =
    "kiln-autodiff,canonicalize,cse";

static constexpr llvm::StringLiteral kLayout = "kiln-layout";

static constexpr llvm::StringLiteral kLowerToLinalg =
    "kiln-lower-optimizers,kiln-lower-conv-gradients,"
    "kiln-lower-recurrent-gradients,"
    "kiln-lower-elementwise,kiln-lower-contractions,kiln-lower-conv,"
    "kiln-lower-losses,kiln-lower-norm,kiln-lower-random,"
    "kiln-lower-recurrent,kiln-lower-reductions,kiln-lower-shape,"
    "canonicalize,cse";

static constexpr llvm::StringLiteral kFusion =
    "kiln-fuse-elementwise,canonicalize,cse";

static constexpr llvm::StringLiteral kVectorize =
    "func.func(kiln-vectorize),canonicalize,cse";

// Bufferization writes results into fresh buffers (identity layouts at the
// function boundary, so the runtime sees plain row-major memrefs); CSE and
// canonicalization straight after it remove the self-copies it leaves. A
// loop whose state cannot stay in one buffer (a recurrence read and written
// by parallel blocks) gets a fresh one per iteration rather than failing.
// After outlining, the lowering of function bodies runs per function, on
// every core (entries are func.func, thread-block bodies llvm.func); only
// the conversions that change signatures and symbols see the whole module.
static constexpr llvm::StringLiteral kLowerToLLVM =
    "kiln-strip-model,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "allow-return-allocs-from-loops "
    "function-boundary-type-conversion=identity-layout-map},"
    "canonicalize,cse,kiln-write-updates-in-place,"
    "buffer-deallocation-pipeline,convert-bufferization-to-memref,"
    "kiln-expand-copies,"
    "func.func(lower-vector-mask),"
    "func.func(lower-vector-multi-reduction),"
    "func.func(kiln-lower-scalar-transfers),"
    "func.func(convert-vector-to-scf{full-unroll=true}),"
    "func.func(convert-linalg-to-loops),"
    "scf-forall-to-parallel,kiln-outline-parallel-loops,"
    "func.func(expand-strided-metadata,lower-affine,convert-scf-to-cf,"
    "kiln-approximate-math,canonicalize,"
    "convert-vector-to-llvm{vector-contract-lowering=outerproduct}),"
    "llvm.func(expand-strided-metadata,lower-affine,convert-scf-to-cf,"
    "kiln-approximate-math,canonicalize,"
    "convert-vector-to-llvm{vector-contract-lowering=outerproduct}),"
    "kiln-math-to-libm,convert-to-llvm,reconcile-unrealized-casts,"
    "kiln-emit-entry-abi";

llvm::LogicalResult kiln::addDifferentiatePasses(mlir::OpPassManager &pm) {
  return mlir::parsePassPipeline(kDifferentiate, pm);
}

llvm::LogicalResult kiln::addLayoutPasses(mlir::OpPassManager &pm) {
  return mlir::parsePassPipeline(kLayout, pm);
}

llvm::LogicalResult kiln::addLowerToLinalgPasses(mlir::OpPassManager &pm) {
  return mlir::parsePassPipeline(kLowerToLinalg, pm);
}

llvm::LogicalResult kiln::addFusionPasses(mlir::OpPassManager &pm) {
  return mlir::parsePassPipeline(kFusion, pm);
}

llvm::LogicalResult kiln::addVectorizePasses(mlir::OpPassManager &pm) {
  return mlir::parsePassPipeline(kVectorize, pm);
}

llvm::LogicalResult kiln::addLowerToLLVMPasses(mlir::OpPassManager &pm) {
  return mlir::parsePassPipeline(kLowerToLLVM, pm);
}
