//===- KilnOps.td - The kiln dialect's operations ------------*- tablegen -*-===//
//
// Gathers the op families; each family lives in its own file.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_KILNOPS_TD
#define KILN_DIALECT_KILNOPS_TD

include "kiln/Dialect/KilnBase.td"
include "kiln/Dialect/KilnAttrs.td"
include "kiln/Dialect/ElementwiseOps.td"
include "kiln/Dialect/ShapeOps.td"
include "kiln/Dialect/LinalgOps.td"
include "kiln/Dialect/ReductionOps.td"
include "kiln/Dialect/ConvOps.td"
include "kiln/Dialect/NormOps.td"
include "kiln/Dialect/RandomOps.td"
include "kiln/Dialect/RecurrentOps.td"
include "kiln/Dialect/LossOps.td"
include "kiln/Dialect/ModelOps.td"
include "kiln/Dialect/GradientOps.td"

#endif // KILN_DIALECT_KILNOPS_TD
