//===- NormalizationImporters.cpp - ONNX normalizations onto kiln ops -----===//
//
// BatchNormalization (inference form, any rank), LayerNormalization
// (kiln.layer_norm, or composed when its Mean and InvStdDev outputs are
// read), InstanceNormalization and MeanVarianceNormalization (composed).
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "kiln/Dialect/KilnOps.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::onnx::detail;

namespace {

/// The statistics of `x` over `axes` (kept as size-1 dimensions).
struct Moments {
  Value centered, mean, invStd;
};

FailureOr<Moments> moments(NodeContext &node, Value x, ArrayRef<int64_t> axes,
                           double epsilon) {
  auto reduceMean = [&](Value v) {
    return node.create(
        "kiln.mean", ValueRange{v},
        {node.named("axes", node.ints(axes)),
         node.named("keepdims", node.builder.getBoolAttr(true))});
  };
  FailureOr<Value> mean = reduceMean(x);
  if (failed(mean))
    return failure();
  FailureOr<Value> centered = node.create("kiln.sub", ValueRange{x, *mean});
  if (failed(centered))
    return failure();
  FailureOr<Value> squares =
      node.create("kiln.mul", ValueRange{*centered, *centered});
  if (failed(squares))
    return failure();
  FailureOr<Value> variance = reduceMean(*squares);
  if (failed(variance))
    return failure();
  FailureOr<Value> shifted = node.create(
      "kiln.add", ValueRange{*variance, node.scalarLike(x, epsilon)});
  if (failed(shifted))
    return failure();
  FailureOr<Value> invStd = node.create("kiln.rsqrt", ValueRange{*shifted});
  if (failed(invStd))
    return failure();
  return Moments{*centered, *mean, *invStd};
}

/// `x` * `scale` + `offset`, each of the last two reshaped to `shape`
/// first when given.
FailureOr<Value> affine(NodeContext &node, Value x, Value scale, Value offset,
                        ArrayRef<int64_t> shape = {}) {
  if (!shape.empty()) {
    FailureOr<Value> s = node.reshape(scale, shape);
    if (failed(s))
      return failure();
    scale = *s;
    if (offset) {
      FailureOr<Value> o = node.reshape(offset, shape);
      if (failed(o))
        return failure();
      offset = *o;
    }
  }
  FailureOr<Value> scaled = node.create("kiln.mul", ValueRange{x, scale});
  if (failed(scaled) || !offset)
    return scaled;
  return node.create("kiln.add", ValueRange{*scaled, offset});
}

/// [C] parameters as [C, 1, ...] for an input of `rank` dimensions.
SmallVector<int64_t> channelShape(int64_t channels, int64_t rank) {
  SmallVector<int64_t> shape(rank - 1, 1);
  shape[0] = channels;
  return shape;
}

LogicalResult importBatchNormalization(NodeContext &node) {
  if (node.intAttr("training_mode", 0) != 0 || node.hasOutput(1) ||
      node.hasOutput(2))
    return node.unsupported("training mode (import the inference form; "
                            "Kiln's training entries update statistics "
                            "themselves)");
  SmallVector<Value> operands;
  for (unsigned i = 0; i < 5; ++i) {
    FailureOr<Value> operand = node.input(i);
    if (failed(operand))
      return failure();
    operands.push_back(*operand);
  }
  auto type = cast<RankedTensorType>(operands[0].getType());
  int64_t rank = type.getRank();
  // kiln.batch_norm takes [N, C] or [N, C, H, W]: other ranks fold their
  // spatial dimensions into one.
  bool folded = rank != 2 && rank != 4;
  if (folded) {
    if (rank < 2 || !type.getShape().drop_front(1).size() ||
        llvm::any_of(type.getShape().drop_front(1), ShapedType::isDynamic))
      return node.unsupported("a dynamic size after the batch");
    int64_t spatial = 1;
    for (int64_t dim : type.getShape().drop_front(2))
      spatial *= dim;
    FailureOr<Value> x =
        node.reshape(operands[0], {-1, type.getDimSize(1), spatial, 1});
    if (failed(x))
      return failure();
    operands[0] = *x;
  }
  FailureOr<Operation *> op = node.createMulti(
      "kiln.batch_norm", operands,
      {node.named("epsilon", node.builder.getF64FloatAttr(
                                 node.floatAttr("epsilon", 1e-5)))},
      3);
  if (failed(op))
    return failure();
  Value y = (*op)->getResult(0);
  if (folded) {
    SmallVector<int64_t> shape(type.getShape());
    shape[0] = -1;
    FailureOr<Value> back = node.reshape(y, shape);
    if (failed(back))
      return failure();
    y = *back;
  }
  node.setResult(0, y);
  return success();
}

LogicalResult importLayerNormalization(NodeContext &node) {
  FailureOr<Value> x = node.input(0), scale = node.input(1);
  if (failed(x) || failed(scale))
    return failure();
  Value offset;
  if (node.hasInput(2)) {
    FailureOr<Value> given = node.input(2);
    if (failed(given))
      return failure();
    offset = *given;
  }
  double epsilon = node.floatAttr("epsilon", 1e-5);
  int64_t rank = cast<RankedTensorType>(x->getType()).getRank();
  int64_t axis = node.intAttr("axis", -1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return node.error() << "axis " << node.intAttr("axis", -1)
                        << " is out of range for rank " << rank;
  if (node.intAttr("stash_type", 1) != 1)
    return node.unsupported("stash_type other than float");
  if (!node.hasOutput(1) && !node.hasOutput(2)) {
    if (!offset) {
      auto scaleType = cast<RankedTensorType>(scale->getType());
      offset = node.constant(DenseElementsAttr::get(
          scaleType, FloatAttr::get(scaleType.getElementType(), 0.0)));
    }
    FailureOr<Value> y = node.create(
        "kiln.layer_norm", ValueRange{*x, *scale, offset},
        {node.named("axis", node.builder.getI64IntegerAttr(axis)),
         node.named("epsilon", node.builder.getF64FloatAttr(epsilon))});
    if (failed(y))
      return failure();
    node.setResult(0, *y);
    return success();
  }
  // The statistics are outputs too: composed.
  SmallVector<int64_t> axes;
  for (int64_t d = axis; d < rank; ++d)
    axes.push_back(d);
  FailureOr<Moments> stats = moments(node, *x, axes, epsilon);
  if (failed(stats))
    return failure();
  FailureOr<Value> normalized =
      node.create("kiln.mul", ValueRange{stats->centered, stats->invStd});
  if (failed(normalized))
    return failure();
  FailureOr<Value> y = affine(node, *normalized, *scale, offset);
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  node.setResult(1, stats->mean);
  node.setResult(2, stats->invStd);
  return success();
}

LogicalResult importInstanceNormalization(NodeContext &node) {
  FailureOr<Value> x = node.input(0), scale = node.input(1),
                   bias = node.input(2);
  if (failed(x) || failed(scale) || failed(bias))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  int64_t rank = type.getRank();
  if (rank < 3 || type.isDynamicDim(1))
    return node.unsupported("an input without spatial dimensions or with a "
                            "dynamic channel count");
  SmallVector<int64_t> axes;
  for (int64_t d = 2; d < rank; ++d)
    axes.push_back(d);
  FailureOr<Moments> stats =
      moments(node, *x, axes, node.floatAttr("epsilon", 1e-5));
  if (failed(stats))
    return failure();
  FailureOr<Value> normalized =
      node.create("kiln.mul", ValueRange{stats->centered, stats->invStd});
  if (failed(normalized))
    return failure();
  FailureOr<Value> y = affine(node, *normalized, *scale, *bias,
                              channelShape(type.getDimSize(1), rank));
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

LogicalResult importMeanVarianceNormalization(NodeContext &node) {
  FailureOr<Value> x = node.input(0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> axes =
      node.intsAttr("axes").value_or(SmallVector<int64_t>{0, 2, 3});
  FailureOr<Moments> stats = moments(node, *x, axes, 1e-9);
  if (failed(stats))
    return failure();
  FailureOr<Value> y =
      node.create("kiln.mul", ValueRange{stats->centered, stats->invStd});
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

/// x / sqrt(mean(x^2 over axis...) + epsilon) * scale.
LogicalResult importRMSNormalization(NodeContext &node) {
  FailureOr<Value> x = node.input(0), scale = node.input(1);
  if (failed(x) || failed(scale))
    return failure();
  int64_t rank = cast<RankedTensorType>(x->getType()).getRank();
  int64_t axis = node.intAttr("axis", -1);
  if (axis < 0)
    axis += rank;
  SmallVector<int64_t> axes;
  for (int64_t d = axis; d < rank; ++d)
    axes.push_back(d);
  FailureOr<Value> squares = node.create("kiln.mul", ValueRange{*x, *x});
  if (failed(squares))
    return failure();
  FailureOr<Value> meanSquare =
      node.create("kiln.mean", ValueRange{*squares},
                  {node.named("axes", node.ints(axes)),
                   node.named("keepdims", node.builder.getBoolAttr(true))});
  if (failed(meanSquare))
    return failure();
  FailureOr<Value> shifted = node.create(
      "kiln.add",
      ValueRange{*meanSquare,
                 node.scalarLike(*x, node.floatAttr("epsilon", 1e-5))});
  if (failed(shifted))
    return failure();
  FailureOr<Value> inverse = node.create("kiln.rsqrt", ValueRange{*shifted});
  if (failed(inverse))
    return failure();
  FailureOr<Value> normalized =
      node.create("kiln.mul", ValueRange{*x, *inverse});
  if (failed(normalized))
    return failure();
  FailureOr<Value> y = affine(node, *normalized, *scale, Value());
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

/// x / ||x||_p along axis (p 1 or 2).
LogicalResult importLpNormalization(NodeContext &node) {
  FailureOr<Value> x = node.input(0);
  if (failed(x))
    return failure();
  int64_t p = node.intAttr("p", 2);
  if (p != 1 && p != 2)
    return node.error() << "p must be 1 or 2, got " << p;
  FailureOr<Value> mapped = p == 1
                                ? node.create("kiln.abs", ValueRange{*x})
                                : node.create("kiln.mul", ValueRange{*x, *x});
  if (failed(mapped))
    return failure();
  FailureOr<Value> total =
      node.create("kiln.sum", ValueRange{*mapped},
                  {node.named("axes", node.ints({node.intAttr("axis", -1)})),
                   node.named("keepdims", node.builder.getBoolAttr(true))});
  if (failed(total))
    return failure();
  if (p == 2) {
    total = node.create("kiln.sqrt", ValueRange{*total});
    if (failed(total))
      return failure();
  }
  FailureOr<Value> quotient = node.create("kiln.div", ValueRange{*x, *total});
  if (failed(quotient))
    return failure();
  // A zero vector stays zero (ONNX's reference), not 0/0.
  FailureOr<Value> zero =
      node.compare(ComparePredicate::eq, *total, node.scalarLike(*total, 0));
  if (failed(zero))
    return failure();
  FailureOr<Value> y = node.create(
      "kiln.select", ValueRange{*zero, node.scalarLike(*x, 0), *quotient});
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

/// Statistics per group of channels: [N, C, ...] as [N, G, rest].
LogicalResult importGroupNormalization(NodeContext &node) {
  FailureOr<Value> x = node.input(0), scale = node.input(1),
                   bias = node.input(2);
  if (failed(x) || failed(scale) || failed(bias))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  int64_t rank = type.getRank(), groups = node.intAttr("num_groups", 0);
  if (rank < 3 ||
      llvm::any_of(type.getShape().drop_front(), ShapedType::isDynamic))
    return node.unsupported("an input without static [C, spatial...]");
  int64_t channels = type.getDimSize(1);
  if (groups < 1 || channels % groups)
    return node.error() << "num_groups " << groups << " does not divide "
                        << channels << " channels";
  int64_t rest = type.getNumElements() / type.getDimSize(0) / groups;
  if (type.isDynamicDim(0)) {
    rest = 1;
    for (int64_t dim : type.getShape().drop_front())
      rest *= dim;
    rest /= groups;
  }
  FailureOr<Value> grouped = node.reshape(*x, {-1, groups, rest});
  if (failed(grouped))
    return failure();
  FailureOr<Moments> stats =
      moments(node, *grouped, {2}, node.floatAttr("epsilon", 1e-5));
  if (failed(stats))
    return failure();
  FailureOr<Value> normalized =
      node.create("kiln.mul", ValueRange{stats->centered, stats->invStd});
  if (failed(normalized))
    return failure();
  Value y = *normalized;
  bool perGroup =
      cast<RankedTensorType>(scale->getType()).getDimSize(0) == groups &&
      groups != channels;
  if (perGroup) {
    // Opset 18: one scale and bias per group.
    FailureOr<Value> scaled = affine(node, y, *scale, *bias, {groups, 1});
    if (failed(scaled))
      return failure();
    y = *scaled;
  }
  SmallVector<int64_t> shape(type.getShape());
  shape[0] = -1;
  FailureOr<Value> back = node.reshape(y, shape);
  if (failed(back))
    return failure();
  y = *back;
  if (!perGroup) {
    FailureOr<Value> scaled =
        affine(node, y, *scale, *bias, channelShape(channels, rank));
    if (failed(scaled))
      return failure();
    y = *scaled;
  }
  node.setResult(0, y);
  return success();
}

} // namespace

void kiln::onnx::detail::addNormalizationImporters(OpTable &table) {
  table["RMSNormalization"] = importRMSNormalization;
  table["LpNormalization"] = importLpNormalization;
  table["GroupNormalization"] = importGroupNormalization;
  table["BatchNormalization"] = importBatchNormalization;
  table["LayerNormalization"] = importLayerNormalization;
  table["InstanceNormalization"] = importInstanceNormalization;
  table["MeanVarianceNormalization"] = importMeanVarianceNormalization;
}
