//===- DirectConv.cpp - Unit-stride convolution without im2col ------------===//
//
// A unit-stride convolution reads, for output pixel (oh, ow), the input at
// (oh + kh*d, ow + kw*d). With each padded input plane flattened to rows of
// its full width Wp, that is flat position p + kh*d*Wp + kw*d for
// p = oh*Wp + ow: one affine offset per filter tap. So the convolution is
//
//   out[n, f, p] += w[f, c, kh, kw] * in[n, c, p + kh*d*Wp + kw*d]
//
// over p in [0, OH*Wp): a contraction whose columns are contiguous pixels of
// the NCHW input, read in place. It computes Wp - OW extra columns per row
// (which wrap into the next row) and drops them at the end; in exchange no
// patch matrix is written and read back (for LeNet's input gradient,
// 12544 x 576 floats per step), and neither input nor output is transposed.
//
//===----------------------------------------------------------------------===//

#include "ConvUtils.h"
#include "LoweringUtils.h"

using namespace mlir;
using namespace kiln::lowering;

bool kiln::lowering::canConvolveDirectly(RankedTensorType input,
                                         RankedTensorType result,
                                         ArrayRef<int64_t> stride,
                                         int64_t groups) {
  return groups == 1 && llvm::all_of(stride, [](int64_t s) { return s == 1; }) &&
         llvm::all_of(input.getShape().drop_front(),
                      [](int64_t size) { return !ShapedType::isDynamic(size); }) &&
         llvm::all_of(result.getShape().drop_front(),
                      [](int64_t size) { return !ShapedType::isDynamic(size); });
}

namespace {
/// The zero-padded NCHW planes of `input` flattened to [N, C, rows * width]
/// for a unit-stride convolution: padded by `low`/`high`, plus rows at the
/// bottom so that reading tap (i, j) at p + i * d * width + j * d stays
/// inside for every p below `columns`.
struct Planes {
  Value flat;
  int64_t width;
};

Planes paddedPlanes(OpBuilder &b, Location loc, Value input,
                    ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                    int64_t columns, int64_t kh, int64_t kw,
                    ArrayRef<int64_t> dilation) {
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t paddedHeight = inputType.getDimSize(2) + low[0] + high[0];
  int64_t width = inputType.getDimSize(3) + low[1] + high[1];
  int64_t lastRead = columns - 1 + (kh - 1) * dilation[0] * width +
                     (kw - 1) * dilation[1];
  int64_t rows = std::max<int64_t>(paddedHeight,
                                   llvm::divideCeil(lastRead + 1, width));
  SmallVector<int64_t> highPadding = {high[0] + rows - paddedHeight, high[1]};
  Value padded =
      padSpatial(b, loc, input, low, highPadding,
                 scalarConstant(b, loc, inputType.getElementType(), 0));
  return {collapse(b, loc, padded, {{0}, {1}, {2, 3}}), width};
}
} // namespace

Value kiln::lowering::convolveDirect(OpBuilder &b, Location loc, Value input,
                                     ArrayRef<int64_t> low,
                                     ArrayRef<int64_t> high, Value weight,
                                     Value bias, RankedTensorType resultType,
                                     ArrayRef<int64_t> dilation) {
  MLIRContext *context = b.getContext();
  auto inputType = cast<RankedTensorType>(input.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  Type element = resultType.getElementType();
  int64_t filters = weightType.getDimSize(0);
  int64_t kh = weightType.getDimSize(2), kw = weightType.getDimSize(3);
  int64_t oh = resultType.getDimSize(2), ow = resultType.getDimSize(3);
  int64_t width = inputType.getDimSize(3) + low[1] + high[1];

  // Columns: whole rows of the padded width, rounded up to whole register
  // tiles of 32 (past the last row they read padding too).
  constexpr int64_t kColumnTile = 32;
  int64_t columns = oh * width;
  int64_t computed =
      columns <= kColumnTile ? columns : llvm::alignTo(columns, kColumnTile);
  Value planes =
      paddedPlanes(b, loc, input, low, high, computed, kh, kw, dilation).flat;
  int64_t rowOffset = dilation[0] * width, columnOffset = dilation[1];

  int64_t batch = resultType.getDimSize(0);
  Value batchSize =
      ShapedType::isDynamic(batch) ? dimOf(b, loc, input, 0) : Value();
  auto wideType = RankedTensorType::get({batch, filters, computed}, element);
  SmallVector<Value> sizes = {batchSize, Value(), Value()};
  // Accumulate from zeros, which each thread block fills in its own slice
  // while it is in cache; the bias joins the valid pixels afterwards, an
  // elementwise op that fuses with the activation after it (a broadcast
  // bias as the initial value would be one more pass over memory).
  Value init = filledTensor(b, loc, wideType, sizes,
                            scalarConstant(b, loc, element, 0));
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };

  // Loops (n, f, p, c, i, j): weight(f, c, i, j) * planes(n, c, p + tap).
  AffineExpr tap = d(2) + d(4) * rowOffset + d(5) * columnOffset;
  Value wide = contract(b, loc, weight, planes, init,
                        {AffineMap::get(6, 0, {d(1), d(3), d(4), d(5)}, context),
                         AffineMap::get(6, 0, {d(0), d(3), tap}, context),
                         AffineMap::get(6, 0, {d(0), d(1), d(2)}, context)},
                        6, /*numReductions=*/3);

  // The valid pixels: the first OH rows of the padded width, their first
  // OW columns.
  OpFoldResult batchFold =
      batchSize ? OpFoldResult(batchSize) : OpFoldResult(b.getIndexAttr(batch));
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  if (computed != columns)
    wide = tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get({batch, filters, columns}, element), wide,
        ArrayRef<OpFoldResult>{zero, zero, zero},
        ArrayRef<OpFoldResult>{batchFold, b.getIndexAttr(filters),
                               b.getIndexAttr(columns)},
        ArrayRef<OpFoldResult>{one, one, one});
  Value grid = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({batch, filters, oh, width}, element), wide,
      ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}},
      ArrayRef<OpFoldResult>{batchFold, b.getIndexAttr(filters),
                             b.getIndexAttr(oh), b.getIndexAttr(width)});
  Value valid = grid;
  if (ow != width)
    valid = tensor::ExtractSliceOp::create(
        b, loc, resultType, grid,
        ArrayRef<OpFoldResult>{zero, zero, zero, zero},
        ArrayRef<OpFoldResult>{batchFold, b.getIndexAttr(filters),
                               b.getIndexAttr(oh), b.getIndexAttr(ow)},
        ArrayRef<OpFoldResult>{one, one, one, one});
  if (!bias)
    return valid;
  Value biasPerFilter = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({filters, 1, 1}, element), bias,
      ArrayRef<ReassociationIndices>{{0, 1, 2}});
  return broadcastGeneric(b, loc, resultType, {valid, biasPerFilter},
                          [](OpBuilder &nb, Location l, ValueRange args) {
                            return arith::AddFOp::create(nb, l, args[0],
                                                         args[1])
                                .getResult();
                          });
}

bool kiln::lowering::canTakeFilterGradientDirectly(RankedTensorType input,
                                                  RankedTensorType gradOutput,
                                                  ArrayRef<int64_t> stride) {
  // Register tiles take 8 channels of the input at a time. A single
  // filter leaves the tiles a unit dimension that upstream's vector
  // patterns fold back and forth without end (random model seed 52), so it
  // takes the im2col product.
  constexpr int64_t kTileRows = 8;
  return canConvolveDirectly(input, gradOutput, stride, 1) &&
         input.getDimSize(1) % kTileRows == 0 && gradOutput.getDimSize(1) > 1;
}

Value kiln::lowering::filterGradientDirect(OpBuilder &b, Location loc,
                                           Value input, ArrayRef<int64_t> low,
                                           ArrayRef<int64_t> high,
                                           Value gradOutput,
                                           RankedTensorType resultType,
                                           ArrayRef<int64_t> dilation) {
  MLIRContext *context = b.getContext();
  auto gradType = cast<RankedTensorType>(gradOutput.getType());
  Type element = resultType.getElementType();
  int64_t filters = resultType.getDimSize(0), channels = resultType.getDimSize(1);
  int64_t kh = resultType.getDimSize(2), kw = resultType.getDimSize(3);
  int64_t oh = gradType.getDimSize(2), ow = gradType.getDimSize(3);
  int64_t batch = gradType.getDimSize(0);
  int64_t width = cast<RankedTensorType>(input.getType()).getDimSize(3) +
                  low[1] + high[1];
  int64_t columns = oh * width;
  Planes planes =
      paddedPlanes(b, loc, input, low, high, columns, kh, kw, dilation);

  // The output gradient channels-last, [N, OH * width, F], zero in the
  // columns past OW: pixel p pairs with the planes' p + tap as in the
  // forward convolution, and the extra columns add nothing.
  Value wide = tensor::PadOp::create(
      b, loc, RankedTensorType::get({batch, oh, width, filters}, element),
      channelsLast(b, loc, gradOutput), SmallVector<OpFoldResult>(4, b.getIndexAttr(0)),
      SmallVector<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0),
                                b.getIndexAttr(width - ow), b.getIndexAttr(0)},
      scalarConstant(b, loc, element, 0));
  Value pixels = collapse(b, loc, wide, {{0}, {1, 2}, {3}});

  // Loops (i, j, c, f, n, p): planes(n, c, p + tap) * pixels(n, p, f),
  // into the filter as [KH, KW, C, F]: rows of channels, columns of
  // filters.
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
  AffineExpr tap = d(5) + d(0) * (dilation[0] * planes.width) +
                   d(1) * dilation[1];
  auto productType =
      RankedTensorType::get({kh, kw, channels, filters}, element);
  Value product = contract(
      b, loc, planes.flat, pixels,
      filledTensor(b, loc, productType, {}, scalarConstant(b, loc, element, 0)),
      {AffineMap::get(6, 0, {d(4), d(2), tap}, context),
       AffineMap::get(6, 0, {d(4), d(5), d(3)}, context),
       AffineMap::get(6, 0, {d(0), d(1), d(2), d(3)}, context)},
      6, /*numReductions=*/2);
  return linalg::TransposeOp::create(
             b, loc, product,
             tensor::EmptyOp::create(b, loc, resultType.getShape(), element),
             ArrayRef<int64_t>{3, 2, 0, 1})
      .getResult()
      .front();
}
