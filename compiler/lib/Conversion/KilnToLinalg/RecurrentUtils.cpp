//===- RecurrentUtils.cpp - Pieces shared by recurrent lowerings ----------===//

#include "RecurrentUtils.h"
#include "LoweringUtils.h"

using namespace mlir;

/// `source[index]` along dimension 0, with that dimension dropped.
Value kiln::lowering::sliceLeading(OpBuilder &b, Location loc, Value source, OpFoldResult index) {
  auto type = cast<RankedTensorType>(source.getType());
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes, strides(rank, b.getIndexAttr(1));
  offsets[0] = index;
  sizes.push_back(b.getIndexAttr(1));
  for (int64_t d = 1; d < rank; ++d)
    sizes.push_back(sizeOrAttr(b, loc, source, d));
  auto resultType = RankedTensorType::get(type.getShape().drop_front(),
                                          type.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, resultType, source, offsets,
                                        sizes, strides);
}

/// `lhs · rhsᵀ` for lhs [M, K] and rhs [N, K], accumulated into `init`.
Value kiln::lowering::transposeMatrix(OpBuilder &b, Location loc,
                                     Value matrix) {
  auto type = cast<RankedTensorType>(matrix.getType());
  auto transposedType =
      type.clone({type.getDimSize(1), type.getDimSize(0)});
  return linalg::TransposeOp::create(
             b, loc, matrix,
             tensor::EmptyOp::create(b, loc, transposedType.getShape(),
                                     transposedType.getElementType()),
             ArrayRef<int64_t>{1, 0})
      .getResult()
      .front();
}

Value kiln::lowering::matmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                             Value init) {
  MLIRContext *context = b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
  return contract(b, loc, lhs, rhs, init,
                  {AffineMap::get(3, 0, {d(0), d(2)}, context),
                   AffineMap::get(3, 0, {d(2), d(1)}, context),
                   AffineMap::get(3, 0, {d(0), d(1)}, context)},
                  3);
}

Value kiln::lowering::matmulTransposed(OpBuilder &b, Location loc, Value lhs,
                                       Value rhs, Value init) {
  return matmul(b, loc, lhs, transposeMatrix(b, loc, rhs), init);
}

/// A [rows, features] tensor holding `bias` [features] in every row.
Value kiln::lowering::broadcastRows(OpBuilder &b, Location loc, Value bias, Value rows,
                    RankedTensorType type) {
  MLIRContext *context = b.getContext();
  SmallVector<Value> sizes = {rows, Value()};
  Value empty = emptyTensor(b, loc, type, sizes);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{bias}, ValueRange{empty},
             {AffineMap::get(2, 0, {getAffineDimExpr(1, context)}, context),
              AffineMap::getMultiDimIdentityMap(2, context)},
             SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
             [](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, args[0]);
             })
      .getResult(0);
}

Value kiln::lowering::sigmoid(OpBuilder &b, Location loc, Value x) {
  Value one = scalarConstant(b, loc, x.getType(), 1);
  return arith::DivFOp::create(
      b, loc, one,
      arith::AddFOp::create(
          b, loc, one,
          math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x))));
}


Value kiln::lowering::gateSlice(OpBuilder &b, Location loc, Value gates,
                                int64_t gate, int64_t hidden) {
  auto type = cast<RankedTensorType>(gates.getType());
  return tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get({type.getDimSize(0), hidden},
                                    type.getElementType()),
      gates,
      ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(gate * hidden)},
      ArrayRef<OpFoldResult>{sizeOrAttr(b, loc, gates, 0),
                             b.getIndexAttr(hidden)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
}

Value kiln::lowering::projectInputs(OpBuilder &b, Location loc, Cell cell,
                                    Value inputs, Value wIh, Value bIh,
                                    Value bHh, Value rows) {
  Value inputBias = bIh;
  if (cell != Cell::Gru)
    inputBias = broadcastGeneric(
        b, loc, cast<RankedTensorType>(bIh.getType()), ValueRange{bIh, bHh},
        [](OpBuilder &nb, Location l, ValueRange args) {
          return arith::AddFOp::create(nb, l, args[0], args[1]).getResult();
        });
  auto wType = cast<RankedTensorType>(wIh.getType());
  auto type = RankedTensorType::get({ShapedType::kDynamic, wType.getDimSize(0)},
                                    wType.getElementType());
  return matmulTransposed(b, loc, inputs, wIh,
                          broadcastRows(b, loc, inputBias, rows, type));
}

Value kiln::lowering::expandToSteps(OpBuilder &b, Location loc, Value flat,
                                    Value sequence, int64_t width) {
  auto sequenceType = cast<RankedTensorType>(sequence.getType());
  int64_t batch = sequenceType.getDimSize(0);
  int64_t steps = sequenceType.getDimSize(1);
  Type element = cast<RankedTensorType>(flat.getType()).getElementType();
  // expand_shape wants a static collapsed size when every expanded size is.
  if (!ShapedType::isDynamic(batch) && !ShapedType::isDynamic(steps))
    flat = tensor::CastOp::create(
        b, loc, RankedTensorType::get({batch * steps, width}, element), flat);
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({batch, steps, width}, element), flat,
      ArrayRef<ReassociationIndices>{{0, 1}, {2}},
      ArrayRef<OpFoldResult>{sizeOrAttr(b, loc, sequence, 0),
                             sizeOrAttr(b, loc, sequence, 1),
                             b.getIndexAttr(width)});
}
