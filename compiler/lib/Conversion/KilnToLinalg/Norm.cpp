//===- Norm.cpp - The kiln-lower-norm pass --------------------------------===//
//
// Batch and layer normalisation as reductions (mean, then the biased
// variance of the centred input) and one elementwise generic that
// normalises, scales and shifts. Batch norm's training form also returns
// the running statistics updated as PyTorch does (the unbiased variance).
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Dialect/KilnOps.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Transforms/DialectConversion.h"

namespace kiln {
#define GEN_PASS_DEF_KILNLOWERNORM
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;
using namespace kiln::lowering;

namespace {

/// mean and biased variance of `input` over `axes` (without the axes).
std::pair<Value, Value> moments(OpBuilder &b, Location loc, Value input,
                                ArrayRef<int64_t> axes) {
  auto type = cast<RankedTensorType>(input.getType());
  Type element = type.getElementType();
  Value count = countOver(b, loc, input, axes, element);
  auto divide = [&](Value sum) {
    return broadcastGeneric(b, loc, cast<RankedTensorType>(sum.getType()),
                            ValueRange{sum},
                            [&](OpBuilder &nb, Location l, ValueRange args) {
                              return arith::DivFOp::create(nb, l, args[0],
                                                           count)
                                  .getResult();
                            });
  };
  Value mean = divide(reduce(b, loc, input, axes, ReduceKind::Sum));
  Value squares = combineWithReduced(
      b, loc, input, mean, axes, type,
      [](OpBuilder &nb, Location l, ValueRange args) {
        Value d = arith::SubFOp::create(nb, l, args[0], args[1]);
        return arith::MulFOp::create(nb, l, d, d).getResult();
      });
  Value variance = divide(reduce(b, loc, squares, axes, ReduceKind::Sum));
  return {mean, variance};
}

/// (x - mean) * rsqrt(var + eps) * scale + offset, where mean and var are
/// indexed by `statMap` and scale and offset by `paramMap`.
Value normalize(OpBuilder &b, Location loc, Value input, Value mean,
                Value variance, Value scale, Value offset, AffineMap statMap,
                AffineMap paramMap, double epsilon) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  MLIRContext *context = b.getContext();
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
  SmallVector<Value> sizes(rank);
  for (int64_t d = 0; d < rank; ++d)
    if (type.isDynamicDim(d))
      sizes[d] = dimOf(b, loc, input, d);
  Value init = emptyTensor(b, loc, type, sizes);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type},
             ValueRange{input, mean, variance, scale, offset},
             ValueRange{init},
             {identity, statMap, statMap, paramMap, paramMap, identity},
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value eps = scalarConstant(nb, l, args[0].getType(), epsilon);
               Value inv = math::RsqrtOp::create(
                   nb, l, arith::AddFOp::create(nb, l, args[2], eps));
               Value centred = arith::SubFOp::create(nb, l, args[0], args[1]);
               Value normal = arith::MulFOp::create(nb, l, centred, inv);
               linalg::YieldOp::create(
                   nb, l,
                   arith::AddFOp::create(
                       nb, l, arith::MulFOp::create(nb, l, normal, args[3]),
                       args[4])
                       .getResult());
             })
      .getResult(0);
}

struct BatchNormPattern : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    Value input = op.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    int64_t rank = type.getRank();
    Type element = type.getElementType();
    double epsilon = op.getEpsilon().convertToDouble();
    AffineMap channel =
        AffineMap::get(rank, 0, {getAffineDimExpr(1, context)}, context);

    if (!op.getTraining()) {
      Value output = normalize(rewriter, loc, input, op.getRunningMean(),
                               op.getRunningVar(), op.getScale(),
                               op.getOffset(), channel, channel, epsilon);
      rewriter.replaceOp(op, {output, op.getRunningMean(), op.getRunningVar()});
      return success();
    }
    SmallVector<int64_t> axes = {0};
    for (int64_t d = 2; d < rank; ++d)
      axes.push_back(d);
    auto [mean, variance] = moments(rewriter, loc, input, axes);
    Value output = normalize(rewriter, loc, input, mean, variance,
                             op.getScale(), op.getOffset(), channel, channel,
                             epsilon);
    // running = (1 - momentum) * running + momentum * batch, with the
    // unbiased batch variance for the running variance.
    double momentum = op.getMomentum().convertToDouble();
    Value count = countOver(rewriter, loc, input, axes, element);
    auto statType = cast<RankedTensorType>(op.getRunningMean().getType());
    auto update = [&](Value running, Value batch, bool unbias) {
      return broadcastGeneric(
          rewriter, loc, statType, ValueRange{running, batch},
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value stat = args[1];
            if (unbias) {
              Value one = scalarConstant(b, l, element, 1);
              stat = arith::MulFOp::create(
                  b, l, stat,
                  arith::DivFOp::create(
                      b, l, count, arith::SubFOp::create(b, l, count, one)));
            }
            return arith::AddFOp::create(
                       b, l,
                       arith::MulFOp::create(
                           b, l, scalarConstant(b, l, element, 1 - momentum),
                           args[0]),
                       arith::MulFOp::create(
                           b, l, scalarConstant(b, l, element, momentum), stat))
                .getResult();
          });
    };
    rewriter.replaceOp(op, {output, update(op.getRunningMean(), mean, false),
                            update(op.getRunningVar(), variance, true)});
    return success();
  }
};

struct LayerNormPattern : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    Value input = op.getInput();
    int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    axis = axis < 0 ? axis + rank : axis;
    SmallVector<int64_t> axes;
    SmallVector<AffineExpr> statExprs, paramExprs;
    for (int64_t d = 0; d < rank; ++d) {
      if (d >= axis) {
        axes.push_back(d);
        paramExprs.push_back(getAffineDimExpr(d, context));
      } else {
        statExprs.push_back(getAffineDimExpr(d, context));
      }
    }
    auto [mean, variance] = moments(rewriter, loc, input, axes);
    rewriter.replaceOp(
        op, normalize(rewriter, loc, input, mean, variance, op.getScale(),
                      op.getOffset(),
                      AffineMap::get(rank, 0, statExprs, context),
                      AffineMap::get(rank, 0, paramExprs, context),
                      op.getEpsilon().convertToDouble()));
    return success();
  }
};

struct LowerNormPass : kiln::impl::KilnLowerNormBase<LowerNormPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<BatchNormPattern, LayerNormPattern>(context);
    ConversionTarget target(*context);
    target.addIllegalOp<BatchNormOp, LayerNormOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
