//===- ConvGradients.cpp - The kiln-lower-conv-gradients pass -------------===//
//
// The backward ops of the convolution family. A filter gradient is one
// matrix product over every output pixel of every image: in the planes
// layout (kiln-layout), the padded input planes read in place at each tap times
// the output gradient channels-last (DirectConv.cpp); otherwise the output
// gradient as [F, N*OH*OW] times the input's im2col patches as
// [N*OH*OW, KH*KW*C]. With groups, one contraction over every group
// reads the padded input and the output gradient split into groups in
// place. A max-pooling gradient first finds each window's
// first maximum, then lets every input position take its window's gradient
// if it is that maximum.
//
//===----------------------------------------------------------------------===//

#include "ConvUtils.h"
#include "LoweringUtils.h"

#include "kiln/Dialect/KilnDialect.h"
#include "kiln/Dialect/KilnOps.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Transforms/DialectConversion.h"

namespace kiln {
#define GEN_PASS_DEF_KILNLOWERCONVGRADIENTS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;
using namespace kiln::lowering;

namespace {

/// The filter gradient of a grouped convolution of the padded NCHW `input`:
///   dw[g, f, c, i, j] = Σ_{n, oh, ow} x[n, g, c, oh*sh + i*dh, ow*sw + j*dw]
///                                    · dy[n, g, f, oh, ow]
/// over the channels split into [G, C/G] and [G, F/G], collapsed back to
/// [F, C/G, KH, KW]. Depthwise filters are tiny, so one contraction beats
/// G patch matrices.
Value groupedFilterGradient(OpBuilder &b, Location loc, Value input,
                            Value gradOutput, RankedTensorType resultType,
                            ArrayRef<int64_t> stride,
                            ArrayRef<int64_t> dilation, int64_t groups) {
  MLIRContext *context = b.getContext();
  Type element = resultType.getElementType();
  int64_t filtersPerGroup = resultType.getDimSize(0) / groups;
  SmallVector<int64_t> shape = {groups, filtersPerGroup,
                                resultType.getDimSize(1),
                                resultType.getDimSize(2),
                                resultType.getDimSize(3)};
  auto groupedType = RankedTensorType::get(shape, element);
  Value init = filledTensor(b, loc, groupedType, {},
                            scalarConstant(b, loc, element, 0));
  // Loops (g, f, c, i, j | n, oh, ow).
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
  SmallVector<AffineMap> maps = {
      AffineMap::get(8, 0,
                     {d(5), d(0), d(2), d(6) * stride[0] + d(3) * dilation[0],
                      d(7) * stride[1] + d(4) * dilation[1]},
                     context),
      AffineMap::get(8, 0, {d(5), d(0), d(1), d(6), d(7)}, context),
      AffineMap::get(8, 0, {d(0), d(1), d(2), d(3), d(4)}, context)};
  Value product = contract(b, loc, splitIntoGroups(b, loc, input, 1, groups),
                           splitIntoGroups(b, loc, gradOutput, 1, groups),
                           init, maps, 8, 3);
  return collapse(b, loc, product, {{0, 1}, {2}, {3}, {4}});
}

struct FilterGradPattern : OpRewritePattern<Conv2DFilterGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(Conv2DFilterGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    auto gradType = cast<RankedTensorType>(op.getGradOutput().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    int64_t filters = resultType.getDimSize(0);
    int64_t channels = resultType.getDimSize(1);
    int64_t kh = resultType.getDimSize(2), kw = resultType.getDimSize(3);
    if (op->hasAttr(KilnDialect::kLayoutAttrName) &&
        canTakeFilterGradientDirectly(
            cast<RankedTensorType>(op.getInput().getType()), gradType,
            op.getStride())) {
      rewriter.replaceOp(op, filterGradientDirect(
                                 rewriter, loc, op.getInput(), op.getPadding(),
                                 op.getPadding(), op.getGradOutput(),
                                 resultType, op.getDilation()));
      return success();
    }
    Value input = padSpatial(rewriter, loc, op.getInput(), op.getPadding(),
                             op.getPadding(),
                             scalarConstant(rewriter, loc, element, 0));
    if (auto groups = static_cast<int64_t>(op.getGroups()); groups != 1) {
      rewriter.replaceOp(op, groupedFilterGradient(
                                 rewriter, loc, input, op.getGradOutput(),
                                 resultType, op.getStride(), op.getDilation(),
                                 groups));
      return success();
    }
    Value patches =
        im2colPatches(rewriter, loc, input, kh, kw,
                      RankedTensorType::get({gradType.getDimSize(0),
                                             gradType.getDimSize(2),
                                             gradType.getDimSize(3)},
                                            element),
                      op.getStride(), op.getDilation());
    Value rows = collapse(rewriter, loc, patches, {{0, 1, 2}, {3, 4, 5}});

    // Vector registers run along the product's columns: the patch width
    // KH*KW*C, unless it is ragged (a first layer's 9) and the filters are
    // not, in which case the product is computed transposed.
    int64_t patchWidth = kh * kw * channels;
    constexpr int64_t kLanes = 16;
    bool filtersAlongColumns =
        patchWidth % kLanes != 0 && filters % kLanes == 0;

    // The output gradient [N, F, OH, OW] as rows in the patches' pixel
    // order: [F, R] (R = N * OH * OW), or [R, F] channels-last.
    SmallVector<int64_t> permutation =
        filtersAlongColumns ? SmallVector<int64_t>{0, 2, 3, 1}
                            : SmallVector<int64_t>{1, 0, 2, 3};
    SmallVector<int64_t> gradShape;
    SmallVector<Value> gradSizes;
    for (int64_t dim : permutation) {
      gradShape.push_back(gradType.getDimSize(dim));
      gradSizes.push_back(gradType.isDynamicDim(dim)
                              ? dimOf(rewriter, loc, op.getGradOutput(), dim)
                              : Value());
    }
    Value permuted =
        linalg::TransposeOp::create(
            rewriter, loc, op.getGradOutput(),
            emptyTensor(rewriter, loc,
                        RankedTensorType::get(gradShape, element), gradSizes),
            permutation)
            .getResult()
            .front();
    Value gradRows =
        filtersAlongColumns
            ? collapse(rewriter, loc, permuted, {{0, 1, 2}, {3}})
            : collapse(rewriter, loc, permuted, {{0}, {1, 2, 3}});

    // [F, KH*KW*C] = gradRows [F, R] · rows [R, KH*KW*C], or its transpose
    // [KH*KW*C, F] = rowsᵀ · gradRows [R, F].
    auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
    SmallVector<int64_t> productShape = {filters, patchWidth};
    Value lhs = gradRows, rhs = rows;
    AffineMap lhsMap = AffineMap::get(3, 0, {d(0), d(2)}, context);
    if (filtersAlongColumns) {
      std::swap(productShape[0], productShape[1]);
      std::swap(lhs, rhs);
      lhsMap = AffineMap::get(3, 0, {d(2), d(0)}, context);
    }
    auto productType = RankedTensorType::get(productShape, element);
    Value init = filledTensor(rewriter, loc, productType, {},
                              scalarConstant(rewriter, loc, element, 0));
    Value product = contract(rewriter, loc, lhs, rhs, init,
                             {lhsMap, AffineMap::get(3, 0, {d(2), d(1)}, context),
                              AffineMap::get(3, 0, {d(0), d(1)}, context)},
                             3);
    SmallVector<int64_t> expandedShape =
        filtersAlongColumns
            ? SmallVector<int64_t>{kh, kw, channels, filters}
            : SmallVector<int64_t>{filters, kh, kw, channels};
    Value expanded = tensor::ExpandShapeOp::create(
        rewriter, loc, RankedTensorType::get(expandedShape, element), product,
        filtersAlongColumns
            ? ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}}
            : ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}});
    Value filter =
        linalg::TransposeOp::create(
            rewriter, loc, expanded,
            tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                    element),
            filtersAlongColumns ? ArrayRef<int64_t>{3, 2, 0, 1}
                                : ArrayRef<int64_t>{0, 3, 1, 2})
            .getResult()
            .front();
    rewriter.replaceOp(op, filter);
    return success();
  }
};

/// Each window's first maximum, as its tap index, when the windows tile
/// the input: an elementwise op over one strided slice per tap that
/// vectorizes, instead of a reduction over every window.
Value firstMaximumOfTaps(OpBuilder &b, Location loc, Value input,
                         RankedTensorType indexType, ArrayRef<int64_t> kernel,
                         ArrayRef<Value> sizes) {
  SmallVector<Value> taps = windowTapSlices(b, loc, input, indexType, kernel);
  unsigned rank = indexType.getRank();
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  Type element = cast<RankedTensorType>(input.getType()).getElementType();
  return linalg::GenericOp::create(
             b, loc, TypeRange{indexType}, taps,
             ValueRange{emptyTensor(b, loc, indexType, sizes)},
             SmallVector<AffineMap>(taps.size() + 1, identity),
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               // As the reduction over the window would: the first tap
               // greater than all before it, from -inf and tap 0.
               Value best = extremeConstant(nb, l, element, false);
               Value index = scalarConstant(nb, l, indexType.getElementType(), 0);
               for (auto [tap, value] :
                    llvm::enumerate(args.take_front(taps.size()))) {
                 Value better = arith::CmpFOp::create(
                     nb, l, arith::CmpFPredicate::OGT, value, best);
                 best = arith::SelectOp::create(nb, l, better, value, best);
                 index = arith::SelectOp::create(
                     nb, l, better,
                     scalarConstant(nb, l, indexType.getElementType(), tap),
                     index);
               }
               linalg::YieldOp::create(nb, l, index);
             })
      .getResult(0);
}

/// The gradient routed to each window's first maximum when the windows tile
/// the input: over the input viewed as [N, C, OH, KH, OW, KW], a plain
/// elementwise op (each position compares its tap with its window's
/// argmax) that vectorizes, instead of computing every position's window
/// and reading the argmax and gradient at computed indices.
Value routeToWindowMaxima(OpBuilder &b, Location loc, Value argmax,
                          Value grad, RankedTensorType inputType,
                          ArrayRef<int64_t> kernel, Value batchSize) {
  MLIRContext *context = b.getContext();
  auto gradType = cast<RankedTensorType>(grad.getType());
  int64_t outH = gradType.getDimSize(2), outW = gradType.getDimSize(3);
  auto windowsType = inputType.clone(
      {inputType.getDimSize(0), inputType.getDimSize(1), outH, kernel[0], outW,
       kernel[1]});
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
  AffineMap windowMap =
      AffineMap::get(6, 0, {d(0), d(1), d(2), d(4)}, context);
  Type element = inputType.getElementType();
  Value routed =
      linalg::GenericOp::create(
          b, loc, TypeRange{windowsType}, ValueRange{argmax, grad},
          ValueRange{emptyTensor(b, loc, windowsType,
                                 {batchSize, Value(), Value(), Value(),
                                  Value(), Value()})},
          {windowMap, windowMap, AffineMap::getMultiDimIdentityMap(6, context)},
          SmallVector<utils::IteratorType>(6, utils::IteratorType::parallel),
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value tap = arith::AddIOp::create(
                nb, l,
                arith::MulIOp::create(
                    nb, l, linalg::IndexOp::create(nb, l, 3),
                    arith::ConstantIndexOp::create(nb, l, kernel[1])),
                linalg::IndexOp::create(nb, l, 5));
            Value isMax = arith::CmpIOp::create(
                nb, l, arith::CmpIPredicate::eq, args[0],
                arith::IndexCastOp::create(nb, l, args[0].getType(), tap));
            linalg::YieldOp::create(
                nb, l,
                arith::SelectOp::create(nb, l, isMax, args[1],
                                        scalarConstant(nb, l, element, 0))
                    .getResult());
          })
          .getResult(0);
  return collapse(b, loc, routed, {{0}, {1}, {2, 3}, {4, 5}});
}

struct MaxPoolGradPattern : OpRewritePattern<MaxPool2DGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MaxPool2DGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    ArrayRef<int64_t> kernel = op.getKernel();
    ArrayRef<int64_t> stride = op.getStride().value_or(kernel);
    ArrayRef<int64_t> padding = op.getPadding(), dilation = op.getDilation();
    Value grad = op.getGradOutput();
    auto gradType = cast<RankedTensorType>(grad.getType());
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    Type element = inputType.getElementType();
    Type i32 = rewriter.getI32Type();
    Value batchSize =
        inputType.isDynamicDim(0) ? dimOf(rewriter, loc, op.getInput(), 0)
                                  : Value();
    SmallVector<Value> batchOnly = {batchSize, Value(), Value(), Value()};

    // 1. Each window's first maximum, as kh * KW + kw.
    auto windowIndexType = gradType.clone(i32);
    if (windowsTileInput(inputType, gradType, kernel, stride, padding,
                         dilation)) {
      Value argmax = firstMaximumOfTaps(rewriter, loc, op.getInput(),
                                        windowIndexType, kernel, batchOnly);
      rewriter.replaceOp(op, routeToWindowMaxima(rewriter, loc, argmax, grad,
                                                 inputType, kernel, batchSize));
      return success();
    }
    Value padded = padSpatial(rewriter, loc, op.getInput(), padding, padding,
                              extremeConstant(rewriter, loc, element, false));
    auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
    Value maxima = filledTensor(rewriter, loc, gradType, batchOnly,
                                extremeConstant(rewriter, loc, element, false));
    Value indices = filledTensor(rewriter, loc, windowIndexType, batchOnly,
                                 scalarConstant(rewriter, loc, i32, 0));
    SmallVector<utils::IteratorType> iterators(4,
                                               utils::IteratorType::parallel);
    iterators.append(2, utils::IteratorType::reduction);
    AffineMap outputMap = AffineMap::get(6, 0, {d(0), d(1), d(2), d(3)}, context);
    // The window's shape comes from an operand that is only read for its
    // sizes, as in linalg's pooling ops.
    Value window = tensor::EmptyOp::create(
        rewriter, loc, ArrayRef<int64_t>{kernel[0], kernel[1]}, element);
    Value argmax =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{gradType, windowIndexType},
            ValueRange{padded, window}, ValueRange{maxima, indices},
            {AffineMap::get(6, 0,
                            {d(0), d(1), d(2) * stride[0] + d(4) * dilation[0],
                             d(3) * stride[1] + d(5) * dilation[1]},
                            context),
             AffineMap::get(6, 0, {d(4), d(5)}, context), outputMap,
             outputMap},
            iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value row = linalg::IndexOp::create(b, l, 4);
              Value column = linalg::IndexOp::create(b, l, 5);
              Value flat = arith::AddIOp::create(
                  b, l,
                  arith::MulIOp::create(
                      b, l, row, arith::ConstantIndexOp::create(b, l, kernel[1])),
                  column);
              Value index = arith::IndexCastOp::create(b, l, i32, flat);
              Value better = arith::CmpFOp::create(
                  b, l, arith::CmpFPredicate::OGT, args[0], args[2]);
              linalg::YieldOp::create(
                  b, l,
                  ValueRange{
                      arith::SelectOp::create(b, l, better, args[0], args[2]),
                      arith::SelectOp::create(b, l, better, index, args[3])});
            })
            .getResult(1);

    // 2. Every input position: the sum of the gradients of the windows it
    //    lies in whose first maximum it is. Tap (kh, kw) of window (oh, ow)
    //    reads position oh * stride + kh * dilation - padding (per axis), so
    //    each tap names at most one window; overlapping windows add up.
    int64_t outSizes[2] = {gradType.getDimSize(2), gradType.getDimSize(3)};
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{inputType}, ValueRange{},
            ValueRange{emptyTensor(rewriter, loc, inputType, batchOnly)},
            {AffineMap::getMultiDimIdentityMap(4, context)},
            SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
            [&](OpBuilder &b, Location l, ValueRange) {
              auto constant = [&](int64_t v) -> Value {
                return arith::ConstantIndexOp::create(b, l, v);
              };
              auto compare = [&](arith::CmpIPredicate predicate, Value lhs,
                                 Value rhs) -> Value {
                return arith::CmpIOp::create(b, l, predicate, lhs, rhs);
              };
              Value n = linalg::IndexOp::create(b, l, 0);
              Value c = linalg::IndexOp::create(b, l, 1);
              // Per axis and tap: the window that tap reads this position
              // from, and whether there is one.
              SmallVector<Value> windows[2], valid[2];
              for (int dim = 0; dim < 2; ++dim) {
                Value position = linalg::IndexOp::create(b, l, 2 + dim);
                for (int64_t k = 0; k < kernel[dim]; ++k) {
                  Value start = arith::SubIOp::create(
                      b, l, position,
                      constant(k * dilation[dim] - padding[dim]));
                  Value window = arith::DivSIOp::create(
                      b, l, start, constant(stride[dim]));
                  Value ok = arith::AndIOp::create(
                      b, l,
                      compare(arith::CmpIPredicate::sge, start, constant(0)),
                      compare(arith::CmpIPredicate::eq,
                              arith::RemSIOp::create(b, l, start,
                                                     constant(stride[dim])),
                              constant(0)));
                  ok = arith::AndIOp::create(
                      b, l, ok,
                      compare(arith::CmpIPredicate::slt, window,
                              constant(outSizes[dim])));
                  windows[dim].push_back(
                      arith::SelectOp::create(b, l, ok, window, constant(0)));
                  valid[dim].push_back(ok);
                }
              }
              Value sum = scalarConstant(b, l, element, 0);
              for (int64_t kh = 0; kh < kernel[0]; ++kh)
                for (int64_t kw = 0; kw < kernel[1]; ++kw) {
                  SmallVector<Value, 4> at{n, c, windows[0][kh],
                                           windows[1][kw]};
                  Value best = tensor::ExtractOp::create(b, l, argmax, at);
                  Value isMax = arith::CmpIOp::create(
                      b, l, arith::CmpIPredicate::eq, best,
                      scalarConstant(b, l, i32, kh * kernel[1] + kw));
                  Value take = arith::AndIOp::create(
                      b, l, arith::AndIOp::create(b, l, valid[0][kh],
                                                  valid[1][kw]),
                      isMax);
                  Value g = tensor::ExtractOp::create(b, l, grad, at);
                  Value zero = scalarConstant(b, l, element, 0);
                  sum = arith::AddFOp::create(
                      b, l, sum, arith::SelectOp::create(b, l, take, g, zero));
                }
              linalg::YieldOp::create(b, l, sum);
            })
            .getResult(0);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LowerConvGradientsPass
    : kiln::impl::KilnLowerConvGradientsBase<LowerConvGradientsPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<FilterGradPattern, MaxPoolGradPattern>(context);
    ConversionTarget target(*context);
    target.addIllegalOp<Conv2DFilterGradOp, MaxPool2DGradOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
