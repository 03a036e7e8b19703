//===- ShapeRefinement.h - Propagating inferred shapes ----------*- C++ -*-===//
#ifndef KILN_TRANSFORMS_SHAPEREFINEMENT_H
#define KILN_TRANSFORMS_SHAPEREFINEMENT_H

#include "mlir/Interfaces/FunctionInterfaces.h"

namespace kiln {

/// Re-infers the result types of the kiln ops in `func`, in program order,
/// and makes each result as static as inference proves. Users outside the
/// kiln dialect keep the old type through a tensor.cast. With
/// `updateSignature`, the function's result types follow its return values
/// (only safe when nothing calls the function). Fails, with a diagnostic,
/// where inference fails.
llvm::LogicalResult refineShapes(mlir::FunctionOpInterface func,
                                 bool updateSignature);

} // namespace kiln

#endif // KILN_TRANSFORMS_SHAPEREFINEMENT_H
