//===- ConstantEvaluator.h - Compile-time numbers ---------------*- C++ -*-===//
//
// Private to the frontend. Shapes, attribute values and config values are
// numbers known while compiling: literals, configs, and + - * / on them.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_TEXT_LIB_CONSTANTEVALUATOR_H
#define KILN_FRONTEND_TEXT_LIB_CONSTANTEVALUATOR_H

#include "EmitterContext.h"
#include "ModelSymbols.h"

#include "mlir/IR/Value.h"

#include <optional>

namespace kiln::text::detail {

class ConstantEvaluator {
public:
  /// Reads `configs` as they are when asked: the declaration checker adds
  /// each config as it evaluates it.
  ConstantEvaluator(const llvm::StringMap<Constant> &configs,
                    EmitterContext &context)
      : configs(configs), context(context) {}

  /// The value of `expr`; reports why it is not a compile-time number.
  std::optional<Constant> evaluate(const Expr &expr) const;

  /// Whether `expr` is a compile-time number. Names in `shadowing` (a def's
  /// arguments and local bindings) hide configs of the same name.
  bool isConstant(const Expr &expr,
                  const llvm::StringMap<mlir::Value> *shadowing) const;

private:
  const llvm::StringMap<Constant> &configs;
  EmitterContext &context;
};

} // namespace kiln::text::detail

#endif // KILN_FRONTEND_TEXT_LIB_CONSTANTEVALUATOR_H
