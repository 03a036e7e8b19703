//===- ConvGradients.cpp - Gradients of the convolution family ------------===//
//
// A convolution's input gradient is the transposed convolution of the
// output gradient with the same filter; its filter gradient is a product
// of the input's patches and the output gradient (kiln.conv2d_filter_grad).
// Groups carry over unchanged: a grouped convolution's filter, [F, C/G, ...],
// is also the filter of the grouped transposed convolution from F channels
// back to C, and the other way round.
//
//===----------------------------------------------------------------------===//

#include "GradientBuilder.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::gradients;

namespace kiln::gradients {

template <>
LogicalResult gradientOf(Conv2DOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  Value dy = dys[0], x = op.getInput(), weight = op.getWeight();
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  auto yType = cast<RankedTensorType>(op.getType());
  ArrayRef<int64_t> stride = op.getStride(), padding = op.getPadding(),
                    dilation = op.getDilation();
  // The rows and columns that the strided windows skipped at the far edge
  // come back as output padding.
  SmallVector<int64_t> outputPadding(2);
  for (int d = 0; d < 2; ++d) {
    int64_t covered = (yType.getDimSize(2 + d) - 1) * stride[d] -
                      2 * padding[d] +
                      dilation[d] * (wType.getDimSize(2 + d) - 1) + 1;
    outputPadding[d] = xType.getDimSize(2 + d) - covered;
  }
  dxs.push_back(ConvTranspose2DOp::create(
      g.b, g.loc, dy, weight, Value(), g.b.getDenseI64ArrayAttr(stride),
      g.b.getDenseI64ArrayAttr(padding),
      g.b.getDenseI64ArrayAttr(outputPadding),
      g.b.getDenseI64ArrayAttr(dilation), op.getGroupsAttr()));
  dxs.push_back(Conv2DFilterGradOp::create(
      g.b, g.loc, x, dy,
      g.b.getDenseI64ArrayAttr({wType.getDimSize(2), wType.getDimSize(3)}),
      g.b.getDenseI64ArrayAttr(stride), g.b.getDenseI64ArrayAttr(padding),
      g.b.getDenseI64ArrayAttr(dilation), op.getGroupsAttr()));
  if (op.getBias())
    dxs.push_back(g.sum(dy, {0, 2, 3}, false));
  return success();
}

/// A transposed convolution is the adjoint of a convolution with the same
/// filter: its input gradient is that convolution of the output gradient,
/// and its filter gradient is the convolution's filter gradient with the
/// roles of input and output swapped.
template <>
LogicalResult gradientOf(ConvTranspose2DOp op, GradientBuilder &g,
                         ValueRange dys, SmallVectorImpl<Value> &dxs) {
  Value dy = dys[0];
  auto wType = cast<RankedTensorType>(op.getWeight().getType());
  dxs.push_back(Conv2DOp::create(
      g.b, g.loc, dy, op.getWeight(), Value(), op.getStrideAttr(),
      op.getPaddingAttr(), op.getDilationAttr(), op.getGroupsAttr()));
  dxs.push_back(Conv2DFilterGradOp::create(
      g.b, g.loc, dy, op.getInput(),
      g.b.getDenseI64ArrayAttr({wType.getDimSize(2), wType.getDimSize(3)}),
      op.getStrideAttr(), op.getPaddingAttr(), op.getDilationAttr(),
      op.getGroupsAttr()));
  if (op.getBias())
    dxs.push_back(g.sum(dy, {0, 2, 3}, false));
  return success();
}

/// How many input pixels (not padding) each output of an average pooling
/// read, as a [1, 1, OH, OW] constant: the divisor without padded zeros.
static Value windowCounts(GradientBuilder &g, AvgPool2DOp op) {
  auto xType = cast<RankedTensorType>(op.getInput().getType());
  auto yType = cast<RankedTensorType>(op.getType());
  ArrayRef<int64_t> kernel = op.getKernel();
  ArrayRef<int64_t> stride = op.getStride().value_or(kernel);
  ArrayRef<int64_t> padding = op.getPadding();
  SmallVector<int64_t> covered[2];
  for (int d = 0; d < 2; ++d)
    for (int64_t o = 0; o < yType.getDimSize(2 + d); ++o) {
      int64_t begin = o * stride[d] - padding[d];
      int64_t end = std::min(begin + kernel[d], xType.getDimSize(2 + d));
      covered[d].push_back(end - std::max<int64_t>(begin, 0));
    }
  auto countType = RankedTensorType::get(
      {1, 1, yType.getDimSize(2), yType.getDimSize(3)}, yType.getElementType());
  SmallVector<Attribute> counts;
  for (int64_t rows : covered[0])
    for (int64_t columns : covered[1])
      counts.push_back(
          g.b.getFloatAttr(yType.getElementType(), double(rows * columns)));
  return ConstantOp::create(g.b, g.loc,
                            DenseElementsAttr::get(countType, counts));
}

/// Average pooling: every pixel gets the sum of the gradients of the
/// windows it lies in, each divided by its window's divisor. Windows that
/// tile the input spread each gradient over its block; in general the sum
/// is a depthwise transposed convolution with a filter of ones.
template <>
LogicalResult gradientOf(AvgPool2DOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  ArrayRef<int64_t> kernel = op.getKernel();
  ArrayRef<int64_t> stride = op.getStride().value_or(kernel);
  ArrayRef<int64_t> padding = op.getPadding();
  auto xType = cast<RankedTensorType>(op.getInput().getType());
  auto yType = cast<RankedTensorType>(op.getType());
  double windowSize = double(kernel[0] * kernel[1]);
  bool padded = llvm::any_of(padding, [](int64_t p) { return p != 0; });
  if (stride != kernel || padded) {
    Value scaled = padded && !op.getCountIncludePad()
                       ? DivOp::create(g.b, g.loc, dys[0], windowCounts(g, op))
                             .getResult()
                       : g.scale(dys[0], 1.0 / windowSize);
    int64_t channels = xType.getDimSize(1);
    Value ones = FullOp::create(
        g.b, g.loc,
        g.b.getDenseI64ArrayAttr({channels, 1, kernel[0], kernel[1]}),
        g.b.getF64FloatAttr(1.0), TypeAttr::get(xType.getElementType()));
    SmallVector<int64_t> outputPadding(2);
    for (int d = 0; d < 2; ++d)
      outputPadding[d] = xType.getDimSize(2 + d) -
                         ((yType.getDimSize(2 + d) - 1) * stride[d] -
                          2 * padding[d] + kernel[d]);
    dxs.push_back(ConvTranspose2DOp::create(
        g.b, g.loc, scaled, ones, Value(), g.b.getDenseI64ArrayAttr(stride),
        g.b.getDenseI64ArrayAttr(padding),
        g.b.getDenseI64ArrayAttr(outputPadding),
        g.b.getDenseI64ArrayAttr({1, 1}), g.b.getI64IntegerAttr(channels)));
    return success();
  }
  Value spread = UpsampleNearest2DOp::create(
      g.b, g.loc, g.scale(dys[0], 1.0 / windowSize),
      g.b.getDenseI64ArrayAttr(kernel));
  // Rows and columns past the last window get nothing.
  int64_t high[2];
  for (int d = 0; d < 2; ++d)
    high[d] = xType.getDimSize(2 + d) - yType.getDimSize(2 + d) * kernel[d];
  if (high[0] || high[1])
    spread = PadOp::create(g.b, g.loc, spread,
                           g.b.getDenseI64ArrayAttr({0, 0, 0, 0}),
                           g.b.getDenseI64ArrayAttr({0, 0, high[0], high[1]}),
                           g.b.getF64FloatAttr(0));
  dxs.push_back(spread);
  return success();
}

template <>
LogicalResult gradientOf(MaxPool2DOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  dxs.push_back(MaxPool2DGradOp::create(
      g.b, g.loc, op.getInput(), dys[0], op.getKernelAttr(),
      op.getStrideAttr(), op.getPaddingAttr(), op.getDilationAttr()));
  return success();
}

template <>
LogicalResult gradientOf(GlobalAvgPool2DOp op, GradientBuilder &g,
                         ValueRange dys, SmallVectorImpl<Value> &dxs) {
  dxs.push_back(g.expandReduced(dys[0], op.getInput(), {2, 3}, true, true));
  return success();
}

/// Every input pixel was copied into a scale[0] x scale[1] block; its
/// gradient is the block's sum.
template <>
LogicalResult gradientOf(UpsampleNearest2DOp op, GradientBuilder &g,
                         ValueRange dys, SmallVectorImpl<Value> &dxs) {
  auto xType = cast<RankedTensorType>(op.getInput().getType());
  ArrayRef<int64_t> scale = op.getScale();
  Value blocks = g.reshape(dys[0], {-1, xType.getDimSize(1),
                                    xType.getDimSize(2), scale[0],
                                    xType.getDimSize(3), scale[1]});
  dxs.push_back(g.sum(blocks, {3, 5}, false));
  return success();
}

void attachConvGradients(MLIRContext &context) {
  attach<Conv2DOp, ConvTranspose2DOp, MaxPool2DOp, AvgPool2DOp,
         GlobalAvgPool2DOp, UpsampleNearest2DOp>(context);
}
} // namespace kiln::gradients
