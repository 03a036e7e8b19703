//===- Conv.cpp - The kiln-lower-conv pass --------------------------------===//
//
// The convolution family on NCHW tensors. A convolution kiln-layout marked
// for the planes layout is a contraction over the zero-padded input planes
// read in place (DirectConv.cpp); any other is a matrix product of the im2col patches
// with the filter, or linalg's grouped convolution with groups. Either
// accumulates into the broadcast bias. A transposed convolution is a
// convolution of the stride-dilated, padded input with the transposed,
// flipped filter; pooling takes the maximum of strided slices when the
// windows tile the input, else linalg's pooling ops over inputs padded with
// the reduction's identity.
//
//===----------------------------------------------------------------------===//

#include "ConvUtils.h"
#include "LoweringUtils.h"

#include "kiln/Dialect/KilnDialect.h"
#include "kiln/Dialect/KilnOps.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Transforms/DialectConversion.h"

namespace kiln {
#define GEN_PASS_DEF_KILNLOWERCONV
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;
using namespace kiln::lowering;

namespace {

DenseIntElementsAttr pairAttr(OpBuilder &b, ArrayRef<int64_t> values) {
  return DenseIntElementsAttr::get(
      RankedTensorType::get({2}, b.getI64Type()), values);
}

/// A tensor of `type` holding `bias` broadcast along dimension 1 (or zeros).
Value biasInit(OpBuilder &b, Location loc, RankedTensorType type, Value bias,
               ArrayRef<Value> sizes) {
  if (!bias)
    return filledTensor(b, loc, type, sizes,
                        scalarConstant(b, loc, type.getElementType(), 0));
  MLIRContext *context = b.getContext();
  int64_t rank = type.getRank();
  SmallVector<AffineMap> maps = {
      AffineMap::get(rank, 0, {getAffineDimExpr(1, context)}, context),
      AffineMap::getMultiDimIdentityMap(rank, context)};
  Value empty = emptyTensor(b, loc, type, sizes);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{bias}, ValueRange{empty},
             maps,
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, args[0]);
             })
      .getResult(0);
}

SmallVector<Value> batchOnlySizes(OpBuilder &b, Location loc,
                                  RankedTensorType type, Value input) {
  SmallVector<Value> sizes(type.getRank());
  if (type.isDynamicDim(0))
    sizes[0] = dimOf(b, loc, input, 0);
  return sizes;
}

/// An ungrouped convolution as a matrix product (im2col): the patches of
/// the padded input as rows [N, OH*OW, C*KH*KW], times the filter as
/// [C*KH*KW, F], accumulated into the bias, gives the output pixel-major
/// [N, OH*OW, F], which is transposed back to NCHW. The product is a plain
/// contraction that register tiling handles with F as the vector width.
Value convolveAsMatmul(OpBuilder &b, Location loc, Value input, Value weight,
                       Value bias, RankedTensorType resultType,
                       ArrayRef<int64_t> stride, ArrayRef<int64_t> dilation) {
  MLIRContext *context = b.getContext();
  auto weightType = cast<RankedTensorType>(weight.getType());
  Type element = resultType.getElementType();
  int64_t filters = weightType.getDimSize(0), channels = weightType.getDimSize(1);
  int64_t kh = weightType.getDimSize(2), kw = weightType.getDimSize(3);
  int64_t oh = resultType.getDimSize(2), ow = resultType.getDimSize(3);
  int64_t pixels = oh * ow;
  int64_t batch = resultType.getDimSize(0);
  Value batchSize = ShapedType::isDynamic(batch) ? dimOf(b, loc, input, 0)
                                                 : Value();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
  auto parallel = [](unsigned n) {
    return SmallVector<utils::IteratorType>(n, utils::IteratorType::parallel);
  };

  Value patches = im2colPatches(b, loc, input, kh, kw,
                                RankedTensorType::get({batch, oh, ow}, element),
                                stride, dilation);
  Value col = collapse(b, loc, patches, {{0}, {1, 2}, {3, 4, 5}});

  // The filter [F, C, KH, KW] as [KH*KW*C, F], the order of a patch row.
  Value weightT = collapse(
      b, loc,
      linalg::TransposeOp::create(
          b, loc, weight,
          tensor::EmptyOp::create(
              b, loc, ArrayRef<int64_t>{kh, kw, channels, filters}, element),
          ArrayRef<int64_t>{2, 3, 1, 0})
          .getResult()
          .front(),
      {{0, 1, 2}, {3}});

  // The product over all pixels of all images at once: rows are
  // [N * OH * OW], a plain two-dimensional contraction.
  Value rows = collapse(b, loc, col, {{0, 1}, {2}});
  auto flatType = RankedTensorType::get(
      {ShapedType::isDynamic(batch) ? ShapedType::kDynamic : batch * pixels,
       filters},
      element);
  Value rowCount =
      batchSize ? Value(arith::MulIOp::create(
                      b, loc, batchSize,
                      arith::ConstantIndexOp::create(b, loc, pixels)))
                : Value();
  SmallVector<Value> flatSizes = {rowCount, Value()};
  // Accumulate into the bias along F (or zeros).
  Value init;
  if (bias)
    init = linalg::GenericOp::create(
               b, loc, TypeRange{flatType}, ValueRange{bias},
               ValueRange{emptyTensor(b, loc, flatType, flatSizes)},
               {AffineMap::get(2, 0, {d(1)}, context),
                AffineMap::getMultiDimIdentityMap(2, context)},
               parallel(2),
               [](OpBuilder &nb, Location l, ValueRange args) {
                 linalg::YieldOp::create(nb, l, args[0]);
               })
               .getResult(0);
  else
    init = filledTensor(b, loc, flatType, flatSizes,
                        scalarConstant(b, loc, element, 0));
  // Loops (r, f, k): rows(r, k) * weightT(k, f).
  Value flatProduct =
      contract(b, loc, rows, weightT, init,
               {AffineMap::get(3, 0, {d(0), d(2)}, context),
                AffineMap::get(3, 0, {d(2), d(1)}, context),
                AffineMap::get(3, 0, {d(0), d(1)}, context)},
               3);
  auto productType = RankedTensorType::get({batch, pixels, filters}, element);
  Value product = tensor::ExpandShapeOp::create(
      b, loc, productType, flatProduct,
      ArrayRef<ReassociationIndices>{{0, 1}, {2}},
      ArrayRef<OpFoldResult>{batchSize ? OpFoldResult(batchSize)
                                       : OpFoldResult(b.getIndexAttr(batch)),
                             b.getIndexAttr(pixels), b.getIndexAttr(filters)});

  // Back to [N, F, OH, OW].
  auto channelsFirst = RankedTensorType::get({batch, filters, pixels}, element);
  Value transposed =
      linalg::TransposeOp::create(
          b, loc, product,
          emptyTensor(b, loc, channelsFirst, {batchSize, Value(), Value()}),
          ArrayRef<int64_t>{0, 2, 1})
          .getResult()
          .front();
  SmallVector<OpFoldResult> outputShape = {
      batchSize ? OpFoldResult(batchSize) : OpFoldResult(b.getIndexAttr(batch)),
      b.getIndexAttr(filters), b.getIndexAttr(oh), b.getIndexAttr(ow)};
  return tensor::ExpandShapeOp::create(
      b, loc, resultType, transposed,
      ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}}, outputShape);
}

/// The convolution proper, after padding: without groups a matrix product
/// (im2col); with groups linalg's grouped convolution.
Value convolve(OpBuilder &b, Location loc, Value input, Value weight,
               Value bias, RankedTensorType resultType,
               ArrayRef<int64_t> stride, ArrayRef<int64_t> dilation,
               int64_t groups) {
  if (groups == 1)
    return convolveAsMatmul(b, loc, input, weight, bias, resultType, stride,
                            dilation);
  SmallVector<Value> sizes = batchOnlySizes(b, loc, resultType, input);
  Value init = biasInit(b, loc, resultType, bias, sizes);
  Value groupedInput = splitIntoGroups(b, loc, input, 1, groups);
  // The op wants the filter as [F / groups, groups, C / groups, KH, KW].
  Value splitWeight = splitIntoGroups(b, loc, weight, 0, groups);
  auto splitType = cast<RankedTensorType>(splitWeight.getType());
  SmallVector<int64_t> perm = {1, 0, 2, 3, 4};
  SmallVector<int64_t> permuted;
  for (int64_t d : perm)
    permuted.push_back(splitType.getDimSize(d));
  Value groupedWeight =
      linalg::TransposeOp::create(
          b, loc, splitWeight,
          tensor::EmptyOp::create(b, loc, permuted, splitType.getElementType()),
          perm)
          .getResult()
          .front();
  Value groupedInit = splitIntoGroups(b, loc, init, 1, groups);
  Value grouped =
      linalg::Conv2DNgchwFgchwOp::create(
          b, loc, TypeRange{groupedInit.getType()},
          ValueRange{groupedInput, groupedWeight}, ValueRange{groupedInit},
          pairAttr(b, stride), pairAttr(b, dilation))
          .getResult(0);
  return tensor::CollapseShapeOp::create(
      b, loc, resultType, grouped,
      ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
}

/// A transposed convolution's filter [C, F/G, KH, KW] as the filter of the
/// equivalent convolution, [F, C/G, KH, KW], flipped in both spatial
/// dimensions: flipped[g*F/G + f, c, i, j] = w[g*C/G + c, f, KH-1-i, KW-1-j].
/// With groups, the copy runs over [G, F/G, C/G, KH, KW] and is collapsed.
Value flippedTransposedFilter(OpBuilder &b, Location loc, Value weight,
                              int64_t groups) {
  MLIRContext *context = b.getContext();
  auto weightType = cast<RankedTensorType>(weight.getType());
  int64_t channels = weightType.getDimSize(0) / groups;
  int64_t filters = weightType.getDimSize(1);
  int64_t kh = weightType.getDimSize(2), kw = weightType.getDimSize(3);
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
  bool grouped = groups != 1;
  unsigned rank = grouped ? 5 : 4, first = grouped ? 1 : 0;
  SmallVector<int64_t> shape = {filters, channels, kh, kw};
  AffineExpr channel = d(first + 1);
  if (grouped) {
    shape.insert(shape.begin(), groups);
    channel = d(0) * channels + channel;
  }
  auto flippedType = RankedTensorType::get(shape, weightType.getElementType());
  SmallVector<AffineMap> maps = {
      AffineMap::get(rank, 0,
                     {channel, d(first), kh - 1 - d(first + 2),
                      kw - 1 - d(first + 3)},
                     context),
      AffineMap::getMultiDimIdentityMap(rank, context)};
  Value flipped =
      linalg::GenericOp::create(
          b, loc, TypeRange{flippedType}, ValueRange{weight},
          ValueRange{emptyTensor(b, loc, flippedType, {})}, maps,
          SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
          [](OpBuilder &nb, Location l, ValueRange args) {
            linalg::YieldOp::create(nb, l, args[0]);
          })
          .getResult(0);
  if (!grouped)
    return flipped;
  return collapse(b, loc, flipped, {{0, 1}, {2}, {3}, {4}});
}

struct Conv2DPattern : OpRewritePattern<Conv2DOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(Conv2DOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    ArrayRef<int64_t> padding = op.getPadding();
    auto groups = static_cast<int64_t>(op.getGroups());
    if (op->hasAttr(KilnDialect::kLayoutAttrName) &&
        canConvolveDirectly(
            cast<RankedTensorType>(op.getInput().getType()), resultType,
            op.getStride(), groups)) {
      rewriter.replaceOp(op, convolveDirect(rewriter, loc, op.getInput(),
                                            padding, padding, op.getWeight(),
                                            op.getBias(), resultType,
                                            op.getDilation()));
      return success();
    }
    Value input = padSpatial(rewriter, loc, op.getInput(), padding, padding,
                             scalarConstant(rewriter, loc, element, 0));
    rewriter.replaceOp(op, convolve(rewriter, loc, input, op.getWeight(),
                                    op.getBias(), resultType, op.getStride(),
                                    op.getDilation(), groups));
    return success();
  }
};

struct ConvTranspose2DPattern : OpRewritePattern<ConvTranspose2DOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvTranspose2DOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    Value input = op.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    ArrayRef<int64_t> stride = op.getStride(), padding = op.getPadding(),
                      outputPadding = op.getOutputPadding(),
                      dilation = op.getDilation();
    Value zero = scalarConstant(rewriter, loc, element, 0);

    // 1. Spread the input out by the stride: stride - 1 zeros between
    //    neighbouring pixels.
    Value dilated = input;
    if (stride[0] != 1 || stride[1] != 1) {
      SmallVector<int64_t> shape(inputType.getShape());
      for (int d = 0; d < 2; ++d)
        shape[2 + d] = (shape[2 + d] - 1) * stride[d] + 1;
      auto type = inputType.clone(shape);
      SmallVector<Value> sizes = batchOnlySizes(rewriter, loc, type, input);
      Value zeros = filledTensor(rewriter, loc, type, sizes, zero);
      SmallVector<OpFoldResult> offsets(4, rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> inputSizes = {
          inputType.isDynamicDim(0)
              ? OpFoldResult(dimOf(rewriter, loc, input, 0))
              : OpFoldResult(rewriter.getIndexAttr(inputType.getDimSize(0))),
          rewriter.getIndexAttr(inputType.getDimSize(1)),
          rewriter.getIndexAttr(inputType.getDimSize(2)),
          rewriter.getIndexAttr(inputType.getDimSize(3))};
      SmallVector<OpFoldResult> strides = {
          rewriter.getIndexAttr(1), rewriter.getIndexAttr(1),
          rewriter.getIndexAttr(stride[0]), rewriter.getIndexAttr(stride[1])};
      dilated = tensor::InsertSliceOp::create(rewriter, loc, input, zeros,
                                              offsets, inputSizes, strides);
    }
    // 2. Pad by dilation * (kernel - 1) - padding, plus the output padding
    //    at the end; a negative amount (padding wider than the dilated
    //    kernel, as in the input gradient of a padded 1 x 1 convolution)
    //    crops instead.
    SmallVector<int64_t> low(2), high(2), cropLow(2, 0), cropHigh(2, 0);
    for (int d = 0; d < 2; ++d) {
      int64_t edge = dilation[d] * (weightType.getDimSize(2 + d) - 1) -
                     padding[d];
      low[d] = edge;
      high[d] = edge + outputPadding[d];
      if (low[d] < 0) {
        cropLow[d] = -low[d];
        low[d] = 0;
      }
      if (high[d] < 0) {
        cropHigh[d] = -high[d];
        high[d] = 0;
      }
    }
    if (llvm::any_of(cropLow, [](int64_t c) { return c != 0; }) ||
        llvm::any_of(cropHigh, [](int64_t c) { return c != 0; }))
      dilated = cropSpatial(rewriter, loc, dilated, cropLow, cropHigh);
    // 3. The filter [C, F/G, KH, KW] transposed to [F, C/G, KH, KW] group
    //    by group and flipped.
    auto groups = static_cast<int64_t>(op.getGroups());
    Value flipped = flippedTransposedFilter(rewriter, loc, op.getWeight(),
                                            groups);
    static constexpr int64_t kUnit[] = {1, 1};
    if (op->hasAttr(KilnDialect::kLayoutAttrName) &&
        canConvolveDirectly(cast<RankedTensorType>(dilated.getType()),
                            resultType, kUnit, groups)) {
      rewriter.replaceOp(op, convolveDirect(rewriter, loc, dilated, low, high,
                                            flipped, op.getBias(), resultType,
                                            dilation));
      return success();
    }
    Value padded = padSpatial(rewriter, loc, dilated, low, high, zero);
    rewriter.replaceOp(op, convolve(rewriter, loc, padded, flipped,
                                    op.getBias(), resultType, kUnit, dilation,
                                    groups));
    return success();
  }
};

/// Max pooling whose windows tile the input exactly (no padding, no
/// dilation, stride = kernel), as in LeNet's 2 x 2 pooling: the elementwise
/// maximum of one strided slice per window tap, an op that vectorizes and
/// splits across threads like any other, instead of linalg's pooling loops.
Value maxOfWindowTaps(OpBuilder &b, Location loc, Value input,
                      RankedTensorType resultType, ArrayRef<int64_t> kernel) {
  return broadcastGeneric(b, loc, resultType,
                          windowTapSlices(b, loc, input, resultType, kernel),
                          [](OpBuilder &nb, Location l, ValueRange args) {
                            Value best = args[0];
                            for (Value tap : args.drop_front())
                              best = arith::MaximumFOp::create(nb, l, best, tap);
                            return best;
                          });
}

template <typename OpTy, bool IsMax>
struct PoolPattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    ArrayRef<int64_t> kernel = op.getKernel();
    ArrayRef<int64_t> stride = op.getStride().value_or(kernel);
    ArrayRef<int64_t> padding = op.getPadding();
    SmallVector<int64_t> dilation = {1, 1};
    if constexpr (IsMax)
      dilation.assign(op.getDilation().begin(), op.getDilation().end());
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    constexpr int64_t kMaxTaps = 16;
    if (IsMax && kernel[0] * kernel[1] <= kMaxTaps &&
        windowsTileInput(inputType, resultType, kernel, stride, padding,
                         dilation)) {
      rewriter.replaceOp(op, maxOfWindowTaps(rewriter, loc, op.getInput(),
                                             resultType, kernel));
      return success();
    }
    // Padding never wins a maximum and adds nothing to a sum.
    Value identity = IsMax ? extremeConstant(rewriter, loc, element, false)
                           : scalarConstant(rewriter, loc, element, 0);
    Value input = padSpatial(rewriter, loc, op.getInput(), padding, padding,
                             identity);
    Value window = tensor::EmptyOp::create(rewriter, loc, kernel, element);
    SmallVector<Value> sizes = batchOnlySizes(rewriter, loc, resultType, input);
    Value init = filledTensor(rewriter, loc, resultType, sizes, identity);
    Value pooled;
    if constexpr (IsMax)
      pooled = linalg::PoolingNchwMaxOp::create(
                   rewriter, loc, TypeRange{resultType},
                   ValueRange{input, window}, ValueRange{init},
                   pairAttr(rewriter, stride), pairAttr(rewriter, dilation))
                   .getResult(0);
    else
      pooled = linalg::PoolingNchwSumOp::create(
                   rewriter, loc, TypeRange{resultType},
                   ValueRange{input, window}, ValueRange{init},
                   pairAttr(rewriter, stride), pairAttr(rewriter, dilation))
                   .getResult(0);
    if constexpr (!IsMax) {
      bool padded = padding[0] != 0 || padding[1] != 0;
      if (op.getCountIncludePad() || !padded) {
        Value divisor = scalarConstant(rewriter, loc, element,
                                       double(kernel[0] * kernel[1]));
        pooled = broadcastGeneric(
            rewriter, loc, resultType, ValueRange{pooled},
            [&](OpBuilder &b, Location l, ValueRange args) {
              return arith::DivFOp::create(b, l, args[0], divisor).getResult();
            });
      } else {
        // Divide by the number of real pixels under each window: the sum
        // pooling of ones over the same padding.
        auto inputType = cast<RankedTensorType>(op.getInput().getType());
        SmallVector<Value> inSizes =
            batchOnlySizes(rewriter, loc, inputType, op.getInput());
        Value ones = filledTensor(rewriter, loc, inputType, inSizes,
                                  scalarConstant(rewriter, loc, element, 1));
        Value paddedOnes =
            padSpatial(rewriter, loc, ones, padding, padding,
                       scalarConstant(rewriter, loc, element, 0));
        Value counts =
            linalg::PoolingNchwSumOp::create(
                rewriter, loc, TypeRange{resultType},
                ValueRange{paddedOnes, window},
                ValueRange{filledTensor(rewriter, loc, resultType, sizes,
                                        scalarConstant(rewriter, loc, element,
                                                       0))},
                pairAttr(rewriter, stride), pairAttr(rewriter, dilation))
                .getResult(0);
        pooled = broadcastGeneric(
            rewriter, loc, resultType, ValueRange{pooled, counts},
            [](OpBuilder &b, Location l, ValueRange args) {
              return arith::DivFOp::create(b, l, args[0], args[1]).getResult();
            });
      }
    }
    rewriter.replaceOp(op, pooled);
    return success();
  }
};

struct GlobalAvgPoolPattern : OpRewritePattern<GlobalAvgPool2DOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GlobalAvgPool2DOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    SmallVector<int64_t> axes = {2, 3};
    Value sum = reduce(rewriter, loc, op.getInput(), axes, ReduceKind::Sum);
    Value count = countOver(rewriter, loc, op.getInput(), axes, element);
    Value mean = broadcastGeneric(
        rewriter, loc, cast<RankedTensorType>(sum.getType()), ValueRange{sum},
        [&](OpBuilder &b, Location l, ValueRange args) {
          return arith::DivFOp::create(b, l, args[0], count).getResult();
        });
    SmallVector<OpFoldResult> outputShape = {
        resultType.isDynamicDim(0)
            ? OpFoldResult(dimOf(rewriter, loc, op.getInput(), 0))
            : OpFoldResult(rewriter.getIndexAttr(resultType.getDimSize(0))),
        rewriter.getIndexAttr(resultType.getDimSize(1)),
        rewriter.getIndexAttr(1), rewriter.getIndexAttr(1)};
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, resultType, mean,
        ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}}, outputShape);
    return success();
  }
};

struct UpsamplePattern : OpRewritePattern<UpsampleNearest2DOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(UpsampleNearest2DOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    ArrayRef<int64_t> scale = op.getScale();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
    SmallVector<AffineMap> maps = {
        AffineMap::get(4, 0,
                       {d(0), d(1), d(2).floorDiv(scale[0]),
                        d(3).floorDiv(scale[1])},
                       context),
        AffineMap::getMultiDimIdentityMap(4, context)};
    SmallVector<Value> sizes =
        batchOnlySizes(rewriter, loc, resultType, op.getInput());
    rewriter.replaceOp(
        op, linalg::GenericOp::create(
                rewriter, loc, TypeRange{resultType}, ValueRange{op.getInput()},
                ValueRange{emptyTensor(rewriter, loc, resultType, sizes)},
                maps,
                SmallVector<utils::IteratorType>(4,
                                                 utils::IteratorType::parallel),
                [](OpBuilder &b, Location l, ValueRange args) {
                  linalg::YieldOp::create(b, l, args[0]);
                })
                .getResult(0));
    return success();
  }
};

struct LowerConvPass : kiln::impl::KilnLowerConvBase<LowerConvPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<Conv2DPattern, ConvTranspose2DPattern,
                 PoolPattern<MaxPool2DOp, true>,
                 PoolPattern<AvgPool2DOp, false>, GlobalAvgPoolPattern,
                 UpsamplePattern>(context);
    ConversionTarget target(*context);
    target.addIllegalOp<Conv2DOp, ConvTranspose2DOp, MaxPool2DOp, AvgPool2DOp,
                        GlobalAvgPool2DOp, UpsampleNearest2DOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
