//===- LoweringUtils.cpp - Shared helpers of the kiln-to-linalg lowering --===//

#include "LoweringUtils.h"

#include "mlir/IR/AffineMap.h"

#include <limits>

using namespace mlir;

namespace kiln::lowering {

Value dimOf(OpBuilder &b, Location loc, Value tensor, int64_t dim) {
  return tensor::DimOp::create(b, loc, tensor, dim);
}

OpFoldResult sizeOrAttr(OpBuilder &b, Location loc, Value tensor,
                        int64_t dim) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (type.isDynamicDim(dim))
    return dimOf(b, loc, tensor, dim);
  return b.getIndexAttr(type.getDimSize(dim));
}

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                  ArrayRef<Value> sizes) {
  SmallVector<Value> dynamic;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dynamic.push_back(sizes[d]);
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 type.getElementType(), dynamic);
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   ArrayRef<Value> sizes, Value value) {
  Value empty = emptyTensor(b, loc, type, sizes);
  return linalg::FillOp::create(b, loc, ValueRange{value}, ValueRange{empty})
      .getResult(0);
}

SmallVector<Value> broadcastSizes(OpBuilder &b, Location loc,
                                  RankedTensorType type, ValueRange operands) {
  int64_t rank = type.getRank();
  SmallVector<Value> sizes(rank);
  for (int64_t d = 0; d < rank; ++d) {
    if (!type.isDynamicDim(d))
      continue;
    // A size the operands know statically (the result was declared less
    // static than it could be) or, failing that, a run-time size.
    for (Value operand : operands) {
      auto operandType = cast<RankedTensorType>(operand.getType());
      int64_t aligned = d - (rank - operandType.getRank());
      if (aligned < 0)
        continue;
      if (operandType.isDynamicDim(aligned)) {
        sizes[d] = dimOf(b, loc, operand, aligned);
        break;
      }
      if (operandType.getDimSize(aligned) != 1) {
        sizes[d] = arith::ConstantIndexOp::create(
            b, loc, operandType.getDimSize(aligned));
        break;
      }
    }
    if (!sizes[d])
      sizes[d] = arith::ConstantIndexOp::create(b, loc, 1);
  }
  return sizes;
}

/// The map from the iteration space of a `rank`-dimensional result to an
/// operand broadcast into it: aligned from the right, size-1 dimensions
/// read index 0.
static AffineMap broadcastMap(MLIRContext *context, int64_t rank,
                              RankedTensorType operandType,
                              RankedTensorType resultType) {
  SmallVector<AffineExpr> exprs;
  int64_t offset = rank - operandType.getRank();
  for (int64_t d = 0; d < operandType.getRank(); ++d) {
    bool stretched = operandType.getDimSize(d) == 1 &&
                     resultType.getDimSize(d + offset) != 1;
    exprs.push_back(stretched ? getAffineConstantExpr(0, context)
                              : getAffineDimExpr(d + offset, context));
  }
  return AffineMap::get(rank, 0, exprs, context);
}

Value broadcastGeneric(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange operands, ScalarBuilder body) {
  int64_t rank = resultType.getRank();
  MLIRContext *context = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value operand : operands)
    maps.push_back(broadcastMap(
        context, rank, cast<RankedTensorType>(operand.getType()), resultType));
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, context));
  Value init =
      emptyTensor(b, loc, resultType, broadcastSizes(b, loc, resultType,
                                                     operands));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, operands, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value result = body(nb, nloc, args.drop_back());
        linalg::YieldOp::create(nb, nloc, result);
      });
  return generic.getResult(0);
}

/// A linalg.generic contraction `init += lhs * rhs` with the given maps over
/// `numLoops` loops, the last of which is the reduction.
Value contract(OpBuilder &b, Location loc, Value lhs, Value rhs, Value init,
               ArrayRef<AffineMap> maps, unsigned numLoops,
               unsigned numReductions) {
  SmallVector<utils::IteratorType> iterators(numLoops,
                                             utils::IteratorType::parallel);
  std::fill(iterators.end() - numReductions, iterators.end(),
            utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{lhs, rhs},
      ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value sum;
        // `contract` lets LLVM fuse the multiply and the add into one FMA.
        auto contractFlags = arith::FastMathFlags::contract;
        if (isa<FloatType>(args[0].getType()))
          sum = arith::AddFOp::create(
              nb, nloc, args[2],
              arith::MulFOp::create(nb, nloc, args[0], args[1], contractFlags),
              contractFlags);
        else
          sum = arith::AddIOp::create(
              nb, nloc, args[2], arith::MulIOp::create(nb, nloc, args[0], args[1]));
        linalg::YieldOp::create(nb, nloc, sum);
      });
  return generic.getResult(0);
}

Value scalarConstant(OpBuilder &b, Location loc, Type type, double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(floatType, value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Value extremeConstant(OpBuilder &b, Location loc, Type type, bool largest) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(floatType,
                       APFloat::getInf(floatType.getFloatSemantics(),
                                       /*Negative=*/!largest)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt value = largest ? APInt::getSignedMaxValue(width)
                        : APInt::getSignedMinValue(width);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, value));
}

/// Combines two scalars as `kind` does.
static Value combine(OpBuilder &b, Location loc, ReduceKind kind, Value x,
                     Value y) {
  bool isFloat = isa<FloatType>(x.getType());
  switch (kind) {
  case ReduceKind::Sum:
    return isFloat ? Value(arith::AddFOp::create(b, loc, x, y))
                   : Value(arith::AddIOp::create(b, loc, x, y));
  case ReduceKind::Max:
    return isFloat ? Value(arith::MaximumFOp::create(b, loc, x, y))
                   : Value(arith::MaxSIOp::create(b, loc, x, y));
  case ReduceKind::Min:
    return isFloat ? Value(arith::MinimumFOp::create(b, loc, x, y))
                   : Value(arith::MinSIOp::create(b, loc, x, y));
  }
  return x;
}

Value reduce(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes,
             ReduceKind kind) {
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  // Over the last dimension, of a long run of reduced trailing dimensions
  // (a row of pixels, of a bias gradient's sum over N, H and W): that run is
  // one contiguous row of L elements, seen as [L / W, W]. The reduction
  // first accumulates W lanes per kept position, in vector registers across
  // every reduced dimension, then adds up the lanes: one pass over the
  // input, and no horizontal sum per step.
  int64_t trailing = 0, length = 1;
  while (trailing < rank && llvm::is_contained(axes, rank - 1 - trailing) &&
         !inputType.isDynamicDim(rank - 1 - trailing))
    length *= inputType.getDimSize(rank - 1 - trailing++);
  constexpr int64_t kMinSplitLength = 32;
  int64_t lanes = 0;
  for (int64_t candidate : {16, 8, 4})
    if (length % candidate == 0) {
      lanes = candidate;
      break;
    }
  if (trailing > 0 && length >= kMinSplitLength && lanes > 0) {
    int64_t kept = rank - trailing;
    SmallVector<ReassociationIndices> groups;
    for (int64_t d = 0; d < kept; ++d)
      groups.push_back({d});
    groups.emplace_back();
    for (int64_t d = kept; d < rank; ++d)
      groups.back().push_back(d);
    Value rows = collapse(b, loc, input, groups);
    SmallVector<int64_t> shape(inputType.getShape().take_front(kept));
    SmallVector<OpFoldResult> sizes;
    for (int64_t d = 0; d < kept; ++d)
      sizes.push_back(sizeOrAttr(b, loc, input, d));
    shape.append({length / lanes, lanes});
    sizes.append({b.getIndexAttr(length / lanes), b.getIndexAttr(lanes)});
    groups.back() = {kept, kept + 1};
    Value split = tensor::ExpandShapeOp::create(
        b, loc, inputType.clone(shape), rows, groups, sizes);
    SmallVector<int64_t> laneAxes(axes.drop_back(trailing));
    laneAxes.push_back(kept);
    Value partial = reduce(b, loc, split, laneAxes, kind);
    int64_t partialRank = cast<RankedTensorType>(partial.getType()).getRank();
    return reduce(b, loc, partial, {partialRank - 1}, kind);
  }
  Type element = inputType.getElementType();
  MLIRContext *context = b.getContext();
  SmallVector<int64_t> shape;
  SmallVector<Value> sizes;
  SmallVector<AffineExpr> outputExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < rank; ++d) {
    if (llvm::is_contained(axes, d)) {
      iterators.push_back(utils::IteratorType::reduction);
      continue;
    }
    iterators.push_back(utils::IteratorType::parallel);
    shape.push_back(inputType.getDimSize(d));
    sizes.push_back(inputType.isDynamicDim(d) ? dimOf(b, loc, input, d)
                                              : Value());
    outputExprs.push_back(getAffineDimExpr(d, context));
  }
  auto resultType = RankedTensorType::get(shape, element);
  Value identity = kind == ReduceKind::Sum
                       ? scalarConstant(b, loc, element, 0)
                       : extremeConstant(b, loc, element,
                                         /*largest=*/kind == ReduceKind::Min);
  Value init = filledTensor(b, loc, resultType, sizes, identity);
  SmallVector<AffineMap> maps = {
      AffineMap::getMultiDimIdentityMap(rank, context),
      AffineMap::get(rank, 0, outputExprs, context)};
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, ValueRange{input}, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc,
                                combine(nb, nloc, kind, args[0], args[1]));
      });
  return generic.getResult(0);
}

Value combineWithReduced(OpBuilder &b, Location loc, Value like, Value reduced,
                         ArrayRef<int64_t> axes, RankedTensorType resultType,
                         ScalarBuilder body) {
  int64_t rank = resultType.getRank();
  MLIRContext *context = b.getContext();
  SmallVector<AffineExpr> reducedExprs;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(axes, d))
      reducedExprs.push_back(getAffineDimExpr(d, context));
  SmallVector<AffineMap> maps = {
      AffineMap::getMultiDimIdentityMap(rank, context),
      AffineMap::get(rank, 0, reducedExprs, context),
      AffineMap::getMultiDimIdentityMap(rank, context)};
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < rank; ++d)
    sizes.push_back(resultType.isDynamicDim(d) ? dimOf(b, loc, like, d)
                                               : Value());
  Value init = emptyTensor(b, loc, resultType, sizes);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, ValueRange{like, reduced},
      ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, body(nb, nloc, args.drop_back()));
      });
  return generic.getResult(0);
}

Value countOver(OpBuilder &b, Location loc, Value tensor,
                ArrayRef<int64_t> axes, Type elementType) {
  auto type = cast<RankedTensorType>(tensor.getType());
  int64_t known = 1;
  Value dynamic;
  for (int64_t axis : axes) {
    if (!type.isDynamicDim(axis)) {
      known *= type.getDimSize(axis);
      continue;
    }
    Value size = dimOf(b, loc, tensor, axis);
    dynamic = dynamic ? arith::MulIOp::create(b, loc, dynamic, size) : size;
  }
  if (!dynamic)
    return scalarConstant(b, loc, elementType, static_cast<double>(known));
  Value count = arith::IndexCastOp::create(b, loc, b.getI64Type(), dynamic);
  Value asFloat = arith::SIToFPOp::create(b, loc, elementType, count);
  return arith::MulFOp::create(
      b, loc, asFloat,
      scalarConstant(b, loc, elementType, static_cast<double>(known)));
}

Value collapse(OpBuilder &b, Location loc, Value tensor,
               ArrayRef<ReassociationIndices> groups) {
  return tensor::CollapseShapeOp::create(b, loc, tensor, groups);
}

SmallVector<int64_t> normalizeAxes(ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> result;
  if (axes.empty()) {
    for (int64_t d = 0; d < rank; ++d)
      result.push_back(d);
    return result;
  }
  for (int64_t axis : axes)
    result.push_back(axis < 0 ? axis + rank : axis);
  llvm::sort(result);
  return result;
}

} // namespace kiln::lowering
