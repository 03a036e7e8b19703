//===- ElementwiseGradients.cpp - Gradients of elementwise ops ------------===//
//
// Rules read the op's own result where that is cheaper than recomputing
// (exp, sigmoid, tanh, softmax): the forward values are kept anyway.
//
//===----------------------------------------------------------------------===//

#include "GradientBuilder.h"

#include <cmath>

using namespace mlir;
using namespace kiln;
using namespace kiln::gradients;

namespace kiln::gradients {
#define UNARY_RULE(OP, BODY)                                                   \
  template <>                                                                  \
  LogicalResult gradientOf(OP op, GradientBuilder &g, ValueRange dys,          \
                           SmallVectorImpl<Value> &dxs) {                      \
    Value dy = dys[0], x = op.getInput(), y = op.getResult();                  \
    (void)x;                                                                   \
    (void)y;                                                                   \
    dxs.push_back(BODY);                                                       \
    return success();                                                          \
  }

UNARY_RULE(NegOp, g.neg(dy))
UNARY_RULE(AbsOp,
           g.select(g.compare(ComparePredicate::lt, x, g.scalarLike(x, 0)),
                    g.neg(dy),
                    g.maskWith(g.compare(ComparePredicate::gt, x,
                                         g.scalarLike(x, 0)),
                               dy)))
UNARY_RULE(ExpOp, g.mul(dy, y))
UNARY_RULE(LogOp, g.div(dy, x))
UNARY_RULE(SqrtOp, g.div(g.scale(dy, 0.5), y))
UNARY_RULE(RsqrtOp, g.mul(g.scale(dy, -0.5), g.mul(y, g.mul(y, y))))
UNARY_RULE(ReluOp,
           g.maskWith(g.compare(ComparePredicate::gt, x, g.scalarLike(x, 0)),
                      dy))
UNARY_RULE(SigmoidOp, g.mul(dy, g.mul(y, g.rsub(1, y))))
UNARY_RULE(TanhOp, g.mul(dy, g.rsub(1, g.mul(y, y))))
UNARY_RULE(SoftplusOp, g.mul(dy, SigmoidOp::create(g.b, g.loc, x)))
// erf'(x) = 2/sqrt(pi) e^(-x^2).
UNARY_RULE(ErfOp, g.mul(dy, g.scale(ExpOp::create(g.b, g.loc,
                                                  g.neg(g.mul(x, x))),
                                    M_2_SQRTPI)))
UNARY_RULE(LeakyReluOp,
           g.select(g.compare(ComparePredicate::gt, x, g.scalarLike(x, 0)),
                    dy, g.scale(dy, op.getAlpha().convertToDouble())))
// elu'(x) = 1 for x > 0, else alpha * e^x = y + alpha.
UNARY_RULE(EluOp,
           g.select(g.compare(ComparePredicate::gt, x, g.scalarLike(x, 0)),
                    dy,
                    g.mul(dy, g.add(y, g.scalarLike(
                                          y, op.getAlpha().convertToDouble())))))
// softmax: dx = y * (dy - sum(dy * y)).
UNARY_RULE(SoftmaxOp,
           g.mul(y, g.sub(dy, g.sum(g.mul(dy, y), {static_cast<int64_t>(op.getAxis())}, true))))
// log_softmax: dx = dy - e^y * sum(dy).
UNARY_RULE(LogSoftmaxOp,
           g.sub(dy, g.mul(ExpOp::create(g.b, g.loc, y),
                           g.sum(dy, {static_cast<int64_t>(op.getAxis())}, true))))
#undef UNARY_RULE

/// The exact GELU, y = x Φ(x): y' = Φ(x) + x φ(x), with the normal
/// distribution's CDF Φ(x) = (1 + erf(x/√2)) / 2 and density
/// φ(x) = e^(-x²/2) / √(2π).
/// The tanh form: y = x/2 (1 + tanh(u)), u = √(2/π) (x + 0.044715 x³).
template <>
LogicalResult gradientOf(GeluOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  Value x = op.getInput();
  if (op.getApproximation() == GeluApproximation::exact) {
    Value cdf = g.scale(
        g.add(g.scalarLike(x, 1),
              ErfOp::create(g.b, g.loc, g.scale(x, M_SQRT1_2))),
        0.5);
    Value density = g.scale(
        ExpOp::create(g.b, g.loc, g.scale(g.mul(x, x), -0.5)),
        0.5 * M_2_SQRTPI * M_SQRT1_2);
    dxs.push_back(g.mul(dys[0], g.add(cdf, g.mul(x, density))));
    return success();
  }
  const double k = 0.7978845608028654, c = 0.044715;
  Value x2 = g.mul(x, x);
  Value t = TanhOp::create(
      g.b, g.loc, g.scale(g.add(x, g.scale(g.mul(x2, x), c)), k));
  Value du = g.scale(g.add(g.scalarLike(x, 1), g.scale(x2, 3 * c)), k);
  Value slope = g.add(g.scale(g.add(g.scalarLike(x, 1), t), 0.5),
                      g.mul(g.scale(x, 0.5), g.mul(g.rsub(1, g.mul(t, t)), du)));
  dxs.push_back(g.mul(dys[0], slope));
  return success();
}

template <>
LogicalResult gradientOf(ClampOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  Value dy = dys[0], x = op.getInput();
  if (auto min = op.getMin())
    dy = g.maskWith(
        g.compare(ComparePredicate::ge, x, g.scalarLike(x, min->convertToDouble())),
        dy);
  if (auto max = op.getMax())
    dy = g.maskWith(
        g.compare(ComparePredicate::le, x, g.scalarLike(x, max->convertToDouble())),
        dy);
  dxs.push_back(dy);
  return success();
}

/// Ops whose result does not depend on the operand's values.
#define NO_GRADIENT_RULE(OP)                                                   \
  template <>                                                                  \
  LogicalResult gradientOf(OP op, GradientBuilder &, ValueRange,               \
                           SmallVectorImpl<Value> &dxs) {                      \
    dxs.append(op->getNumOperands(), Value());                                 \
    return success();                                                          \
  }
NO_GRADIENT_RULE(StopGradientOp)
NO_GRADIENT_RULE(ZerosLikeOp)
NO_GRADIENT_RULE(OnesLikeOp)
NO_GRADIENT_RULE(FullLikeOp)
NO_GRADIENT_RULE(CompareOp)
#undef NO_GRADIENT_RULE

template <>
LogicalResult gradientOf(AddOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  dxs.push_back(g.sumToShapeOf(dys[0], op.getLhs()));
  dxs.push_back(g.sumToShapeOf(dys[0], op.getRhs()));
  return success();
}

template <>
LogicalResult gradientOf(SubOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  dxs.push_back(g.sumToShapeOf(dys[0], op.getLhs()));
  dxs.push_back(g.sumToShapeOf(g.neg(dys[0]), op.getRhs()));
  return success();
}

template <>
LogicalResult gradientOf(MulOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  Value lhs = op.getLhs(), rhs = op.getRhs();
  dxs.push_back(g.sumToShapeOf(g.mul(dys[0], rhs), lhs));
  dxs.push_back(g.sumToShapeOf(g.mul(dys[0], lhs), rhs));
  return success();
}

template <>
LogicalResult gradientOf(DivOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  Value lhs = op.getLhs(), rhs = op.getRhs();
  Value dLhs = g.div(dys[0], rhs);
  dxs.push_back(g.sumToShapeOf(dLhs, lhs));
  // d(l / r)/dr = -l / r^2 = -(1 / r) * (l / r).
  dxs.push_back(g.sumToShapeOf(g.neg(g.mul(dLhs, op.getResult())), rhs));
  return success();
}

template <>
LogicalResult gradientOf(PowOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  Value lhs = op.getLhs(), rhs = op.getRhs(), y = op.getResult();
  // d/dl = r * l^(r - 1) = r * y / l; d/dr = y * ln(l).
  Value dLhs = g.mul(dys[0],
                     g.mul(rhs, PowOp::create(g.b, g.loc, lhs,
                                              g.sub(rhs, g.scalarLike(rhs, 1)))));
  dxs.push_back(g.sumToShapeOf(dLhs, lhs));
  dxs.push_back(g.sumToShapeOf(
      g.mul(dys[0], g.mul(y, LogOp::create(g.b, g.loc, lhs))), rhs));
  return success();
}

/// minimum/maximum route the gradient to the operand that won (to `lhs` on
/// ties, as torch.minimum/maximum do for half of it; Kiln gives it whole).
template <typename OpTy, ComparePredicate LhsWins>
LogicalResult extremumGradient(OpTy op, GradientBuilder &g, ValueRange dys,
                               SmallVectorImpl<Value> &dxs) {
  Value lhs = op.getLhs(), rhs = op.getRhs();
  Value lhsWins = g.compare(LhsWins, lhs, rhs);
  dxs.push_back(g.sumToShapeOf(g.maskWith(lhsWins, dys[0]), lhs));
  dxs.push_back(g.sumToShapeOf(
      g.select(lhsWins, g.scalarLike(dys[0], 0), dys[0]), rhs));
  return success();
}

template <>
LogicalResult gradientOf(MinimumOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  return extremumGradient<MinimumOp, ComparePredicate::le>(op, g, dys, dxs);
}

template <>
LogicalResult gradientOf(MaximumOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  return extremumGradient<MaximumOp, ComparePredicate::ge>(op, g, dys, dxs);
}

template <>
LogicalResult gradientOf(SelectOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  Value cond = op.getCond(), dy = dys[0];
  dxs.push_back(Value());
  dxs.push_back(g.sumToShapeOf(g.maskWith(cond, dy), op.getOnTrue()));
  dxs.push_back(g.sumToShapeOf(
      g.select(cond, g.scalarLike(dy, 0), dy), op.getOnFalse()));
  return success();
}

template <>
LogicalResult gradientOf(CastOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  Type from = cast<RankedTensorType>(op.getInput().getType()).getElementType();
  Type to = cast<RankedTensorType>(op.getType()).getElementType();
  if (!isa<FloatType>(from) || !isa<FloatType>(to)) {
    dxs.push_back(Value());
    return success();
  }
  dxs.push_back(CastOp::create(g.b, g.loc, dys[0], TypeAttr::get(from)));
  return success();
}

void attachElementwiseGradients(MLIRContext &context) {
  attach<NegOp, AbsOp, ExpOp, LogOp, SqrtOp, RsqrtOp, ReluOp, SigmoidOp,
         TanhOp, SoftplusOp, ErfOp, LeakyReluOp, EluOp, GeluOp, SoftmaxOp, LogSoftmaxOp,
         ClampOp, StopGradientOp, ZerosLikeOp, OnesLikeOp, FullLikeOp,
         CompareOp, AddOp, SubOp, MulOp, DivOp, PowOp, MinimumOp, MaximumOp,
         SelectOp, CastOp>(context);
}
} // namespace kiln::gradients
