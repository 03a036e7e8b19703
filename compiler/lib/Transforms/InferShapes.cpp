//===- InferShapes.cpp - The kiln-infer-shapes pass -----------------------===//

#include "kiln/Transforms/Passes.h"
#include "kiln/Transforms/ShapeRefinement.h"

#include "mlir/IR/SymbolTable.h"

namespace kiln {
#define GEN_PASS_DEF_KILNINFERSHAPES
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
struct InferShapesPass
    : kiln::impl::KilnInferShapesBase<InferShapesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : module.getOps<FunctionOpInterface>()) {
      // A called function keeps its signature: its callers were typed
      // against it.
      bool uncalled = SymbolTable::symbolKnownUseEmpty(func, module);
      if (failed(kiln::refineShapes(func, /*updateSignature=*/uncalled)))
        return signalPassFailure();
    }
  }
};
} // namespace
