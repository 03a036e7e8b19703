//===- Pipeline.h - The stages of kilnc -------------------------*- C++ -*-===//
#ifndef KILN_PIPELINE_PIPELINE_H
#define KILN_PIPELINE_PIPELINE_H

#include "mlir/Pass/PassManager.h"

namespace kiln {

/// Train entries: autodiff and the optimizer step, still in the kiln dialect.
llvm::LogicalResult addDifferentiatePasses(mlir::OpPassManager &pm);

/// The layout each convolution is computed in, still in the kiln dialect.
llvm::LogicalResult addLayoutPasses(mlir::OpPassManager &pm);

/// kiln dialect -> linalg, tensor, arith, math, scf on tensors.
llvm::LogicalResult addLowerToLinalgPasses(mlir::OpPassManager &pm);

/// Chains of elementwise linalg ops fused into one op each.
llvm::LogicalResult addFusionPasses(mlir::OpPassManager &pm);

/// linalg on tensors -> threads' blocks of tiled, vectorized code (still on
/// tensors).
llvm::LogicalResult addVectorizePasses(mlir::OpPassManager &pm);

/// Tensors -> buffers -> loops -> the LLVM dialect, with every entry given
/// the runtime's calling convention.
llvm::LogicalResult addLowerToLLVMPasses(mlir::OpPassManager &pm);

} // namespace kiln

#endif // KILN_PIPELINE_PIPELINE_H
