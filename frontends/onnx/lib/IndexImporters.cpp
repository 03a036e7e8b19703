//===- IndexImporters.cpp - ONNX ops defined by positions -----------------===//
//
// Trilu (a constant mask), EyeLike (a constant), OneHot, Hardmax, CumSum
// (a product with a constant triangular matrix), composed from kiln ops.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "kiln/Dialect/KilnOps.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::onnx::detail;

namespace {

/// A constant i1 or `element` matrix [rows, cols] with `entry(i, j)`.
template <typename Entry>
DenseElementsAttr matrixOf(int64_t rows, int64_t cols, Type element,
                           Entry entry) {
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      bool on = entry(i, j);
      if (element.isInteger(1))
        values.push_back(BoolAttr::get(element.getContext(), on));
      else if (isa<FloatType>(element))
        values.push_back(FloatAttr::get(element, on ? 1.0 : 0.0));
      else
        values.push_back(IntegerAttr::get(element, on ? 1 : 0));
    }
  return DenseElementsAttr::get(RankedTensorType::get({rows, cols}, element),
                                values);
}

/// The permutation that moves `axis` of a rank-`rank` tensor last, and
/// its inverse.
std::pair<SmallVector<int64_t>, SmallVector<int64_t>> axisLast(int64_t axis,
                                                               int64_t rank) {
  SmallVector<int64_t> perm, inverse(rank);
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis)
      perm.push_back(d);
  perm.push_back(axis);
  for (int64_t d = 0; d < rank; ++d)
    inverse[perm[d]] = d;
  return {perm, inverse};
}

FailureOr<Value> transpose(NodeContext &node, Value x, ArrayRef<int64_t> perm) {
  bool identity = true;
  for (auto [i, p] : llvm::enumerate(perm))
    identity &= static_cast<int64_t>(i) == p;
  if (identity)
    return x;
  return node.create("kiln.transpose", ValueRange{x},
                     {node.named("perm", node.ints(perm))});
}

LogicalResult importTrilu(NodeContext &node) {
  FailureOr<Value> x = node.input(0);
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  int64_t rank = type.getRank();
  if (rank < 2 || type.isDynamicDim(rank - 1) || type.isDynamicDim(rank - 2))
    return node.unsupported("matrices of dynamic size");
  int64_t k = 0;
  if (node.hasInput(1)) {
    FailureOr<double> given = node.constantScalar(1, "k");
    if (failed(given))
      return failure();
    k = static_cast<int64_t>(*given);
  }
  bool upper = node.intAttr("upper", 1) != 0;
  Value mask = node.constant(matrixOf(
      type.getDimSize(rank - 2), type.getDimSize(rank - 1),
      node.builder.getI1Type(),
      [&](int64_t i, int64_t j) { return upper ? j - i >= k : j - i <= k; }));
  FailureOr<Value> y =
      node.create("kiln.select", ValueRange{mask, *x, node.scalarLike(*x, 0)});
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

LogicalResult importEyeLike(NodeContext &node) {
  RankedTensorType type = node.inputType(0);
  if (!type.hasStaticShape() || type.getRank() != 2)
    return node.unsupported("an input that is not a static matrix");
  Type element = type.getElementType();
  if (node.hasAttr("dtype")) {
    element =
        elementTypeOf(node.intAttr("dtype", 0), node.builder.getContext());
    if (!element)
      return node.unsupported("dtype " +
                              onnxTypeName(node.intAttr("dtype", 0)));
  }
  int64_t k = node.intAttr("k", 0);
  node.setConstantResult(
      0, matrixOf(type.getDimSize(0), type.getDimSize(1), element,
                  [&](int64_t i, int64_t j) { return j - i == k; }));
  return success();
}

/// one_hot along `axis` (counted in the result), as `values` [off, on].
FailureOr<Value> oneHotAlong(NodeContext &node, Value indices, int64_t depth,
                             int64_t axis, Type element, double off,
                             double on) {
  FailureOr<Value> encoded =
      node.create("kiln.one_hot", ValueRange{indices},
                  {node.named("depth", node.builder.getI64IntegerAttr(depth)),
                   node.named("dtype", TypeAttr::get(element))});
  if (failed(encoded))
    return failure();
  Value y = *encoded;
  if (off != 0.0 || on != 1.0) {
    FailureOr<Value> scaled =
        node.create("kiln.mul", ValueRange{y, node.scalarLike(y, on - off)});
    if (failed(scaled))
      return failure();
    FailureOr<Value> shifted =
        node.create("kiln.add", ValueRange{*scaled, node.scalarLike(y, off)});
    if (failed(shifted))
      return failure();
    y = *shifted;
  }
  int64_t rank = cast<RankedTensorType>(y.getType()).getRank();
  auto [perm, inverse] = axisLast(axis, rank);
  return transpose(node, y, inverse);
}

LogicalResult importOneHot(NodeContext &node) {
  FailureOr<Value> indices = node.input(0);
  FailureOr<double> depth = node.constantScalar(1, "depth");
  std::optional<DenseElementsAttr> values = node.constantInput(2);
  if (failed(indices) || failed(depth))
    return failure();
  if (!values || values->getNumElements() != 2)
    return node.unsupported("values that are not two constants");
  SmallVector<double> offOn;
  if (isa<FloatType>(values->getElementType()))
    for (const APFloat &v : values->getValues<APFloat>())
      offOn.push_back(v.convertToDouble());
  else
    for (const APInt &v : values->getValues<APInt>())
      offOn.push_back(static_cast<double>(v.getSExtValue()));
  Value index = *indices;
  if (isa<FloatType>(getElementTypeOrSelf(index.getType()))) {
    FailureOr<Value> cast = node.create(
        "kiln.cast", ValueRange{index},
        {node.named("to", TypeAttr::get(node.builder.getI64Type()))});
    if (failed(cast))
      return failure();
    index = *cast;
  }
  // Negative indices count from the end of the depth.
  FailureOr<Value> negative =
      node.compare(ComparePredicate::lt, index, node.scalarLike(index, 0));
  FailureOr<Value> wrapped = node.create(
      "kiln.add", ValueRange{index, node.scalarLike(index, *depth)});
  if (failed(negative) || failed(wrapped))
    return failure();
  FailureOr<Value> resolved =
      node.create("kiln.select", ValueRange{*negative, *wrapped, index});
  if (failed(resolved))
    return failure();
  int64_t rank = cast<RankedTensorType>(index.getType()).getRank() + 1;
  int64_t axis = node.intAttr("axis", -1);
  if (axis < 0)
    axis += rank;
  FailureOr<Value> y =
      oneHotAlong(node, *resolved, static_cast<int64_t>(*depth), axis,
                  values->getElementType(), offOn[0], offOn[1]);
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

/// GatherElements: out[..., i, ...] = data[..., indices[..., i, ...], ...]
/// along `axis`, as a one-hot selection: with the axis moved last, each
/// index becomes a one-hot row over the data's axis, multiplied with the
/// data and summed. The other dimensions of indices must be the data's.
LogicalResult importGatherElements(NodeContext &node) {
  FailureOr<Value> data = node.input(0), indices = node.input(1);
  if (failed(data) || failed(indices))
    return failure();
  auto dataType = cast<RankedTensorType>(data->getType());
  auto indexType = cast<RankedTensorType>(indices->getType());
  int64_t rank = dataType.getRank();
  int64_t axis = node.intAttr("axis", 0);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank || indexType.getRank() != rank)
    return node.error() << "axis or index rank out of range";
  int64_t size = dataType.getDimSize(axis);
  if (ShapedType::isDynamic(size))
    return node.unsupported("a dynamic size along the axis");
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis && dataType.getDimSize(d) != indexType.getDimSize(d))
      return node.unsupported("indices smaller than the data outside the "
                              "axis");
  // Negative indices count from the end.
  FailureOr<Value> negative = node.compare(
      ComparePredicate::lt, *indices, node.scalarLike(*indices, 0));
  FailureOr<Value> wrapped = node.create(
      "kiln.add", ValueRange{*indices, node.scalarLike(*indices, size)});
  if (failed(negative) || failed(wrapped))
    return failure();
  FailureOr<Value> resolved =
      node.create("kiln.select", ValueRange{*negative, *wrapped, *indices});
  if (failed(resolved))
    return failure();
  auto [perm, inverse] = axisLast(axis, rank);
  FailureOr<Value> movedData = transpose(node, *data, perm);
  FailureOr<Value> movedIndices = transpose(node, *resolved, perm);
  if (failed(movedData) || failed(movedIndices))
    return failure();
  // [..., K] indices -> [..., K, S] one-hot rows; data [..., S] -> [..., 1, S].
  FailureOr<Value> rows = node.create(
      "kiln.one_hot", ValueRange{*movedIndices},
      {node.named("depth", node.builder.getI64IntegerAttr(size)),
       node.named("dtype", TypeAttr::get(dataType.getElementType()))});
  if (failed(rows))
    return failure();
  SmallVector<int64_t> expanded(
      cast<RankedTensorType>(movedData->getType()).getShape());
  expanded.insert(expanded.end() - 1, 1);
  for (int64_t &dim : expanded)
    if (ShapedType::isDynamic(dim))
      dim = -1;
  FailureOr<Value> table = node.reshape(*movedData, expanded);
  if (failed(table))
    return failure();
  FailureOr<Value> picked = node.create("kiln.mul", ValueRange{*rows, *table});
  if (failed(picked))
    return failure();
  FailureOr<Value> gathered = node.create(
      "kiln.sum", ValueRange{*picked},
      {node.named("axes", node.ints({rank})),
       node.named("keepdims", node.builder.getBoolAttr(false))});
  if (failed(gathered))
    return failure();
  FailureOr<Value> y = transpose(node, *gathered, inverse);
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

LogicalResult importHardmax(NodeContext &node) {
  FailureOr<Value> x = node.input(0);
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  int64_t rank = type.getRank();
  int64_t axis = node.intAttr("axis", node.opset >= 13 ? -1 : 1);
  if (axis < 0)
    axis += rank;
  if (node.opset < 13 && axis != rank - 1)
    return node.unsupported("the flattening axis of opsets before 13");
  if (type.isDynamicDim(axis))
    return node.unsupported("a dynamic size along the axis");
  FailureOr<Value> winner =
      node.create("kiln.argmax", ValueRange{*x},
                  {node.named("axis", node.builder.getI64IntegerAttr(axis)),
                   node.named("keepdims", node.builder.getBoolAttr(false))});
  if (failed(winner))
    return failure();
  FailureOr<Value> y = oneHotAlong(node, *winner, type.getDimSize(axis), axis,
                                   type.getElementType(), 0, 1);
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

LogicalResult importCumSum(NodeContext &node) {
  FailureOr<Value> x = node.input(0);
  FailureOr<double> axisValue = node.constantScalar(1, "axis");
  if (failed(x) || failed(axisValue))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  int64_t rank = type.getRank();
  int64_t axis = static_cast<int64_t>(*axisValue);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank || type.isDynamicDim(axis))
    return node.unsupported("an axis out of range or of dynamic size");
  bool exclusive = node.intAttr("exclusive", 0) != 0;
  bool reverse = node.intAttr("reverse", 0) != 0;
  int64_t size = type.getDimSize(axis);
  // y[..., j] = sum_i x[..., i] * T[i, j] along the axis moved last.
  Value triangle = node.constant(
      matrixOf(size, size, type.getElementType(), [&](int64_t i, int64_t j) {
        if (reverse)
          return exclusive ? i > j : i >= j;
        return exclusive ? i < j : i <= j;
      }));
  auto [perm, inverse] = axisLast(axis, rank);
  FailureOr<Value> moved = transpose(node, *x, perm);
  if (failed(moved))
    return failure();
  Value lhs = *moved;
  if (rank == 1) {
    FailureOr<Value> row = node.reshape(lhs, {1, size});
    if (failed(row))
      return failure();
    lhs = *row;
  }
  FailureOr<Value> sums = node.create("kiln.matmul", ValueRange{lhs, triangle});
  if (failed(sums))
    return failure();
  Value y = *sums;
  if (rank == 1) {
    FailureOr<Value> flat = node.reshape(y, {size});
    if (failed(flat))
      return failure();
    y = *flat;
  }
  FailureOr<Value> back = transpose(node, y, inverse);
  if (failed(back))
    return failure();
  node.setResult(0, *back);
  return success();
}

} // namespace

void kiln::onnx::detail::addIndexImporters(OpTable &table) {
  table["Trilu"] = importTrilu;
  table["EyeLike"] = importEyeLike;
  table["OneHot"] = importOneHot;
  table["Hardmax"] = importHardmax;
  table["GatherElements"] = importGatherElements;
  table["CumSum"] = importCumSum;
}
