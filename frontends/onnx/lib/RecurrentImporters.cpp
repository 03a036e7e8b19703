//===- RecurrentImporters.cpp - ONNX RNN, GRU and LSTM onto kiln ops ------===//
//
// Kiln's recurrent ops follow PyTorch: batch-first sequences, gates in
// PyTorch's order, input and hidden biases apart. ONNX's are sequence-first
// (layout 0) with gates in another order and the biases stacked; the
// importer moves the axes, permutes the gate blocks of the weights with a
// constant gather, and runs a reverse direction on the reversed sequence.
// ONNX's defaults only: the standard activations, no clip, no peepholes,
// no sequence_lens, and GRU's linear_before_reset = 1 (PyTorch's cell).
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "kiln/Dialect/KilnOps.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::onnx::detail;

namespace {

struct CellKind {
  StringRef kilnOp;
  int64_t gates;
  /// Kiln's gate g is ONNX's gate order[g].
  SmallVector<int64_t, 4> order;
};

CellKind cellOf(StringRef onnxOp) {
  if (onnxOp == "LSTM") // ONNX i, o, f, c; PyTorch i, f, g, o.
    return {"kiln.lstm", 4, {0, 2, 3, 1}};
  if (onnxOp == "GRU") // ONNX z, r, h; PyTorch r, z, n.
    return {"kiln.gru", 3, {1, 0, 2}};
  return {"kiln.rnn", 1, {0}};
}

FailureOr<Value> transpose(NodeContext &node, Value x, ArrayRef<int64_t> perm) {
  return node.create("kiln.transpose", ValueRange{x},
                     {node.named("perm", node.ints(perm))});
}

/// `weights` [D, G*H, ...] with its gate blocks in Kiln's order.
FailureOr<Value> reorderGates(NodeContext &node, Value weights,
                              const CellKind &cell, int64_t hidden) {
  if (cell.gates == 1)
    return weights;
  SmallVector<int64_t> rows;
  for (int64_t gate : cell.order)
    for (int64_t h = 0; h < hidden; ++h)
      rows.push_back(gate * hidden + h);
  Value indices = node.constant(DenseElementsAttr::get(
      RankedTensorType::get({static_cast<int64_t>(rows.size())},
                            node.builder.getI64Type()),
      llvm::ArrayRef(rows)));
  return node.create("kiln.gather", ValueRange{weights, indices},
                     {node.named("axis", node.builder.getI64IntegerAttr(1))});
}

/// `x` reversed along `axis` (of static size).
FailureOr<Value> reverse(NodeContext &node, Value x, int64_t axis) {
  int64_t size = cast<RankedTensorType>(x.getType()).getDimSize(axis);
  if (ShapedType::isDynamic(size))
    return node.unsupported("a reverse direction over a dynamic length");
  SmallVector<int64_t> order;
  for (int64_t i = size - 1; i >= 0; --i)
    order.push_back(i);
  Value indices = node.constant(DenseElementsAttr::get(
      RankedTensorType::get({size}, node.builder.getI64Type()),
      llvm::ArrayRef(order)));
  return node.create(
      "kiln.gather", ValueRange{x, indices},
      {node.named("axis", node.builder.getI64IntegerAttr(axis))});
}

LogicalResult importRecurrent(NodeContext &node) {
  StringRef type = node.node.op_type();
  CellKind cell = cellOf(type);
  std::string direction = node.stringAttr("direction", "forward");
  int64_t hidden = node.intAttr("hidden_size", 0);
  bool batchFirst = node.intAttr("layout", 0) != 0;
  if (node.hasAttr("activations") || node.hasAttr("activation_alpha") ||
      node.hasAttr("activation_beta"))
    return node.unsupported("activations other than the defaults");
  if (node.hasAttr("clip"))
    return node.unsupported("clip");
  if (node.intAttr("input_forget", 0) != 0)
    return node.unsupported("input_forget");
  if (type == "GRU" && node.intAttr("linear_before_reset", 0) == 0)
    return node.unsupported("linear_before_reset 0 (Kiln's GRU cell is "
                            "PyTorch's, linear_before_reset 1)");
  if (node.hasInput(4))
    return node.unsupported("sequence_lens");
  if (type == "LSTM" && node.hasInput(7))
    return node.unsupported("peepholes");
  if (direction != "forward" && direction != "reverse" &&
      direction != "bidirectional")
    return node.error() << "unknown direction '" << direction << "'";
  if (hidden <= 0)
    return node.error() << "needs hidden_size";
  bool bidirectional = direction == "bidirectional";
  int64_t directions = bidirectional ? 2 : 1;
  int64_t gateRows = cell.gates * hidden;

  FailureOr<Value> x = node.input(0), w = node.input(1), r = node.input(2);
  if (failed(x) || failed(w) || failed(r))
    return failure();
  // Batch first, as Kiln's ops take it.
  Value sequence = *x;
  if (!batchFirst) {
    FailureOr<Value> moved = transpose(node, sequence, {1, 0, 2});
    if (failed(moved))
      return failure();
    sequence = *moved;
  }
  if (direction == "reverse") {
    FailureOr<Value> reversed = reverse(node, sequence, 1);
    if (failed(reversed))
      return failure();
    sequence = *reversed;
  }
  FailureOr<Value> wIh = reorderGates(node, *w, cell, hidden),
                   wHh = reorderGates(node, *r, cell, hidden);
  if (failed(wIh) || failed(wHh))
    return failure();
  Value bIh, bHh;
  if (node.hasInput(3)) {
    FailureOr<Value> b = node.input(3);
    if (failed(b))
      return failure();
    auto half = [&](int64_t first) {
      return node.create("kiln.slice", ValueRange{*b},
                         {node.named("axes", node.ints({1})),
                          node.named("starts", node.ints({first})),
                          node.named("ends", node.ints({first + gateRows}))});
    };
    FailureOr<Value> inputBias = half(0), hiddenBias = half(gateRows);
    if (failed(inputBias) || failed(hiddenBias))
      return failure();
    FailureOr<Value> ordered = reorderGates(node, *inputBias, cell, hidden),
                     orderedHidden =
                         reorderGates(node, *hiddenBias, cell, hidden);
    if (failed(ordered) || failed(orderedHidden))
      return failure();
    bIh = *ordered;
    bHh = *orderedHidden;
  } else {
    Type element = getElementTypeOrSelf(sequence.getType());
    auto zerosType = RankedTensorType::get({directions, gateRows}, element);
    bIh = bHh = node.constant(
        DenseElementsAttr::get(zerosType, FloatAttr::get(element, 0.0)));
  }
  SmallVector<Value> operands = {sequence, *wIh, *wHh, bIh, bHh};
  // Initial states: [D, N, H] (layout 1: [N, D, H]).
  unsigned stateInputs = type == "LSTM" ? 2 : 1;
  // A zero state sized by the batch (PyTorch's export of the default) is
  // no state at all.
  auto zeroFill = [&](unsigned i) {
    std::optional<double> fill = node.runTimeFill(i);
    return fill && *fill == 0.0;
  };
  bool given = node.hasInput(5) && !zeroFill(5);
  if (type == "LSTM" && node.hasInput(6) && zeroFill(6) && given)
    return node.unsupported("an initial hidden state with a zero cell "
                            "state sized at run time");
  if (type == "LSTM" && given != (node.hasInput(6) && !zeroFill(6)))
    return node.unsupported("one initial state without the other");
  if (given)
    for (unsigned i = 0; i < stateInputs; ++i) {
      FailureOr<Value> state = node.input(5 + i);
      if (failed(state))
        return failure();
      Value h = *state;
      if (batchFirst) {
        FailureOr<Value> moved = transpose(node, h, {1, 0, 2});
        if (failed(moved))
          return failure();
        h = *moved;
      }
      operands.push_back(h);
    }
  SmallVector<NamedAttribute> attrs;
  if (bidirectional)
    attrs.push_back(node.named("bidirectional", node.builder.getUnitAttr()));
  if (type == "LSTM")
    attrs.push_back(
        node.named("operandSegmentSizes",
                   node.builder.getDenseI32ArrayAttr(
                       {1, 1, 1, 1, 1, given ? 1 : 0, given ? 1 : 0})));
  FailureOr<Operation *> op =
      node.createMulti(cell.kilnOp, operands, attrs, type == "LSTM" ? 3 : 2);
  if (failed(op))
    return failure();

  // Y: [N, T, D*H] to [T, D, N, H] (layout 1: [N, T, D, H]).
  Value y = (*op)->getResult(0);
  if (direction == "reverse") {
    FailureOr<Value> back = reverse(node, y, 1);
    if (failed(back))
      return failure();
    y = *back;
  }
  auto yType = cast<RankedTensorType>(y.getType());
  auto size = [](int64_t dim) { return ShapedType::isDynamic(dim) ? -1 : dim; };
  FailureOr<Value> split =
      node.reshape(y, {size(yType.getDimSize(0)), size(yType.getDimSize(1)),
                       directions, hidden});
  if (failed(split))
    return failure();
  FailureOr<Value> yOut =
      batchFirst ? split : transpose(node, *split, {1, 2, 0, 3});
  if (failed(yOut))
    return failure();
  node.setResult(0, *yOut);
  // Y_h, Y_c: [D, N, H] (layout 1: [N, D, H]).
  for (unsigned i = 1; i < (*op)->getNumResults(); ++i) {
    Value state = (*op)->getResult(i);
    if (batchFirst) {
      FailureOr<Value> moved = transpose(node, state, {1, 0, 2});
      if (failed(moved))
        return failure();
      state = *moved;
    }
    node.setResult(i, state);
  }
  return success();
}

} // namespace

void kiln::onnx::detail::addRecurrentImporters(OpTable &table) {
  table["RNN"] = importRecurrent;
  table["GRU"] = importRecurrent;
  table["LSTM"] = importRecurrent;
}
