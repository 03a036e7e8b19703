//===- Declarations.h - Checking a model's declarations ---------*- C++ -*-===//
//
// Private to the frontend. Checks a model's declarations once, before any
// entry is emitted: configs (with `--set` overrides), inputs (with their
// noise distributions), parameters (as kiln.param symbols), defs and the
// names top-level bindings bind. Every mistake is reported; a failed
// declaration is recorded as undeclared, so its uses fail quietly.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_TEXT_LIB_DECLARATIONS_H
#define KILN_FRONTEND_TEXT_LIB_DECLARATIONS_H

#include "ConstantEvaluator.h"

#include "kiln/Frontend/Text/Emitter.h"

#include "mlir/IR/Builders.h"

namespace kiln::text::detail {

class DeclarationChecker {
public:
  /// Fills `symbols`; parameters are created at `builder`'s insertion point
  /// (the module's body).
  DeclarationChecker(EmitterContext &context, const Model &model,
                     ModelSymbols &symbols, const ConstantEvaluator &constants,
                     mlir::OpBuilder &builder)
      : context(context), model(model), symbols(symbols),
        constants(constants), builder(builder) {}

  /// Each returns false when it reported a mistake.
  bool declareConfigs(const ConfigOverrides &overrides);
  bool declareInputsParamsAndDefs();
  bool declareBindings();

private:
  bool error(llvm::SMLoc where, const llvm::Twine &message) {
    return context.error(where, message);
  }
  bool declareName(llvm::StringRef name, llvm::SMLoc where);
  std::optional<mlir::RankedTensorType> resolveType(const TypeSpec &type,
                                                    bool allowBatch);
  /// Appends an initializer's (or noise distribution's) arguments, by the
  /// names `argNames` gives positional ones, to `attrs` as f64 attributes;
  /// errors name them as `what` ("initializer 'normal'").
  bool initializerArguments(const std::string &what,
                            llvm::ArrayRef<Argument> arguments,
                            llvm::ArrayRef<llvm::StringRef> argNames,
                            llvm::SmallVectorImpl<mlir::NamedAttribute> &attrs);
  bool declareParam(const ParamDecl &param, const DefDecl *def);
  /// The distribution of a noise input (null for a data input, or after
  /// reporting a mistake in it: check `ok`).
  kiln::NoiseAttr declareNoise(const InputDecl &input, bool &ok);

  EmitterContext &context;
  const Model &model;
  ModelSymbols &symbols;
  const ConstantEvaluator &constants;
  mlir::OpBuilder &builder;
  /// Where each top-level name was declared, to report duplicates.
  llvm::StringMap<llvm::SMLoc> declared;
};

} // namespace kiln::text::detail

#endif // KILN_FRONTEND_TEXT_LIB_DECLARATIONS_H
