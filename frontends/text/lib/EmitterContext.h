//===- EmitterContext.h - What the emitter's parts share --------*- C++ -*-===//
//
// Private to the frontend. The source being compiled, its diagnostics and
// the MLIR locations that point into it, shared by every part of the
// emitter.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_TEXT_LIB_EMITTERCONTEXT_H
#define KILN_FRONTEND_TEXT_LIB_EMITTERCONTEXT_H

#include "kiln/Frontend/Text/SourceDiagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/SourceMgr.h"

namespace kiln::text::detail {

struct EmitterContext {
  EmitterContext(mlir::MLIRContext &context, const llvm::SourceMgr &sourceMgr,
                 SourceDiagnostics &diagnostics);

  /// The location of `where` in the file; inside a def call, with the
  /// chain of call sites that led there.
  mlir::Location loc(llvm::SMLoc where) const;

  /// Reports an error; returns false so `return error(...)` ends a check.
  bool error(llvm::SMLoc where, const llvm::Twine &message) {
    diagnostics.error(where, message);
    return false;
  }

  mlir::MLIRContext &context;
  const llvm::SourceMgr &sourceMgr;
  SourceDiagnostics &diagnostics;
  /// Call sites of the def calls being emitted, outermost first.
  llvm::SmallVector<llvm::SMLoc> callStack;

private:
  mlir::StringAttr fileName;
};

/// The element type a model names ("f32", "i64", "bool" ...), or null.
mlir::Type elementTypeNamed(mlir::MLIRContext &context, llvm::StringRef name);

/// "; did you mean 'best'?" for the candidate closest to `name`, or "" when
/// none is close.
std::string suggestName(llvm::StringRef name,
                        llvm::ArrayRef<llvm::StringRef> candidates);

} // namespace kiln::text::detail

#endif // KILN_FRONTEND_TEXT_LIB_EMITTERCONTEXT_H
