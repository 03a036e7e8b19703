//===- NormOps.cpp - Normalisation and dropout ----------------------------===//

#include "InferenceHelpers.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::detail;

/// Checks that `param` (named `what`) has `shape` and `element`.
static LogicalResult checkParameterShape(std::optional<Location> loc,
                                         StringRef opName, StringRef what,
                                         RankedTensorType param,
                                         ArrayRef<int64_t> shape,
                                         Type element,
                                         RankedTensorType input) {
  if (param.getElementType() != element)
    return emitInferenceError(loc, opName, what, " has element type ",
                              param.getElementType(), " but input has ",
                              element);
  bool matches = param.getRank() == static_cast<int64_t>(shape.size());
  for (int64_t d = 0; matches && d < param.getRank(); ++d)
    matches = shape::areCompatible(param.getDimSize(d), shape[d]);
  if (!matches)
    return emitInferenceError(loc, opName, what, " has shape ",
                              formatShape(param), " but input of shape ",
                              formatShape(input), " needs ",
                              shape::format(shape));
  return success();
}

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  StringRef name = getOperationName();
  if (failed(requireRanked(loc, name, adaptor.getOperands())))
    return failure();
  auto input = getRankedType(adaptor.getInput());
  if (input.getRank() != 2 && input.getRank() != 4)
    return emitInferenceError(loc, name,
                              "input must be [N, C] or [N, C, H, W], got "
                              "shape ",
                              formatShape(input));
  int64_t channels[] = {input.getDimSize(1)};
  std::pair<StringRef, Value> params[] = {
      {"scale", adaptor.getScale()},
      {"offset", adaptor.getOffset()},
      {"running_mean", adaptor.getRunningMean()},
      {"running_var", adaptor.getRunningVar()}};
  for (auto [what, value] : params)
    if (failed(checkParameterShape(loc, name, what, getRankedType(value),
                                   channels, input.getElementType(), input)))
      return failure();
  if (adaptor.getMomentum().convertToDouble() < 0 ||
      adaptor.getMomentum().convertToDouble() > 1 ||
      adaptor.getEpsilon().convertToDouble() <= 0)
    return emitInferenceError(loc, name,
                              "needs 0 <= momentum <= 1 and epsilon > 0");
  auto stats = RankedTensorType::get(channels, input.getElementType());
  inferred.append({input, stats, stats});
  return success();
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  StringRef name = getOperationName();
  if (failed(requireRanked(loc, name, adaptor.getOperands())))
    return failure();
  auto input = getRankedType(adaptor.getInput());
  std::optional<int64_t> axis =
      shape::normalizeAxis(adaptor.getAxis(), input.getRank());
  if (!axis)
    return emitInferenceError(loc, name, "axis ", static_cast<int64_t>(adaptor.getAxis()),
                              " is out of range for input shape ",
                              formatShape(input));
  if (adaptor.getEpsilon().convertToDouble() <= 0)
    return emitInferenceError(loc, name, "epsilon must be positive");
  ArrayRef<int64_t> normalized = input.getShape().drop_front(*axis);
  if (failed(checkParameterShape(loc, name, "scale",
                                 getRankedType(adaptor.getScale()),
                                 normalized, input.getElementType(), input)) ||
      failed(checkParameterShape(loc, name, "offset",
                                 getRankedType(adaptor.getOffset()),
                                 normalized, input.getElementType(), input)))
    return failure();
  inferred.push_back(input);
  return success();
}

LogicalResult DropoutOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto input = getRankedType(adaptor.getInput());
  if (!input)
    return emitInferenceError(loc, getOperationName(),
                              "input must be a ranked tensor");
  double rate = adaptor.getRate().convertToDouble();
  if (rate < 0 || rate >= 1)
    return emitInferenceError(loc, getOperationName(),
                              "rate must be in [0, 1), got ",
                              formatNumber(rate));
  inferred.push_back(input);
  return success();
}
