//===- ExpandCopies.cpp - The kiln-expand-copies pass ---------------------===//
//
// The LLVM lowering turns a memref.copy between strided buffers into a call
// to `memrefCopy` from MLIR's C runner library, which a .kmod does not
// carry. Rewriting copies as linalg.copy makes them ordinary loops. A small
// copy of contiguous rows (an image-to-column tile: one pixel's channels)
// becomes vector transfers instead: the loops would read through strides
// LLVM cannot see are unit, and copy one element at a time.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNEXPANDCOPIES
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
/// Rows longer than this, or more rows than this, are left to loops: the
/// transfers are unrolled row by row.
constexpr int64_t kMaxVectorRow = 256;
constexpr int64_t kMaxVectorRows = 16;

bool hasUnitInnerStride(MemRefType type) {
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(type.getStridesAndOffset(strides, offset)) &&
         !strides.empty() && strides.back() == 1;
}

/// A copy small and contiguous enough to be a few vector loads and stores.
bool isVectorCopy(MemRefType source, MemRefType target) {
  if (!source.hasStaticShape() || source.getShape() != target.getShape() ||
      source.getRank() == 0 || !source.getElementType().isIntOrFloat() ||
      source.getElementType().isInteger(1) || !hasUnitInnerStride(source) ||
      !hasUnitInnerStride(target))
    return false;
  // Empty copies (a dimension of size 0) stay memref.copy: nothing moves.
  int64_t row = source.getShape().back();
  return source.getNumElements() > 0 && row <= kMaxVectorRow &&
         source.getNumElements() / row <= kMaxVectorRows;
}

struct CopyToVectors : OpRewritePattern<memref::CopyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::CopyOp copy,
                                PatternRewriter &rewriter) const override {
    auto source = dyn_cast<MemRefType>(copy.getSource().getType());
    auto target = dyn_cast<MemRefType>(copy.getTarget().getType());
    if (!source || !target || !isVectorCopy(source, target))
      return failure();
    Location loc = copy.getLoc();
    auto vectorType =
        VectorType::get(source.getShape(), source.getElementType());
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    SmallVector<Value> indices(source.getRank(), zero);
    SmallVector<bool> inBounds(source.getRank(), true);
    Value padding = ub::PoisonOp::create(rewriter, loc, source.getElementType());
    Value data = vector::TransferReadOp::create(
        rewriter, loc, vectorType, copy.getSource(), indices, padding,
        inBounds);
    rewriter.replaceOpWithNewOp<vector::TransferWriteOp>(
        copy, data, copy.getTarget(), indices, inBounds);
    return success();
  }
};

struct CopyToLinalg : OpRewritePattern<memref::CopyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::CopyOp copy,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                copy.getTarget());
    return success();
  }
};

struct ExpandCopiesPass
    : kiln::impl::KilnExpandCopiesBase<ExpandCopiesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // The vector form is preferred where it applies.
    patterns.add<CopyToVectors>(&getContext(), /*benefit=*/2);
    patterns.add<CopyToLinalg>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
