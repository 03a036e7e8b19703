//===- ShapeGradients.cpp - Gradients of shape ops ------------------------===//
//
// Shape ops move elements without changing them, so their gradients move
// the gradient's elements back: reshape back, transpose back, sum what a
// broadcast copied, cut out what a pad added and pad what a slice cut
// (with zeros between the elements of a strided one).
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

/// `dy` with `step - 1` zeros after each element along `axis`: the
/// gradient of a strided slice laid out as that of the unit-step slice
/// from the same start, `size * step` long.
static Value spreadAlong(GradientBuilder &g, Value dy, int64_t axis,
                         int64_t step) {
  auto type = cast<RankedTensorType>(dy.getType());
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t &size : shape)
    if (ShapedType::isDynamic(size))
      size = -1;
  SmallVector<int64_t> withTaps(shape);
  withTaps.insert(withTaps.begin() + axis + 1, 1);
  SmallVector<int64_t> low(withTaps.size(), 0), high(withTaps.size(), 0);
  high[axis + 1] = step - 1;
  Value taps = PadOp::create(g.b, g.loc, g.reshape(dy, withTaps),
                             g.b.getDenseI64ArrayAttr(low),
                             g.b.getDenseI64ArrayAttr(high),
                             g.b.getF64FloatAttr(0));
  shape[axis] *= step;
  return g.reshape(taps, shape);
}

/// A slice's gradient is the output gradient padded back to the input's
/// shape; a strided one first puts zeros between the elements it kept.
template <>
LogicalResult gradientOf(SliceOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  auto outType = cast<RankedTensorType>(op.getType());
  int64_t rank = inType.getRank();
  Value dy = dys[0];
  SmallVector<int64_t> low(rank, 0), high(rank, 0);
  SmallVector<int64_t> cropAxes, cropEnds;
  for (auto [i, axis, start] :
       llvm::enumerate(op.getAxes(), op.getStarts())) {
    int64_t a = axis < 0 ? axis + rank : axis;
    int64_t size = inType.getDimSize(a);
    if (ShapedType::isDynamic(size))
      return op.emitOpError("gradients of slices along a dynamic dimension "
                            "are not supported");
    int64_t step = op.getSteps() ? (*op.getSteps())[i] : 1;
    int64_t begin = start < 0 ? std::max<int64_t>(start + size, 0)
                              : std::min(start, size);
    int64_t kept = outType.getDimSize(a);
    if (step != 1 && kept > 0)
      dy = spreadAlong(g, dy, a, step);
    int64_t spread = step == 1 || kept == 0 ? kept : kept * step;
    low[a] = begin;
    high[a] = size - begin - spread;
    // The zeros after the last kept element may run past the input.
    if (high[a] < 0) {
      cropAxes.push_back(a);
      cropEnds.push_back(size - begin);
      high[a] = 0;
    }
  }
  if (!cropAxes.empty())
    dy = SliceOp::create(g.b, g.loc, dy, g.b.getDenseI64ArrayAttr(cropAxes),
                         g.b.getDenseI64ArrayAttr(
                             SmallVector<int64_t>(cropAxes.size(), 0)),
                         g.b.getDenseI64ArrayAttr(cropEnds), nullptr);
  dxs.push_back(PadOp::create(g.b, g.loc, dy, g.b.getDenseI64ArrayAttr(low),
                              g.b.getDenseI64ArrayAttr(high),
                              g.b.getF64FloatAttr(0)));
  return success();
}

template <>
LogicalResult gradientOf(ConcatOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  int64_t rank = cast<RankedTensorType>(op.getType()).getRank();
  // The attribute is signed; its accessor returns it as unsigned.
  auto axis = static_cast<int64_t>(op.getAxis());
  if (axis < 0)
    axis += rank;
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
/// indices as scatter-add would. A lookup along another axis of the table
/// is the same product with that axis moved to the front and back.
template <>
LogicalResult gradientOf(GatherOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  auto tableType = cast<RankedTensorType>(op.getTable().getType());
  if (!tableType.hasStaticShape())
    return op.emitOpError("gradients of gather need a table of static shape");
  int64_t tableRank = tableType.getRank();
  auto axis = static_cast<int64_t>(op.getAxis());
  if (axis < 0)
    axis += tableRank;
  int64_t indexRank =
      cast<RankedTensorType>(op.getIndices().getType()).getRank();
  int64_t rows = tableType.getDimSize(axis);
  // The table's other dimensions, in order: those before the axis (which
  // lead the result) and those after it (which trail it).
  SmallVector<int64_t> others;
  int64_t width = 1;
  for (int64_t d = 0; d < tableRank; ++d)
    if (d != axis) {
      others.push_back(tableType.getDimSize(d));
      width *= tableType.getDimSize(d);
    }
  Value dy = dys[0];
  if (axis != 0) {
    // [A, I, B] to [I, A, B].
    SmallVector<int64_t> perm;
    for (int64_t d = 0; d < indexRank; ++d)
      perm.push_back(axis + d);
    for (int64_t d = 0; d < axis; ++d)
      perm.push_back(d);
    for (int64_t d = axis + indexRank; d < tableRank - 1 + indexRank; ++d)
      perm.push_back(d);
    dy = TransposeOp::create(g.b, g.loc, dy, g.b.getDenseI64ArrayAttr(perm));
  }
  Value oneHot = OneHotOp::create(g.b, g.loc, op.getIndices(),
                                  g.b.getI64IntegerAttr(rows),
                                  TypeAttr::get(tableType.getElementType()));
  Value rowsFirst = MatmulOp::create(
      g.b, g.loc, g.reshape(oneHot, {-1, rows}), g.reshape(dy, {-1, width}),
      g.b.getBoolAttr(true), g.b.getBoolAttr(false));
  if (axis == 0) {
    dxs.push_back(g.reshapeLike(rowsFirst, op.getTable()));
  } else {
    // [V, A, B] back to [A, V, B].
    SmallVector<int64_t> shape = {rows};
    shape.append(others);
    SmallVector<int64_t> perm;
    for (int64_t d = 1; d <= axis; ++d)
      perm.push_back(d);
    perm.push_back(0);
    for (int64_t d = axis + 1; d < tableRank; ++d)
      perm.push_back(d);
    dxs.push_back(TransposeOp::create(g.b, g.loc, g.reshape(rowsFirst, shape),
                                      g.b.getDenseI64ArrayAttr(perm)));
  }
  dxs.push_back(Value());
  return success();
}

void attachShapeGradients(MLIRContext &context) {
  attach<ReshapeOp, FlattenOp, TransposeOp, BroadcastToOp, PadOp, SliceOp,
         ConcatOp, GatherOp>(context);
}
} // namespace kiln::gradients
