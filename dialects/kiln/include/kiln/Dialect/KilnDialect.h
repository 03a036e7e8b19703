//===- KilnDialect.h - The kiln dialect -------------------------*- C++ -*-===//
//
// The dialect class, its enums and attributes, and the type rules shared by
// every op.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILNDIALECT_H
#define KILN_DIALECT_KILNDIALECT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"

#include "kiln/Dialect/KilnDialect.h.inc"
#include "kiln/Dialect/KilnEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "kiln/Dialect/KilnAttrs.h.inc"

namespace kiln {

/// A random key is a `tensor<2xi64>` holding (seed, step).
bool isRngKeyType(mlir::Type type);

/// True when every `actual` type is a tensor of the same rank and element
/// type as the matching `inferred` one and agrees with it on every
/// dimension both know: IR may spell a result less statically than
/// inference finds it.
bool areRefinableTypes(mlir::TypeRange inferred, mlir::TypeRange actual);

} // namespace kiln

#endif // KILN_DIALECT_KILNDIALECT_H
