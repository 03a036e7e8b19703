//===- VolumeImporters.cpp - 3-D convolution and pooling from 2-D ops -----===//
//
// Kiln's convolutions and pools are 2-D. A 3-D one ([N, C, D, H, W]) is the
// sum (max, mean) over the kernel's depth taps of 2-D ones: for tap k the
// input planes d * stride + k * dilation, with depth folded into the batch,
// run through the 2-D op with the tap's filter slice. The padding is
// written into the input first.
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "kiln/Dialect/KilnOps.h"

#include <limits>

using namespace mlir;
using namespace kiln;
using namespace kiln::onnx::detail;

namespace {

struct Volume {
  SmallVector<int64_t, 3> kernel, stride, dilation, padBegin, padEnd;
};

FailureOr<Volume> volumeOf(NodeContext &node, RankedTensorType input,
                           ArrayRef<int64_t> kernel, bool ceilMode) {
  if (llvm::any_of(input.getShape().drop_front(), ShapedType::isDynamic))
    return node.unsupported("3-D windows over dynamic sizes");
  if (kernel.size() != 3)
    return node.error() << "kernel_shape needs 3 entries";
  Volume v;
  v.kernel.assign(kernel.begin(), kernel.end());
  SmallVector<int64_t> ones(3, 1), zeros(6, 0);
  auto stride = node.intsAttr("strides").value_or(ones);
  auto dilation = node.intsAttr("dilations").value_or(ones);
  auto pads = node.intsAttr("pads").value_or(zeros);
  if (stride.size() != 3 || dilation.size() != 3 || pads.size() != 6)
    return node.error() << "strides, dilations and pads must match 3 "
                           "spatial dimensions";
  v.stride.assign(stride.begin(), stride.end());
  v.dilation.assign(dilation.begin(), dilation.end());
  v.padBegin.assign(pads.begin(), pads.begin() + 3);
  v.padEnd.assign(pads.begin() + 3, pads.end());
  std::string autoPad = node.stringAttr("auto_pad", "NOTSET");
  for (unsigned d = 0; d < 3; ++d) {
    int64_t size = input.getDimSize(2 + d);
    int64_t span = (v.kernel[d] - 1) * v.dilation[d] + 1;
    if (autoPad == "VALID") {
      v.padBegin[d] = v.padEnd[d] = 0;
    } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t out = (size + v.stride[d] - 1) / v.stride[d];
      int64_t total =
          std::max<int64_t>((out - 1) * v.stride[d] + span - size, 0);
      int64_t small = total / 2, large = total - small;
      v.padBegin[d] = autoPad == "SAME_UPPER" ? small : large;
      v.padEnd[d] = autoPad == "SAME_UPPER" ? large : small;
    } else if (autoPad != "NOTSET") {
      return node.error() << "unknown auto_pad '" << autoPad << "'";
    }
    if (ceilMode) {
      int64_t padded = size + v.padBegin[d] + v.padEnd[d];
      int64_t out = (padded - span + v.stride[d] - 1) / v.stride[d] + 1;
      if ((out - 1) * v.stride[d] >= size + v.padBegin[d])
        --out;
      v.padEnd[d] +=
          std::max<int64_t>((out - 1) * v.stride[d] + span - padded, 0);
    }
  }
  return v;
}

FailureOr<Value> padVolume(NodeContext &node, Value x, const Volume &v,
                           double value) {
  if (v.padBegin == SmallVector<int64_t, 3>{0, 0, 0} &&
      v.padEnd == SmallVector<int64_t, 3>{0, 0, 0})
    return x;
  return node.create(
      "kiln.pad", ValueRange{x},
      {node.named("low", node.ints({0, 0, v.padBegin[0], v.padBegin[1],
                                    v.padBegin[2]})),
       node.named("high",
                  node.ints({0, 0, v.padEnd[0], v.padEnd[1], v.padEnd[2]})),
       node.named("value", node.builder.getF64FloatAttr(value))});
}

/// The output depth of a padded input.
int64_t outputDepth(RankedTensorType padded, const Volume &v) {
  return (padded.getDimSize(2) - v.dilation[0] * (v.kernel[0] - 1) - 1) /
             v.stride[0] +
         1;
}

/// Depth tap `k` of padded `x` [N, C, Dp, H, W] as 2-D images
/// [N * depth, C, H, W].
FailureOr<Value> tapPlanes(NodeContext &node, Value x, const Volume &v,
                           int64_t k, int64_t depth) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t first = k * v.dilation[0];
  FailureOr<Value> planes = node.create(
      "kiln.slice", ValueRange{x},
      {node.named("axes", node.ints({2})),
       node.named("starts", node.ints({first})),
       node.named("ends", node.ints({first + (depth - 1) * v.stride[0] + 1})),
       node.named("steps", node.ints({v.stride[0]}))});
  if (failed(planes))
    return failure();
  FailureOr<Value> depthFirst =
      node.create("kiln.transpose", ValueRange{*planes},
                  {node.named("perm", node.ints({0, 2, 1, 3, 4}))});
  if (failed(depthFirst))
    return failure();
  return node.reshape(*depthFirst, {-1, type.getDimSize(1), type.getDimSize(3),
                                    type.getDimSize(4)});
}

/// 2-D results [N * depth, F, Ho, Wo] back to [N, F, depth, Ho, Wo].
FailureOr<Value> unfoldDepth(NodeContext &node, Value y, int64_t depth) {
  auto type = cast<RankedTensorType>(y.getType());
  FailureOr<Value> split =
      node.reshape(y, {-1, depth, type.getDimSize(1), type.getDimSize(2),
                       type.getDimSize(3)});
  if (failed(split))
    return failure();
  return node.create("kiln.transpose", ValueRange{*split},
                     {node.named("perm", node.ints({0, 2, 1, 3, 4}))});
}

} // namespace

LogicalResult kiln::onnx::detail::importConv3d(NodeContext &node) {
  RankedTensorType weightType = node.inputType(1);
  if (!weightType || weightType.getRank() != 5 || !weightType.hasStaticShape())
    return node.error() << "needs a static [F, C / groups, KD, KH, KW] weight";
  SmallVector<int64_t> kernel =
      node.intsAttr("kernel_shape")
          .value_or(SmallVector<int64_t>(weightType.getShape().drop_front(2)));
  FailureOr<Volume> v = volumeOf(node, node.inputType(0), kernel, false);
  FailureOr<Value> x = node.input(0), w = node.input(1);
  if (failed(v) || failed(x) || failed(w))
    return failure();
  FailureOr<Value> padded = padVolume(node, *x, *v, 0.0);
  if (failed(padded))
    return failure();
  int64_t depth = outputDepth(cast<RankedTensorType>(padded->getType()), *v);
  Value bias;
  if (node.hasInput(2)) {
    FailureOr<Value> given = node.input(2);
    if (failed(given))
      return failure();
    bias = *given;
  }
  Value sum;
  for (int64_t k = 0; k < v->kernel[0]; ++k) {
    FailureOr<Value> planes = tapPlanes(node, *padded, *v, k, depth);
    FailureOr<Value> tap =
        node.create("kiln.slice", ValueRange{*w},
                    {node.named("axes", node.ints({2})),
                     node.named("starts", node.ints({k})),
                     node.named("ends", node.ints({k + 1}))});
    if (failed(planes) || failed(tap))
      return failure();
    FailureOr<Value> filter = node.reshape(
        *tap, {weightType.getDimSize(0), weightType.getDimSize(1),
               weightType.getDimSize(3), weightType.getDimSize(4)});
    if (failed(filter))
      return failure();
    SmallVector<Value> operands = {*planes, *filter};
    if (k == 0 && bias)
      operands.push_back(bias);
    FailureOr<Value> conv = node.create(
        "kiln.conv2d", operands,
        {node.named("stride", node.ints({v->stride[1], v->stride[2]})),
         node.named("dilation", node.ints({v->dilation[1], v->dilation[2]})),
         node.named("groups",
                    node.builder.getI64IntegerAttr(node.intAttr("group", 1)))});
    if (failed(conv))
      return failure();
    if (!sum) {
      sum = *conv;
      continue;
    }
    FailureOr<Value> added = node.create("kiln.add", ValueRange{sum, *conv});
    if (failed(added))
      return failure();
    sum = *added;
  }
  FailureOr<Value> y = unfoldDepth(node, sum, depth);
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

LogicalResult kiln::onnx::detail::importPool3d(NodeContext &node) {
  bool isMax = node.node.op_type() == "MaxPool";
  std::optional<SmallVector<int64_t>> kernel = node.intsAttr("kernel_shape");
  if (!kernel)
    return node.error() << "needs kernel_shape";
  bool ceilMode = node.intAttr("ceil_mode", 0) != 0;
  bool countPad = node.intAttr("count_include_pad", 0) != 0;
  FailureOr<Volume> v = volumeOf(node, node.inputType(0), *kernel, ceilMode);
  FailureOr<Value> x = node.input(0);
  if (failed(v) || failed(x))
    return failure();
  bool padded3d = v->padBegin != SmallVector<int64_t, 3>{0, 0, 0} ||
                  v->padEnd != SmallVector<int64_t, 3>{0, 0, 0};
  if (!isMax && padded3d && (!countPad || ceilMode))
    return node.unsupported("padded 3-D average pooling that does not count "
                            "the padding");
  if (!isMax && v->dilation != SmallVector<int64_t, 3>{1, 1, 1})
    return node.unsupported("dilated average pooling");
  FailureOr<Value> padded = padVolume(
      node, *x, *v, isMax ? -std::numeric_limits<double>::infinity() : 0.0);
  if (failed(padded))
    return failure();
  int64_t depth = outputDepth(cast<RankedTensorType>(padded->getType()), *v);
  Value combined;
  for (int64_t k = 0; k < v->kernel[0]; ++k) {
    FailureOr<Value> planes = tapPlanes(node, *padded, *v, k, depth);
    if (failed(planes))
      return failure();
    SmallVector<NamedAttribute> attrs = {
        node.named("kernel", node.ints({v->kernel[1], v->kernel[2]})),
        node.named("stride", node.ints({v->stride[1], v->stride[2]}))};
    if (isMax)
      attrs.push_back(
          node.named("dilation", node.ints({v->dilation[1], v->dilation[2]})));
    FailureOr<Value> pooled =
        node.create(isMax ? "kiln.max_pool2d" : "kiln.avg_pool2d",
                    ValueRange{*planes}, attrs);
    if (failed(pooled))
      return failure();
    if (!combined) {
      combined = *pooled;
      continue;
    }
    FailureOr<Value> merged = node.create(isMax ? "kiln.maximum" : "kiln.add",
                                          ValueRange{combined, *pooled});
    if (failed(merged))
      return failure();
    combined = *merged;
  }
  if (!isMax && v->kernel[0] > 1) {
    FailureOr<Value> mean = node.create(
        "kiln.div",
        ValueRange{combined, node.scalarLike(combined, v->kernel[0])});
    if (failed(mean))
      return failure();
    combined = *mean;
  }
  FailureOr<Value> y = unfoldDepth(node, combined, depth);
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}
