//===- LossGradients.cpp - Gradients of the losses ------------------------===//
//
// Each rule first turns the loss's gradient into a per-element (pointwise
// losses) or per-sample (class losses) scale, which is where the reduction
// enters: `mean` divides by the count, `sum` does not, `none` already has
// one gradient per element.
//
//===----------------------------------------------------------------------===//

#include "GradientBuilder.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::gradients;

namespace kiln::gradients {

/// The loss gradient spread to the shape of `like` (the elements or samples
/// that the loss combined).
static Value perElementScale(GradientBuilder &g, Value dy, Value like,
                             Reduction reduction) {
  if (reduction == Reduction::none)
    return dy;
  return g.expandReduced(dy, like, {}, false, reduction == Reduction::mean);
}

template <typename OpTy>
static Value pointwiseScale(OpTy op, GradientBuilder &g, Value dy) {
  return perElementScale(g, dy, op.getInput(), op.getReduction());
}

template <>
LogicalResult gradientOf(MseLossOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  Value d = g.mul(g.scale(g.sub(op.getInput(), op.getTarget()), 2),
                  pointwiseScale(op, g, dys[0]));
  dxs.push_back(d);
  dxs.push_back(g.neg(d));
  return success();
}

template <>
LogicalResult gradientOf(L1LossOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  Value x = op.getInput(), t = op.getTarget();
  Value s = pointwiseScale(op, g, dys[0]);
  Value d = g.select(g.compare(ComparePredicate::gt, x, t), s,
                     g.maskWith(g.compare(ComparePredicate::lt, x, t),
                                g.neg(s)));
  dxs.push_back(d);
  dxs.push_back(g.neg(d));
  return success();
}

/// PyTorch's rule: (p - t) / max(p (1 - p), 1e-12).
template <>
LogicalResult gradientOf(BceLossOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  Value p = op.getInput(), t = op.getTarget();
  Value denominator = MaximumOp::create(
      g.b, g.loc, g.mul(p, g.rsub(1, p)), g.scalarLike(p, 1e-12));
  dxs.push_back(g.mul(g.div(g.sub(p, t), denominator),
                      pointwiseScale(op, g, dys[0])));
  Value logOdds = g.sub(LogOp::create(g.b, g.loc, g.rsub(1, p)),
                        LogOp::create(g.b, g.loc, p));
  dxs.push_back(g.mul(logOdds, pointwiseScale(op, g, dys[0])));
  return success();
}

template <>
LogicalResult gradientOf(BceWithLogitsLossOp op, GradientBuilder &g,
                         ValueRange dys, SmallVectorImpl<Value> &dxs) {
  Value x = op.getInput(), t = op.getTarget();
  Value s = pointwiseScale(op, g, dys[0]);
  dxs.push_back(g.mul(g.sub(SigmoidOp::create(g.b, g.loc, x), t), s));
  dxs.push_back(g.mul(g.neg(x), s));
  return success();
}

/// Class losses: the per-sample scale as a column [N, 1], and the labels
/// one-hot encoded [N, C]. The one-hot encoding needs C: a class count
/// known only at run time is an error (found by fuzzing: `dense(x, x, b)`
/// gives scores of shape [N, N]).
template <typename OpTy>
static FailureOr<std::pair<Value, Value>>
classTerms(OpTy op, GradientBuilder &g, Value dy) {
  Value labels = op.getLabels();
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  if (inputType.isDynamicDim(1))
    return op.emitOpError("cannot be differentiated with a number of "
                          "classes known only at run time: its input has "
                          "type ")
           << inputType;
  Value perSample = perElementScale(g, dy, labels, op.getReduction());
  Value column = g.reshape(perSample, {-1, 1});
  Value oneHot = OneHotOp::create(
      g.b, g.loc, labels, g.b.getI64IntegerAttr(inputType.getDimSize(1)),
      TypeAttr::get(inputType.getElementType()));
  return std::make_pair(column, oneHot);
}

template <>
LogicalResult gradientOf(SoftmaxCrossEntropyLossOp op, GradientBuilder &g,
                         ValueRange dys, SmallVectorImpl<Value> &dxs) {
  FailureOr<std::pair<Value, Value>> terms = classTerms(op, g, dys[0]);
  if (failed(terms))
    return failure();
  auto [column, oneHot] = *terms;
  Value probabilities = SoftmaxOp::create(g.b, g.loc, op.getInput(),
                                          g.b.getI64IntegerAttr(1));
  dxs.push_back(g.mul(g.sub(probabilities, oneHot), column));
  dxs.push_back(Value());
  return success();
}

template <>
LogicalResult gradientOf(NllLossOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  FailureOr<std::pair<Value, Value>> terms = classTerms(op, g, dys[0]);
  if (failed(terms))
    return failure();
  auto [column, oneHot] = *terms;
  dxs.push_back(g.neg(g.mul(oneHot, column)));
  dxs.push_back(Value());
  return success();
}

/// Per sample, every class c != y with margin - x[y] + x[c] > 0 adds 1 / C
/// to the gradient of x[c] and takes 1 / C from that of x[y].
template <>
LogicalResult gradientOf(HingeLossOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  Value x = op.getInput();
  auto type = cast<RankedTensorType>(x.getType());
  FailureOr<std::pair<Value, Value>> terms = classTerms(op, g, dys[0]);
  if (failed(terms))
    return failure();
  auto [column, oneHot] = *terms;
  Value truth = g.sum(g.mul(x, oneHot), {1}, true);
  Value margins = g.add(g.sub(g.scalarLike(x, op.getMargin().convertToDouble()),
                              truth),
                        x);
  Value violated = CastOp::create(
      g.b, g.loc, g.compare(ComparePredicate::gt, margins, g.scalarLike(x, 0)),
      TypeAttr::get(type.getElementType()));
  Value active = g.mul(violated, g.rsub(1, oneHot));
  Value d = g.sub(active, g.mul(oneHot, g.sum(active, {1}, true)));
  dxs.push_back(
      g.mul(g.scale(d, 1.0 / static_cast<double>(type.getDimSize(1))), column));
  dxs.push_back(Value());
  return success();
}

void attachLossGradients(MLIRContext &context) {
  attach<MseLossOp, L1LossOp, BceLossOp, BceWithLogitsLossOp,
         SoftmaxCrossEntropyLossOp, NllLossOp, HingeLossOp>(context);
}
} // namespace kiln::gradients
