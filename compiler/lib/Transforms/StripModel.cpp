//===- StripModel.cpp - The kiln-strip-model pass -------------------------===//
//
// After lowering, the model's structure (parameter symbols, the roles of
// entry arguments and results) has been recorded in the module summary;
// code generation needs only the functions. Entries get a C interface so
// the runtime can call them with memref descriptors; other functions become
// private so LLVM may inline and drop them.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/KilnOps.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Interfaces/FunctionInterfaces.h"

namespace kiln {
#define GEN_PASS_DEF_KILNSTRIPMODEL
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
bool isKilnAttr(NamedAttribute attr) {
  return attr.getName().strref().starts_with("kiln.");
}

DictionaryAttr withoutKilnAttrs(MLIRContext *context, DictionaryAttr attrs) {
  if (!attrs)
    return attrs;
  SmallVector<NamedAttribute> kept;
  for (NamedAttribute attr : attrs)
    if (!isKilnAttr(attr))
      kept.push_back(attr);
  return DictionaryAttr::get(context, kept);
}

/// For each result that returns an argument's new value, that argument: a
/// trained parameter (`kiln.update` of its symbol) or optimizer state
/// (`kiln.state_update`). The runtime hands the code those buffers to write
/// in place.
llvm::SmallDenseMap<unsigned, unsigned>
updatedArguments(FunctionOpInterface func) {
  llvm::SmallDenseMap<unsigned, unsigned> updated;
  llvm::StringMap<unsigned> paramArgument;
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    if (auto symbol = func.getArgAttrOfType<FlatSymbolRefAttr>(
            i, kiln::KilnDialect::kParamArgAttrName))
      paramArgument[symbol.getValue()] = i;
  for (unsigned i = 0, e = func.getNumResults(); i < e; ++i) {
    if (auto symbol = func.getResultAttrOfType<FlatSymbolRefAttr>(
            i, kiln::KilnDialect::kUpdateResultAttrName)) {
      auto it = paramArgument.find(symbol.getValue());
      if (it != paramArgument.end())
        updated[i] = it->second;
    }
    if (auto index = func.getResultAttrOfType<IntegerAttr>(
            i, kiln::KilnDialect::kStateUpdateResultAttrName))
      updated[i] = static_cast<unsigned>(index.getInt());
  }
  return updated;
}

struct StripModelPass : kiln::impl::KilnStripModelBase<StripModelPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    for (auto param : llvm::make_early_inc_range(module.getOps<kiln::ParamOp>()))
      param.erase();
    for (auto func : module.getOps<FunctionOpInterface>()) {
      bool isEntry = func->hasAttr(kiln::KilnDialect::kEntryAttrName);
      llvm::SmallDenseMap<unsigned, unsigned> updates = updatedArguments(func);
      llvm::SmallDenseSet<unsigned> updatedInPlace;
      for (auto [result, argument] : updates)
        updatedInPlace.insert(argument);
      SmallVector<NamedAttribute> kept;
      for (NamedAttribute attr : func->getDiscardableAttrs())
        if (isKilnAttr(attr))
          func->removeAttr(attr.getName());
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
        func.setArgAttrs(i, withoutKilnAttrs(context, func.getArgAttrDict(i)));
      for (unsigned i = 0, e = func.getNumResults(); i < e; ++i)
        func.setResultAttrs(i,
                            withoutKilnAttrs(context, func.getResultAttrDict(i)));
      if (isEntry) {
        // kiln-write-updates-in-place finishes the job after bufferization.
        for (auto [result, argument] : updates)
          func.setResultAttr(
              result, kiln::KilnDialect::kWritesArgumentAttrName,
              IntegerAttr::get(IntegerType::get(context, 64), argument));
        func->setAttr("llvm.emit_c_interface", UnitAttr::get(context));
        // The caller owns the argument buffers: results overwrite only the
        // parameters and optimizer state that a train entry updates.
        for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
          func.setArgAttr(i, "bufferization.writable",
                          BoolAttr::get(context, updatedInPlace.contains(i)));
      }
      else if (auto symbol = dyn_cast<SymbolOpInterface>(func.getOperation()))
        symbol.setPrivate();
    }
    if (!module->getAttrs().empty())
      for (NamedAttribute attr : module->getDiscardableAttrs())
        if (isKilnAttr(attr))
          module->removeAttr(attr.getName());
  }
};
} // namespace
