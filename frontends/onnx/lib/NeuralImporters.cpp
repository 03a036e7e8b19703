//===- NeuralImporters.cpp - ONNX layers onto kiln ops --------------------===//
//
// Convolutions and pooling (1-D and 2-D, every padding form: explicit and
// asymmetric pads, auto_pad, ceil_mode), Gemm and MatMul, Softmax and
// LogSoftmax, Dropout at inference.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "kiln/Dialect/KilnOps.h"

#include <limits>

using namespace mlir;
using namespace kiln;
using namespace kiln::onnx::detail;

namespace {

/// The windows of a convolution or pooling over two spatial dimensions
/// (a 1-D op gets a leading unit dimension), with its padding split into
/// what the kiln op takes (the same on both sides) and what must be
/// padded explicitly first.
struct Window {
  SmallVector<int64_t, 2> kernel, stride, dilation, padBegin, padEnd;
  bool symmetric() const { return padBegin == padEnd; }
};

/// The spatial sizes of `type` ([N, C, spatial...]), as two dimensions.
SmallVector<int64_t, 2> spatialSizes(RankedTensorType type) {
  SmallVector<int64_t, 2> sizes(type.getShape().drop_front(2));
  if (sizes.size() == 1)
    sizes.insert(sizes.begin(), 1);
  return sizes;
}

/// An attribute of one entry per spatial dimension, as two entries.
SmallVector<int64_t, 2> twoD(ArrayRef<int64_t> values, int64_t unit) {
  SmallVector<int64_t, 2> result(values);
  if (result.size() == 1)
    result.insert(result.begin(), unit);
  return result;
}

FailureOr<Window> windowOf(NodeContext &node, RankedTensorType input,
                           ArrayRef<int64_t> kernel, bool ceilMode) {
  unsigned spatial = input.getRank() - 2;
  if (spatial != 1 && spatial != 2)
    return node.unsupported(Twine(spatial) + "-D windows (Kiln has 1-D and "
                                             "2-D convolutions and pooling)");
  if (kernel.size() != spatial)
    return node.error() << "kernel_shape has " << kernel.size()
                        << " entries for " << spatial << " spatial dimensions";
  Window window;
  window.kernel = twoD(kernel, 1);
  SmallVector<int64_t> ones(spatial, 1), zeros(2 * spatial, 0);
  window.stride = twoD(node.intsAttr("strides").value_or(ones), 1);
  window.dilation = twoD(node.intsAttr("dilations").value_or(ones), 1);
  SmallVector<int64_t> pads = node.intsAttr("pads").value_or(zeros);
  if (window.stride.size() != 2 || window.dilation.size() != 2 ||
      pads.size() != 2 * spatial)
    return node.error() << "strides, dilations and pads must match the "
                        << spatial << " spatial dimensions";
  window.padBegin = twoD(ArrayRef(pads).take_front(spatial), 0);
  window.padEnd = twoD(ArrayRef(pads).drop_front(spatial), 0);
  SmallVector<int64_t, 2> sizes = spatialSizes(input);
  std::string autoPad = node.stringAttr("auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    window.padBegin = {0, 0};
    window.padEnd = {0, 0};
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (unsigned d = 0; d < 2; ++d) {
      if (ShapedType::isDynamic(sizes[d]))
        return node.unsupported("auto_pad over a dynamic size");
      int64_t out = (sizes[d] + window.stride[d] - 1) / window.stride[d];
      int64_t total = std::max<int64_t>(
          (out - 1) * window.stride[d] +
              (window.kernel[d] - 1) * window.dilation[d] + 1 - sizes[d],
          0);
      int64_t small = total / 2, large = total - small;
      window.padBegin[d] = autoPad == "SAME_UPPER" ? small : large;
      window.padEnd[d] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else if (autoPad != "NOTSET") {
    return node.error() << "unknown auto_pad '" << autoPad << "'";
  }
  if (ceilMode)
    for (unsigned d = 0; d < 2; ++d) {
      if (ShapedType::isDynamic(sizes[d]))
        return node.unsupported("ceil_mode over a dynamic size");
      int64_t span = (window.kernel[d] - 1) * window.dilation[d] + 1;
      int64_t padded = sizes[d] + window.padBegin[d] + window.padEnd[d];
      int64_t out =
          (padded - span + window.stride[d] - 1) / window.stride[d] + 1;
      // The last window must start inside the input or the left padding.
      if ((out - 1) * window.stride[d] >= sizes[d] + window.padBegin[d])
        --out;
      // Where ceil and floor agree nothing is added.
      window.padEnd[d] +=
          std::max<int64_t>((out - 1) * window.stride[d] + span - padded, 0);
    }
  return window;
}

/// `x` with `window`'s padding beyond the symmetric part written in with
/// `value`; `window` keeps the symmetric part. With `whole` (pooling,
/// whose kiln ops pad at most half the kernel) the symmetric part too
/// when it is larger than that.
FailureOr<Value> padExplicitly(NodeContext &node, Value x, Window &window,
                               double value, bool whole = false) {
  bool large = false;
  for (unsigned d = 0; d < 2; ++d)
    large |=
        2 * std::max(window.padBegin[d], window.padEnd[d]) > window.kernel[d];
  bool all = whole && large;
  if (window.symmetric() && !all)
    return x;
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> low(type.getRank(), 0), high(type.getRank(), 0);
  for (unsigned d = 0; d < 2; ++d) {
    int64_t common = all ? 0 : std::min(window.padBegin[d], window.padEnd[d]);
    low[2 + d] = window.padBegin[d] - common;
    high[2 + d] = window.padEnd[d] - common;
    window.padBegin[d] = window.padEnd[d] = common;
  }
  return node.create(
      "kiln.pad", ValueRange{x},
      {node.named("low", node.ints(low)), node.named("high", node.ints(high)),
       node.named("value", node.builder.getF64FloatAttr(value))});
}

/// A 1-D op's [N, C, L] operand as [N, C, 1, L].
FailureOr<Value> toTwoD(NodeContext &node, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  if (type.getRank() != 3)
    return x;
  SmallVector<int64_t> shape(type.getShape());
  shape.insert(shape.begin() + 2, 1);
  for (int64_t &dim : shape)
    if (ShapedType::isDynamic(dim))
      dim = -1;
  return node.reshape(x, shape);
}

/// A 2-D result back to the 1-D op's [N, C, L].
FailureOr<Value> fromTwoD(NodeContext &node, Value y, bool oneD) {
  if (!oneD)
    return y;
  auto type = cast<RankedTensorType>(y.getType());
  SmallVector<int64_t> shape = {type.getDimSize(0), type.getDimSize(1),
                                type.getDimSize(3)};
  for (int64_t &dim : shape)
    if (ShapedType::isDynamic(dim))
      dim = -1;
  return node.reshape(y, shape);
}

LogicalResult importConv(NodeContext &node) {
  RankedTensorType inputType = node.inputType(0),
                   weightType = node.inputType(1);
  if (inputType && inputType.getRank() == 5)
    return importConv3d(node);
  if (!inputType || !weightType || inputType.getRank() < 3)
    return node.error() << "needs an input of rank 3 or more and a weight";
  SmallVector<int64_t> kernel =
      node.intsAttr("kernel_shape")
          .value_or(SmallVector<int64_t>(weightType.getShape().drop_front(2)));
  FailureOr<Window> window = windowOf(node, inputType, kernel, false);
  FailureOr<Value> x = node.input(0), w = node.input(1);
  if (failed(window) || failed(x) || failed(w))
    return failure();
  bool oneD = inputType.getRank() == 3;
  FailureOr<Value> x2 = toTwoD(node, *x), w2 = toTwoD(node, *w);
  if (failed(x2) || failed(w2))
    return failure();
  FailureOr<Value> padded = padExplicitly(node, *x2, *window, 0.0);
  if (failed(padded))
    return failure();
  SmallVector<Value> operands = {*padded, *w2};
  if (failed(node.appendIfGiven(2, operands)))
    return failure();
  FailureOr<Value> y = node.create(
      "kiln.conv2d", operands,
      {node.named("stride", node.ints(window->stride)),
       node.named("padding", node.ints(window->padBegin)),
       node.named("dilation", node.ints(window->dilation)),
       node.named("groups",
                  node.builder.getI64IntegerAttr(node.intAttr("group", 1)))});
  if (failed(y))
    return failure();
  FailureOr<Value> result = fromTwoD(node, *y, oneD);
  if (failed(result))
    return failure();
  node.setResult(0, *result);
  return success();
}

LogicalResult importConvTranspose(NodeContext &node) {
  RankedTensorType inputType = node.inputType(0),
                   weightType = node.inputType(1);
  if (!inputType || !weightType || inputType.getRank() < 3)
    return node.error() << "needs an input of rank 3 or more and a weight";
  if (node.hasAttr("output_shape"))
    return node.unsupported("output_shape (give pads instead)");
  std::string autoPad = node.stringAttr("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID")
    return node.unsupported("auto_pad " + autoPad);
  SmallVector<int64_t> kernel =
      node.intsAttr("kernel_shape")
          .value_or(SmallVector<int64_t>(weightType.getShape().drop_front(2)));
  FailureOr<Window> window = windowOf(node, inputType, kernel, false);
  if (failed(window))
    return failure();
  if (!window->symmetric())
    return node.unsupported("pads that differ at the two ends");
  unsigned spatial = inputType.getRank() - 2;
  SmallVector<int64_t, 2> outputPadding =
      twoD(node.intsAttr("output_padding")
               .value_or(SmallVector<int64_t>(spatial, 0)),
           0);
  FailureOr<Value> x = node.input(0), w = node.input(1);
  if (failed(x) || failed(w))
    return failure();
  FailureOr<Value> x2 = toTwoD(node, *x), w2 = toTwoD(node, *w);
  if (failed(x2) || failed(w2))
    return failure();
  SmallVector<Value> operands = {*x2, *w2};
  if (failed(node.appendIfGiven(2, operands)))
    return failure();
  FailureOr<Value> y = node.create(
      "kiln.conv_transpose2d", operands,
      {node.named("stride", node.ints(window->stride)),
       node.named("padding", node.ints(window->padBegin)),
       node.named("output_padding", node.ints(outputPadding)),
       node.named("dilation", node.ints(window->dilation)),
       node.named("groups",
                  node.builder.getI64IntegerAttr(node.intAttr("group", 1)))});
  if (failed(y))
    return failure();
  FailureOr<Value> result = fromTwoD(node, *y, spatial == 1);
  if (failed(result))
    return failure();
  node.setResult(0, *result);
  return success();
}

/// Average pooling whose divisor counts only the input's positions (ONNX's
/// count_include_pad 0, and the overhang of ceil_mode in any case): the
/// mean over the zero-padded input divided by the mean over a padded
/// plane of ones, the share of each window that is input. With
/// `countPad`, the explicit padding counts and only the overhang does not.
FailureOr<Value> averageOverInput(NodeContext &node, Value x, Window window,
                                  bool countPad) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t h = type.getDimSize(2), w = type.getDimSize(3);
  if (ShapedType::isDynamic(h) || ShapedType::isDynamic(w))
    return node.unsupported("padded average pooling over dynamic sizes");
  SmallVector<int64_t> low = {0, 0, window.padBegin[0], window.padBegin[1]};
  SmallVector<int64_t> high = {0, 0, window.padEnd[0], window.padEnd[1]};
  auto pad = [&](Value v, ArrayRef<int64_t> lo, ArrayRef<int64_t> hi) {
    return node.create("kiln.pad", ValueRange{v},
                       {node.named("low", node.ints(lo)),
                        node.named("high", node.ints(hi)),
                        node.named("value", node.builder.getF64FloatAttr(0))});
  };
  auto pool = [&](Value v) {
    return node.create(
        "kiln.avg_pool2d", ValueRange{v},
        {node.named("kernel", node.ints(window.kernel)),
         node.named("stride", node.ints(window.stride)),
         node.named("count_include_pad", node.builder.getBoolAttr(true))});
  };
  FailureOr<Value> padded = pad(x, low, high);
  if (failed(padded))
    return failure();
  // The plane of what counts: the input, and the explicit pads when
  // counted (their ones are there before the overhang is added).
  Type element = type.getElementType();
  Value ones = node.constant(DenseElementsAttr::get(
      RankedTensorType::get({1, 1, h, w}, element),
      FloatAttr::get(element, 1.0)));
  FailureOr<Value> counted = pad(ones, low, high);
  if (failed(counted))
    return failure();
  if (countPad) {
    // Pads of ones where ONNX gives pads, zeros only in the overhang that
    // ceil_mode added (already folded into padEnd).
    SmallVector<int64_t> given =
        node.intsAttr("pads").value_or(SmallVector<int64_t>(4, 0));
    SmallVector<int64_t> onesLow = {0, 0, given[0], given[1]};
    SmallVector<int64_t> onesHigh = {0, 0, given[2], given[3]};
    FailureOr<Value> withPads =
        node.create("kiln.pad", ValueRange{ones},
                    {node.named("low", node.ints(onesLow)),
                     node.named("high", node.ints(onesHigh)),
                     node.named("value", node.builder.getF64FloatAttr(1))});
    if (failed(withPads))
      return failure();
    SmallVector<int64_t> restLow = {0, 0, low[2] - given[0],
                                    low[3] - given[1]};
    SmallVector<int64_t> restHigh = {0, 0, high[2] - given[2],
                                     high[3] - given[3]};
    counted = pad(*withPads, restLow, restHigh);
    if (failed(counted))
      return failure();
  }
  FailureOr<Value> sums = pool(*padded), shares = pool(*counted);
  if (failed(sums) || failed(shares))
    return failure();
  return node.create("kiln.div", ValueRange{*sums, *shares});
}

LogicalResult importPool(NodeContext &node) {
  bool isMax = node.node.op_type() == "MaxPool";
  RankedTensorType inputType = node.inputType(0);
  if (!inputType || inputType.getRank() < 3)
    return node.error() << "needs an input of rank 3 or more";
  if (node.hasOutput(1))
    return node.unsupported("the Indices output");
  if (inputType.getRank() == 5)
    return importPool3d(node);
  if (node.intAttr("storage_order", 0) != 0)
    return node.unsupported("storage_order 1");
  std::optional<SmallVector<int64_t>> kernel = node.intsAttr("kernel_shape");
  if (!kernel)
    return node.error() << "needs kernel_shape";
  bool ceilMode = node.intAttr("ceil_mode", 0) != 0;
  FailureOr<Window> window = windowOf(node, inputType, *kernel, ceilMode);
  FailureOr<Value> x = node.input(0);
  if (failed(window) || failed(x))
    return failure();
  bool countPad = node.intAttr("count_include_pad", 0) != 0;
  if (!isMax && (window->dilation != SmallVector<int64_t, 2>{1, 1}))
    return node.unsupported("dilated average pooling");
  bool large = false;
  for (unsigned d = 0; d < 2; ++d)
    large |= 2 * std::max(window->padBegin[d], window->padEnd[d]) >
             window->kernel[d];
  FailureOr<Value> x2 = toTwoD(node, *x);
  if (failed(x2))
    return failure();
  bool padding = window->padBegin != SmallVector<int64_t, 2>{0, 0} ||
                 window->padEnd != SmallVector<int64_t, 2>{0, 0};
  if (!isMax && padding &&
      (!countPad || ceilMode || !window->symmetric() || large)) {
    FailureOr<Value> y = averageOverInput(node, *x2, *window, countPad);
    if (failed(y))
      return failure();
    FailureOr<Value> result = fromTwoD(node, *y, inputType.getRank() == 3);
    if (failed(result))
      return failure();
    node.setResult(0, *result);
    return success();
  }
  FailureOr<Value> padded =
      padExplicitly(node, *x2, *window,
                    isMax ? -std::numeric_limits<double>::infinity() : 0.0,
                    /*whole=*/true);
  if (failed(padded))
    return failure();
  SmallVector<NamedAttribute> attrs = {
      node.named("kernel", node.ints(window->kernel)),
      node.named("stride", node.ints(window->stride)),
      node.named("padding", node.ints(window->padBegin))};
  if (isMax)
    attrs.push_back(node.named("dilation", node.ints(window->dilation)));
  else
    attrs.push_back(
        node.named("count_include_pad", node.builder.getBoolAttr(countPad)));
  FailureOr<Value> y =
      node.create(isMax ? "kiln.max_pool2d" : "kiln.avg_pool2d",
                  ValueRange{*padded}, attrs);
  if (failed(y))
    return failure();
  FailureOr<Value> result = fromTwoD(node, *y, inputType.getRank() == 3);
  if (failed(result))
    return failure();
  node.setResult(0, *result);
  return success();
}

/// LpPool: (sum over each window of |x|^p)^(1/p), as the mean of |x|^p
/// over the zero-padded input times the window's size.
LogicalResult importLpPool(NodeContext &node) {
  RankedTensorType inputType = node.inputType(0);
  if (!inputType || inputType.getRank() < 3)
    return node.error() << "needs an input of rank 3 or more";
  std::optional<SmallVector<int64_t>> kernel = node.intsAttr("kernel_shape");
  if (!kernel)
    return node.error() << "needs kernel_shape";
  FailureOr<Window> window = windowOf(node, inputType, *kernel,
                                      node.intAttr("ceil_mode", 0) != 0);
  FailureOr<Value> x = node.input(0);
  if (failed(window) || failed(x))
    return failure();
  if (window->dilation != SmallVector<int64_t, 2>{1, 1})
    return node.unsupported("dilated Lp pooling");
  double p = node.intAttr("p", 2);
  FailureOr<Value> x2 = toTwoD(node, *x);
  if (failed(x2))
    return failure();
  FailureOr<Value> magnitude = node.create("kiln.abs", ValueRange{*x2});
  if (failed(magnitude))
    return failure();
  FailureOr<Value> powered = node.create(
      "kiln.pow", ValueRange{*magnitude, node.scalarLike(*magnitude, p)});
  if (failed(powered))
    return failure();
  FailureOr<Value> padded = node.create(
      "kiln.pad", ValueRange{*powered},
      {node.named("low", node.ints({0, 0, window->padBegin[0],
                                    window->padBegin[1]})),
       node.named("high",
                  node.ints({0, 0, window->padEnd[0], window->padEnd[1]})),
       node.named("value", node.builder.getF64FloatAttr(0))});
  if (failed(padded))
    return failure();
  FailureOr<Value> mean = node.create(
      "kiln.avg_pool2d", ValueRange{*padded},
      {node.named("kernel", node.ints(window->kernel)),
       node.named("stride", node.ints(window->stride))});
  if (failed(mean))
    return failure();
  FailureOr<Value> sum = node.create(
      "kiln.mul",
      ValueRange{*mean,
                 node.scalarLike(*mean, window->kernel[0] * window->kernel[1])});
  if (failed(sum))
    return failure();
  FailureOr<Value> y =
      node.create("kiln.pow", ValueRange{*sum, node.scalarLike(*sum, 1 / p)});
  if (failed(y))
    return failure();
  FailureOr<Value> result = fromTwoD(node, *y, inputType.getRank() == 3);
  if (failed(result))
    return failure();
  node.setResult(0, *result);
  return success();
}

/// GlobalAveragePool, GlobalMaxPool: over every spatial dimension, kept as
/// size 1.
LogicalResult importGlobalPool(NodeContext &node) {
  FailureOr<Value> x = node.input(0);
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  if (type.getRank() < 3)
    return node.error() << "needs an input of rank 3 or more";
  SmallVector<int64_t> axes;
  for (int64_t d = 2; d < type.getRank(); ++d)
    axes.push_back(d);
  FailureOr<Value> y = node.create(
      node.node.op_type() == "GlobalMaxPool" ? "kiln.max" : "kiln.mean",
      ValueRange{*x},
      {node.named("axes", node.ints(axes)),
       node.named("keepdims", node.builder.getBoolAttr(true))});
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

LogicalResult importGemm(NodeContext &node) {
  bool transA = node.intAttr("transA", 0), transB = node.intAttr("transB", 0);
  double alpha = node.floatAttr("alpha", 1.0),
         beta = node.floatAttr("beta", 1.0);
  FailureOr<Value> a = node.input(0), b = node.input(1);
  if (failed(a) || failed(b))
    return failure();
  RankedTensorType biasType = node.inputType(2);
  // x · wᵀ + b with a vector bias is kiln.dense (PyTorch's Linear).
  if (!transA && transB && alpha == 1.0 && beta == 1.0 &&
      (!biasType || biasType.getRank() == 1)) {
    SmallVector<Value> operands = {*a, *b};
    if (biasType) {
      FailureOr<Value> bias = node.input(2);
      if (failed(bias))
        return failure();
      operands.push_back(*bias);
    }
    FailureOr<Value> y = node.create("kiln.dense", operands);
    if (failed(y))
      return failure();
    node.setResult(0, *y);
    return success();
  }
  FailureOr<Value> y = node.create(
      "kiln.matmul", ValueRange{*a, *b},
      {node.named("transpose_lhs", node.builder.getBoolAttr(transA)),
       node.named("transpose_rhs", node.builder.getBoolAttr(transB))});
  if (failed(y))
    return failure();
  if (alpha != 1.0) {
    y = node.create("kiln.mul", ValueRange{*y, node.scalarLike(*y, alpha)});
    if (failed(y))
      return failure();
  }
  if (biasType && beta != 0.0) {
    FailureOr<Value> bias = node.input(2);
    if (failed(bias))
      return failure();
    if (beta != 1.0) {
      bias = node.create("kiln.mul",
                         ValueRange{*bias, node.scalarLike(*bias, beta)});
      if (failed(bias))
        return failure();
    }
    y = node.create("kiln.add", ValueRange{*y, *bias});
    if (failed(y))
      return failure();
  }
  node.setResult(0, *y);
  return success();
}

LogicalResult importMatMul(NodeContext &node) {
  FailureOr<Value> a = node.input(0), b = node.input(1);
  if (failed(a) || failed(b))
    return failure();
  auto aType = cast<RankedTensorType>(a->getType());
  auto bType = cast<RankedTensorType>(b->getType());
  // numpy's rule for vectors: a vector operand becomes a matrix whose
  // added dimension is dropped from the product.
  bool aVector = aType.getRank() == 1, bVector = bType.getRank() == 1;
  if (aVector) {
    a = node.reshape(*a, {1, aType.getDimSize(0)});
    if (failed(a))
      return failure();
  }
  if (bVector) {
    b = node.reshape(*b, {bType.getDimSize(0), 1});
    if (failed(b))
      return failure();
  }
  FailureOr<Value> y = node.create("kiln.matmul", ValueRange{*a, *b});
  if (failed(y))
    return failure();
  if (aVector || bVector) {
    auto type = cast<RankedTensorType>(y->getType());
    SmallVector<int64_t> shape(type.getShape());
    if (bVector)
      shape.pop_back();
    if (aVector)
      shape.erase(shape.end() - (bVector ? 1 : 2));
    for (int64_t &dim : shape)
      if (ShapedType::isDynamic(dim))
        dim = -1;
    y = node.reshape(*y, shape);
    if (failed(y))
      return failure();
  }
  node.setResult(0, *y);
  return success();
}

LogicalResult importSoftmax(NodeContext &node) {
  StringRef op =
      node.node.op_type() == "Softmax" ? "kiln.softmax" : "kiln.log_softmax";
  FailureOr<Value> x = node.input(0);
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  int64_t rank = type.getRank();
  int64_t axis = node.intAttr("axis", node.opset >= 13 ? -1 : 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= std::max<int64_t>(rank, 1))
    return node.error() << "axis " << node.intAttr("axis", 0)
                        << " is out of range for rank " << rank;
  FailureOr<Value> y;
  if (node.opset >= 13 || axis == rank - 1) {
    y = node.create(op, ValueRange{*x},
                    {node.named("axis", node.builder.getI64IntegerAttr(axis))});
  } else {
    // Before opset 13: over the input flattened to [before axis, from
    // axis on].
    if (!type.hasStaticShape() && axis == 0)
      return node.unsupported("axis 0 over a dynamic batch");
    int64_t inner = 1;
    for (int64_t d = axis; d < rank; ++d)
      inner *= type.getDimSize(d);
    FailureOr<Value> flat = node.reshape(*x, {-1, inner});
    if (failed(flat))
      return failure();
    FailureOr<Value> normalized = node.create(op, ValueRange{*flat});
    if (failed(normalized))
      return failure();
    SmallVector<int64_t> shape(type.getShape());
    for (int64_t &dim : shape)
      if (ShapedType::isDynamic(dim))
        dim = -1;
    y = node.reshape(*normalized, shape);
  }
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

/// Dropout at inference passes its input through.
LogicalResult importDropout(NodeContext &node) {
  if (node.hasInput(2)) {
    std::optional<DenseElementsAttr> training = node.constantInput(2);
    if (!training || training->getSplatValue<bool>())
      return node.unsupported("training_mode (Kiln's train entries drop "
                              "out themselves)");
  }
  FailureOr<Value> x = node.input(0);
  if (failed(x))
    return failure();
  node.setResult(0, *x);
  if (node.hasOutput(1)) {
    // Nothing is dropped: the mask is all true.
    auto type = cast<RankedTensorType>(x->getType());
    if (!type.hasStaticShape())
      return node.unsupported("the mask of a tensor with a dynamic batch");
    node.setConstantResult(
        1, DenseElementsAttr::get(
               RankedTensorType::get(type.getShape(), node.builder.getI1Type()),
               true));
  }
  return success();
}

} // namespace

void kiln::onnx::detail::addNeuralImporters(OpTable &table) {
  table["Conv"] = importConv;
  table["ConvTranspose"] = importConvTranspose;
  table["MaxPool"] = importPool;
  table["AveragePool"] = importPool;
  table["LpPool"] = importLpPool;
  table["GlobalAveragePool"] = importGlobalPool;
  table["GlobalMaxPool"] = importGlobalPool;
  table["Gemm"] = importGemm;
  table["MatMul"] = importMatMul;
  table["Softmax"] = importSoftmax;
  table["LogSoftmax"] = importSoftmax;
  table["Dropout"] = importDropout;
}
