//===- KilnOps.cpp - Generated op definitions -----------------------------===//
//
// Instantiates the ODS-generated op classes. Hand-written inference and
// verification live beside it, one file per op family.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/KilnOps.h"

#include "InferenceHelpers.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace kiln;

#define GET_OP_CLASSES
#include "kiln/Dialect/KilnOps.cpp.inc"
