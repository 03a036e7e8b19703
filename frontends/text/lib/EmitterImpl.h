//===- EmitterImpl.h - State of the model emitter -------------------------===//
//
// Private to the frontend. The emitter works in two stages: declarations
// (configs, inputs, parameters, defs) are checked and turned into module
// symbols once; then each entry is emitted as a function holding just the
// bindings it needs. A first "check" entry holds every binding, so each
// mistake is reported exactly once even when several entries share it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_TEXT_LIB_EMITTERIMPL_H
#define KILN_FRONTEND_TEXT_LIB_EMITTERIMPL_H

#include "kiln/Frontend/Text/Emitter.h"
#include "kiln/Frontend/Text/OpSignatures.h"
#include "kiln/Dialect/KilnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

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
};

/// Where a top-level name is bound: result `index` of `binding`.
struct BindingRef {
  const Binding *binding = nullptr;
  unsigned index = 0;
};

enum class EntryMode { Check, Infer, Train };

/// The function being emitted.
struct EntryState {
  mlir::func::FuncOp func;
  EntryMode mode = EntryMode::Check;
  /// Sort keys of the arguments, parallel to the block arguments: inputs
  /// first, then parameters, then the random key, each in declaration order.
  llvm::SmallVector<int64_t> argumentKeys;
  mlir::Value rngKey;
  int64_t nextStream = 0;
  /// New values of buffers (batch-norm statistics), returned by train entries.
  llvm::SmallVector<std::pair<mlir::Value, std::string>> bufferUpdates;
  /// Values of top-level bindings emitted so far.
  llvm::StringMap<mlir::Value> values;
  /// Names whose binding failed: uses fail quietly, the cause was reported.
  llvm::StringSet<> poisoned;
};

/// Names visible inside a def call.
struct DefScope {
  const DefDecl *def = nullptr;
  llvm::StringMap<mlir::Value> values;
  llvm::StringSet<> poisoned;
};

class ModelEmitter {
public:
  ModelEmitter(const Model &model, mlir::MLIRContext &context,
               const llvm::SourceMgr &sourceMgr,
               SourceDiagnostics &diagnostics);

  mlir::OwningOpRef<mlir::ModuleOp> emit(const ConfigOverrides &overrides);

private:
  // Locations and errors (ModelEmitter.cpp).
  mlir::Location loc(llvm::SMLoc where) const;
  /// Reports an error; returns false so `return error(...)` ends a check.
  bool error(llvm::SMLoc where, const llvm::Twine &message) {
    diagnostics.error(where, message);
    return false;
  }
  /// Warns about declarations that no entry reads.
  void warnOnUnusedDeclarations();
  /// Warns when a binary op's broadcast pairs up samples of the batch.
  void warnOnBatchBroadcast(const Expr &expr, mlir::ValueRange operands,
                            mlir::Value result);
  /// The closest known name to `name`, for "did you mean" hints.
  std::string suggest(llvm::StringRef name,
                      llvm::ArrayRef<llvm::StringRef> candidates) const;

  // Declarations (ModelEmitter.cpp).
  bool declareConfigs(const ConfigOverrides &overrides);
  bool declareName(llvm::StringRef name, llvm::SMLoc where);
  std::optional<mlir::RankedTensorType> resolveType(const TypeSpec &type,
                                                    bool allowBatch);
  bool declareParam(const ParamDecl &param, const DefDecl *def);
  bool declareInputsParamsAndDefs();
  /// Inputs and parameters (def parameters as `def.name`) whose
  /// declaration failed and was reported.
  llvm::StringSet<> undeclared;
  bool declareBindings();

  // Constants (Constants.cpp).
  std::optional<Constant> evaluateConstant(const Expr &expr);
  bool isConstantExpr(const Expr &expr) const;

  // Entries (ModelEmitter.cpp).
  void beginEntry(llvm::StringRef name, EntryMode mode, llvm::SMLoc where);
  mlir::Value addArgument(int64_t key, mlir::Type type,
                          mlir::NamedAttribute role, llvm::SMLoc where);
  mlir::Value inputArgument(llvm::StringRef name);
  mlir::Value paramArgument(const ParamInfo &param);
  mlir::Value rngKeyArgument(llvm::SMLoc where);
  /// The parameter symbol an entry argument stands for, or null.
  const ParamInfo *paramOfArgument(mlir::Value value) const;
  void finishEntry(llvm::ArrayRef<mlir::Value> results,
                   llvm::ArrayRef<mlir::NamedAttribute> resultAttrs);
  bool emitCheckEntry();
  bool emitInferEntry();
  /// The optimizer of a train statement, after checking its name, group
  /// and options (null when one is wrong; the mistakes are reported).
  kiln::OptimizerAttr checkTrainDecl(const TrainDecl &train);
  bool emitTrainEntry(const TrainDecl &train);
  /// `<train>_loss`: the train entry's loss computed as inference does
  /// (no dropout, batch norm with its running statistics), so that the
  /// runtime can evaluate it on held-out data.
  bool emitLossEntry(const TrainDecl &train);
  bool emitBindingsFor(llvm::ArrayRef<llvm::StringRef> roots);
  void collectDependencies(const Expr &expr,
                           llvm::SmallVectorImpl<llvm::StringRef> &names) const;

  // Expressions (ExprEmitter.cpp).
  bool emitBinding(const Binding &binding);
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

  const Model &model;
  mlir::MLIRContext &context;
  const llvm::SourceMgr &sourceMgr;
  SourceDiagnostics &diagnostics;
  mlir::OpBuilder builder;
  mlir::ModuleOp module;
  mlir::StringAttr fileName;

  llvm::StringMap<Constant> configs;
  llvm::StringMap<ParamInfo> params;
  llvm::StringMap<InputInfo> inputs;
  llvm::StringMap<const DefDecl *> defs;
  llvm::StringMap<BindingRef> bindings;
  /// Where each top-level name was declared, to report duplicates.
  llvm::StringMap<llvm::SMLoc> declared;
  llvm::SmallVector<const ParamDecl *> paramDecls;

  EntryState *entry = nullptr;
  DefScope *scope = nullptr;
  /// Call sites of the def calls being emitted, outermost first.
  llvm::SmallVector<llvm::SMLoc> callStack;
};

} // namespace kiln::text::detail

#endif // KILN_FRONTEND_TEXT_LIB_EMITTERIMPL_H
