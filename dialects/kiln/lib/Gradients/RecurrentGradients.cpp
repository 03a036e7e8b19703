//===- RecurrentGradients.cpp - Backpropagation through time --------------===//
//
// The whole backward pass of a recurrent layer is one op,
// kiln.recurrent_grad, lowered to a reverse loop over time: its steps are
// sequential, which no composition of the dataflow ops expresses.
//
//===----------------------------------------------------------------------===//

#include "GradientBuilder.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::gradients;

namespace kiln::gradients {

/// `grad`, or zeros of `like`'s type where no gradient flows.
static Value orZeros(GradientBuilder &g, Value grad, Value like) {
  return grad ? grad : Value(ZerosLikeOp::create(g.b, g.loc, like));
}

template <typename OpTy>
static LogicalResult recurrentGradient(OpTy op, RecurrentCell cell,
                                       Value c0, Value gradCn,
                                       GradientBuilder &g, ValueRange dys,
                                       SmallVectorImpl<Value> &dxs) {
  Value gradOutput = orZeros(g, dys[0], op.getOutput());
  Value gradHn = orZeros(g, dys[1], op.getHN());
  auto grad = RecurrentGradOp::create(
      g.b, g.loc, op.getInput(), op.getWIh(), op.getWHh(), op.getBIh(),
      op.getBHh(), op.getH0(), c0, op.getOutput(), gradOutput, gradHn, gradCn,
      RecurrentCellAttr::get(g.b.getContext(), cell),
      op.getBidirectional() ? g.b.getUnitAttr() : UnitAttr());
  dxs.append({grad.getGradInput(), grad.getGradWIh(), grad.getGradWHh(),
              grad.getGradBIh(), grad.getGradBHh()});
  if (op.getH0())
    dxs.push_back(grad.getGradH0());
  if (c0)
    dxs.push_back(grad.getGradC0());
  return success();
}

template <>
LogicalResult gradientOf(RnnOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  return recurrentGradient(op, RecurrentCell::rnn, Value(), Value(), g, dys,
                           dxs);
}

template <>
LogicalResult gradientOf(GruOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  return recurrentGradient(op, RecurrentCell::gru, Value(), Value(), g, dys,
                           dxs);
}

template <>
LogicalResult gradientOf(LstmOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  return recurrentGradient(op, RecurrentCell::lstm, op.getC0(),
                           orZeros(g, dys[2], op.getCN()), g, dys, dxs);
}

void attachRecurrentGradients(MLIRContext &context) {
  attach<RnnOp, GruOp, LstmOp>(context);
}
} // namespace kiln::gradients
