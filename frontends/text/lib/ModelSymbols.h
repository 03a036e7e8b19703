//===- ModelSymbols.h - What a model's declarations define ------*- C++ -*-===//
//
// Private to the frontend. The names a model declares (configs, inputs,
// parameters, defs, top-level bindings), as the declaration checker
// resolved them. Everything after the declarations reads them.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_TEXT_LIB_MODELSYMBOLS_H
#define KILN_FRONTEND_TEXT_LIB_MODELSYMBOLS_H

#include "kiln/Dialect/KilnDialect.h"
#include "kiln/Frontend/Text/AST.h"

#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

namespace kiln::text::detail {

/// A number known at compile time: a literal, a config, or arithmetic on
/// them.
struct Constant {
  double value = 0;
  bool isInteger = false;
};

struct ParamInfo {
  std::string symbol;
  mlir::RankedTensorType type;
  bool isBuffer = false;
  std::string group;
  unsigned order = 0;
  llvm::SMLoc loc;
};

struct InputInfo {
  mlir::RankedTensorType type;
  unsigned order = 0;
  llvm::SMLoc loc;
  kiln::NoiseAttr noise; ///< null for data
};

/// Where a top-level name is bound: result `index` of `binding`.
struct BindingRef {
  const Binding *binding = nullptr;
  unsigned index = 0;
};

struct ModelSymbols {
  llvm::StringMap<Constant> configs;
  /// By symbol: a def's parameters as `def.name`.
  llvm::StringMap<ParamInfo> params;
  llvm::StringMap<InputInfo> inputs;
  llvm::StringMap<const DefDecl *> defs;
  llvm::StringMap<BindingRef> bindings;
  /// Inputs and parameters whose declaration failed and was reported: their
  /// uses fail quietly, so the bindings still get checked for mistakes of
  /// their own.
  llvm::StringSet<> undeclared;

  /// The names of the top-level bindings, for "did you mean" hints.
  llvm::SmallVector<llvm::StringRef> bindingNames() const {
    llvm::SmallVector<llvm::StringRef> names;
    for (const auto &binding : bindings)
      names.push_back(binding.first());
    return names;
  }
};

} // namespace kiln::text::detail

#endif // KILN_FRONTEND_TEXT_LIB_MODELSYMBOLS_H
