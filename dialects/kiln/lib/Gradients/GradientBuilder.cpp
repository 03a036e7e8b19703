//===- GradientBuilder.cpp - Building blocks of gradient rules ------------===//

#include "GradientBuilder.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::gradients;

void kiln::attachGradientRules(MLIRContext &context) {
  attachElementwiseGradients(context);
  attachContractionGradients(context);
  attachConvGradients(context);
  attachReductionGradients(context);
  attachRecurrentGradients(context);
  attachShapeGradients(context);
  attachLossGradients(context);
  attachNormGradients(context);
  attachStochasticGradients(context);
}

static RankedTensorType typeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

Value GradientBuilder::add(Value lhs, Value rhs) {
  return AddOp::create(b, loc, lhs, rhs);
}
Value GradientBuilder::sub(Value lhs, Value rhs) {
  return SubOp::create(b, loc, lhs, rhs);
}
Value GradientBuilder::mul(Value lhs, Value rhs) {
  return MulOp::create(b, loc, lhs, rhs);
}
Value GradientBuilder::div(Value lhs, Value rhs) {
  return DivOp::create(b, loc, lhs, rhs);
}
Value GradientBuilder::neg(Value value) { return NegOp::create(b, loc, value); }

Value GradientBuilder::scalarLike(Value value, double constant) {
  return FullOp::create(b, loc, b.getDenseI64ArrayAttr({}),
                        b.getF64FloatAttr(constant),
                        TypeAttr::get(typeOf(value).getElementType()));
}

Value GradientBuilder::scale(Value value, double constant) {
  return mul(value, scalarLike(value, constant));
}

Value GradientBuilder::rsub(double constant, Value value) {
  return sub(scalarLike(value, constant), value);
}

Value GradientBuilder::compare(ComparePredicate predicate, Value lhs,
                               Value rhs) {
  return CompareOp::create(b, loc, predicate, lhs, rhs);
}

Value GradientBuilder::select(Value cond, Value onTrue, Value onFalse) {
  return SelectOp::create(b, loc, cond, onTrue, onFalse);
}

Value GradientBuilder::maskWith(Value cond, Value onTrue) {
  return select(cond, onTrue, scalarLike(onTrue, 0));
}

Value GradientBuilder::sum(Value value, ArrayRef<int64_t> axes, bool keepDims) {
  return SumOp::create(b, loc, value, b.getDenseI64ArrayAttr(axes),
                       b.getBoolAttr(keepDims));
}

Value GradientBuilder::reshape(Value value, ArrayRef<int64_t> shape) {
  return ReshapeOp::create(b, loc, value, b.getDenseI64ArrayAttr(shape));
}

Value GradientBuilder::reshapeLike(Value value, Value like) {
  RankedTensorType want = typeOf(like);
  if (typeOf(value).getShape() == want.getShape())
    return value;
  SmallVector<int64_t> shape(want.getShape());
  for (int64_t &size : shape)
    if (ShapedType::isDynamic(size))
      size = -1;
  return reshape(value, shape);
}

Value GradientBuilder::sumToShapeOf(Value grad, Value operand) {
  ArrayRef<int64_t> from = typeOf(grad).getShape();
  ArrayRef<int64_t> to = typeOf(operand).getShape();
  int64_t lead = static_cast<int64_t>(from.size() - to.size());
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < lead; ++d)
    axes.push_back(d);
  for (int64_t d = 0; d < static_cast<int64_t>(to.size()); ++d)
    if (to[d] == 1 && from[lead + d] != 1)
      axes.push_back(lead + d);
  if (axes.empty())
    return grad;
  return reshapeLike(sum(grad, axes, /*keepDims=*/false), operand);
}

Value GradientBuilder::expandReduced(Value grad, Value like,
                                     ArrayRef<int64_t> axes, bool keepDims,
                                     bool mean) {
  return ExpandReducedOp::create(b, loc, grad, like,
                                 b.getDenseI64ArrayAttr(axes),
                                 b.getBoolAttr(keepDims),
                                 mean ? b.getUnitAttr() : UnitAttr());
}
