//===- ModelEmitter.h - A model's entries as kiln functions -----*- C++ -*-===//
//
// Private to the frontend. The emitter works in two stages: declarations
// are checked and turned into module symbols once (DeclarationChecker);
// then each entry is built (EntryBuilder) holding just the bindings it
// needs, emitted by an ExprEmitter. Dependencies run one way: the model
// emitter uses the others, the expression emitter uses the entry builder
// and the constant evaluator, and all share the EmitterContext.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_TEXT_LIB_MODELEMITTER_H
#define KILN_FRONTEND_TEXT_LIB_MODELEMITTER_H

#include "ConstantEvaluator.h"
#include "EntryBuilder.h"

#include "kiln/Dialect/KilnDialect.h"
#include "kiln/Frontend/Text/Emitter.h"

namespace kiln::text::detail {

class ModelEmitter {
public:
  ModelEmitter(const Model &model, mlir::MLIRContext &context,
               const llvm::SourceMgr &sourceMgr,
               SourceDiagnostics &diagnostics);

  mlir::OwningOpRef<mlir::ModuleOp> emit(const ConfigOverrides &overrides);

private:
  bool error(llvm::SMLoc where, const llvm::Twine &message) {
    return context.error(where, message);
  }
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
  /// Emits into `entry` the bindings that `roots` depend on.
  bool emitBindingsFor(llvm::ArrayRef<llvm::StringRef> roots,
                       EntryBuilder &entry);
  void collectDependencies(const Expr &expr,
                           llvm::SmallVectorImpl<llvm::StringRef> &names) const;
  /// Warns about declarations that no entry reads.
  void warnOnUnusedDeclarations();

  EmitterContext context;
  const Model &model;
  ModelSymbols symbols;
  ConstantEvaluator constants;
  mlir::OpBuilder builder;
  mlir::ModuleOp module;
};

} // namespace kiln::text::detail

#endif // KILN_FRONTEND_TEXT_LIB_MODELEMITTER_H
