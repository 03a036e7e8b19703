//===- SpecializeBatch.cpp - The kiln-specialize-batch pass ---------------===//

#include "kiln/Dialect/KilnDialect.h"
#include "kiln/Transforms/Passes.h"
#include "kiln/Transforms/ShapeRefinement.h"

namespace kiln {
#define GEN_PASS_DEF_KILNSPECIALIZEBATCH
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
struct SpecializeBatchPass
    : kiln::impl::KilnSpecializeBatchBase<SpecializeBatchPass> {
  using KilnSpecializeBatchBase::KilnSpecializeBatchBase;

  void runOnOperation() override {
    if (batch < 1) {
      getOperation().emitError("kiln-specialize-batch needs batch >= 1, got ")
          << static_cast<int64_t>(batch);
      return signalPassFailure();
    }
    for (auto func : getOperation().getOps<FunctionOpInterface>()) {
      if (!func->hasAttr(kiln::KilnDialect::kEntryAttrName) ||
          func.isExternal())
        continue;
      specializeInputs(func);
      // Entries have no callers, so their results may change type.
      if (failed(kiln::refineShapes(func, /*updateSignature=*/true)))
        return signalPassFailure();
    }
  }

  void specializeInputs(FunctionOpInterface func) {
    Block &entry = func.getFunctionBody().front();
    for (BlockArgument arg : entry.getArguments()) {
      auto type = dyn_cast<RankedTensorType>(arg.getType());
      if (!func.getArgAttr(arg.getArgNumber(),
                           kiln::KilnDialect::kInputArgAttrName) ||
          !type || type.getRank() == 0 || !type.isDynamicDim(0))
        continue;
      SmallVector<int64_t> dims(type.getShape());
      dims[0] = batch;
      arg.setType(type.clone(dims));
    }
    func.setType(FunctionType::get(func->getContext(),
                                   entry.getArgumentTypes(),
                                   func.getResultTypes()));
  }
};
} // namespace
