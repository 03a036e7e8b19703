//===- ReductionOps.cpp - Reductions over axes ----------------------------===//

#include "InferenceHelpers.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::detail;

LogicalResult kiln::detail::inferReduction(std::optional<Location> loc,
                                           StringRef opName, Value input,
                                           ArrayRef<int64_t> axes,
                                           bool keepDims,
                                           SmallVectorImpl<Type> &inferred) {
  auto type = getRankedType(input);
  if (!type)
    return emitInferenceError(loc, opName, "input must be a ranked tensor");
  std::optional<shape::Shape> result =
      shape::reduce(type.getShape(), axes, keepDims);
  if (!result)
    return emitInferenceError(loc, opName, "axes ", shape::format(axes),
                              " are out of range or repeated for input "
                              "shape ",
                              formatShape(type));
  inferred.push_back(type.clone(*result));
  return success();
}

LogicalResult kiln::detail::inferArgReduction(std::optional<Location> loc,
                                              StringRef opName, Value input,
                                              int64_t axis, bool keepDims,
                                              SmallVectorImpl<Type> &inferred) {
  auto type = getRankedType(input);
  if (!type)
    return emitInferenceError(loc, opName, "input must be a ranked tensor");
  if (!shape::normalizeAxis(axis, type.getRank()))
    return emitInferenceError(loc, opName, "axis ", axis,
                              " is out of range for input shape ",
                              formatShape(type));
  shape::Shape result = *shape::reduce(type.getShape(), {axis}, keepDims);
  inferred.push_back(
      RankedTensorType::get(result, IntegerType::get(type.getContext(), 64)));
  return success();
}
