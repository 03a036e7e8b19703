//===- ShapeGradients.cpp - Gradients of shape ops ------------------------===//
//
// Shape ops move elements without changing them, so their gradients move
// the gradient's elements back: reshape back, transpose back, sum what a
// broadcast copied, cut out what a pad added and pad what a slice cut.
//
//===----------------------------------------------------------------------===//

#include "GradientBuilder.h"

#include <limits>

using namespace mlir;
using namespace kiln;
using namespace kiln::gradients;

namespace kiln::gradients {

template <>
LogicalResult gradientOf(ReshapeOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  dxs.push_back(g.reshapeLike(dys[0], op.getInput()));
  return success();
}

template <>
LogicalResult gradientOf(FlattenOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  dxs.push_back(g.reshapeLike(dys[0], op.getInput()));
  return success();
}

template <>
LogicalResult gradientOf(TransposeOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  ArrayRef<int64_t> perm = op.getPerm();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = static_cast<int64_t>(i);
  dxs.push_back(TransposeOp::create(g.b, g.loc, dys[0],
                                    g.b.getDenseI64ArrayAttr(inverse)));
  return success();
}

template <>
LogicalResult gradientOf(BroadcastToOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  dxs.push_back(g.sumToShapeOf(dys[0], op.getInput()));
  return success();
}

template <>
LogicalResult gradientOf(PadOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  SmallVector<int64_t> axes, starts, ends;
  for (auto [axis, low, high] :
       llvm::enumerate(op.getLow(), op.getHigh())) {
    if (low == 0 && high == 0)
      continue;
    axes.push_back(static_cast<int64_t>(axis));
    starts.push_back(low);
    // A negative end counts from the end, which also serves a dynamic
    // dimension.
    ends.push_back(high > 0 ? -high : std::numeric_limits<int64_t>::max());
  }
  if (axes.empty()) {
    dxs.push_back(dys[0]);
    return success();
  }
  dxs.push_back(SliceOp::create(g.b, g.loc, dys[0],
                                g.b.getDenseI64ArrayAttr(axes),
                                g.b.getDenseI64ArrayAttr(starts),
                                g.b.getDenseI64ArrayAttr(ends), nullptr));
  return success();
}

template <>
LogicalResult gradientOf(SliceOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  if (auto steps = op.getSteps())
    if (llvm::any_of(*steps, [](int64_t step) { return step != 1; }))
      return op.emitOpError("gradients of strided slices are not supported "
                            "yet");
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  auto outType = cast<RankedTensorType>(op.getType());
  int64_t rank = inType.getRank();
  SmallVector<int64_t> low(rank, 0), high(rank, 0);
  for (auto [axis, start] : llvm::zip(op.getAxes(), op.getStarts())) {
    int64_t a = axis < 0 ? axis + rank : axis;
    int64_t size = inType.getDimSize(a);
    if (ShapedType::isDynamic(size))
      return op.emitOpError("gradients of slices along a dynamic dimension "
                            "are not supported");
    int64_t begin = start < 0 ? std::max<int64_t>(start + size, 0)
                              : std::min(start, size);
    low[a] = begin;
    high[a] = size - begin - outType.getDimSize(a);
  }
  dxs.push_back(PadOp::create(g.b, g.loc, dys[0], g.b.getDenseI64ArrayAttr(low),
                              g.b.getDenseI64ArrayAttr(high),
                              g.b.getF64FloatAttr(0)));
  return success();
}

template <>
LogicalResult gradientOf(ConcatOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  int64_t rank = cast<RankedTensorType>(op.getType()).getRank();
  int64_t axis = op.getAxis() < 0 ? op.getAxis() + rank : op.getAxis();
  int64_t offset = 0;
  for (Value input : op.getInputs()) {
    int64_t size = cast<RankedTensorType>(input.getType()).getDimSize(axis);
    if (ShapedType::isDynamic(size))
      return op.emitOpError("gradients of a concatenation along a dynamic "
                            "dimension are not supported");
    dxs.push_back(SliceOp::create(
        g.b, g.loc, dys[0], g.b.getDenseI64ArrayAttr({axis}),
        g.b.getDenseI64ArrayAttr({offset}),
        g.b.getDenseI64ArrayAttr({offset + size}), nullptr));
    offset += size;
  }
  return success();
}

/// An embedding lookup's gradient adds each looked-up row's gradient into
/// the table's row: one_hot(indices)ᵀ · dy, a product that sums repeated
/// indices as scatter-add would.
template <>
LogicalResult gradientOf(GatherOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  auto tableType = cast<RankedTensorType>(op.getTable().getType());
  if (op.getAxis() != 0 || tableType.getRank() != 2)
    return op.emitOpError("gradients of gather are supported for lookups in "
                          "a [V, D] table along axis 0");
  int64_t rows = tableType.getDimSize(0), width = tableType.getDimSize(1);
  Value oneHot = OneHotOp::create(g.b, g.loc, op.getIndices(),
                                  g.b.getI64IntegerAttr(rows),
                                  TypeAttr::get(tableType.getElementType()));
  dxs.push_back(MatmulOp::create(g.b, g.loc, g.reshape(oneHot, {-1, rows}),
                                 g.reshape(dys[0], {-1, width}),
                                 g.b.getBoolAttr(true), g.b.getBoolAttr(false)));
  dxs.push_back(Value());
  return success();
}

void attachShapeGradients(MLIRContext &context) {
  attach<ReshapeOp, FlattenOp, TransposeOp, BroadcastToOp, PadOp, SliceOp,
         ConcatOp, GatherOp>(context);
}
} // namespace kiln::gradients
