//===- ContractionGradients.cpp - Gradients of matmul and dense -----------===//

#include "GradientBuilder.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::gradients;

namespace kiln::gradients {

static Value matmul(GradientBuilder &g, Value lhs, Value rhs, bool transposeLhs,
                    bool transposeRhs) {
  return MatmulOp::create(g.b, g.loc, lhs, rhs,
                          g.b.getBoolAttr(transposeLhs),
                          g.b.getBoolAttr(transposeRhs));
}

/// dense(x, W, b) = x Wᵀ + b over the last dimension of x.
template <>
LogicalResult gradientOf(DenseOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  Value dy = dys[0], x = op.getInput(), weight = op.getWeight();
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  int64_t in = wType.getDimSize(1), out = wType.getDimSize(0);
  // dx = dy W; rows of any leading shape flatten to one matrix.
  Value dy2 = xType.getRank() == 2 ? dy : g.reshape(dy, {-1, out});
  Value x2 = xType.getRank() == 2 ? x : g.reshape(x, {-1, in});
  dxs.push_back(g.reshapeLike(matmul(g, dy2, weight, false, false), x));
  // dW = dyᵀ x.
  dxs.push_back(matmul(g, dy2, x2, true, false));
  if (op.getBias())
    dxs.push_back(g.sum(dy2, {0}, false));
  return success();
}

/// C = op(A) op(B), where op transposes when the flag is set:
/// d op(A) = dC op(B)ᵀ and d op(B) = op(A)ᵀ dC, transposed back for a
/// transposed operand; broadcast batch dimensions are summed.
template <>
LogicalResult gradientOf(MatmulOp op, GradientBuilder &g, ValueRange dys,
                         SmallVectorImpl<Value> &dxs) {
  Value dc = dys[0], a = op.getLhs(), b = op.getRhs();
  bool ta = op.getTransposeLhs(), tb = op.getTransposeRhs();
  Value da = ta ? matmul(g, b, dc, tb, true) : matmul(g, dc, b, false, !tb);
  Value db = tb ? matmul(g, dc, a, true, ta) : matmul(g, a, dc, !ta, false);
  dxs.push_back(g.sumToShapeOf(da, a));
  dxs.push_back(g.sumToShapeOf(db, b));
  return success();
}

void attachContractionGradients(MLIRContext &context) {
  attach<DenseOp, MatmulOp>(context);
}
} // namespace kiln::gradients
