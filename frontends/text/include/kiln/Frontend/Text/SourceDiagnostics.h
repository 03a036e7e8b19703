//===- SourceDiagnostics.h - Errors that point at .kiln source --*- C++ -*-===//
//
// Every frontend error is printed as `file:line:col: error: message`,
// followed by the source line and a caret. The parser reports through it
// directly; errors that MLIR raises while the emitter builds ops (shape
// mismatches found by the ops' type inference) reach it through an MLIR
// diagnostic handler that maps their locations back into the buffer.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_TEXT_SOURCEDIAGNOSTICS_H
#define KILN_FRONTEND_TEXT_SOURCEDIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"

#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <set>
#include <string>

namespace kiln::text {

class SourceDiagnostics {
public:
  /// Stops reporting (and asks callers to stop) after this many errors.
  static constexpr unsigned kErrorLimit = 20;

  SourceDiagnostics(llvm::SourceMgr &sourceMgr, llvm::raw_ostream &os)
      : sourceMgr(sourceMgr), os(os) {}

  void error(llvm::SMLoc loc, const llvm::Twine &message);
  void note(llvm::SMLoc loc, const llvm::Twine &message);
  /// A likely mistake that is legal. `lint` names it; a comment
  /// `# allow(lint)` on the line silences it.
  void warning(llvm::SMLoc loc, llvm::StringRef lint,
               const llvm::Twine &message);

  unsigned errorCount() const { return errors; }
  bool hasErrors() const { return errors > 0; }
  bool atLimit() const { return errors >= kErrorLimit; }

  /// The buffer position of a `file:line:col` location in the main buffer,
  /// or an invalid SMLoc.
  llvm::SMLoc toSMLoc(mlir::Location loc) const;

  /// Routes MLIR diagnostics into this printer while alive. The kiln ops'
  /// messages start with "'kiln.conv2d' op "; users wrote `conv2d(...)`,
  /// so the prefix is shown as "conv2d: ".
  class MLIRHandler {
  public:
    MLIRHandler(mlir::MLIRContext *context, SourceDiagnostics &diagnostics);
    ~MLIRHandler();

  private:
    mlir::MLIRContext *context;
    mlir::DiagnosticEngine::HandlerID id;
  };

private:
  void print(llvm::SMLoc loc, llvm::SourceMgr::DiagKind kind,
             const llvm::Twine &message);
  void report(mlir::Diagnostic &diagnostic);

  llvm::SourceMgr &sourceMgr;
  llvm::raw_ostream &os;
  unsigned errors = 0;
  /// Warnings given, by position and lint: each entry emits a binding
  /// again, and the warning is about the line, not the entry.
  std::set<std::pair<const char *, std::string>> warned;
};

} // namespace kiln::text

#endif // KILN_FRONTEND_TEXT_SOURCEDIAGNOSTICS_H
