//===- ModelSummary.h - The model summary as a table -----------*- C++ -*-===//
//
// What tools share (IREE's runtime/src/iree/tooling): presentation over the
// core runtime's data, here the per-op summary that `kilnc --summary` and
// `kiln-run info --summary` print, as Keras' model.summary() does.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLING_MODELSUMMARY_H
#define KILN_TOOLING_MODELSUMMARY_H

#include "kiln/runtime/Module.h"

#include <string>
#include <vector>

namespace kiln::tooling {

struct ParameterTotals {
  int64_t trainable = 0; ///< values of trainable parameters
  int64_t buffers = 0;   ///< values of buffers (running statistics)
  int64_t bytes = 0;     ///< both, as stored
};

/// Sums the module's parameter table.
ParameterTotals totalParameters(const std::vector<rt::ParamSpec> &params);

/// The summary table: one row per op (line:column, binding, op, result
/// shapes, parameters, FLOPs per sample), ops only training runs under
/// their entry's heading, then the totals.
std::string formatModelSummary(const std::string &modelName,
                               const std::vector<rt::LayerSpec> &layers,
                               const ParameterTotals &totals);

} // namespace kiln::tooling

#endif // KILN_TOOLING_MODELSUMMARY_H
