//===- ConvOps.cpp - Convolution, pooling and resampling ------------------===//

#include "InferenceHelpers.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::detail;

namespace {
/// Checks the per-spatial-dimension attribute lists of a window op.
struct WindowChecker {
  std::optional<Location> loc;
  StringRef opName;

  /// `values` has one entry per spatial dimension (H, W), each >= `minimum`.
  LogicalResult check(StringRef what, ArrayRef<int64_t> values,
                      int64_t minimum) const {
    if (values.size() != 2)
      return emitInferenceError(loc, opName, "'", what,
                                "' needs 2 entries (H, W), got ",
                                values.size());
    for (int64_t value : values)
      if (value < minimum)
        return emitInferenceError(loc, opName, "'", what, "' entries must be ",
                                  minimum == 0 ? "non-negative" : "positive",
                                  ", got ", shape::format(values));
    return success();
  }

  LogicalResult requireNCHW(StringRef what, RankedTensorType type) const {
    if (!type || type.getRank() != 4)
      return emitInferenceError(loc, opName, what,
                                " must be a rank-4 tensor, got ",
                                type ? formatShape(type) : "no ranked tensor");
    return success();
  }

  /// Reports an output that the window does not fit in.
  LogicalResult checkOutput(RankedTensorType input, int64_t oh,
                            int64_t ow) const {
    for (int64_t size : {oh, ow})
      if (!shape::isDynamic(size) && size < 1)
        return emitInferenceError(loc, opName, "window does not fit input of "
                                               "shape ",
                                  formatShape(input),
                                  ": the output would be empty");
    return success();
  }
};
} // namespace

/// A convolution's optional bias is `[F]`.
static LogicalResult checkBias(const WindowChecker &checker,
                               RankedTensorType bias, int64_t filters,
                               Type element) {
  if (!bias)
    return success();
  if (bias.getElementType() != element)
    return emitInferenceError(checker.loc, checker.opName,
                              "bias has element type ", bias.getElementType(),
                              " but input has ", element);
  if (bias.getRank() != 1 ||
      !shape::areCompatible(bias.getDimSize(0), filters))
    return emitInferenceError(checker.loc, checker.opName, "bias has shape ",
                              formatShape(bias), " but the op has ",
                              filters, " output channels");
  return success();
}

/// Checks the common operands of conv2d and conv_transpose2d.
static LogicalResult checkConvOperands(const WindowChecker &checker,
                                       RankedTensorType input,
                                       RankedTensorType weight,
                                       int64_t groups) {
  if (failed(checker.requireNCHW("input", input)) ||
      failed(checker.requireNCHW("weight", weight)))
    return failure();
  if (weight.getElementType() != input.getElementType())
    return emitInferenceError(checker.loc, checker.opName,
                              "weight has element type ",
                              weight.getElementType(), " but input has ",
                              input.getElementType());
  if (groups < 1)
    return emitInferenceError(checker.loc, checker.opName,
                              "groups must be positive, got ", groups);
  return success();
}

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  WindowChecker checker{loc, getOperationName()};
  auto input = getRankedType(adaptor.getInput());
  auto weight = getRankedType(adaptor.getWeight());
  int64_t groups = adaptor.getGroups();
  if (failed(checkConvOperands(checker, input, weight, groups)) ||
      failed(checker.check("stride", adaptor.getStride(), 1)) ||
      failed(checker.check("padding", adaptor.getPadding(), 0)) ||
      failed(checker.check("dilation", adaptor.getDilation(), 1)))
    return failure();
  int64_t channels = input.getDimSize(1), filters = weight.getDimSize(0);
  if (!shape::isDynamic(channels) &&
      (channels % groups != 0 || weight.getDimSize(1) * groups != channels))
    return emitInferenceError(loc, getOperationName(), "input has shape ",
                              formatShape(input), " with ", channels,
                              " channels but weight has shape ",
                              formatShape(weight), ", which expects ",
                              weight.getDimSize(1) * groups, " in ", groups,
                              " group(s)");
  if (filters % groups != 0)
    return emitInferenceError(loc, getOperationName(), "weight has shape ",
                              formatShape(weight), ": ", filters,
                              " filters do not divide into ", groups,
                              " group(s)");
  if (failed(checkBias(checker, getRankedType(adaptor.getBias()), filters,
                       input.getElementType())))
    return failure();
  ArrayRef<int64_t> stride = adaptor.getStride(),
                    padding = adaptor.getPadding(),
                    dilation = adaptor.getDilation();
  int64_t out[2];
  for (int d = 0; d < 2; ++d)
    out[d] = shape::windowOutputSize(input.getDimSize(2 + d),
                                     weight.getDimSize(2 + d), stride[d],
                                     padding[d], dilation[d]);
  if (failed(checker.checkOutput(input, out[0], out[1])))
    return failure();
  inferred.push_back(
      input.clone({input.getDimSize(0), filters, out[0], out[1]}));
  return success();
}

LogicalResult ConvTranspose2DOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  WindowChecker checker{loc, getOperationName()};
  auto input = getRankedType(adaptor.getInput());
  auto weight = getRankedType(adaptor.getWeight());
  int64_t groups = adaptor.getGroups();
  if (failed(checkConvOperands(checker, input, weight, groups)) ||
      failed(checker.check("stride", adaptor.getStride(), 1)) ||
      failed(checker.check("padding", adaptor.getPadding(), 0)) ||
      failed(checker.check("output_padding", adaptor.getOutputPadding(), 0)) ||
      failed(checker.check("dilation", adaptor.getDilation(), 1)))
    return failure();
  int64_t channels = input.getDimSize(1);
  if (!shape::areCompatible(channels, weight.getDimSize(0)) ||
      weight.getDimSize(0) % groups != 0)
    return emitInferenceError(loc, getOperationName(), "input has shape ",
                              formatShape(input),
                              " but weight has shape ", formatShape(weight),
                              ": weight dimension 0 must equal the input "
                              "channels and divide into ",
                              groups, " group(s)");
  int64_t filters = weight.getDimSize(1) * groups;
  if (failed(checkBias(checker, getRankedType(adaptor.getBias()), filters,
                       input.getElementType())))
    return failure();
  ArrayRef<int64_t> stride = adaptor.getStride(),
                    padding = adaptor.getPadding(),
                    outputPadding = adaptor.getOutputPadding(),
                    dilation = adaptor.getDilation();
  int64_t out[2];
  for (int d = 0; d < 2; ++d) {
    if (outputPadding[d] >= std::max(stride[d], dilation[d]))
      return emitInferenceError(
          loc, getOperationName(), "output_padding ",
          shape::format(outputPadding),
          " must be smaller than the stride or the dilation");
    out[d] = shape::transposedWindowOutputSize(
        input.getDimSize(2 + d), weight.getDimSize(2 + d), stride[d],
        padding[d], outputPadding[d], dilation[d]);
  }
  if (failed(checker.checkOutput(input, out[0], out[1])))
    return failure();
  inferred.push_back(
      input.clone({input.getDimSize(0), filters, out[0], out[1]}));
  return success();
}

/// Pooling windows: `stride` defaults to `kernel`.
static LogicalResult inferPool2D(
    std::optional<Location> loc, StringRef opName, Value inputValue,
    ArrayRef<int64_t> kernel, std::optional<ArrayRef<int64_t>> strideAttr,
    ArrayRef<int64_t> padding, ArrayRef<int64_t> dilation,
    SmallVectorImpl<Type> &inferred) {
  WindowChecker checker{loc, opName};
  auto input = getRankedType(inputValue);
  ArrayRef<int64_t> stride = strideAttr.value_or(kernel);
  if (failed(checker.requireNCHW("input", input)) ||
      failed(checker.check("kernel", kernel, 1)) ||
      failed(checker.check("stride", stride, 1)) ||
      failed(checker.check("padding", padding, 0)) ||
      failed(checker.check("dilation", dilation, 1)))
    return failure();
  int64_t out[2];
  for (int d = 0; d < 2; ++d) {
    // Beyond half a window, some windows would see padding only.
    if (2 * padding[d] > kernel[d])
      return emitInferenceError(loc, opName, "padding ",
                                shape::format(padding),
                                " exceeds half the kernel ",
                                shape::format(kernel));
    out[d] = shape::windowOutputSize(input.getDimSize(2 + d), kernel[d],
                                     stride[d], padding[d], dilation[d]);
  }
  if (failed(checker.checkOutput(input, out[0], out[1])))
    return failure();
  inferred.push_back(input.clone(
      {input.getDimSize(0), input.getDimSize(1), out[0], out[1]}));
  return success();
}

LogicalResult MaxPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  return inferPool2D(loc, getOperationName(), adaptor.getInput(),
                     adaptor.getKernel(), adaptor.getStride(),
                     adaptor.getPadding(), adaptor.getDilation(), inferred);
}

LogicalResult AvgPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  static constexpr int64_t kNoDilation[] = {1, 1};
  return inferPool2D(loc, getOperationName(), adaptor.getInput(),
                     adaptor.getKernel(), adaptor.getStride(),
                     adaptor.getPadding(), kNoDilation, inferred);
}

LogicalResult GlobalAvgPool2DOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  WindowChecker checker{loc, getOperationName()};
  auto input = getRankedType(adaptor.getInput());
  if (failed(checker.requireNCHW("input", input)))
    return failure();
  inferred.push_back(
      input.clone({input.getDimSize(0), input.getDimSize(1), 1, 1}));
  return success();
}

LogicalResult UpsampleNearest2DOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  WindowChecker checker{loc, getOperationName()};
  auto input = getRankedType(adaptor.getInput());
  ArrayRef<int64_t> scale = adaptor.getScale();
  if (failed(checker.requireNCHW("input", input)) ||
      failed(checker.check("scale", scale, 1)))
    return failure();
  shape::Shape result(input.getShape());
  for (int d = 0; d < 2; ++d)
    if (!shape::isDynamic(result[2 + d]))
      result[2 + d] *= scale[d];
  inferred.push_back(input.clone(result));
  return success();
}

//===----------------------------------------------------------------------===//
// Backward ops of the family (declared in GradientOps.td)
//===----------------------------------------------------------------------===//

/// `gradOutput` must have the shape the forward op produced, `forward`.
static LogicalResult checkGradOutput(const WindowChecker &checker,
                                     RankedTensorType forward,
                                     RankedTensorType gradOutput) {
  if (failed(checker.requireNCHW("grad_output", gradOutput)))
    return failure();
  if (!areRefinableTypes(forward, gradOutput) &&
      !areRefinableTypes(gradOutput, forward))
    return emitInferenceError(checker.loc, checker.opName,
                              "grad_output has shape ",
                              formatShape(gradOutput),
                              " but the forward op gives ",
                              formatShape(forward));
  return success();
}

LogicalResult Conv2DFilterGradOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  WindowChecker checker{loc, getOperationName()};
  auto input = getRankedType(adaptor.getInput());
  auto gradOutput = getRankedType(adaptor.getGradOutput());
  ArrayRef<int64_t> kernel = adaptor.getKernel();
  if (failed(checker.requireNCHW("input", input)) ||
      failed(checker.requireNCHW("grad_output", gradOutput)) ||
      failed(checker.check("kernel", kernel, 1)) ||
      failed(checker.check("stride", adaptor.getStride(), 1)) ||
      failed(checker.check("padding", adaptor.getPadding(), 0)) ||
      failed(checker.check("dilation", adaptor.getDilation(), 1)))
    return failure();
  if (input.getElementType() != gradOutput.getElementType())
    return emitInferenceError(loc, getOperationName(),
                              "input and grad_output element types differ");
  int64_t filters = gradOutput.getDimSize(1), channels = input.getDimSize(1);
  int64_t groups = adaptor.getGroups();
  if (groups < 1)
    return emitInferenceError(loc, getOperationName(),
                              "groups must be positive, got ", groups);
  for (auto [what, count] :
       {std::pair<StringRef, int64_t>{"input channels", channels},
        {"grad_output channels", filters}})
    if (shape::isDynamic(count) || count % groups != 0)
      return emitInferenceError(loc, getOperationName(), what, " (",
                                count, ") do not divide into ", groups,
                                " group(s)");
  shape::Shape forward = {input.getDimSize(0), filters, 0, 0};
  for (int d = 0; d < 2; ++d)
    forward[2 + d] = shape::windowOutputSize(
        input.getDimSize(2 + d), kernel[d], adaptor.getStride()[d],
        adaptor.getPadding()[d], adaptor.getDilation()[d]);
  if (failed(checkGradOutput(checker, input.clone(forward), gradOutput)))
    return failure();
  inferred.push_back(
      input.clone({filters, channels / groups, kernel[0], kernel[1]}));
  return success();
}

LogicalResult MaxPool2DGradOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  SmallVector<Type> forward;
  if (failed(inferPool2D(loc, getOperationName(), adaptor.getInput(),
                         adaptor.getKernel(), adaptor.getStride(),
                         adaptor.getPadding(), adaptor.getDilation(),
                         forward)))
    return failure();
  WindowChecker checker{loc, getOperationName()};
  if (failed(checkGradOutput(checker, cast<RankedTensorType>(forward[0]),
                             getRankedType(adaptor.getGradOutput()))))
    return failure();
  inferred.push_back(adaptor.getInput().getType());
  return success();
}
