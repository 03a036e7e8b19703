//===- Shape.cpp - The kiln-lower-shape pass ------------------------------===//
//
// Data movement: reshapes become tensor.collapse_shape/expand_shape views,
// transposes linalg.transpose, broadcasts and one-hot encodings
// linalg.generic ops, concatenation a chain of tensor.insert_slice,
// slicing tensor.extract_slice (clamped like Python at run time when a size
// is dynamic), padding tensor.pad, and gathering a generic that reads the
// table with tensor.extract.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Dialect/KilnOps.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Transforms/DialectConversion.h"

namespace kiln {
#define GEN_PASS_DEF_KILNLOWERSHAPE
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;
using namespace kiln::lowering;

namespace {

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

/// The size of `dim` of `tensor` as an index value (a constant when known).
Value sizeOf(OpBuilder &b, Location loc, Value tensor, int64_t dim) {
  auto type = cast<RankedTensorType>(tensor.getType());
  return type.isDynamicDim(dim) ? dimOf(b, loc, tensor, dim)
                                : indexConstant(b, loc, type.getDimSize(dim));
}

struct ReshapePattern : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    if (inputType.getRank() == 0 || resultType.getRank() == 0)
      return rewriter.notifyMatchFailure(op, "scalars reshape by expand");
    // A row-major reshape is a collapse to one dimension and an expansion
    // to the target: both are views, and both bufferize without copies.
    Value total = indexConstant(rewriter, loc, 1);
    for (int64_t d = 0; d < inputType.getRank(); ++d)
      total = arith::MulIOp::create(rewriter, loc, total,
                                    sizeOf(rewriter, loc, input, d));
    Value flat = input;
    if (inputType.getRank() != 1) {
      ReassociationIndices all;
      for (int64_t d = 0; d < inputType.getRank(); ++d)
        all.push_back(d);
      flat = collapse(rewriter, loc, input, {all});
    }
    if (resultType.getRank() == 1) {
      rewriter.replaceOpWithNewOp<tensor::CastOp>(op, resultType, flat);
      return success();
    }
    // The -1 entry is the element count divided by the other sizes.
    ArrayRef<int64_t> target = op.getShape();
    int64_t known = 1;
    for (int64_t size : target)
      if (size != -1)
        known *= size;
    SmallVector<OpFoldResult> outputShape;
    for (int64_t size : target)
      outputShape.push_back(
          size == -1 ? OpFoldResult(arith::DivUIOp::create(
                           rewriter, loc, total,
                           indexConstant(rewriter, loc, known))
                                        .getResult())
                     : OpFoldResult(rewriter.getIndexAttr(size)));
    ReassociationIndices all;
    for (int64_t d = 0; d < resultType.getRank(); ++d)
      all.push_back(d);
    auto flatType = cast<RankedTensorType>(flat.getType());
    if (!flatType.isDynamicDim(0) && resultType.hasStaticShape()) {
      rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
          op, resultType, flat, ArrayRef<ReassociationIndices>{all});
      return success();
    }
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, resultType, flat, ArrayRef<ReassociationIndices>{all},
        outputShape);
    return success();
  }
};

/// Scalars and reshapes to scalars go through tensor.reshape.
struct ScalarReshapePattern : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    if (inputType.getRank() != 0 && resultType.getRank() != 0)
      return failure();
    if (inputType.getRank() == 0)
      rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
          op, resultType, op.getInput(), ArrayRef<ReassociationIndices>{});
    else
      rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
          op, resultType, op.getInput(), ArrayRef<ReassociationIndices>{});
    return success();
  }
};

struct FlattenPattern : OpRewritePattern<FlattenOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FlattenOp op,
                                PatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    int64_t rank = inputType.getRank();
    if (rank == 0) {
      rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
          op, op.getType(), op.getInput(), ArrayRef<ReassociationIndices>{});
      return success();
    }
    int64_t start = static_cast<int64_t>(op.getStartDim());
    int64_t end = static_cast<int64_t>(op.getEndDim());
    start = start < 0 ? start + rank : start;
    end = end < 0 ? end + rank : end;
    SmallVector<ReassociationIndices> groups;
    for (int64_t d = 0; d < rank; ++d) {
      if (d <= start || d > end)
        groups.push_back({d});
      else
        groups.back().push_back(d);
    }
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, op.getType(), op.getInput(), groups);
    return success();
  }
};

struct TransposePattern : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    SmallVector<Value> sizes;
    for (auto [d, from] : llvm::enumerate(op.getPerm()))
      sizes.push_back(resultType.isDynamicDim(d)
                          ? dimOf(rewriter, loc, op.getInput(), from)
                          : Value());
    Value init = emptyTensor(rewriter, loc, resultType, sizes);
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, loc,
                                                       op.getInput(), init,
                                                       op.getPerm())
                               .getResult()
                               .front());
    return success();
  }
};

struct BroadcastToPattern : OpRewritePattern<BroadcastToOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BroadcastToOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(
        op, broadcastGeneric(rewriter, op.getLoc(),
                             cast<RankedTensorType>(op.getType()),
                             ValueRange{op.getInput()},
                             [](OpBuilder &, Location, ValueRange args) {
                               return args[0];
                             }));
    return success();
  }
};

struct ConcatPattern : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t rank = resultType.getRank();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    axis = axis < 0 ? axis + rank : axis;
    Value first = op.getInputs().front();
    // Result sizes: the first input's, with the axis summed.
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < rank; ++d)
      sizes.push_back(sizeOf(rewriter, loc, first, d));
    Value axisSize = indexConstant(rewriter, loc, 0);
    for (Value input : op.getInputs())
      axisSize = arith::AddIOp::create(rewriter, loc, axisSize,
                                       sizeOf(rewriter, loc, input, axis));
    sizes[axis] = axisSize;
    Value result = emptyTensor(rewriter, loc, resultType, sizes);
    Value offset = indexConstant(rewriter, loc, 0);
    for (Value input : op.getInputs()) {
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
      SmallVector<OpFoldResult> inputSizes;
      for (int64_t d = 0; d < rank; ++d)
        inputSizes.push_back(sizeOrAttr(rewriter, loc, input, d));
      offsets[axis] = offset;
      result = tensor::InsertSliceOp::create(rewriter, loc, input, result,
                                             offsets, inputSizes, strides);
      offset = arith::AddIOp::create(rewriter, loc, offset,
                                     sizeOf(rewriter, loc, input, axis));
    }
    rewriter.replaceOpWithNewOp<tensor::CastOp>(op, resultType, result);
    return success();
  }
};

struct SlicePattern : OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t rank = inputType.getRank();
    SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes, strides(rank, rewriter.getIndexAttr(1));
    for (int64_t d = 0; d < rank; ++d)
      sizes.push_back(sizeOf(rewriter, loc, input, d));
    ArrayRef<int64_t> axes = op.getAxes(), starts = op.getStarts(),
                      ends = op.getEnds();
    SmallVector<int64_t> steps(axes.size(), 1);
    if (auto given = op.getSteps())
      steps.assign(given->begin(), given->end());
    Value zero = indexConstant(rewriter, loc, 0);
    for (size_t i = 0; i < axes.size(); ++i) {
      int64_t axis = axes[i] < 0 ? axes[i] + rank : axes[i];
      Value size = sizeOf(rewriter, loc, input, axis);
      // Python's clamping: negative indices count from the end, then both
      // bounds are clamped to [0, size].
      auto clamp = [&](int64_t index) -> Value {
        Value v = indexConstant(rewriter, loc, index);
        if (index < 0)
          v = arith::MaxSIOp::create(
              rewriter, loc, arith::AddIOp::create(rewriter, loc, v, size),
              zero);
        return arith::MinSIOp::create(rewriter, loc, v, size);
      };
      Value first = clamp(starts[i]), last = clamp(ends[i]);
      Value span = arith::MaxSIOp::create(
          rewriter, loc, arith::SubIOp::create(rewriter, loc, last, first),
          zero);
      Value count = arith::CeilDivSIOp::create(
          rewriter, loc, span, indexConstant(rewriter, loc, steps[i]));
      offsets[axis] = first;
      sizes[axis] = count;
      strides[axis] = rewriter.getIndexAttr(steps[i]);
    }
    Value slice = tensor::ExtractSliceOp::create(rewriter, loc, input,
                                                 offsets, sizes, strides);
    rewriter.replaceOpWithNewOp<tensor::CastOp>(op, op.getType(), slice);
    return success();
  }
};

struct PadPattern : OpRewritePattern<PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PadOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value value = scalarConstant(rewriter, loc, type.getElementType(),
                                 op.getValue().convertToDouble());
    SmallVector<OpFoldResult> low, high;
    for (int64_t v : op.getLow())
      low.push_back(rewriter.getIndexAttr(v));
    for (int64_t v : op.getHigh())
      high.push_back(rewriter.getIndexAttr(v));
    rewriter.replaceOpWithNewOp<tensor::PadOp>(op, type, op.getInput(), low,
                                               high, value);
    return success();
  }
};

struct GatherPattern : OpRewritePattern<GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatherOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    Value table = op.getTable(), indices = op.getIndices();
    auto tableType = cast<RankedTensorType>(table.getType());
    auto indexType = cast<RankedTensorType>(indices.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t rank = resultType.getRank();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    axis = axis < 0 ? axis + tableType.getRank() : axis;
    int64_t indexRank = indexType.getRank();
    SmallVector<AffineExpr> indexExprs;
    for (int64_t d = 0; d < indexRank; ++d)
      indexExprs.push_back(getAffineDimExpr(axis + d, context));
    SmallVector<Value> sizes(rank);
    for (int64_t d = 0; d < rank; ++d) {
      if (!resultType.isDynamicDim(d))
        continue;
      if (d < axis)
        sizes[d] = dimOf(rewriter, loc, table, d);
      else if (d < axis + indexRank)
        sizes[d] = dimOf(rewriter, loc, indices, d - axis);
      else
        sizes[d] = dimOf(rewriter, loc, table, d - indexRank + 1);
    }
    Value init = emptyTensor(rewriter, loc, resultType, sizes);
    Value axisSize = sizeOf(rewriter, loc, table, axis);
    SmallVector<AffineMap> maps = {
        AffineMap::get(rank, 0, indexExprs, context),
        AffineMap::getMultiDimIdentityMap(rank, context)};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, ValueRange{indices},
        ValueRange{init}, maps,
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          // An out-of-range index is clamped rather than read out of bounds.
          Value index =
              arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
          Value last = arith::SubIOp::create(b, l, axisSize,
                                             arith::ConstantIndexOp::create(b, l, 1));
          index = arith::MinSIOp::create(
              b, l,
              arith::MaxSIOp::create(b, l, index,
                                     arith::ConstantIndexOp::create(b, l, 0)),
              last);
          SmallVector<Value> position;
          for (int64_t d = 0; d < axis; ++d)
            position.push_back(linalg::IndexOp::create(b, l, d));
          position.push_back(index);
          for (int64_t d = axis + 1; d < tableType.getRank(); ++d)
            position.push_back(
                linalg::IndexOp::create(b, l, d + indexRank - 1));
          linalg::YieldOp::create(
              b, l, tensor::ExtractOp::create(b, l, table, position).getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct OneHotPattern : OpRewritePattern<OneHotOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(OneHotOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    int64_t rank = resultType.getRank();
    SmallVector<AffineExpr> indexExprs;
    SmallVector<Value> sizes(rank);
    for (int64_t d = 0; d + 1 < rank; ++d) {
      indexExprs.push_back(getAffineDimExpr(d, context));
      if (resultType.isDynamicDim(d))
        sizes[d] = dimOf(rewriter, loc, op.getIndices(), d);
    }
    Value init = emptyTensor(rewriter, loc, resultType, sizes);
    Type element = resultType.getElementType();
    SmallVector<AffineMap> maps = {
        AffineMap::get(rank, 0, indexExprs, context),
        AffineMap::getMultiDimIdentityMap(rank, context)};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{resultType}, ValueRange{op.getIndices()},
        ValueRange{init}, maps,
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value k = arith::IndexCastOp::create(
              b, l, args[0].getType(), linalg::IndexOp::create(b, l, rank - 1));
          Value hit =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, k, args[0]);
          linalg::YieldOp::create(
              b, l,
              arith::SelectOp::create(b, l, hit, scalarConstant(b, l, element, 1),
                                      scalarConstant(b, l, element, 0))
                  .getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct LowerShapePass : kiln::impl::KilnLowerShapeBase<LowerShapePass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<ReshapePattern, ScalarReshapePattern, FlattenPattern, TransposePattern,
                 BroadcastToPattern, ConcatPattern, SlicePattern, PadPattern,
                 GatherPattern, OneHotPattern>(context);
    ConversionTarget target(*context);
    target.addIllegalOp<ReshapeOp, FlattenOp, TransposeOp, BroadcastToOp,
                        ConcatOp, SliceOp, PadOp, GatherOp, OneHotOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
