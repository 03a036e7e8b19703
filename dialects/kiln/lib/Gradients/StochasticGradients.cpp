//===- StochasticGradients.cpp - Gradients of random ops ------------------===//
//
// Random values are inputs to the graph, not functions of it: sampling ops
// pass no gradient to the tensor they copy the shape of. Dropout's mask is
// a pure function of (key, stream, element), so applying the same dropout
// to the gradient multiplies it by the very mask of the forward pass.
//
//===----------------------------------------------------------------------===//

#include "GradientBuilder.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::gradients;

namespace kiln::gradients {

template <typename OpTy>
static LogicalResult noGradient(OpTy op, SmallVectorImpl<Value> &dxs) {
  dxs.append(op->getNumOperands(), Value());
  return success();
}

template <>
LogicalResult gradientOf(RandomNormalOp op, GradientBuilder &, ValueRange,
                         SmallVectorImpl<Value> &dxs) {
  return noGradient(op, dxs);
}

template <>
LogicalResult gradientOf(RandomUniformOp op, GradientBuilder &, ValueRange,
                         SmallVectorImpl<Value> &dxs) {
  return noGradient(op, dxs);
}

template <>
LogicalResult gradientOf(BernoulliOp op, GradientBuilder &, ValueRange,
                         SmallVectorImpl<Value> &dxs) {
  return noGradient(op, dxs);
}

template <>
LogicalResult gradientOf(DropoutOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  dxs.push_back(DropoutOp::create(g.b, g.loc, dys[0], op.getKey(),
                                  op.getRateAttr(), op.getStreamAttr()));
  dxs.push_back(Value());
  return success();
}

void attachStochasticGradients(MLIRContext &context) {
  attach<RandomNormalOp, RandomUniformOp, BernoulliOp, DropoutOp>(context);
}
} // namespace kiln::gradients
