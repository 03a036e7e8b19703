//===- FuseElementwise.cpp - The kiln-fuse-elementwise pass ---------------===//
//
// Lowering gives every kiln op its own linalg op, so a chain such as
// bias-add, ReLU and its mask in the backward pass makes one pass over
// memory per op. Fusing each elementwise producer into its consumer makes
// the chain one loop nest: one read of the inputs and one write of the
// result, with the intermediate values in registers.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNFUSEELEMENTWISE
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
/// Arithmetic on the elements, nothing that reads at computed indices: the
/// fused op must stay vectorizable when its consumer is.
bool hasArithmeticBody(linalg::GenericOp op) {
  return llvm::all_of(op.getBody()->getOperations(), [](Operation &inner) {
    return isa<linalg::YieldOp, linalg::IndexOp>(inner) ||
           isa<arith::ArithDialect, math::MathDialect>(inner.getDialect());
  });
}

/// A producer that only moves data (broadcast, transpose): each consumer
/// reading it through its own indexing recomputes nothing.
bool onlyMovesData(linalg::GenericOp op) {
  return op.getBody()->getOperations().size() == 1;
}

bool shouldFuse(OpOperand *operand) {
  auto producer = operand->get().getDefiningOp<linalg::GenericOp>();
  auto consumer = dyn_cast<linalg::GenericOp>(operand->getOwner());
  if (!producer || !consumer || !hasArithmeticBody(producer))
    return false;
  // A matrix product keeps its multiply-add body, which its register-tiled
  // schedule depends on.
  if (linalg::isaContractionOpInterface(consumer))
    return false;
  // Fusing a producer with other users would compute it once per user.
  return producer->hasOneUse() || onlyMovesData(producer);
}

struct FuseElementwisePass
    : kiln::impl::KilnFuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(patterns, shouldFuse);
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
