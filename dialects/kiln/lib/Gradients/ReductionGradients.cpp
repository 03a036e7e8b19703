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

void attachReductionGradients(MLIRContext &context) {
  attach<SumOp, MeanOp, LogSumExpOp>(context);
}
} // namespace kiln::gradients
