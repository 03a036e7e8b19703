//===- DifferentiableOpInterface.td - Gradient rules ----------*- tablegen -*-===//
//
// The reverse-mode rule of an op: given the gradients of its results, build
// the gradients of its operands. The autodiff pass only walks the function
// and accumulates; what each op contributes lives with the op.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_DIFFERENTIABLEOPINTERFACE_TD
#define KILN_DIALECT_DIFFERENTIABLEOPINTERFACE_TD

include "mlir/IR/OpBase.td"

def Kiln_DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let cppNamespace = "::kiln";
  let description = [{
    An op that reverse-mode autodiff can propagate gradients through.
    `buildGradients` receives one gradient per result (null where no
    gradient flows into that result; at least one is set), each of the
    result's type, and appends one value per operand to `operandGradients`:
    the gradient of that operand, of the operand's type, or null where the
    operand gets none (integer operands, indices, random keys, or an op such
    as `stop_gradient` that blocks gradients). The builder's insertion point
    is where the gradient computation goes; the op's results are available.
  }];
  let methods = [
    InterfaceMethod<"Builds the gradients of the operands.",
      "::llvm::LogicalResult", "buildGradients",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::ValueRange":$resultGradients,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGradients)>,
  ];
}

#endif // KILN_DIALECT_DIFFERENTIABLEOPINTERFACE_TD
