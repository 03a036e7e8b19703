//===- Parser.h - Recursive-descent parser for .kiln files ------*- C++ -*-===//
#ifndef KILN_FRONTEND_TEXT_PARSER_H
#define KILN_FRONTEND_TEXT_PARSER_H

#include "kiln/Frontend/Text/AST.h"
#include "kiln/Frontend/Text/SourceDiagnostics.h"

#include <optional>

namespace kiln::text {

/// Parses the main buffer of `sourceMgr`. Reports every syntax error it can
/// recover from (resuming at the next statement) and returns nullopt if
/// there was any.
std::optional<Model> parseModel(llvm::SourceMgr &sourceMgr,
                                SourceDiagnostics &diagnostics);

} // namespace kiln::text

#endif // KILN_FRONTEND_TEXT_PARSER_H
