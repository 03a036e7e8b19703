//===- GradientBuilder.h - Building blocks of gradient rules ----*- C++ -*-===//
//
// Private to the dialect library. Gradient rules are written in kiln ops;
// this wraps the builder with the few compositions they share (summing a
// broadcast gradient back to an operand's shape, scaling by a constant).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_LIB_GRADIENTS_GRADIENTBUILDER_H
#define KILN_DIALECT_LIB_GRADIENTS_GRADIENTBUILDER_H

#include "kiln/Dialect/KilnOps.h"

namespace kiln::gradients {

class GradientBuilder {
public:
  GradientBuilder(mlir::OpBuilder &builder, mlir::Location loc)
      : b(builder), loc(loc) {}

  mlir::Value add(mlir::Value lhs, mlir::Value rhs);
  mlir::Value sub(mlir::Value lhs, mlir::Value rhs);
  mlir::Value mul(mlir::Value lhs, mlir::Value rhs);
  mlir::Value div(mlir::Value lhs, mlir::Value rhs);
  mlir::Value neg(mlir::Value value);
  /// A rank-0 constant of `value`'s element type.
  mlir::Value scalarLike(mlir::Value value, double constant);
  /// `value * constant`.
  mlir::Value scale(mlir::Value value, double constant);
  /// `constant - value`.
  mlir::Value rsub(double constant, mlir::Value value);
  mlir::Value compare(ComparePredicate predicate, mlir::Value lhs,
                      mlir::Value rhs);
  /// `cond ? onTrue : 0`.
  mlir::Value maskWith(mlir::Value cond, mlir::Value onTrue);
  mlir::Value select(mlir::Value cond, mlir::Value onTrue,
                     mlir::Value onFalse);
  mlir::Value sum(mlir::Value value, llvm::ArrayRef<int64_t> axes,
                  bool keepDims);
  /// `value` reshaped to `like`'s shape (its dynamic dimension inferred).
  mlir::Value reshapeLike(mlir::Value value, mlir::Value like);
  mlir::Value reshape(mlir::Value value, llvm::ArrayRef<int64_t> shape);
  /// The gradient of a broadcast: `grad` (of the broadcast shape) summed
  /// over the dimensions along which `operand` was stretched.
  mlir::Value sumToShapeOf(mlir::Value grad, mlir::Value operand);
  /// `grad` of a reduction's result spread back over `like`'s shape.
  mlir::Value expandReduced(mlir::Value grad, mlir::Value like,
                            llvm::ArrayRef<int64_t> axes, bool keepDims,
                            bool mean);

  mlir::OpBuilder &b;
  mlir::Location loc;
};

/// The gradient rule of `OpTy`; each op family's file specializes it.
template <typename OpTy>
llvm::LogicalResult gradientOf(OpTy op, GradientBuilder &g,
                               mlir::ValueRange resultGrads,
                               llvm::SmallVectorImpl<mlir::Value> &operandGrads);

template <typename OpTy>
struct GradientModel
    : DifferentiableOpInterface::ExternalModel<GradientModel<OpTy>, OpTy> {
  llvm::LogicalResult
  buildGradients(mlir::Operation *op, mlir::OpBuilder &builder,
                 mlir::ValueRange resultGrads,
                 llvm::SmallVectorImpl<mlir::Value> &operandGrads) const {
    GradientBuilder g(builder, op->getLoc());
    return gradientOf(llvm::cast<OpTy>(op), g, resultGrads, operandGrads);
  }
};

template <typename... OpTys> void attach(mlir::MLIRContext &context) {
  (OpTys::template attachInterface<GradientModel<OpTys>>(context), ...);
}

void attachElementwiseGradients(mlir::MLIRContext &context);
void attachContractionGradients(mlir::MLIRContext &context);
void attachConvGradients(mlir::MLIRContext &context);
void attachReductionGradients(mlir::MLIRContext &context);
void attachRecurrentGradients(mlir::MLIRContext &context);
void attachShapeGradients(mlir::MLIRContext &context);
void attachLossGradients(mlir::MLIRContext &context);
void attachNormGradients(mlir::MLIRContext &context);
void attachStochasticGradients(mlir::MLIRContext &context);

} // namespace kiln::gradients

#endif // KILN_DIALECT_LIB_GRADIENTS_GRADIENTBUILDER_H
