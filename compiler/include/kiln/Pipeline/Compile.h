//===- Compile.h - A kiln-dialect model to a module -------------*- C++ -*-===//
//
// The compiler as a library: what kilnc runs after the front end, so that
// other drivers (the fuzzers, the Python package) compile in-process with
// the same stages and options.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PIPELINE_COMPILE_H
#define KILN_PIPELINE_COMPILE_H

#include "kiln/Target/ModuleSummary.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace kiln {

/// The stages in order; compilation can stop after any of them.
enum class CompileStage {
  Kiln,     ///< the model in the kiln dialect, as the front end emitted it
  Train,    ///< after autodiff and the optimizer step
  Layout,   ///< each convolution's layout chosen, still in the kiln dialect
  Linalg,   ///< lowered to linalg, elementwise chains fused
  Vector,   ///< split for threads, tiled, vectorized
  LLVMMLIR, ///< the LLVM dialect
  Kmod,     ///< native code linked into a module
};

struct CompileOptions {
  /// Each optimization can be left out to measure what it brings.
  bool vectorize = true;
  bool layout = true;
  bool fuse = true;
  /// Leave out the train entries (no autodiff, no optimizer).
  bool inferenceOnly = false;
  /// LLVM compiles the module in this many parts, one thread each.
  unsigned codegenParts = 2;
  /// The CPU and features to compile for (empty: this host's).
  std::string targetCpu;
  std::string targetFeatures;
  /// Called on every pass manager once its stage's passes are in and
  /// before it runs (the command line's pass manager options, crash
  /// instrumentation, test passes). Failure stops compilation.
  std::function<llvm::LogicalResult(mlir::PassManager &, CompileStage)>
      configurePassManager;
};

/// Sets hyperparameter `name` of every train entry's optimizer to `value`
/// (kilnc --optimizer lr=0.01), before lowering; a name the optimizer does
/// not have is an error diagnostic at the entry.
llvm::LogicalResult overrideOptimizers(mlir::ModuleOp module,
                                       llvm::StringRef name, double value);

/// Lowers `module` in place through `last` (at most LLVMMLIR). Errors are
/// reported as diagnostics on the module's context. The summary of the
/// entries as the runtime will call them is filled once autodiff has run
/// (its `layers` are the caller's: summarizeLayers before calling this).
llvm::LogicalResult lowerModule(mlir::ModuleOp module,
                                const CompileOptions &options,
                                CompileStage last, ModuleSummary &summary);

/// Compiles a module lowered to the LLVM dialect to native code and
/// packages it with `summary` as a .kmod. Errors are diagnostics on the
/// module's context.
mlir::FailureOr<std::vector<uint8_t>>
buildKmod(mlir::ModuleOp module, const CompileOptions &options,
          const ModuleSummary &summary);

} // namespace kiln

#endif // KILN_PIPELINE_COMPILE_H
