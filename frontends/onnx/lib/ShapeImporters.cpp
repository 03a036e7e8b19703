//===- ShapeImporters.cpp - ONNX shape and data-movement ops onto kiln ----===//
//
// Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Split, Slice,
// Gather, Pad, Expand, Tile; and the ops that only describe tensors —
// Constant, ConstantOfShape, Shape, Size, Range — folded when the model
// compiles, so shapes computed inside an exported graph are static for
// the ops that read them.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "kiln/Dialect/KilnOps.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::onnx::detail;

namespace {

/// `shape` with MLIR's dynamic marker as kiln.reshape's -1.
SmallVector<int64_t> reshapeSizes(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> sizes(shape);
  for (int64_t &dim : sizes)
    if (ShapedType::isDynamic(dim))
      dim = -1;
  return sizes;
}

/// `axis` counted from the front of a tensor of `rank` dimensions.
FailureOr<int64_t> normalizeAxis(NodeContext &node, int64_t axis,
                                 int64_t rank) {
  int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= rank)
    return node.error() << "axis " << axis << " is out of range for rank "
                        << rank;
  return normalized;
}

/// Sets result 0 to `x` reshaped to `shape`, keeping constants constant.
LogicalResult reshapeResult(NodeContext &node, ArrayRef<int64_t> shape) {
  if (std::optional<DenseElementsAttr> value = node.constantInput(0)) {
    auto type = RankedTensorType::get(shape, value->getElementType());
    if (type.hasStaticShape() &&
        type.getNumElements() == value->getNumElements()) {
      node.setConstantResult(0, value->reshape(type));
      return success();
    }
  }
  FailureOr<Value> x = node.input(0);
  if (failed(x))
    return failure();
  FailureOr<Value> y = node.reshape(*x, reshapeSizes(shape));
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

LogicalResult importReshape(NodeContext &node) {
  RankedTensorType type = node.inputType(0);
  FailureOr<SmallVector<int64_t>> shape =
      node.opset < 5
          ? FailureOr<SmallVector<int64_t>>(
                node.intsAttr("shape").value_or(SmallVector<int64_t>()))
          : node.constantInts(1, "shape");
  if (failed(shape))
    return failure();
  bool allowZero = node.intAttr("allowzero", 0) != 0;
  // Sizes: static ones, the batch (the input's dynamic dimension, copied
  // by a 0 or read at run time through Shape), and at most one -1.
  SmallVector<int64_t> sizes;
  int64_t known = 1, inferred = -1, batch = -1;
  for (auto [i, dim] : llvm::enumerate(*shape)) {
    if (dim == 0 && !allowZero) {
      if (i >= static_cast<size_t>(type.getRank()))
        return node.error()
               << "shape entry " << i << " copies a dimension the input lacks";
      dim = type.getDimSize(i);
    }
    if (dim == kRunTimeSize || ShapedType::isDynamic(dim)) {
      if (batch >= 0)
        return node.unsupported("two sizes that depend on the batch");
      batch = i;
      sizes.push_back(ShapedType::kDynamic);
      continue;
    }
    if (dim == -1) {
      if (inferred >= 0)
        return node.error() << "two sizes are -1";
      inferred = i;
      sizes.push_back(ShapedType::kDynamic);
      continue;
    }
    known *= dim;
    sizes.push_back(dim);
  }
  // The -1 is what the input's static sizes leave over: all of them, or,
  // with the batch kept, all but the batch's.
  int64_t staticElements = 1;
  bool onlyBatchDynamic = true;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (type.isDynamicDim(d))
      onlyBatchDynamic &= d == 0;
    else
      staticElements *= type.getDimSize(d);
  }
  if (inferred >= 0 && known > 0) {
    if (type.hasStaticShape() && batch < 0)
      sizes[inferred] = staticElements / known;
    else if (batch >= 0 && onlyBatchDynamic && type.isDynamicDim(0))
      sizes[inferred] = staticElements / known;
    else if (batch >= 0)
      return node.unsupported("a -1 beside the batch whose size the input "
                              "does not fix");
  }
  return reshapeResult(node, sizes);
}

LogicalResult importFlatten(NodeContext &node) {
  RankedTensorType type = node.inputType(0);
  int64_t rank = type.getRank();
  int64_t axis = node.intAttr("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    return node.error() << "axis " << node.intAttr("axis", 1)
                        << " is out of range for rank " << rank;
  auto product = [&](int64_t begin, int64_t end) {
    int64_t size = 1;
    for (int64_t d = begin; d < end; ++d) {
      if (type.isDynamicDim(d))
        return ShapedType::kDynamic;
      size *= type.getDimSize(d);
    }
    return size;
  };
  return reshapeResult(node, {product(0, axis), product(axis, rank)});
}

/// The axes of Squeeze or Unsqueeze: an attribute before opset 13, an
/// input from it.
FailureOr<std::optional<SmallVector<int64_t>>> axesOf(NodeContext &node) {
  if (node.opset < 13)
    return node.intsAttr("axes");
  if (!node.hasInput(1))
    return std::optional<SmallVector<int64_t>>();
  FailureOr<SmallVector<int64_t>> axes = node.constantInts(1, "axes");
  if (failed(axes))
    return failure();
  return std::optional<SmallVector<int64_t>>(*axes);
}

LogicalResult importSqueeze(NodeContext &node) {
  RankedTensorType type = node.inputType(0);
  FailureOr<std::optional<SmallVector<int64_t>>> axes = axesOf(node);
  if (failed(axes))
    return failure();
  int64_t rank = type.getRank();
  SmallVector<bool> drop(rank, false);
  if (!*axes) {
    for (int64_t d = 0; d < rank; ++d)
      drop[d] = type.getDimSize(d) == 1;
  } else {
    for (int64_t axis : **axes) {
      FailureOr<int64_t> d = normalizeAxis(node, axis, rank);
      if (failed(d))
        return failure();
      if (type.getDimSize(*d) != 1)
        return node.error() << "cannot squeeze dimension " << *d << " of size "
                            << type.getDimSize(*d);
      drop[*d] = true;
    }
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d)
    if (!drop[d])
      shape.push_back(type.getDimSize(d));
  return reshapeResult(node, shape);
}

LogicalResult importUnsqueeze(NodeContext &node) {
  RankedTensorType type = node.inputType(0);
  FailureOr<std::optional<SmallVector<int64_t>>> axes = axesOf(node);
  if (failed(axes))
    return failure();
  if (!*axes)
    return node.error() << "needs axes";
  int64_t rank = type.getRank() + (*axes)->size();
  SmallVector<bool> added(rank, false);
  for (int64_t axis : **axes) {
    FailureOr<int64_t> d = normalizeAxis(node, axis, rank);
    if (failed(d))
      return failure();
    added[*d] = true;
  }
  SmallVector<int64_t> shape;
  int64_t next = 0;
  for (int64_t d = 0; d < rank; ++d)
    shape.push_back(added[d] ? 1 : type.getDimSize(next++));
  return reshapeResult(node, shape);
}

LogicalResult importTranspose(NodeContext &node) {
  FailureOr<Value> x = node.input(0);
  if (failed(x))
    return failure();
  int64_t rank = cast<RankedTensorType>(x->getType()).getRank();
  SmallVector<int64_t> perm;
  for (int64_t d = rank - 1; d >= 0; --d)
    perm.push_back(d);
  perm = node.intsAttr("perm").value_or(perm);
  FailureOr<Value> y = node.create("kiln.transpose", ValueRange{*x},
                                   {node.named("perm", node.ints(perm))});
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

LogicalResult importConcat(NodeContext &node) {
  RankedTensorType first = node.inputType(0);
  FailureOr<int64_t> axis =
      normalizeAxis(node, node.intAttr("axis", 0), first.getRank());
  if (failed(axis))
    return failure();
  // Shapes being computed: 1-D constants join at compile time.
  bool constant = first.getRank() == 1;
  SmallVector<Attribute> joined;
  for (unsigned i = 0; i < node.numInputs() && constant; ++i) {
    std::optional<DenseElementsAttr> value = node.constantInput(i);
    if (!value) {
      constant = false;
      break;
    }
    llvm::append_range(joined, value->getValues<Attribute>());
  }
  if (constant) {
    node.setConstantResult(
        0, DenseElementsAttr::get(
               RankedTensorType::get({static_cast<int64_t>(joined.size())},
                                     first.getElementType()),
               joined));
    return success();
  }
  SmallVector<Value> inputs;
  for (unsigned i = 0; i < node.numInputs(); ++i) {
    if (!node.hasInput(i))
      continue;
    FailureOr<Value> input = node.input(i);
    if (failed(input))
      return failure();
    inputs.push_back(*input);
  }
  FailureOr<Value> y =
      node.create("kiln.concat", inputs,
                  {node.named("axis", node.builder.getI64IntegerAttr(*axis))});
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

LogicalResult importSplit(NodeContext &node) {
  RankedTensorType type = node.inputType(0);
  FailureOr<int64_t> axis =
      normalizeAxis(node, node.intAttr("axis", 0), type.getRank());
  if (failed(axis))
    return failure();
  int64_t size = type.getDimSize(*axis);
  if (ShapedType::isDynamic(size))
    return node.unsupported("splitting the dynamic batch");
  SmallVector<int64_t> parts;
  if (node.opset < 13 && node.hasAttr("split")) {
    parts = *node.intsAttr("split");
  } else if (node.opset >= 13 && node.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> given = node.constantInts(1, "split");
    if (failed(given))
      return failure();
    parts = *given;
  } else {
    int64_t count = node.intAttr("num_outputs", node.numOutputs());
    int64_t each = (size + count - 1) / count;
    for (int64_t begin = 0; begin < size; begin += each)
      parts.push_back(std::min(each, size - begin));
  }
  if (parts.size() != node.numOutputs())
    return node.error() << parts.size() << " parts for " << node.numOutputs()
                        << " outputs";
  FailureOr<Value> x = node.input(0);
  if (failed(x))
    return failure();
  int64_t begin = 0;
  for (auto [i, part] : llvm::enumerate(parts)) {
    FailureOr<Value> piece =
        node.create("kiln.slice", ValueRange{*x},
                    {node.named("axes", node.ints({*axis})),
                     node.named("starts", node.ints({begin})),
                     node.named("ends", node.ints({begin + part}))});
    if (failed(piece))
      return failure();
    node.setResult(i, *piece);
    begin += part;
  }
  return success();
}

LogicalResult importSlice(NodeContext &node) {
  RankedTensorType type = node.inputType(0);
  SmallVector<int64_t> starts, ends, axes, steps;
  if (node.opset < 10) {
    starts = node.intsAttr("starts").value_or(SmallVector<int64_t>());
    ends = node.intsAttr("ends").value_or(SmallVector<int64_t>());
    axes = node.intsAttr("axes").value_or(SmallVector<int64_t>());
  } else {
    FailureOr<SmallVector<int64_t>> s = node.constantInts(1, "starts"),
                                    e = node.constantInts(2, "ends");
    if (failed(s) || failed(e))
      return failure();
    starts = *s;
    ends = *e;
    if (node.hasInput(3)) {
      FailureOr<SmallVector<int64_t>> a = node.constantInts(3, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
    if (node.hasInput(4)) {
      FailureOr<SmallVector<int64_t>> st = node.constantInts(4, "steps");
      if (failed(st))
        return failure();
      steps = *st;
    }
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (starts.size() != ends.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return node.error() << "starts, ends, axes and steps differ in length";
  for (auto [i, axis] : llvm::enumerate(axes)) {
    FailureOr<int64_t> d = normalizeAxis(node, axis, type.getRank());
    if (failed(d))
      return failure();
    axis = *d;
    if (steps[i] <= 0)
      return node.unsupported("steps below 1 (reversing slices)");
  }
  FailureOr<Value> x = node.input(0);
  if (failed(x))
    return failure();
  FailureOr<Value> y = node.create("kiln.slice", ValueRange{*x},
                                   {node.named("axes", node.ints(axes)),
                                    node.named("starts", node.ints(starts)),
                                    node.named("ends", node.ints(ends)),
                                    node.named("steps", node.ints(steps))});
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

LogicalResult importGather(NodeContext &node) {
  RankedTensorType type = node.inputType(0);
  FailureOr<int64_t> axis =
      normalizeAxis(node, node.intAttr("axis", 0), type.getRank());
  if (failed(axis))
    return failure();
  std::optional<DenseElementsAttr> indices = node.constantInput(1);
  std::optional<DenseElementsAttr> data = node.constantInput(0);
  // Shape[i]: a constant picked from a constant vector.
  if (data && indices && type.getRank() == 1) {
    SmallVector<Attribute> values(data->getValues<Attribute>()), picked;
    for (const APInt &index : indices->getValues<APInt>()) {
      int64_t i = index.getSExtValue();
      if (i < 0)
        i += values.size();
      if (i < 0 || i >= static_cast<int64_t>(values.size()))
        return node.error()
               << "index " << index.getSExtValue() << " is out of range";
      picked.push_back(values[i]);
    }
    node.setConstantResult(
        0, DenseElementsAttr::get(
               RankedTensorType::get(indices->getType().getShape(),
                                     type.getElementType()),
               picked));
    return success();
  }
  FailureOr<Value> table = node.input(0);
  if (failed(table))
    return failure();
  Value indexValue;
  if (indices) {
    // Negative indices count from the end: resolved here, as kiln.gather
    // takes indices in range.
    int64_t size = type.getDimSize(*axis);
    SmallVector<APInt> resolved;
    for (const APInt &index : indices->getValues<APInt>()) {
      int64_t i = index.getSExtValue();
      if (i < 0 && !ShapedType::isDynamic(size))
        i += size;
      resolved.push_back(APInt(64, i, true));
    }
    indexValue = node.constant(DenseElementsAttr::get(
        RankedTensorType::get(indices->getType().getShape(),
                              node.builder.getI64Type()),
        resolved));
  } else {
    FailureOr<Value> given = node.input(1);
    if (failed(given))
      return failure();
    indexValue = *given;
    int64_t size = type.getDimSize(*axis);
    if (!ShapedType::isDynamic(size)) {
      // Negative indices count from the end; the result is clamped into
      // range so that no index reads outside the table.
      FailureOr<Value> negative = node.compare(ComparePredicate::lt, indexValue,
                                               node.scalarLike(indexValue, 0));
      FailureOr<Value> wrapped = node.create(
          "kiln.add",
          ValueRange{indexValue, node.scalarLike(indexValue, size)});
      if (failed(negative) || failed(wrapped))
        return failure();
      FailureOr<Value> resolved = node.create(
          "kiln.select", ValueRange{*negative, *wrapped, indexValue});
      if (failed(resolved))
        return failure();
      FailureOr<Value> clamped = node.create(
          "kiln.clamp", ValueRange{*resolved},
          {node.named("min", node.builder.getF64FloatAttr(0)),
           node.named("max", node.builder.getF64FloatAttr(size - 1))});
      if (failed(clamped))
        return failure();
      indexValue = *clamped;
    }
  }
  FailureOr<Value> y =
      node.create("kiln.gather", ValueRange{*table, indexValue},
                  {node.named("axis", node.builder.getI64IntegerAttr(*axis))});
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

/// Pads of `mode` reflect, edge or wrap along `axis`: the positions
/// [-low, size + high) read from the input by a gather of constant indices.
FailureOr<Value> padByIndex(NodeContext &node, Value x, int64_t axis,
                            int64_t low, int64_t high, StringRef mode) {
  int64_t size = cast<RankedTensorType>(x.getType()).getDimSize(axis);
  if (ShapedType::isDynamic(size))
    return node.unsupported("mode '" + mode.str() + "' along a dynamic size");
  if (mode == "reflect" && (low >= size || high >= size))
    return node.error() << "reflect pads must be smaller than the size "
                        << size;
  SmallVector<int64_t> indices;
  for (int64_t i = -low; i < size + high; ++i) {
    int64_t source = i;
    if (mode == "reflect")
      source = i < 0 ? -i : i >= size ? 2 * (size - 1) - i : i;
    else if (mode == "edge")
      source = std::clamp<int64_t>(i, 0, size - 1);
    else
      source = ((i % size) + size) % size;
    indices.push_back(source);
  }
  Value table = node.constant(DenseElementsAttr::get(
      RankedTensorType::get({static_cast<int64_t>(indices.size())},
                            node.builder.getI64Type()),
      llvm::ArrayRef(indices)));
  return node.create(
      "kiln.gather", ValueRange{x, table},
      {node.named("axis", node.builder.getI64IntegerAttr(axis))});
}

LogicalResult importPad(NodeContext &node) {
  std::string mode = node.stringAttr("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge" &&
      mode != "wrap")
    return node.error() << "unknown mode '" << mode << "'";
  RankedTensorType type = node.inputType(0);
  int64_t rank = type.getRank();
  SmallVector<int64_t> pads;
  double value = 0;
  if (node.opset < 11) {
    pads = node.intsAttr("pads").value_or(SmallVector<int64_t>());
    value = node.floatAttr("value", 0);
  } else {
    FailureOr<SmallVector<int64_t>> given = node.constantInts(1, "pads");
    if (failed(given))
      return failure();
    pads = *given;
    if (node.hasInput(2)) {
      FailureOr<double> constant = node.constantScalar(2, "constant_value");
      if (failed(constant))
        return failure();
      value = *constant;
    }
  }
  SmallVector<int64_t> axes;
  if (node.hasInput(3)) {
    FailureOr<SmallVector<int64_t>> given = node.constantInts(3, "axes");
    if (failed(given))
      return failure();
    axes = *given;
  } else {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  if (pads.size() != 2 * axes.size())
    return node.error() << "pads has " << pads.size() << " entries for "
                        << axes.size() << " axes";
  SmallVector<int64_t> low(rank, 0), high(rank, 0);
  for (auto [i, axis] : llvm::enumerate(axes)) {
    FailureOr<int64_t> d = normalizeAxis(node, axis, rank);
    if (failed(d))
      return failure();
    low[*d] = pads[i];
    high[*d] = pads[i + axes.size()];
    if (low[*d] < 0 || high[*d] < 0)
      return node.unsupported("negative pads (cropping)");
  }
  FailureOr<Value> x = node.input(0);
  if (failed(x))
    return failure();
  if (mode != "constant") {
    Value y = *x;
    for (int64_t d = 0; d < rank; ++d) {
      if (!low[d] && !high[d])
        continue;
      FailureOr<Value> padded = padByIndex(node, y, d, low[d], high[d], mode);
      if (failed(padded))
        return failure();
      y = *padded;
    }
    node.setResult(0, y);
    return success();
  }
  FailureOr<Value> y = node.create(
      "kiln.pad", ValueRange{*x},
      {node.named("low", node.ints(low)), node.named("high", node.ints(high)),
       node.named("value", node.builder.getF64FloatAttr(value))});
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

LogicalResult importExpand(NodeContext &node) {
  RankedTensorType type = node.inputType(0);
  FailureOr<SmallVector<int64_t>> shape = node.constantInts(1, "shape");
  if (failed(shape))
    return failure();
  // The numpy broadcast of the input's shape and the given one.
  int64_t rank = std::max<int64_t>(type.getRank(), shape->size());
  SmallVector<int64_t> result(rank, 1);
  for (int64_t i = 0; i < rank; ++i) {
    int64_t fromInput = i - (rank - type.getRank());
    int64_t fromShape = i - (rank - static_cast<int64_t>(shape->size()));
    int64_t a = fromInput >= 0 ? type.getDimSize(fromInput) : 1;
    int64_t b = fromShape >= 0 ? (*shape)[fromShape] : 1;
    if (a != 1 && b != 1 && a != b && !ShapedType::isDynamic(a))
      return node.error() << "cannot expand size " << a << " to " << b;
    result[i] = a == 1 ? b : a;
  }
  FailureOr<Value> x = node.input(0);
  if (failed(x))
    return failure();
  FailureOr<Value> y =
      node.create("kiln.broadcast_to", ValueRange{*x},
                  {node.named("shape", node.ints(reshapeSizes(result)))});
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

LogicalResult importTile(NodeContext &node) {
  FailureOr<SmallVector<int64_t>> repeats = node.constantInts(1, "repeats");
  FailureOr<Value> x = node.input(0);
  if (failed(repeats) || failed(x))
    return failure();
  Value y = *x;
  for (auto [axis, count] : llvm::enumerate(*repeats)) {
    if (count < 1)
      return node.unsupported("repeats below 1");
    if (count == 1)
      continue;
    SmallVector<Value> copies(count, y);
    FailureOr<Value> joined =
        node.create("kiln.concat", copies,
                    {node.named("axis", node.builder.getI64IntegerAttr(axis))});
    if (failed(joined))
      return failure();
    y = *joined;
  }
  node.setResult(0, y);
  return success();
}

/// DepthToSpace and SpaceToDepth: a reshape, a transpose and a reshape.
LogicalResult importDepthSpace(NodeContext &node) {
  FailureOr<Value> x = node.input(0);
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  if (type.getRank() != 4 ||
      llvm::any_of(type.getShape().drop_front(), ShapedType::isDynamic))
    return node.unsupported("an input that is not [N, C, H, W] with static "
                            "C, H and W");
  int64_t b = node.intAttr("blocksize", 0);
  if (b < 1)
    return node.error() << "blocksize must be positive";
  int64_t c = type.getDimSize(1), h = type.getDimSize(2),
          w = type.getDimSize(3);
  SmallVector<int64_t> split, perm, joined;
  if (node.node.op_type() == "DepthToSpace") {
    if (c % (b * b))
      return node.error() << "channels " << c << " are not a multiple of "
                          << b * b;
    bool crd = node.stringAttr("mode", "DCR") == "CRD";
    split = crd ? SmallVector<int64_t>{-1, c / (b * b), b, b, h, w}
                : SmallVector<int64_t>{-1, b, b, c / (b * b), h, w};
    perm = crd ? SmallVector<int64_t>{0, 1, 4, 2, 5, 3}
               : SmallVector<int64_t>{0, 3, 4, 1, 5, 2};
    joined = {-1, c / (b * b), h * b, w * b};
  } else {
    if (h % b || w % b)
      return node.error() << "height and width must be multiples of " << b;
    split = {-1, c, h / b, b, w / b, b};
    perm = {0, 3, 5, 1, 2, 4};
    joined = {-1, c * b * b, h / b, w / b};
  }
  FailureOr<Value> parts = node.reshape(*x, split);
  if (failed(parts))
    return failure();
  FailureOr<Value> moved = node.create("kiln.transpose", ValueRange{*parts},
                                       {node.named("perm", node.ints(perm))});
  if (failed(moved))
    return failure();
  FailureOr<Value> y = node.reshape(*moved, joined);
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

//===----------------------------------------------------------------------===//
// Ops that describe tensors, folded
//===----------------------------------------------------------------------===//

LogicalResult importConstant(NodeContext &node) {
  MLIRContext *context = node.builder.getContext();
  auto vector = [&](Type element, ArrayRef<Attribute> values, bool scalar) {
    auto type = RankedTensorType::get(
        scalar ? ArrayRef<int64_t>{}
               : ArrayRef<int64_t>{static_cast<int64_t>(values.size())},
        element);
    return DenseElementsAttr::get(type, values);
  };
  Builder builder(context);
  if (const ::onnx::AttributeProto *value = node.attr("value")) {
    FailureOr<DenseElementsAttr> tensor =
        readTensor(value->t(), context, [&] { return node.error(); });
    if (failed(tensor))
      return failure();
    node.setConstantResult(0, *tensor);
  } else if (const ::onnx::AttributeProto *f = node.attr("value_float")) {
    node.setConstantResult(0, vector(builder.getF32Type(),
                                     {builder.getF32FloatAttr(f->f())}, true));
  } else if (const ::onnx::AttributeProto *fs = node.attr("value_floats")) {
    SmallVector<Attribute> values;
    for (float v : fs->floats())
      values.push_back(builder.getF32FloatAttr(v));
    node.setConstantResult(0, vector(builder.getF32Type(), values, false));
  } else if (const ::onnx::AttributeProto *i = node.attr("value_int")) {
    node.setConstantResult(0,
                           vector(builder.getI64Type(),
                                  {builder.getI64IntegerAttr(i->i())}, true));
  } else if (const ::onnx::AttributeProto *is = node.attr("value_ints")) {
    SmallVector<Attribute> values;
    for (int64_t v : is->ints())
      values.push_back(builder.getI64IntegerAttr(v));
    node.setConstantResult(0, vector(builder.getI64Type(), values, false));
  } else {
    return node.unsupported("a constant of strings or a sparse tensor");
  }
  return success();
}

LogicalResult importConstantOfShape(NodeContext &node) {
  FailureOr<SmallVector<int64_t>> shape = node.constantInts(0, "shape");
  if (failed(shape))
    return failure();
  MLIRContext *context = node.builder.getContext();
  if (llvm::is_contained(*shape, kRunTimeSize)) {
    // Sized by the batch: kept unmaterialized (a zero initial state).
    double fill = 0;
    Type element = Float32Type::get(context);
    if (const ::onnx::AttributeProto *value = node.attr("value")) {
      FailureOr<DenseElementsAttr> given =
          readTensor(value->t(), context, [&] { return node.error(); });
      if (failed(given))
        return failure();
      element = given->getElementType();
      fill = isa<FloatType>(element)
                 ? (*given->value_begin<APFloat>()).convertToDouble()
                 : static_cast<double>(
                       (*given->value_begin<APInt>()).getSExtValue());
    }
    SmallVector<int64_t> dims;
    for (int64_t dim : *shape)
      dims.push_back(dim == kRunTimeSize ? ShapedType::kDynamic : dim);
    node.setRunTimeFillResult(0, fill, RankedTensorType::get(dims, element));
    return success();
  }
  DenseElementsAttr fill = DenseElementsAttr::get(
      RankedTensorType::get({1}, Float32Type::get(context)), 0.0f);
  if (const ::onnx::AttributeProto *value = node.attr("value")) {
    FailureOr<DenseElementsAttr> given =
        readTensor(value->t(), context, [&] { return node.error(); });
    if (failed(given))
      return failure();
    fill = *given;
  }
  auto type = RankedTensorType::get(*shape, fill.getElementType());
  node.setConstantResult(
      0, DenseElementsAttr::get(type, *fill.value_begin<Attribute>()));
  return success();
}

LogicalResult importShape(NodeContext &node) {
  RankedTensorType type = node.inputType(0);
  int64_t rank = type.getRank();
  int64_t start = node.intAttr("start", 0), end = node.intAttr("end", rank);
  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  SmallVector<int64_t> dims;
  for (int64_t d = start; d < end; ++d)
    dims.push_back(type.isDynamicDim(d) ? kRunTimeSize : type.getDimSize(d));
  node.setConstantResult(
      0, DenseElementsAttr::get(
             RankedTensorType::get({static_cast<int64_t>(dims.size())},
                                   node.builder.getI64Type()),
             llvm::ArrayRef(dims)));
  return success();
}

LogicalResult importSize(NodeContext &node) {
  RankedTensorType type = node.inputType(0);
  if (!type.hasStaticShape())
    return node.unsupported("the size of a tensor whose batch size is known "
                            "only at run time");
  node.setConstantResult(
      0, DenseElementsAttr::get(
             RankedTensorType::get({}, node.builder.getI64Type()),
             llvm::ArrayRef<int64_t>{type.getNumElements()}));
  return success();
}

LogicalResult importRange(NodeContext &node) {
  FailureOr<double> start = node.constantScalar(0, "start"),
                    limit = node.constantScalar(1, "limit"),
                    delta = node.constantScalar(2, "delta");
  if (failed(start) || failed(limit) || failed(delta))
    return failure();
  if (*delta == 0)
    return node.error() << "delta is 0";
  Type element = node.inputType(0).getElementType();
  int64_t count = std::max<int64_t>(
      static_cast<int64_t>(std::ceil((*limit - *start) / *delta)), 0);
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < count; ++i) {
    double value = *start + i * *delta;
    values.push_back(isa<FloatType>(element)
                         ? Attribute(FloatAttr::get(element, value))
                         : Attribute(IntegerAttr::get(
                               element, static_cast<int64_t>(value))));
  }
  node.setConstantResult(
      0,
      DenseElementsAttr::get(RankedTensorType::get({count}, element), values));
  return success();
}

} // namespace

void kiln::onnx::detail::addShapeImporters(OpTable &table) {
  table["Reshape"] = importReshape;
  table["Flatten"] = importFlatten;
  table["Squeeze"] = importSqueeze;
  table["Unsqueeze"] = importUnsqueeze;
  table["Transpose"] = importTranspose;
  table["Concat"] = importConcat;
  table["Split"] = importSplit;
  table["Slice"] = importSlice;
  table["Gather"] = importGather;
  table["Pad"] = importPad;
  table["Expand"] = importExpand;
  table["Tile"] = importTile;
  table["DepthToSpace"] = importDepthSpace;
  table["SpaceToDepth"] = importDepthSpace;
  table["Constant"] = importConstant;
  table["ConstantOfShape"] = importConstantOfShape;
  table["Shape"] = importShape;
  table["Size"] = importSize;
  table["Range"] = importRange;
}
