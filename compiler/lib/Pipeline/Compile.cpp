//===- Compile.cpp - A kiln-dialect model to a module ---------------------===//

#include "kiln/Pipeline/Compile.h"

#include "kiln/Dialect/KilnOps.h"
#include "kiln/Pipeline/CrashDiagnostics.h"
#include "kiln/Pipeline/Pipeline.h"
#include "kiln/Target/Kmod.h"
#include "kiln/Target/NativeCode.h"
#include "kiln/Target/ParallelCodegen.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace kiln {
namespace {

/// Train entries erased; loss entries kept as plain inference entries.
void dropTraining(mlir::ModuleOp module) {
  llvm::SmallVector<mlir::func::FuncOp> trainEntries;
  for (auto func : module.getOps<mlir::func::FuncOp>())
    if (func->hasAttr(KilnDialect::kOptimizerAttrName))
      trainEntries.push_back(func);
  for (mlir::func::FuncOp func : trainEntries)
    func.erase();
  for (auto func : module.getOps<mlir::func::FuncOp>())
    func->removeAttr(KilnDialect::kLossOfAttrName);
}

using StageBuilder = llvm::LogicalResult (*)(mlir::OpPassManager &);

/// One pass manager per stage, so that a caller can print between them.
llvm::LogicalResult runStage(mlir::ModuleOp module,
                             const CompileOptions &options,
                             StageBuilder build, CompileStage stage) {
  mlir::PassManager pm(module.getContext());
  if (failed(build(pm)))
    return module.emitError("cannot build the pass pipeline");
  if (options.configurePassManager &&
      failed(options.configurePassManager(pm, stage)))
    return mlir::failure();
  return pm.run(module);
}

} // namespace

llvm::LogicalResult lowerModule(mlir::ModuleOp module,
                                const CompileOptions &options,
                                CompileStage last, ModuleSummary &summary) {
  if (last == CompileStage::Kiln)
    return mlir::success();
  if (options.inferenceOnly)
    dropTraining(module);
  setCrashStage("");
  if (failed(runStage(module, options, addDifferentiatePasses,
                      CompileStage::Train)))
    return mlir::failure();
  // The entries as the runtime will call them: autodiff gave train
  // entries their state and scalar arguments.
  std::vector<LayerSummary> layers = std::move(summary.layers);
  mlir::FailureOr<ModuleSummary> summarized = summarizeModule(module);
  if (failed(summarized))
    return mlir::failure();
  summary = std::move(*summarized);
  summary.layers = std::move(layers);
  if (last == CompileStage::Train)
    return mlir::success();

  if (options.layout && failed(runStage(module, options, addLayoutPasses,
                                        CompileStage::Layout)))
    return mlir::failure();
  if (last == CompileStage::Layout)
    return mlir::success();
  struct Stage {
    StageBuilder build;
    CompileStage stage;
    bool enabled;
  };
  for (Stage stage :
       {Stage{addLowerToLinalgPasses, CompileStage::Linalg, true},
        Stage{addFusionPasses, CompileStage::Linalg, options.fuse},
        Stage{addVectorizePasses, CompileStage::Vector, options.vectorize},
        Stage{addLowerToLLVMPasses, CompileStage::LLVMMLIR, true}}) {
    if (stage.stage > last)
      break;
    if (stage.enabled &&
        failed(runStage(module, options, stage.build, stage.stage)))
      return mlir::failure();
  }
  return mlir::success();
}

mlir::FailureOr<std::vector<uint8_t>>
buildKmod(mlir::ModuleOp module, const CompileOptions &options,
          const ModuleSummary &summary) {
  TargetDescription target =
      describeTarget(options.targetCpu, options.targetFeatures);
  setCrashStage("LLVM's optimization and code generation");
  mlir::FailureOr<llvm::SmallVector<llvm::SmallVector<char>>> objects =
      compileToObjects(module, target, options.codegenParts);
  if (failed(objects))
    return mlir::failure();
  setCrashStage("linking the shared object");
  std::string linkError;
  mlir::FailureOr<llvm::SmallVector<char>> shared =
      linkSharedObject(*objects, linkError);
  if (failed(shared))
    return module.emitError(linkError), mlir::failure();
  setCrashStage("");
  return serializeKmod(summary, target, *shared);
}

} // namespace kiln
