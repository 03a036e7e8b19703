//===- OptimizerOverrides.cpp - Hyperparameters set at compile time -------===//
//
// kilnc --optimizer and kiln.compile(optimizer=...): a train entry's
// optimizer hyperparameters changed without editing the model, checked by
// the optimizer attribute's own verifier.
//
//===----------------------------------------------------------------------===//

#include "kiln/Pipeline/Compile.h"

#include "kiln/Dialect/KilnDialect.h"
#include "kiln/Dialect/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;

LogicalResult kiln::overrideOptimizers(ModuleOp module, llvm::StringRef name,
                                       double value) {
  MLIRContext *context = module.getContext();
  for (auto func : module.getOps<func::FuncOp>()) {
    auto optimizer =
        func->getAttrOfType<OptimizerAttr>(KilnDialect::kOptimizerAttrName);
    if (!optimizer)
      continue;
    NamedAttrList hyperparameters(optimizer.getHyperparameters());
    hyperparameters.set(name,
                        FloatAttr::get(Float64Type::get(context), value));
    auto emitError = [&] { return func.emitError("--optimizer: "); };
    auto updated = OptimizerAttr::getChecked(
        emitError, context, optimizer.getKind(),
        hyperparameters.getDictionary(context));
    if (!updated)
      return failure();
    func->setAttr(KilnDialect::kOptimizerAttrName, updated);
  }
  return success();
}
