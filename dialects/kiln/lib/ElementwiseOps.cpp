//===- ElementwiseOps.cpp - Elementwise ops and broadcasting --------------===//

#include "InferenceHelpers.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::detail;

LogicalResult kiln::detail::requireRanked(std::optional<Location> loc,
                                          StringRef opName,
                                          ValueRange operands) {
  for (auto [i, operand] : llvm::enumerate(operands))
    if (!getRankedType(operand))
      return emitInferenceError(loc, opName, "operand #", i,
                                " must be a ranked tensor");
  return success();
}

LogicalResult kiln::detail::broadcastOperands(std::optional<Location> loc,
                                              StringRef opName,
                                              ValueRange operands,
                                              ArrayRef<StringRef> names,
                                              shape::Shape &result) {
  if (failed(requireRanked(loc, opName, operands)))
    return failure();
  result.clear();
  for (auto [i, operand] : llvm::enumerate(operands)) {
    ArrayRef<int64_t> operandShape = getRankedType(operand).getShape();
    std::optional<shape::Shape> merged = shape::broadcast(result, operandShape);
    if (!merged) {
      std::string shapes;
      for (size_t j = 0; j <= i; ++j)
        shapes += (j ? ", " : "") + names[j].str() + " has shape " +
                  formatShape(getRankedType(operands[j]));
      return emitInferenceError(loc, opName,
                                "operands are not broadcast-compatible: ",
                                shapes);
    }
    result = std::move(*merged);
  }
  return success();
}

LogicalResult kiln::detail::inferElementwiseBroadcast(
    std::optional<Location> loc, StringRef opName, ValueRange operands,
    ArrayRef<StringRef> names, Type resultElement,
    SmallVectorImpl<Type> &inferred) {
  shape::Shape resultShape;
  if (failed(broadcastOperands(loc, opName, operands, names, resultShape)))
    return failure();
  Type element = getRankedType(operands[0]).getElementType();
  for (auto [i, operand] : llvm::enumerate(operands))
    if (getRankedType(operand).getElementType() != element)
      return emitInferenceError(loc, opName,
                                "operands have different element types: ",
                                names[0], " is ", element, ", ", names[i],
                                " is ", getRankedType(operand).getElementType());
  inferred.push_back(
      RankedTensorType::get(resultShape, resultElement ? resultElement : element));
  return success();
}

LogicalResult CompareOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  return inferElementwiseBroadcast(loc, getOperationName(),
                                   adaptor.getOperands(), {"lhs", "rhs"},
                                   IntegerType::get(context, 1), inferred);
}

LogicalResult SelectOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  shape::Shape resultShape;
  if (failed(broadcastOperands(loc, getOperationName(), adaptor.getOperands(),
                               {"cond", "on_true", "on_false"}, resultShape)))
    return failure();
  Type onTrue = getRankedType(adaptor.getOnTrue()).getElementType();
  Type onFalse = getRankedType(adaptor.getOnFalse()).getElementType();
  if (onTrue != onFalse)
    return emitInferenceError(loc, getOperationName(),
                              "values have different element types: on_true "
                              "is ",
                              onTrue, ", on_false is ", onFalse);
  inferred.push_back(RankedTensorType::get(resultShape, onTrue));
  return success();
}

LogicalResult CastOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  auto input = getRankedType(adaptor.getInput());
  if (!input || !adaptor.getToAttr())
    return emitInferenceError(loc, getOperationName(),
                              "needs a ranked input and a 'to' type");
  inferred.push_back(input.clone(adaptor.getTo()));
  return success();
}

LogicalResult ClampOp::verify() {
  FloatAttr min = getMinAttr(), max = getMaxAttr();
  if (min && max && min.getValueAsDouble() > max.getValueAsDouble())
    return emitOpError("'min' (")
           << formatNumber(min.getValueAsDouble()) << ") exceeds 'max' ("
           << formatNumber(max.getValueAsDouble()) << ")";
  return success();
}

/// Softmax-like ops normalise along one axis of the input.
static LogicalResult verifyNormalizedAxis(Operation *op, int64_t axis) {
  auto input = cast<RankedTensorType>(op->getOperand(0).getType());
  if (!shape::normalizeAxis(axis, input.getRank()))
    return op->emitOpError("axis ")
           << axis << " is out of range for input of shape "
           << formatShape(input);
  return success();
}

LogicalResult SoftmaxOp::verify() {
  return verifyNormalizedAxis(*this, getAxis());
}

LogicalResult LogSoftmaxOp::verify() {
  return verifyNormalizedAxis(*this, getAxis());
}
