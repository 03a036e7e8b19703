//===- ReductionImporters.cpp - ONNX reductions onto kiln ops -------------===//
//
// ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceLogSumExp directly;
// ReduceL1, ReduceL2, ReduceSumSquare and ReduceLogSum composed; ArgMax
// and ArgMin.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "kiln/Dialect/KilnOps.h"

#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::onnx::detail;

namespace {

/// The reduced axes: an attribute, or from opset 13 (ReduceSum) or 18
/// (the others) an optional input. Empty means every axis, unless
/// noop_with_empty_axes makes the op the identity (nullopt).
FailureOr<std::optional<SmallVector<int64_t>>> reducedAxes(NodeContext &node) {
  bool axesInput = node.opset >= (node.node.op_type() == "ReduceSum" ? 13 : 18);
  SmallVector<int64_t> axes;
  if (!axesInput) {
    axes = node.intsAttr("axes").value_or(SmallVector<int64_t>());
  } else if (node.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> given = node.constantInts(1, "axes");
    if (failed(given))
      return failure();
    axes = *given;
  }
  if (axes.empty() && node.intAttr("noop_with_empty_axes", 0) != 0)
    return std::optional<SmallVector<int64_t>>();
  return std::optional<SmallVector<int64_t>>(axes);
}

LogicalResult importReduce(NodeContext &node) {
  StringRef type = node.node.op_type();
  FailureOr<std::optional<SmallVector<int64_t>>> axes = reducedAxes(node);
  FailureOr<Value> x = node.input(0);
  if (failed(axes) || failed(x))
    return failure();
  if (!*axes) {
    node.setResult(0, *x);
    return success();
  }
  Value input = *x;
  // The elementwise step before the reduction.
  if (type == "ReduceL1" || type == "ReduceL2" || type == "ReduceSumSquare") {
    FailureOr<Value> mapped =
        type == "ReduceL1" ? node.create("kiln.abs", ValueRange{input})
                           : node.create("kiln.mul", ValueRange{input, input});
    if (failed(mapped))
      return failure();
    input = *mapped;
  }
  StringRef op = llvm::StringSwitch<StringRef>(type)
                     .Case("ReduceMean", "kiln.mean")
                     .Case("ReduceMax", "kiln.max")
                     .Case("ReduceMin", "kiln.min")
                     .Case("ReduceLogSumExp", "kiln.logsumexp")
                     .Default("kiln.sum");
  FailureOr<Value> y = node.create(
      op, ValueRange{input},
      {node.named("axes", node.ints(**axes)),
       node.named("keepdims",
                  node.builder.getBoolAttr(node.intAttr("keepdims", 1)))});
  if (failed(y))
    return failure();
  // The elementwise step after it.
  if (type == "ReduceL2" || type == "ReduceLogSum") {
    y = node.create(type == "ReduceL2" ? "kiln.sqrt" : "kiln.log",
                    ValueRange{*y});
    if (failed(y))
      return failure();
  }
  node.setResult(0, *y);
  return success();
}

LogicalResult importArgReduce(NodeContext &node) {
  FailureOr<Value> x = node.input(0);
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  int64_t axis = node.intAttr("axis", 0);
  if (axis < 0)
    axis += type.getRank();
  if (axis < 0 || axis >= type.getRank())
    return node.error() << "axis " << node.intAttr("axis", 0)
                        << " is out of range for rank " << type.getRank();
  bool last = node.intAttr("select_last_index", 0) != 0;
  int64_t size = type.getDimSize(axis);
  Value input = *x;
  if (last) {
    // The last extreme is the first one of the reversed axis.
    if (ShapedType::isDynamic(size))
      return node.unsupported("select_last_index along a dynamic size");
    SmallVector<int64_t> reversed;
    for (int64_t i = size - 1; i >= 0; --i)
      reversed.push_back(i);
    Value indices = node.constant(DenseElementsAttr::get(
        RankedTensorType::get({size}, node.builder.getI64Type()),
        llvm::ArrayRef(reversed)));
    FailureOr<Value> flipped =
        node.create("kiln.gather", ValueRange{input, indices},
                    {node.named("axis", node.builder.getI64IntegerAttr(axis))});
    if (failed(flipped))
      return failure();
    input = *flipped;
  }
  FailureOr<Value> y = node.create(
      node.node.op_type() == "ArgMax" ? "kiln.argmax" : "kiln.argmin",
      ValueRange{input},
      {node.named("axis", node.builder.getI64IntegerAttr(axis)),
       node.named("keepdims",
                  node.builder.getBoolAttr(node.intAttr("keepdims", 1)))});
  if (failed(y))
    return failure();
  if (last) {
    y = node.create("kiln.sub", ValueRange{node.scalarLike(*y, size - 1), *y});
    if (failed(y))
      return failure();
  }
  node.setResult(0, *y);
  return success();
}

} // namespace

void kiln::onnx::detail::addReductionImporters(OpTable &table) {
  for (StringRef op :
       {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceLogSumExp",
        "ReduceL1", "ReduceL2", "ReduceSumSquare", "ReduceLogSum"})
    table[op] = importReduce;
  table["ArgMax"] = importArgReduce;
  table["ArgMin"] = importArgReduce;
}
