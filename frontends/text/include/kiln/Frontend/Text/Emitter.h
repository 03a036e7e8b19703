//===- Emitter.h - From a parsed model to the kiln dialect ------*- C++ -*-===//
#ifndef KILN_FRONTEND_TEXT_EMITTER_H
#define KILN_FRONTEND_TEXT_EMITTER_H

#include "kiln/Frontend/Text/AST.h"
#include "kiln/Frontend/Text/SourceDiagnostics.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kiln::text {

/// `--set name=value` overrides of `config` declarations.
using ConfigOverrides = std::vector<std::pair<std::string, std::string>>;

/// Emits `model` as a kiln-dialect module: one kiln.param per parameter, an
/// `infer` entry for the outputs (if any) and one entry per `train`
/// declaration, each taking only the inputs and parameters it needs.
/// Reports every error it finds (with the buffer's locations, through
/// `diagnostics`) and returns null if there was any.
mlir::OwningOpRef<mlir::ModuleOp>
emitModule(const Model &model, mlir::MLIRContext &context,
           const llvm::SourceMgr &sourceMgr, SourceDiagnostics &diagnostics,
           const ConfigOverrides &overrides);

/// The names each source line binds ("h1", or "y, state"), by line: what
/// the model summary shows beside the ops of that line.
std::map<unsigned, std::string>
bindingNamesByLine(const Model &model, const llvm::SourceMgr &sourceMgr);

} // namespace kiln::text

#endif // KILN_FRONTEND_TEXT_EMITTER_H
