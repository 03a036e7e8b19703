//===- KilnFuzzer.cpp - The .kiln front end on arbitrary text -------------===//
//
// Lexer, parser and emitter up to the verified kiln dialect, as kilnc runs
// them: any text gets diagnostics or a module that verifies, never a crash
// or an op that fails its own verifier after the emitter built it.
//
//===----------------------------------------------------------------------===//

#include "kiln/Frontend/Text/Emitter.h"
#include "kiln/Frontend/Text/Parser.h"
#include "kiln/InitAll.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static mlir::MLIRContext *context = [] {
    mlir::DialectRegistry registry;
    kiln::registerAllDialects(registry);
    auto *made = new mlir::MLIRContext(registry);
    made->loadAllAvailableDialects();
    // Diagnostics go to the SourceDiagnostics printer, not stderr.
    made->printOpOnDiagnostic(false);
    return made;
  }();
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(data), size),
          "fuzz.kiln"),
      llvm::SMLoc());
  std::string printed;
  llvm::raw_string_ostream out(printed);
  kiln::text::SourceDiagnostics diagnostics(sourceMgr, out);
  std::optional<kiln::text::Model> model =
      kiln::text::parseModel(sourceMgr, diagnostics);
  if (!model)
    return 0;
  kiln::text::SourceDiagnostics::MLIRHandler handler(context, diagnostics);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      kiln::text::emitModule(*model, *context, sourceMgr, diagnostics, {});
  // What the emitter returns, it has checked: it must verify.
  if (module && mlir::failed(mlir::verify(*module)))
    __builtin_trap();
  return 0;
}
