//===- FuzzFrontEnd.h - Fuzz input through the .kiln front end -*- C++ -*-===//
//
// What kilnc runs before its passes, on a fuzzer's input: parse, then emit
// the kiln dialect, diagnostics collected (not printed: the fuzzers would
// spend their time writing them). Shared by the front-end fuzzer and the
// whole-pipeline fuzzer.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TESTS_FUZZ_FUZZFRONTEND_H
#define KILN_TESTS_FUZZ_FUZZFRONTEND_H

#include "kiln/Frontend/Text/Emitter.h"
#include "kiln/Frontend/Text/Parser.h"
#include "kiln/InitAll.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include "llvm/ADT/Hashing.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>

namespace kiln::fuzz {

/// One context for the fuzzer's life, every dialect loaded and every pass
/// registered (kilnc's pipelines name them), single threaded (a fuzzer's
/// iterations must not leave threads behind).
inline mlir::MLIRContext &fuzzContext() {
  static mlir::MLIRContext *context = [] {
    kiln::registerAllPasses();
    mlir::DialectRegistry registry;
    kiln::registerAllDialects(registry);
    auto *made = new mlir::MLIRContext(registry);
    made->loadAllAvailableDialects();
    made->disableMultithreading();
    made->printOpOnDiagnostic(false);
    return made;
  }();
  return *context;
}

/// How many inputs the front end saw and accepted, and how many different
/// models (ops, attributes and types; not source locations) those were,
/// printed when the fuzzer exits: how deep its mutations reach.
struct AcceptanceCounts {
  unsigned long inputs = 0, accepted = 0;
  std::unordered_set<llvm::hash_code> models;

  void accept(mlir::ModuleOp module) {
    ++accepted;
    // Types and attributes are uniqued in the one context: their
    // addresses identify them.
    llvm::hash_code hash = 0;
    module.walk([&](mlir::Operation *op) {
      hash = llvm::hash_combine(
          hash, op->getName().getAsOpaquePointer(),
          op->getRawDictionaryAttrs().getAsOpaquePointer(),
          op->getNumOperands());
      for (mlir::Type type : op->getResultTypes())
        hash = llvm::hash_combine(hash, type.getAsOpaquePointer());
    });
    models.insert(hash);
  }

  ~AcceptanceCounts() {
    if (inputs)
      llvm::errs() << "kiln front end: accepted " << accepted << " of "
                   << inputs << " inputs, " << models.size()
                   << " different models\n";
  }
};
inline AcceptanceCounts &acceptanceCounts() {
  static AcceptanceCounts counts;
  return counts;
}

/// A .kiln source and what the front end made of it.
class FrontEndRun {
public:
  FrontEndRun(const uint8_t *data, size_t size)
      : out(printed), diagnostics(sourceMgr, out) {
    ++acceptanceCounts().inputs;
    sourceMgr.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(
            llvm::StringRef(reinterpret_cast<const char *>(data), size),
            "fuzz.kiln"),
        llvm::SMLoc());
    model = kiln::text::parseModel(sourceMgr, diagnostics);
    if (!model)
      return;
    handler.emplace(&fuzzContext(), diagnostics);
    module = kiln::text::emitModule(*model, fuzzContext(), sourceMgr,
                                    diagnostics, {});
    // What the emitter returns, it has checked: it must verify.
    if (module && mlir::failed(mlir::verify(*module)))
      __builtin_trap();
    if (module)
      acceptanceCounts().accept(*module);
  }

  /// The emitted module, if the front end accepted the source.
  mlir::ModuleOp accepted() { return module ? *module : mlir::ModuleOp(); }

  /// Whether any error was reported (parsing, emitting or later passes,
  /// while this run lives).
  bool reportedErrors() const { return diagnostics.hasErrors(); }

private:
  llvm::SourceMgr sourceMgr;
  std::string printed;
  llvm::raw_string_ostream out;
  kiln::text::SourceDiagnostics diagnostics;
  std::optional<kiln::text::Model> model;
  std::optional<kiln::text::SourceDiagnostics::MLIRHandler> handler;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

} // namespace kiln::fuzz

#endif // KILN_TESTS_FUZZ_FUZZFRONTEND_H
