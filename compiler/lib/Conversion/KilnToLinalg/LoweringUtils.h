//===- LoweringUtils.h - Shared helpers of the kiln-to-linalg lowering ----===//
//
// Private to the conversion library: building tensors with dynamic sizes,
// broadcasting linalg.generic ops, scalar constants, and the reductions
// several op families share.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CONVERSION_KILNTOLINALG_LOWERINGUTILS_H
#define KILN_CONVERSION_KILNTOLINALG_LOWERINGUTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln::lowering {

/// Builds the body of an elementwise generic from the scalar operands.
using ScalarBuilder = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange)>;

/// The size of dimension `dim` of `tensor`, as an index value.
mlir::Value dimOf(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor,
                  int64_t dim);

/// The size of `dim` of `tensor`: an attribute when static, else a
/// `tensor.dim`.
mlir::OpFoldResult sizeOrAttr(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value tensor, int64_t dim);

/// `tensor.empty` of `type`; each dynamic size is taken from `sizes`
/// (indexed by dimension; entries for static dimensions are ignored).
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type,
                        llvm::ArrayRef<mlir::Value> sizes);

/// `emptyTensor` filled with `value`.
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type,
                         llvm::ArrayRef<mlir::Value> sizes,
                         mlir::Value value);

/// The sizes of a result of `type` that broadcasts `operands` (numpy
/// rules): a dynamic result size comes from an operand whose aligned size
/// is dynamic.
llvm::SmallVector<mlir::Value> broadcastSizes(mlir::OpBuilder &b,
                                              mlir::Location loc,
                                              mlir::RankedTensorType type,
                                              mlir::ValueRange operands);

/// A linalg.generic computing `body` elementwise over `operands`
/// broadcast to `resultType`.
mlir::Value broadcastGeneric(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::RankedTensorType resultType,
                             mlir::ValueRange operands, ScalarBuilder body);

/// A linalg.generic contraction `init += lhs * rhs` with the given maps over
/// `numLoops` loops, the last `numReductions` of which are reductions.
mlir::Value contract(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                     mlir::Value rhs, mlir::Value init,
                     llvm::ArrayRef<mlir::AffineMap> maps, unsigned numLoops,
                     unsigned numReductions = 1);

/// A scalar constant of `type` (float or integer).
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double value);

/// The largest or smallest value of `type` (infinities for floats).
mlir::Value extremeConstant(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Type type, bool largest);

enum class ReduceKind { Sum, Max, Min };

/// Reduces `input` over the (sorted, distinct) `axes`, dropping them.
mlir::Value reduce(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                   llvm::ArrayRef<int64_t> axes, ReduceKind kind);

/// `reduced` (without `axes`) broadcast back to the shape of `like`
/// (with them), applying `body(x, r)` elementwise.
mlir::Value combineWithReduced(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::Value like, mlir::Value reduced,
                               llvm::ArrayRef<int64_t> axes,
                               mlir::RankedTensorType resultType,
                               ScalarBuilder body);

/// The number of elements over `axes` of `tensor`, as a scalar of
/// `elementType`.
mlir::Value countOver(mlir::OpBuilder &b, mlir::Location loc,
                      mlir::Value tensor, llvm::ArrayRef<int64_t> axes,
                      mlir::Type elementType);

/// `tensor` with its dimensions collapsed to the given groups, or expanded
/// back; thin wrappers that compute dynamic output sizes.
mlir::Value collapse(mlir::OpBuilder &b, mlir::Location loc, mlir::Value tensor,
                     llvm::ArrayRef<mlir::ReassociationIndices> groups);

/// Normalized, sorted axes of a reduction over `rank` dimensions (all when
/// `axes` is empty).
llvm::SmallVector<int64_t> normalizeAxes(llvm::ArrayRef<int64_t> axes,
                                         int64_t rank);

} // namespace kiln::lowering

#endif // KILN_CONVERSION_KILNTOLINALG_LOWERINGUTILS_H
