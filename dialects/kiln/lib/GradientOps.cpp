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

LogicalResult RecurrentGradOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  auto gradOutput = getRankedType(adaptor.getGradOutput());
  auto output = getRankedType(adaptor.getOutput());
  auto gradHn = getRankedType(adaptor.getGradHN());
  if (!gradOutput || !output || !gradHn)
    return emitInferenceError(loc, getOperationName(),
                              "operands must be ranked tensors");
  if (!areRefinableTypes(output, gradOutput) &&
      !areRefinableTypes(gradOutput, output))
    return emitInferenceError(loc, getOperationName(), "grad_output has shape ",
                              formatShape(gradOutput), " but the output has ",
                              formatShape(output));
  if ((adaptor.getCell() == RecurrentCell::lstm) != bool(adaptor.getGradCN()))
    return emitInferenceError(loc, getOperationName(),
                              "grad_c_n is given for an LSTM and only then");
  for (Value forward : {adaptor.getInput(), adaptor.getWIh(), adaptor.getWHh(),
                        adaptor.getBIh(), adaptor.getBHh()})
    inferred.push_back(forward.getType());
  // The initial states' gradients take their types (a static batch there
  // is as good as the dynamic one of h_n).
  inferred.push_back(adaptor.getH0() ? adaptor.getH0().getType() : Type(gradHn));
  inferred.push_back(adaptor.getC0() ? adaptor.getC0().getType() : Type(gradHn));
  return success();
}
