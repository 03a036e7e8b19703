//===- LayerSummary.h - The model summary: one row per op ------*- C++ -*-===//
//
// What Keras' model.summary() and torchinfo show: for each op of the source
// model, its output shape, the parameter values it introduces and its
// floating-point operations per sample. Computed on the kiln dialect before
// autodiff, written into the .kmod so `kiln-run info --summary` shows it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TARGET_LAYERSUMMARY_H
#define KILN_TARGET_LAYERSUMMARY_H

#include "kiln/Target/ModuleSummary.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <string>
#include <vector>

namespace kiln {

/// The rows of every op of `module`'s entries, each op once. `bindingAt`
/// names the binding on a source line.
std::vector<LayerSummary>
summarizeLayers(mlir::ModuleOp module,
                llvm::function_ref<std::string(unsigned line)> bindingAt);

} // namespace kiln

#endif // KILN_TARGET_LAYERSUMMARY_H
