//===- ConvUtils.cpp - Pieces shared by convolution lowerings -------------===//

#include "ConvUtils.h"
#include "LoweringUtils.h"

using namespace mlir;
using namespace kiln::lowering;

Value kiln::lowering::padSpatial(OpBuilder &b, Location loc, Value input,
                                 ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                                 Value value) {
  if (llvm::all_of(low, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(high, [](int64_t v) { return v == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  for (int d = 0; d < 2; ++d)
    if (!ShapedType::isDynamic(shape[2 + d]))
      shape[2 + d] += low[d] + high[d];
  SmallVector<OpFoldResult> lows = {b.getIndexAttr(0), b.getIndexAttr(0),
                                    b.getIndexAttr(low[0]),
                                    b.getIndexAttr(low[1])};
  SmallVector<OpFoldResult> highs = {b.getIndexAttr(0), b.getIndexAttr(0),
                                     b.getIndexAttr(high[0]),
                                     b.getIndexAttr(high[1])};
  return tensor::PadOp::create(b, loc, type.clone(shape), input, lows, highs,
                               value);
}

Value kiln::lowering::cropSpatial(OpBuilder &b, Location loc, Value input,
                                  ArrayRef<int64_t> low,
                                  ArrayRef<int64_t> high) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<OpFoldResult> offsets(4, b.getIndexAttr(0)), sizes, strides(
                                                                  4, b.getIndexAttr(1));
  for (int64_t d = 0; d < 4; ++d) {
    if (d >= 2) {
      offsets[d] = b.getIndexAttr(low[d - 2]);
      shape[d] -= low[d - 2] + high[d - 2];
    }
    sizes.push_back(d < 2 ? sizeOrAttr(b, loc, input, d)
                          : OpFoldResult(b.getIndexAttr(shape[d])));
  }
  return tensor::ExtractSliceOp::create(b, loc, type.clone(shape), input,
                                        offsets, sizes, strides);
}

Value kiln::lowering::splitIntoGroups(OpBuilder &b, Location loc, Value value,
                                      int64_t dim, int64_t groups) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(type.getShape());
  int64_t perGroup = shape[dim] / groups;
  shape[dim] = perGroup;
  shape.insert(shape.begin() + dim, groups);
  SmallVector<ReassociationIndices> reassociation;
  SmallVector<OpFoldResult> outputShape;
  for (int64_t d = 0, r = 0; d < type.getRank(); ++d) {
    if (d == dim) {
      reassociation.push_back({r, r + 1});
      outputShape.push_back(b.getIndexAttr(groups));
      outputShape.push_back(b.getIndexAttr(perGroup));
      r += 2;
      continue;
    }
    reassociation.push_back({r++});
    outputShape.push_back(sizeOrAttr(b, loc, value, d));
  }
  return tensor::ExpandShapeOp::create(b, loc, type.clone(shape), value,
                                       reassociation, outputShape);
}

Value kiln::lowering::channelsLast(OpBuilder &b, Location loc, Value input) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape = {type.getDimSize(0), type.getDimSize(2),
                                type.getDimSize(3), type.getDimSize(1)};
  auto resultType = type.clone(shape);
  Value batchSize =
      type.isDynamicDim(0) ? dimOf(b, loc, input, 0) : Value();
  if (type.getDimSize(1) == 1)
    return tensor::ExpandShapeOp::create(
        b, loc, resultType, collapse(b, loc, input, {{0}, {1, 2}, {3}}),
        ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}},
        getMixedValues(shape, batchSize ? ValueRange{batchSize} : ValueRange{},
                       b));
  return linalg::TransposeOp::create(
             b, loc, input,
             emptyTensor(b, loc, resultType,
                         {batchSize, Value(), Value(), Value()}),
             ArrayRef<int64_t>{0, 2, 3, 1})
      .getResult()
      .front();
}

Value kiln::lowering::im2colPatches(OpBuilder &b, Location loc, Value input,
                                    int64_t kh, int64_t kw,
                                    RankedTensorType outputType,
                                    ArrayRef<int64_t> stride,
                                    ArrayRef<int64_t> dilation) {
  MLIRContext *context = b.getContext();
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t batch = outputType.getDimSize(0);
  Value pixelsMajor = channelsLast(b, loc, input);
  auto patchType = RankedTensorType::get(
      {batch, outputType.getDimSize(1), outputType.getDimSize(2), kh, kw,
       inputType.getDimSize(1)},
      outputType.getElementType());
  Value batchSize =
      ShapedType::isDynamic(batch) ? dimOf(b, loc, input, 0) : Value();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
  AffineExpr rowExpr = d(1) * stride[0] + d(3) * dilation[0];
  AffineExpr columnExpr = d(2) * stride[1] + d(4) * dilation[1];
  return linalg::GenericOp::create(
             b, loc, TypeRange{patchType}, ValueRange{pixelsMajor},
             ValueRange{emptyTensor(b, loc, patchType,
                                    {batchSize, Value(), Value(), Value(),
                                     Value(), Value()})},
             {AffineMap::get(6, 0, {d(0), rowExpr, columnExpr, d(5)}, context),
              AffineMap::getMultiDimIdentityMap(6, context)},
             SmallVector<utils::IteratorType>(6, utils::IteratorType::parallel),
             [](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, args[0]);
             })
      .getResult(0);
}

SmallVector<Value> kiln::lowering::windowTapSlices(OpBuilder &b, Location loc,
                                                  Value input,
                                                  RankedTensorType resultType,
                                                  ArrayRef<int64_t> kernel) {
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t outH = resultType.getDimSize(2), outW = resultType.getDimSize(3);
  OpFoldResult batch = sizeOrAttr(b, loc, input, 0);
  OpFoldResult channels = b.getIndexAttr(inputType.getDimSize(1));
  Value windows = tensor::ExpandShapeOp::create(
      b, loc,
      inputType.clone({inputType.getDimSize(0), inputType.getDimSize(1), outH,
                       kernel[0], outW, kernel[1]}),
      input, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}, {4, 5}},
      ArrayRef<OpFoldResult>{batch, channels, b.getIndexAttr(outH),
                             b.getIndexAttr(kernel[0]), b.getIndexAttr(outW),
                             b.getIndexAttr(kernel[1])});
  SmallVector<Value> taps;
  auto tapType = resultType.clone(inputType.getElementType());
  OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
  for (int64_t i = 0; i < kernel[0]; ++i)
    for (int64_t j = 0; j < kernel[1]; ++j)
      taps.push_back(tensor::ExtractSliceOp::create(
          b, loc, tapType, windows,
          ArrayRef<OpFoldResult>{zero, zero, zero, b.getIndexAttr(i), zero,
                                 b.getIndexAttr(j)},
          ArrayRef<OpFoldResult>{batch, channels, b.getIndexAttr(outH), one,
                                 b.getIndexAttr(outW), one},
          SmallVector<OpFoldResult>(6, one)));
  return taps;
}

bool kiln::lowering::windowsTileInput(RankedTensorType input,
                                      RankedTensorType output,
                                      ArrayRef<int64_t> kernel,
                                      ArrayRef<int64_t> stride,
                                      ArrayRef<int64_t> padding,
                                      ArrayRef<int64_t> dilation) {
  return llvm::all_of(padding, [](int64_t p) { return p == 0; }) &&
         llvm::all_of(dilation, [](int64_t d) { return d == 1; }) &&
         stride == kernel &&
         input.getDimSize(2) == output.getDimSize(2) * kernel[0] &&
         input.getDimSize(3) == output.getDimSize(3) * kernel[1];
}
