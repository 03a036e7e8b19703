//===- GradientOps.cpp - Ops that gradients are made of -------------------===//

#include "InferenceHelpers.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::detail;

LogicalResult ExpandReducedOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  auto input = getRankedType(adaptor.getInput());
  auto like = getRankedType(adaptor.getLike());
  if (!input || !like)
    return emitInferenceError(loc, getOperationName(),
                              "operands must be ranked tensors");
  std::optional<shape::Shape> reduced =
      shape::reduce(like.getShape(), adaptor.getAxes(), adaptor.getKeepdims());
  if (!reduced)
    return emitInferenceError(loc, getOperationName(), "axes ",
                              shape::format(adaptor.getAxes()),
                              " are out of range or repeated for shape ",
                              formatShape(like));
  auto expected = input.clone(*reduced);
  if (!areRefinableTypes(expected, input) &&
      !areRefinableTypes(input, expected))
    return emitInferenceError(loc, getOperationName(), "input has shape ",
                              formatShape(input), " but reducing ",
                              formatShape(like), " over axes ",
                              shape::format(adaptor.getAxes()), " gives ",
                              shape::format(*reduced));
  inferred.push_back(like.clone(input.getElementType()));
  return success();
}

LogicalResult OptimizerUpdateOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  Type param = adaptor.getParam().getType();
  if (adaptor.getGrad().getType() != param)
    return emitInferenceError(loc, getOperationName(), "gradient type ",
                              adaptor.getGrad().getType(),
                              " differs from the parameter's ", param);
  size_t slots = adaptor.getOptimizer().getStateSlots().size();
  if (adaptor.getState().size() != slots)
    return emitInferenceError(loc, getOperationName(), "optimizer ",
                              adaptor.getOptimizer(), " keeps ", slots,
                              " state tensor(s) per parameter, got ",
                              adaptor.getState().size());
  for (Value state : adaptor.getState())
    if (state.getType() != param)
      return emitInferenceError(loc, getOperationName(), "state type ",
                                state.getType(), " differs from the "
                                "parameter's ", param);
  inferred.assign(1 + slots, param);
  return success();
}
