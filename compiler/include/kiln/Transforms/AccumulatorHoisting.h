//===- AccumulatorHoisting.h - Accumulators in registers --------*- C++ -*-===//
#ifndef KILN_TRANSFORMS_ACCUMULATORHOISTING_H
#define KILN_TRANSFORMS_ACCUMULATORHOISTING_H

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln {

/// Keeps the vector tiles that `loop` reads from and writes back to the
/// same place of a loop-carried tensor in registers: the read moves before
/// the loop, the write after it, and the vector is carried instead. Only
/// the pattern the vectorizer emits for accumulators is taken (one
/// unmasked read, then one write, at the same loop-invariant indices), which
/// needs no subset analysis; upstream's hoistLoopInvariantSubsets proves
/// the same with Presburger arithmetic and was a third of compile time.
/// Returns the loop (replaced when anything was hoisted).
mlir::scf::ForOp hoistAccumulatorTiles(mlir::RewriterBase &rewriter,
                                       mlir::scf::ForOp loop);

} // namespace kiln

#endif // KILN_TRANSFORMS_ACCUMULATORHOISTING_H
