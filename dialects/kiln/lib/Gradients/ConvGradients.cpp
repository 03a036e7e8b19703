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

/// Average pooling over windows that tile the input: every pixel gets its
/// window's gradient divided by the window's size.
template <>
LogicalResult gradientOf(AvgPool2DOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  ArrayRef<int64_t> kernel = op.getKernel();
  ArrayRef<int64_t> stride = op.getStride().value_or(kernel);
  auto xType = cast<RankedTensorType>(op.getInput().getType());
  auto yType = cast<RankedTensorType>(op.getType());
  if (stride != kernel || llvm::any_of(op.getPadding(),
                                       [](int64_t p) { return p != 0; }))
    return op.emitOpError("gradients of average pooling are supported for "
                          "windows that tile the input (stride = kernel, no "
                          "padding)");
  Value spread = UpsampleNearest2DOp::create(
      g.b, g.loc, g.scale(dys[0], 1.0 / double(kernel[0] * kernel[1])),
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
  ArrayRef<int64_t> kernel = op.getKernel();
  ArrayRef<int64_t> stride = op.getStride().value_or(kernel);
  if (stride[0] < kernel[0] || stride[1] < kernel[1])
    return op.emitOpError("gradients of max pooling with overlapping windows "
                          "are not supported yet");
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
