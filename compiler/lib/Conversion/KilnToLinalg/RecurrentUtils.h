//===- RecurrentUtils.h - Pieces shared by recurrent lowerings --*- C++ -*-===//

#ifndef KILN_CONVERSION_KILNTOLINALG_RECURRENTUTILS_H
#define KILN_CONVERSION_KILNTOLINALG_RECURRENTUTILS_H

#include "mlir/IR/Builders.h"

namespace kiln::lowering {

enum class Cell { Rnn, Gru, Lstm };

/// `source[index]` along dimension 0, with that dimension dropped.
mlir::Value sliceLeading(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value source, mlir::OpFoldResult index);

/// `matrix` [N, K] as [K, N]. A weight multiplied as `x · wᵀ` in every step
/// of a recurrence is transposed once, before the loop: read in place, each
/// step's product would gather its vector of columns across rows.
mlir::Value transposeMatrix(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value matrix);

/// `lhs · rhs` for lhs [M, K] and rhs [K, N], accumulated into `init`.
mlir::Value matmul(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                   mlir::Value rhs, mlir::Value init);

/// `lhs · rhsᵀ` for lhs [M, K] and rhs [N, K], accumulated into `init`
/// (rhs transposed first).
mlir::Value matmulTransposed(mlir::OpBuilder &b, mlir::Location loc,
                             mlir::Value lhs, mlir::Value rhs,
                             mlir::Value init);

/// A [rows, features] tensor holding `bias` [features] in every row.
mlir::Value broadcastRows(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value bias, mlir::Value rows,
                          mlir::RankedTensorType type);

/// The input side of every step's gate pre-activations at once, [rows,
/// G*H]: `inputs` [rows, F] · w_ihᵀ plus the biases that belong there (both
/// of them, but a GRU's hidden bias, which stays inside its reset gate's
/// product).
mlir::Value projectInputs(mlir::OpBuilder &b, mlir::Location loc, Cell cell,
                          mlir::Value inputs, mlir::Value wIh, mlir::Value bIh,
                          mlir::Value bHh, mlir::Value rows);

/// `flat` [N * T, width], computed with a dynamic row count, as the
/// sequence [N, T, width] of `sequence` [N, T, ...]; a static N and T give
/// static rows first.
mlir::Value expandToSteps(mlir::OpBuilder &b, mlir::Location loc,
                          mlir::Value flat, mlir::Value sequence,
                          int64_t width);

/// Gate `gate` [N, H] of a [N, G*H] tensor of gates.
mlir::Value gateSlice(mlir::OpBuilder &b, mlir::Location loc, mlir::Value gates,
                      int64_t gate, int64_t hidden);

/// The logistic function of a scalar.
mlir::Value sigmoid(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x);

} // namespace kiln::lowering

#endif // KILN_CONVERSION_KILNTOLINALG_RECURRENTUTILS_H
