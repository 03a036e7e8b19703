//===- LossImporters.cpp - ONNX's class losses composed from kiln ops -----===//
//
// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss in full (class
// weights, ignore_index, extra dimensions [N, C, d1, ...], every
// reduction) are built from one_hot, gather and reductions, so that every
// form differentiates like any other graph.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "kiln/Dialect/KilnOps.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::onnx::detail;

namespace {

FailureOr<Value> reduce(NodeContext &node, StringRef op, Value x,
                        ArrayRef<int64_t> axes, bool keepdims = false) {
  return node.create(
      op, ValueRange{x},
      {node.named("axes", node.ints(axes)),
       node.named("keepdims", node.builder.getBoolAttr(keepdims))});
}

SmallVector<int64_t> allAxes(Value x) {
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < cast<RankedTensorType>(x.getType()).getRank(); ++d)
    axes.push_back(d);
  return axes;
}

/// The negative log-likelihood of `logProb` ([N, C, d...], log
/// probabilities) at `target` ([N, d...]), with the node's weight input
/// (`weightInput`), ignore_index and reduction.
FailureOr<Value> negativeLogLikelihood(NodeContext &node, Value logProb,
                                       unsigned weightInput) {
  FailureOr<Value> target = node.input(1);
  if (failed(target))
    return failure();
  auto type = cast<RankedTensorType>(logProb.getType());
  int64_t rank = type.getRank(), classes = type.getDimSize(1);
  if (rank < 2 || ShapedType::isDynamic(classes))
    return node.unsupported("scores without a static class dimension 1");
  std::string reduction = node.stringAttr("reduction", "mean");
  if (reduction != "mean" && reduction != "sum" && reduction != "none")
    return node.error() << "unknown reduction '" << reduction << "'";

  // Classes last, to meet one_hot's layout.
  Value scores = logProb;
  if (rank > 2) {
    SmallVector<int64_t> perm = {0};
    for (int64_t d = 2; d < rank; ++d)
      perm.push_back(d);
    perm.push_back(1);
    FailureOr<Value> moved = node.create("kiln.transpose", ValueRange{scores},
                                         {node.named("perm", node.ints(perm))});
    if (failed(moved))
      return failure();
    scores = *moved;
  }
  // Ignored targets pick class 0 and weigh nothing.
  Value safeTarget = *target, keep;
  bool ignoring = node.hasAttr("ignore_index");
  if (ignoring) {
    Value ignored = node.scalarLike(*target, node.intAttr("ignore_index", 0));
    FailureOr<Value> isIgnored =
        node.compare(ComparePredicate::eq, *target, ignored);
    if (failed(isIgnored))
      return failure();
    FailureOr<Value> safe = node.create(
        "kiln.select",
        ValueRange{*isIgnored, node.scalarLike(*target, 0), *target});
    FailureOr<Value> kept = node.create(
        "kiln.select", ValueRange{*isIgnored, node.scalarLike(logProb, 0),
                                  node.scalarLike(logProb, 1)});
    if (failed(safe) || failed(kept))
      return failure();
    safeTarget = *safe;
    keep = *kept;
  }
  FailureOr<Value> oneHot =
      node.create("kiln.one_hot", ValueRange{safeTarget},
                  {node.named("depth", node.builder.getI64IntegerAttr(classes)),
                   node.named("dtype", TypeAttr::get(type.getElementType()))});
  if (failed(oneHot))
    return failure();
  FailureOr<Value> picked =
      node.create("kiln.mul", ValueRange{*oneHot, scores});
  if (failed(picked))
    return failure();
  int64_t last = cast<RankedTensorType>(picked->getType()).getRank() - 1;
  FailureOr<Value> chosen = reduce(node, "kiln.sum", *picked, {last});
  if (failed(chosen))
    return failure();
  FailureOr<Value> loss = node.create("kiln.neg", ValueRange{*chosen});
  if (failed(loss))
    return failure();

  Value weights = keep;
  if (node.hasInput(weightInput)) {
    FailureOr<Value> classWeights = node.input(weightInput);
    if (failed(classWeights))
      return failure();
    FailureOr<Value> perSample =
        node.create("kiln.gather", ValueRange{*classWeights, safeTarget},
                    {node.named("axis", node.builder.getI64IntegerAttr(0))});
    if (failed(perSample))
      return failure();
    weights = *perSample;
    if (keep) {
      FailureOr<Value> masked =
          node.create("kiln.mul", ValueRange{weights, keep});
      if (failed(masked))
        return failure();
      weights = *masked;
    }
  }
  if (weights) {
    loss = node.create("kiln.mul", ValueRange{*loss, weights});
    if (failed(loss))
      return failure();
  }
  if (reduction == "none")
    return loss;
  FailureOr<Value> total = reduce(node, "kiln.sum", *loss, allAxes(*loss));
  if (failed(total) || reduction == "sum")
    return total;
  if (!weights)
    return reduce(node, "kiln.mean", *loss, allAxes(*loss));
  // A weighted mean: divided by the weights of the samples that count.
  FailureOr<Value> weightSum =
      reduce(node, "kiln.sum", weights, allAxes(weights));
  if (failed(weightSum))
    return failure();
  return node.create("kiln.div", ValueRange{*total, *weightSum});
}

LogicalResult importNegativeLogLikelihoodLoss(NodeContext &node) {
  FailureOr<Value> input = node.input(0);
  if (failed(input))
    return failure();
  FailureOr<Value> loss = negativeLogLikelihood(node, *input, 2);
  if (failed(loss))
    return failure();
  node.setResult(0, *loss);
  return success();
}

LogicalResult importSoftmaxCrossEntropyLoss(NodeContext &node) {
  FailureOr<Value> scores = node.input(0);
  if (failed(scores))
    return failure();
  FailureOr<Value> logProb =
      node.create("kiln.log_softmax", ValueRange{*scores},
                  {node.named("axis", node.builder.getI64IntegerAttr(1))});
  if (failed(logProb))
    return failure();
  FailureOr<Value> loss = negativeLogLikelihood(node, *logProb, 2);
  if (failed(loss))
    return failure();
  node.setResult(0, *loss);
  node.setResult(1, *logProb);
  return success();
}

} // namespace

void kiln::onnx::detail::addLossImporters(OpTable &table) {
  table["NegativeLogLikelihoodLoss"] = importNegativeLogLikelihoodLoss;
  table["SoftmaxCrossEntropyLoss"] = importSoftmaxCrossEntropyLoss;
}
