//===- LossOps.cpp - Loss functions ---------------------------------------===//

#include "InferenceHelpers.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::detail;

/// A reduced loss is a scalar; an unreduced one keeps `perElement`.
static Type lossType(Reduction reduction, RankedTensorType perElement) {
  if (reduction == Reduction::none)
    return perElement;
  return RankedTensorType::get({}, perElement.getElementType());
}

LogicalResult kiln::detail::inferPointwiseLoss(std::optional<Location> loc,
                                               StringRef opName, Value input,
                                               Value target,
                                               Reduction reduction,
                                               SmallVectorImpl<Type> &inferred) {
  auto inputType = getRankedType(input);
  auto targetType = getRankedType(target);
  if (!inputType || !targetType)
    return emitInferenceError(loc, opName, "operands must be ranked tensors");
  if (inputType.getElementType() != targetType.getElementType())
    return emitInferenceError(loc, opName, "input is ",
                              inputType.getElementType(), " but target is ",
                              targetType.getElementType());
  bool sameShape = inputType.getRank() == targetType.getRank();
  shape::Shape merged(inputType.getShape());
  for (int64_t d = 0; sameShape && d < inputType.getRank(); ++d) {
    sameShape = shape::areCompatible(merged[d], targetType.getDimSize(d));
    if (shape::isDynamic(merged[d]))
      merged[d] = targetType.getDimSize(d);
  }
  if (!sameShape)
    return emitInferenceError(loc, opName,
                              "input and target must have the same shape: "
                              "input has shape ",
                              formatShape(inputType), ", target has shape ",
                              formatShape(targetType));
  inferred.push_back(lossType(reduction, inputType.clone(merged)));
  return success();
}

LogicalResult kiln::detail::inferClassLoss(std::optional<Location> loc,
                                           StringRef opName, Value input,
                                           Value labels, Reduction reduction,
                                           SmallVectorImpl<Type> &inferred) {
  auto inputType = getRankedType(input);
  auto labelType = getRankedType(labels);
  if (!inputType || !labelType)
    return emitInferenceError(loc, opName, "operands must be ranked tensors");
  // The usual mistake: labels read from a float file or declared f32.
  if (!labelType.getElementType().isInteger(32) &&
      !labelType.getElementType().isInteger(64))
    return emitInferenceError(
        loc, opName, "labels must be i32 or i64 class indices, got ",
        labelType.getElementType(),
        ": declare them as integers, e.g. `input label : i32[N]`");
  if (inputType.getRank() != 2)
    return emitInferenceError(loc, opName,
                              "input must be [batch, classes], got shape ",
                              formatShape(inputType));
  if (labelType.getRank() != 1 ||
      !shape::areCompatible(labelType.getDimSize(0), inputType.getDimSize(0)))
    return emitInferenceError(loc, opName, "labels have shape ",
                              formatShape(labelType), " but input has shape ",
                              formatShape(inputType), ": expected ",
                              shape::format(inputType.getShape().take_front()),
                              ", one label per sample");
  int64_t batch = inputType.getDimSize(0);
  if (shape::isDynamic(batch))
    batch = labelType.getDimSize(0);
  inferred.push_back(lossType(reduction, inputType.clone({batch})));
  return success();
}
