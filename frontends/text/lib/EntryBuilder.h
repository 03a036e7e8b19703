//===- EntryBuilder.h - One entry function being built ----------*- C++ -*-===//
//
// Private to the frontend. An entry takes only what its bindings read: the
// expression emitter asks for an input, a parameter or the random key as
// it meets them, and the entry builder adds the argument once, in a fixed
// order (inputs, then parameters, then the random key, each in declaration
// order), so entries of the same model agree.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_TEXT_LIB_ENTRYBUILDER_H
#define KILN_FRONTEND_TEXT_LIB_ENTRYBUILDER_H

#include "EmitterContext.h"
#include "ModelSymbols.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

namespace kiln::text::detail {

/// What an entry is for: `Check` holds every binding once, for diagnostics
/// only; `Infer` computes without training (no dropout, batch norm on its
/// running statistics); `Train` computes a loss to differentiate.
enum class EntryMode { Check, Infer, Train };

class EntryBuilder {
public:
  /// Starts function `name` at the end of `module`, with `builder`'s
  /// insertion point in its body.
  EntryBuilder(EmitterContext &context, const ModelSymbols &symbols,
               mlir::OpBuilder &builder, mlir::ModuleOp module,
               llvm::StringRef name, EntryMode mode, llvm::SMLoc where);

  mlir::func::FuncOp func() const { return function; }
  EntryMode mode() const { return entryMode; }

  mlir::Value inputArgument(llvm::StringRef name);
  mlir::Value paramArgument(const ParamInfo &param);
  mlir::Value rngKeyArgument(llvm::SMLoc where);
  /// The parameter an argument of this entry stands for, or null.
  const ParamInfo *paramOfArgument(mlir::Value value) const;
  /// The stream number of the entry's next random op.
  int64_t takeStream() { return nextStream++; }

  /// Returns `results`, result `i` with attribute `resultAttrs[i]`.
  void finish(llvm::ArrayRef<mlir::Value> results,
              llvm::ArrayRef<mlir::NamedAttribute> resultAttrs);

  /// Values of top-level bindings emitted so far.
  llvm::StringMap<mlir::Value> values;
  /// Names whose binding failed: uses fail quietly, the cause was reported.
  llvm::StringSet<> poisoned;
  /// New values of buffers (batch-norm statistics), returned by train
  /// entries.
  llvm::SmallVector<std::pair<mlir::Value, std::string>> bufferUpdates;

private:
  mlir::Value addArgument(int64_t key, mlir::Type type,
                          llvm::ArrayRef<mlir::NamedAttribute> attrs,
                          llvm::SMLoc where);

  EmitterContext &context;
  const ModelSymbols &symbols;
  mlir::OpBuilder &builder;
  mlir::func::FuncOp function;
  EntryMode entryMode;
  /// Sort keys of the arguments, parallel to the block arguments.
  llvm::SmallVector<int64_t> argumentKeys;
  mlir::Value rngKey;
  int64_t nextStream = 0;
};

} // namespace kiln::text::detail

#endif // KILN_FRONTEND_TEXT_LIB_ENTRYBUILDER_H
