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
  int64_t paddedHeight = inputType.getDimSize(2) + low[0] + high[0];
  int64_t width = inputType.getDimSize(3) + low[1] + high[1];

  // Columns: whole rows of the padded width, rounded up to whole register
  // tiles of 32 (past the last row they read padding too).
  constexpr int64_t kColumnTile = 32;
  int64_t columns = oh * width;
  int64_t computed =
      columns <= kColumnTile ? columns : llvm::alignTo(columns, kColumnTile);
  int64_t rowOffset = dilation[0] * width, columnOffset = dilation[1];
  int64_t lastRead = computed - 1 + (kh - 1) * rowOffset + (kw - 1) * columnOffset;
  // Extra rows of padding at the bottom keep the last tiles' reads inside
  // the plane.
  int64_t rows = std::max<int64_t>(paddedHeight,
                                   llvm::divideCeil(lastRead + 1, width));
  SmallVector<int64_t> highPadding = {high[0] + rows - paddedHeight, high[1]};
  Value padded = padSpatial(b, loc, input, low, highPadding,
                            scalarConstant(b, loc, element, 0));
  Value planes = collapse(b, loc, padded, {{0}, {1}, {2, 3}});

  int64_t batch = resultType.getDimSize(0);
  Value batchSize =
      ShapedType::isDynamic(batch) ? dimOf(b, loc, input, 0) : Value();
  auto wideType = RankedTensorType::get({batch, filters, computed}, element);
  SmallVector<Value> sizes = {batchSize, Value(), Value()};
  Value init;
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
  if (bias)
    init = linalg::GenericOp::create(
               b, loc, TypeRange{wideType}, ValueRange{bias},
               ValueRange{emptyTensor(b, loc, wideType, sizes)},
               {AffineMap::get(3, 0, {d(1)}, context),
                AffineMap::getMultiDimIdentityMap(3, context)},
               SmallVector<utils::IteratorType>(3,
                                                utils::IteratorType::parallel),
               [](OpBuilder &nb, Location l, ValueRange args) {
                 linalg::YieldOp::create(nb, l, args[0]);
               })
               .getResult(0);
  else
    init = filledTensor(b, loc, wideType, sizes,
                        scalarConstant(b, loc, element, 0));

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
  if (ow == width)
    return grid;
  return tensor::ExtractSliceOp::create(
      b, loc, resultType, grid, ArrayRef<OpFoldResult>{zero, zero, zero, zero},
      ArrayRef<OpFoldResult>{batchFold, b.getIndexAttr(filters),
                             b.getIndexAttr(oh), b.getIndexAttr(ow)},
      ArrayRef<OpFoldResult>{one, one, one, one});
}
