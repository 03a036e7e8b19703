//===- KilnOps.h - Operations of the kiln dialect ---------------*- C++ -*-===//
#ifndef KILN_DIALECT_KILNOPS_H
#define KILN_DIALECT_KILNOPS_H

#include "kiln/Dialect/KilnDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace kiln {

/// Shortest text that reads back as `value` ("0.5", "6"), for diagnostics.
std::string formatNumber(double value);

namespace OpTrait {
/// Verifies an op by running its type inference with the op's location.
llvm::LogicalResult verifyInference(mlir::Operation *op);

template <typename ConcreteType>
class InferenceChecked
    : public mlir::OpTrait::TraitBase<ConcreteType, InferenceChecked> {
public:
  static llvm::LogicalResult verifyTrait(mlir::Operation *op) {
    return verifyInference(op);
  }
};
} // namespace OpTrait

/// Builds op `name` (a kiln op with type inference) on `operands` and
/// `attributes`, its result types inferred. A front end's input may not
/// type-check: the inference's or the verifier's error is reported at
/// `loc` and the op erased, where the inferring builders would abort.
mlir::FailureOr<mlir::Operation *>
createInferred(mlir::OpBuilder &builder, mlir::Location loc,
               llvm::StringRef name, mlir::ValueRange operands,
               llvm::ArrayRef<mlir::NamedAttribute> attributes,
               unsigned numResults = 1);

/// Attaches the gradient rules (DifferentiableOpInterface) to the ops; the
/// dialect does it when it loads.
void attachGradientRules(mlir::MLIRContext &context);
} // namespace kiln

#include "kiln/Dialect/DifferentiableOpInterface.h.inc"

#define GET_OP_CLASSES
#include "kiln/Dialect/KilnOps.h.inc"

#endif // KILN_DIALECT_KILNOPS_H
