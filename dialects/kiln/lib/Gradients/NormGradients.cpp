//===- NormGradients.cpp - Gradients of batch and layer normalisation -----===//
//
// With x̂ = (x - mean) / sqrt(var + eps) over the normalised axes and
// y = scale · x̂ + offset, the input gradient is
//   dx = (dx̂ - mean(dx̂) - x̂ · mean(dx̂ · x̂)) / sqrt(var + eps),
// with dx̂ = dy · scale and the means over the same axes; x̂ is recomputed
// from the input rather than kept.
//
//===----------------------------------------------------------------------===//

#include "GradientBuilder.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::gradients;

namespace kiln::gradients {

static Value mean(GradientBuilder &g, Value x, ArrayRef<int64_t> axes) {
  return MeanOp::create(g.b, g.loc, x, g.b.getDenseI64ArrayAttr(axes),
                        g.b.getBoolAttr(true));
}

/// The normalised input and 1 / sqrt(var + eps), over `axes`.
static std::pair<Value, Value> normalise(GradientBuilder &g, Value x,
                                         ArrayRef<int64_t> axes,
                                         double epsilon) {
  Value centred = g.sub(x, mean(g, x, axes));
  Value variance = mean(g, g.mul(centred, centred), axes);
  Value inverse =
      RsqrtOp::create(g.b, g.loc, g.add(variance, g.scalarLike(x, epsilon)));
  return {g.mul(centred, inverse), inverse};
}

static Value inputGradient(GradientBuilder &g, Value dxhat, Value xhat,
                           Value inverse, ArrayRef<int64_t> axes) {
  return g.mul(g.sub(g.sub(dxhat, mean(g, dxhat, axes)),
                     g.mul(xhat, mean(g, g.mul(dxhat, xhat), axes))),
               inverse);
}

/// A per-channel [C] tensor shaped to broadcast along dimension 1 of a
/// rank-`rank` tensor.
static Value perChannel(GradientBuilder &g, Value value, int64_t rank) {
  if (rank == 2)
    return value;
  int64_t channels = cast<RankedTensorType>(value.getType()).getDimSize(0);
  SmallVector<int64_t> shape = {channels};
  shape.append(rank - 2, 1);
  return g.reshape(value, shape);
}

template <>
LogicalResult gradientOf(BatchNormOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  Value x = op.getInput(), dy = dys[0];
  if (!dy) // Only the running statistics are used: no gradient flows.
    dy = ZerosLikeOp::create(g.b, g.loc, op.getOutput());
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  SmallVector<int64_t> axes = {0};
  for (int64_t d = 2; d < rank; ++d)
    axes.push_back(d);
  Value scale = perChannel(g, op.getScale(), rank);
  double epsilon = op.getEpsilon().convertToDouble();
  Value xhat, inverse, dx;
  if (op.getTraining()) {
    std::tie(xhat, inverse) = normalise(g, x, axes, epsilon);
    dx = inputGradient(g, g.mul(dy, scale), xhat, inverse, axes);
  } else {
    // Normalised with the running statistics, which are constants here.
    inverse = RsqrtOp::create(
        g.b, g.loc,
        g.add(perChannel(g, op.getRunningVar(), rank), g.scalarLike(x, epsilon)));
    xhat = g.mul(g.sub(x, perChannel(g, op.getRunningMean(), rank)), inverse);
    dx = g.mul(g.mul(dy, scale), inverse);
  }
  dxs.push_back(dx);
  dxs.push_back(g.sum(g.mul(dy, xhat), axes, false));
  dxs.push_back(g.sum(dy, axes, false));
  dxs.append({Value(), Value()}); // running statistics: buffers
  return success();
}

template <>
LogicalResult gradientOf(LayerNormOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  Value x = op.getInput(), dy = dys[0];
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  auto axis = static_cast<int64_t>(op.getAxis());
  if (axis < 0)
    axis += rank;
  SmallVector<int64_t> normalised, leading;
  for (int64_t d = 0; d < rank; ++d)
    (d >= axis ? normalised : leading).push_back(d);
  auto [xhat, inverse] =
      normalise(g, x, normalised, op.getEpsilon().convertToDouble());
  dxs.push_back(
      inputGradient(g, g.mul(dy, op.getScale()), xhat, inverse, normalised));
  dxs.push_back(g.sum(g.mul(dy, xhat), leading, false));
  dxs.push_back(g.sum(dy, leading, false));
  return success();
}

void attachNormGradients(MLIRContext &context) {
  attach<BatchNormOp, LayerNormOp>(context);
}
} // namespace kiln::gradients
