//===- ExprEmitter.h - Expressions and bindings to kiln ops -----*- C++ -*-===//
//
// Private to the frontend. Emits a binding's expression into the entry
// being built: names resolve to the entry's values, inputs and parameters
// (through the entry builder) or configs; calls become kiln ops, with
// their result types inferred, or inline a def's body.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_TEXT_LIB_EXPREMITTER_H
#define KILN_FRONTEND_TEXT_LIB_EXPREMITTER_H

#include "ConstantEvaluator.h"
#include "EntryBuilder.h"

#include "kiln/Frontend/Text/OpSignatures.h"

namespace kiln::text::detail {

/// Names visible inside a def call.
struct DefScope {
  const DefDecl *def = nullptr;
  llvm::StringMap<mlir::Value> values;
  llvm::StringSet<> poisoned;
};

class ExprEmitter {
public:
  ExprEmitter(EmitterContext &context, const ModelSymbols &symbols,
              const ConstantEvaluator &constants, EntryBuilder &entry,
              mlir::OpBuilder &builder)
      : context(context), symbols(symbols), constants(constants),
        entry(entry), builder(builder) {}

  /// Emits `binding` into the entry and binds its names there; on failure
  /// (reported) its names are poisoned, so their uses fail quietly.
  bool emitBinding(const Binding &binding);

private:
  bool error(llvm::SMLoc where, const llvm::Twine &message) {
    return context.error(where, message);
  }
  bool isConstant(const Expr &expr) const {
    return constants.isConstant(expr, scope ? &scope->values : nullptr);
  }
  mlir::FailureOr<mlir::Value> emitExpr(const Expr &expr,
                                        mlir::Type elementHint = nullptr);
  mlir::FailureOr<llvm::SmallVector<mlir::Value>>
  emitMulti(const Expr &expr, unsigned expected);
  mlir::FailureOr<mlir::Value> emitName(const Expr &expr,
                                        mlir::Type elementHint);
  mlir::FailureOr<mlir::Value> emitConstant(const Expr &expr,
                                            mlir::Type elementHint);
  mlir::FailureOr<llvm::SmallVector<mlir::Value>>
  emitOperands(llvm::ArrayRef<const Expr *> exprs);
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> emitCall(const Expr &call);
  mlir::FailureOr<llvm::SmallVector<mlir::Value>>
  emitDefCall(const Expr &call, const DefDecl &def);
  mlir::FailureOr<llvm::SmallVector<mlir::Value>>
  emitBuiltinCall(const Expr &call, const OpSignature &signature);
  mlir::FailureOr<mlir::Attribute> convertAttr(const AttrSpec &spec,
                                               const Expr &value,
                                               llvm::StringRef callee);
  /// Builds a kiln op generically, inferring its result types; on failure
  /// the op's own diagnostics have been reported and nothing is left.
  mlir::FailureOr<mlir::Operation *>
  createOp(llvm::StringRef name, llvm::SMLoc where, mlir::ValueRange operands,
           llvm::ArrayRef<mlir::NamedAttribute> attrs, unsigned numResults);
  /// Warns when a binary op's broadcast pairs up samples of the batch.
  void warnOnBatchBroadcast(const Expr &expr, mlir::ValueRange operands,
                            mlir::Value result);

  EmitterContext &context;
  const ModelSymbols &symbols;
  const ConstantEvaluator &constants;
  EntryBuilder &entry;
  mlir::OpBuilder &builder;
  /// The innermost def call being emitted; null at the top level.
  DefScope *scope = nullptr;
};

} // namespace kiln::text::detail

#endif // KILN_FRONTEND_TEXT_LIB_EXPREMITTER_H
