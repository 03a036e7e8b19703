//===- SourceDiagnostics.cpp - Errors that point at .kiln source ----------===//

#include "kiln/Frontend/Text/SourceDiagnostics.h"

#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"

using namespace kiln::text;

void SourceDiagnostics::print(llvm::SMLoc loc, llvm::SourceMgr::DiagKind kind,
                              const llvm::Twine &message) {
  if (kind == llvm::SourceMgr::DK_Error) {
    if (errors >= kErrorLimit)
      return;
    ++errors;
  }
  if (loc.isValid())
    sourceMgr.PrintMessage(os, loc, kind, message);
  else
    sourceMgr.PrintMessage(os, llvm::SMDiagnostic("", kind, message.str()));
  if (kind == llvm::SourceMgr::DK_Error && errors == kErrorLimit)
    os << "too many errors; stopping\n";
}

void SourceDiagnostics::error(llvm::SMLoc loc, const llvm::Twine &message) {
  print(loc, llvm::SourceMgr::DK_Error, message);
}

void SourceDiagnostics::note(llvm::SMLoc loc, const llvm::Twine &message) {
  if (errors <= kErrorLimit)
    print(loc, llvm::SourceMgr::DK_Note, message);
}

void SourceDiagnostics::warning(llvm::SMLoc loc, llvm::StringRef lint,
                                const llvm::Twine &message) {
  if (!warned.insert({loc.getPointer(), lint.str()}).second)
    return;
  if (loc.isValid()) {
    const llvm::MemoryBuffer *buffer =
        sourceMgr.getMemoryBuffer(sourceMgr.FindBufferContainingLoc(loc));
    llvm::StringRef rest(loc.getPointer(),
                         buffer->getBufferEnd() - loc.getPointer());
    llvm::StringRef line = rest.take_until([](char c) { return c == '\n'; });
    size_t comment = line.find('#');
    if (comment != llvm::StringRef::npos &&
        line.drop_front(comment).contains(("allow(" + lint + ")").str()))
      return;
  }
  print(loc, llvm::SourceMgr::DK_Warning,
        message + " [" + lint + "; silence with `# allow(" + lint + ")`]");
}

llvm::SMLoc SourceDiagnostics::toSMLoc(mlir::Location loc) const {
  auto fileLoc = llvm::dyn_cast<mlir::FileLineColLoc>(loc);
  if (!fileLoc)
    return {};
  unsigned bufferId = sourceMgr.getMainFileID();
  const llvm::MemoryBuffer *buffer = sourceMgr.getMemoryBuffer(bufferId);
  llvm::SMLoc lineStart =
      sourceMgr.FindLocForLineAndColumn(bufferId, fileLoc.getLine(), 1);
  if (!lineStart.isValid())
    return {};
  // Columns count bytes from 1; clamp to the line in case the location was
  // made for another version of the text.
  const char *pos = lineStart.getPointer();
  for (unsigned col = 1; col < fileLoc.getColumn(); ++col) {
    if (pos == buffer->getBufferEnd() || *pos == '\n')
      break;
    ++pos;
  }
  return llvm::SMLoc::getFromPointer(pos);
}

/// The innermost file location of `loc` and, for a call site, the caller's
/// location (where a `def` was called).
static std::pair<mlir::Location, std::optional<mlir::Location>>
splitCallSite(mlir::Location loc) {
  if (auto callSite = llvm::dyn_cast<mlir::CallSiteLoc>(loc))
    return {splitCallSite(callSite.getCallee()).first, callSite.getCaller()};
  return {loc, std::nullopt};
}

void SourceDiagnostics::report(mlir::Diagnostic &diagnostic) {
  std::string message = diagnostic.str();
  llvm::StringRef text = message;
  if (text.consume_front("'kiln.")) {
    size_t end = text.find("' op ");
    if (end != llvm::StringRef::npos)
      message = (text.take_front(end) + ": " + text.drop_front(end + 5)).str();
  }
  auto [where, caller] = splitCallSite(diagnostic.getLocation());
  llvm::SourceMgr::DiagKind kind =
      diagnostic.getSeverity() == mlir::DiagnosticSeverity::Error
          ? llvm::SourceMgr::DK_Error
          : llvm::SourceMgr::DK_Note;
  print(toSMLoc(where), kind, message);
  if (caller)
    note(toSMLoc(splitCallSite(*caller).first), "in this call");
  for (mlir::Diagnostic &attached : diagnostic.getNotes())
    note(toSMLoc(attached.getLocation()), attached.str());
}

SourceDiagnostics::MLIRHandler::MLIRHandler(mlir::MLIRContext *context,
                                            SourceDiagnostics &diagnostics)
    : context(context) {
  id = context->getDiagEngine().registerHandler(
      [&diagnostics](mlir::Diagnostic &diagnostic) {
        diagnostics.report(diagnostic);
        return mlir::success();
      });
}

SourceDiagnostics::MLIRHandler::~MLIRHandler() {
  context->getDiagEngine().eraseHandler(id);
}
