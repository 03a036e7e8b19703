//===- ReductionGradients.cpp - Gradients of reductions -------------------===//

#include "GradientBuilder.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::gradients;

namespace kiln::gradients {

template <>
LogicalResult gradientOf(SumOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  dxs.push_back(g.expandReduced(dys[0], op.getInput(), op.getAxes(),
                                op.getKeepdims(), false));
  return success();
}

template <>
LogicalResult gradientOf(MeanOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  dxs.push_back(g.expandReduced(dys[0], op.getInput(), op.getAxes(),
                                op.getKeepdims(), true));
  return success();
}

/// d logsumexp(x) / dx = softmax(x) = e^(x - logsumexp(x)).
template <>
LogicalResult gradientOf(LogSumExpOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  Value x = op.getInput();
  auto spread = [&](Value value) {
    return g.expandReduced(value, x, op.getAxes(), op.getKeepdims(), false);
  };
  Value y = spread(op.getResult());
  dxs.push_back(
      g.mul(spread(dys[0]), ExpOp::create(g.b, g.loc, g.sub(x, y))));
  return success();
}

/// max and min: the gradient is shared equally by the elements that attain
/// the extremum (as torch.amax/amin do).
template <typename OpTy>
static LogicalResult extremumGradient(OpTy op, GradientBuilder &g,
                                      ValueRange dys,
                                      SmallVectorImpl<Value> &dxs) {
  Value x = op.getInput();
  auto spread = [&](Value value) {
    return g.expandReduced(value, x, op.getAxes(), op.getKeepdims(), false);
  };
  Type element = cast<RankedTensorType>(x.getType()).getElementType();
  Value attains = CastOp::create(
      g.b, g.loc, g.compare(ComparePredicate::eq, x, spread(op.getResult())),
      TypeAttr::get(element));
  Value ties = SumOp::create(g.b, g.loc, attains, op.getAxesAttr(),
                             op.getKeepdimsAttr());
  dxs.push_back(g.mul(attains, spread(g.div(dys[0], ties))));
  return success();
}

template <>
LogicalResult gradientOf(MaxOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  return extremumGradient(op, g, dys, dxs);
}

template <>
LogicalResult gradientOf(MinOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  return extremumGradient(op, g, dys, dxs);
}

void attachReductionGradients(MLIRContext &context) {
  attach<SumOp, MeanOp, LogSumExpOp, MaxOp, MinOp>(context);
}
} // namespace kiln::gradients
