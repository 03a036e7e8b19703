//===- Reductions.cpp - The kiln-lower-reductions pass --------------------===//
//
// Reductions become linalg.generic ops with reduction iterators (kept
// dimensions restored with tensor.expand_shape); softmax, log_softmax and
// logsumexp subtract the maximum first, as PyTorch does, so large inputs do
// not overflow.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Dialect/KilnOps.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Transforms/DialectConversion.h"

namespace kiln {
#define GEN_PASS_DEF_KILNLOWERREDUCTIONS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;
using namespace kiln::lowering;

namespace {

/// `reduced` (the input without `axes`) reshaped to `resultType`, which has
/// size-1 dimensions at `axes`.
Value keepDims(OpBuilder &b, Location loc, Value reduced, Value input,
               ArrayRef<int64_t> axes, RankedTensorType resultType) {
  int64_t rank = resultType.getRank();
  SmallVector<ReassociationIndices> groups;
  SmallVector<OpFoldResult> outputShape;
  ReassociationIndices pending;
  for (int64_t d = 0; d < rank; ++d) {
    pending.push_back(d);
    bool isReduced = llvm::is_contained(axes, d);
    outputShape.push_back(
        !isReduced && resultType.isDynamicDim(d)
            ? OpFoldResult(dimOf(b, loc, input, d))
            : OpFoldResult(b.getIndexAttr(resultType.getDimSize(d))));
    if (!isReduced) {
      groups.push_back(pending);
      pending.clear();
    }
  }
  // Trailing reduced dimensions join the last group.
  if (!pending.empty() && !groups.empty())
    groups.back().append(pending.begin(), pending.end());
  return tensor::ExpandShapeOp::create(b, loc, resultType, reduced, groups,
                                       outputShape);
}

template <typename OpTy>
Value maybeKeepDims(OpBuilder &b, Location loc, OpTy op, Value reduced,
                    ArrayRef<int64_t> axes) {
  if (!op.getKeepdims())
    return reduced;
  return keepDims(b, loc, reduced, op.getInput(), axes,
                  cast<RankedTensorType>(op.getType()));
}

template <typename OpTy, ReduceKind Kind>
struct ReducePattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    SmallVector<int64_t> axes =
        normalizeAxes(op.getAxes(), inputType.getRank());
    Value result = reduce(rewriter, loc, op.getInput(), axes, Kind);
    rewriter.replaceOp(op, maybeKeepDims(rewriter, loc, op, result, axes));
    return success();
  }
};

struct MeanPattern : OpRewritePattern<MeanOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MeanOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    Type element = inputType.getElementType();
    SmallVector<int64_t> axes =
        normalizeAxes(op.getAxes(), inputType.getRank());
    Value sum = reduce(rewriter, loc, op.getInput(), axes, ReduceKind::Sum);
    Value count = countOver(rewriter, loc, op.getInput(), axes, element);
    auto sumType = cast<RankedTensorType>(sum.getType());
    Value mean = broadcastGeneric(
        rewriter, loc, sumType, ValueRange{sum},
        [&](OpBuilder &b, Location l, ValueRange args) {
          return arith::DivFOp::create(b, l, args[0], count).getResult();
        });
    rewriter.replaceOp(op, maybeKeepDims(rewriter, loc, op, mean, axes));
    return success();
  }
};

/// log(sum(exp(x - max))) + max over `axes`, without the axes.
Value logSumExp(OpBuilder &b, Location loc, Value input,
                ArrayRef<int64_t> axes) {
  auto inputType = cast<RankedTensorType>(input.getType());
  Value max = reduce(b, loc, input, axes, ReduceKind::Max);
  Value shiftedExp = combineWithReduced(
      b, loc, input, max, axes, inputType,
      [](OpBuilder &nb, Location l, ValueRange args) {
        return math::ExpOp::create(nb, l,
                                   arith::SubFOp::create(nb, l, args[0], args[1]))
            .getResult();
      });
  Value sum = reduce(b, loc, shiftedExp, axes, ReduceKind::Sum);
  return broadcastGeneric(
      b, loc, cast<RankedTensorType>(sum.getType()), ValueRange{sum, max},
      [](OpBuilder &nb, Location l, ValueRange args) {
        return arith::AddFOp::create(nb, l, math::LogOp::create(nb, l, args[0]),
                                     args[1])
            .getResult();
      });
}

struct LogSumExpPattern : OpRewritePattern<LogSumExpOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LogSumExpOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    SmallVector<int64_t> axes =
        normalizeAxes(op.getAxes(), inputType.getRank());
    Value result = logSumExp(rewriter, loc, op.getInput(), axes);
    rewriter.replaceOp(op, maybeKeepDims(rewriter, loc, op, result, axes));
    return success();
  }
};

template <typename OpTy, bool IsMax>
struct ArgReducePattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    Value input = op.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t rank = inputType.getRank();
    // I64Attr getters return uint64_t: sign the value before comparing.
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    Type element = inputType.getElementType();

    SmallVector<int64_t> shape;
    SmallVector<Value> sizes;
    SmallVector<AffineExpr> outExprs;
    SmallVector<utils::IteratorType> iterators;
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis) {
        iterators.push_back(utils::IteratorType::reduction);
        continue;
      }
      iterators.push_back(utils::IteratorType::parallel);
      shape.push_back(inputType.getDimSize(d));
      sizes.push_back(inputType.isDynamicDim(d)
                          ? dimOf(rewriter, loc, input, d)
                          : Value());
      outExprs.push_back(getAffineDimExpr(d, context));
    }
    auto valueType = RankedTensorType::get(shape, element);
    auto indexType = RankedTensorType::get(shape, rewriter.getI64Type());
    Value values = filledTensor(rewriter, loc, valueType, sizes,
                                extremeConstant(rewriter, loc, element,
                                                /*largest=*/!IsMax));
    Value indices = filledTensor(
        rewriter, loc, indexType, sizes,
        scalarConstant(rewriter, loc, rewriter.getI64Type(), 0));
    AffineMap outMap = AffineMap::get(rank, 0, outExprs, context);
    SmallVector<AffineMap> maps = {
        AffineMap::getMultiDimIdentityMap(rank, context), outMap, outMap};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valueType, indexType}, ValueRange{input},
        ValueRange{values, indices}, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], best = args[1], bestIndex = args[2];
          Value index = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, axis));
          // Strictly better: ties keep the first index, as PyTorch does.
          Value better;
          if (isa<FloatType>(element))
            better = arith::CmpFOp::create(
                b, l,
                IsMax ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT,
                x, best);
          else
            better = arith::CmpIOp::create(
                b, l,
                IsMax ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::slt,
                x, best);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, better, x, best),
                         arith::SelectOp::create(b, l, better, index,
                                                 bestIndex)});
        });
    Value result = generic.getResult(1);
    SmallVector<int64_t> axes = {axis};
    rewriter.replaceOp(op, maybeKeepDims(rewriter, loc, op, result, axes));
    return success();
  }
};

template <typename OpTy, bool IsLog>
struct SoftmaxPattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += type.getRank();
    SmallVector<int64_t> axes = {axis};
    Value max = reduce(rewriter, loc, input, axes, ReduceKind::Max);
    Value shifted = combineWithReduced(
        rewriter, loc, input, max, axes, type,
        [](OpBuilder &b, Location l, ValueRange args) {
          return arith::SubFOp::create(b, l, args[0], args[1]).getResult();
        });
    Value exp = broadcastGeneric(
        rewriter, loc, type, ValueRange{shifted},
        [](OpBuilder &b, Location l, ValueRange args) {
          return math::ExpOp::create(b, l, args[0]).getResult();
        });
    Value sum = reduce(rewriter, loc, exp, axes, ReduceKind::Sum);
    Value result;
    if (IsLog)
      result = combineWithReduced(
          rewriter, loc, shifted, sum, axes, type,
          [](OpBuilder &b, Location l, ValueRange args) {
            return arith::SubFOp::create(b, l, args[0],
                                         math::LogOp::create(b, l, args[1]))
                .getResult();
          });
    else
      result = combineWithReduced(
          rewriter, loc, exp, sum, axes, type,
          [](OpBuilder &b, Location l, ValueRange args) {
            return arith::DivFOp::create(b, l, args[0], args[1]).getResult();
          });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The reduced gradient broadcast back: a generic over `like`'s shape whose
/// input map drops (or pins to 0, with keepdims) the reduced axes.
struct ExpandReducedPattern : OpRewritePattern<ExpandReducedOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ExpandReducedOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t rank = resultType.getRank();
    SmallVector<int64_t> axes = normalizeAxes(op.getAxes(), rank);
    SmallVector<AffineExpr> inputExprs;
    for (int64_t d = 0; d < rank; ++d) {
      if (!llvm::is_contained(axes, d))
        inputExprs.push_back(getAffineDimExpr(d, context));
      else if (op.getKeepdims())
        inputExprs.push_back(getAffineConstantExpr(0, context));
    }
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < rank; ++d)
      sizes.push_back(resultType.isDynamicDim(d)
                          ? dimOf(rewriter, loc, op.getLike(), d)
                          : Value());
    Value count;
    if (op.getMean())
      count = countOver(rewriter, loc, op.getLike(), axes,
                        resultType.getElementType());
    Value expanded =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{resultType}, ValueRange{op.getInput()},
            ValueRange{emptyTensor(rewriter, loc, resultType, sizes)},
            {AffineMap::get(rank, 0, inputExprs, context),
             AffineMap::getMultiDimIdentityMap(rank, context)},
            SmallVector<utils::IteratorType>(rank,
                                             utils::IteratorType::parallel),
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value value = args[0];
              if (count)
                value = arith::DivFOp::create(b, l, value, count);
              linalg::YieldOp::create(b, l, value);
            })
            .getResult(0);
    rewriter.replaceOp(op, expanded);
    return success();
  }
};

struct LowerReductionsPass
    : kiln::impl::KilnLowerReductionsBase<LowerReductionsPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<ReducePattern<SumOp, ReduceKind::Sum>,
                 ReducePattern<MaxOp, ReduceKind::Max>,
                 ReducePattern<MinOp, ReduceKind::Min>, MeanPattern,
                 LogSumExpPattern, ArgReducePattern<ArgmaxOp, true>,
                 ArgReducePattern<ArgminOp, false>,
                 SoftmaxPattern<SoftmaxOp, false>,
                 SoftmaxPattern<LogSoftmaxOp, true>, ExpandReducedPattern>(
        context);
    ConversionTarget target(*context);
    target.addIllegalOp<SumOp, MaxOp, MinOp, MeanOp, LogSumExpOp, ArgmaxOp,
                        ArgminOp, SoftmaxOp, LogSoftmaxOp, ExpandReducedOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
