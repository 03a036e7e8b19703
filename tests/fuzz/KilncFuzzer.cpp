//===- KilncFuzzer.cpp - The whole compiler on what the front end accepts -===//
//
// Every model the front end accepts goes through kilnc's passes as kilnc
// runs them (autodiff, layout, lowering to linalg, fusion, vectorization,
// the LLVM dialect) and is translated to LLVM IR, which LLVM verifies. A
// model the front end accepted may still be refused later, but only with
// an error diagnostic: never a crash, an LLVM fatal error, an op that
// fails to verify between passes, or a silent failure. LLVM's optimizer
// and code generator are left out (fuzzed upstream, and the slowest part).
//
//===----------------------------------------------------------------------===//

#include "FuzzFrontEnd.h"

#include "kiln/Pipeline/Compile.h"
#include "kiln/Target/NativeCode.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  kiln::fuzz::FrontEndRun run(data, size);
  mlir::ModuleOp module = run.accepted();
  // What the front end refuses stays out of the corpus (-1): mutants of
  // accepted models are what reach the passes; kiln-fuzzer covers the
  // refusals.
  if (!module)
    return -1;
  kiln::ModuleSummary summary;
  if (failed(kiln::lowerModule(module, kiln::CompileOptions(),
                               kiln::CompileStage::LLVMMLIR, summary))) {
    if (!run.reportedErrors())
      __builtin_trap(); // failed without saying why
    return 0;
  }
  static const kiln::TargetDescription target =
      kiln::describeTarget("", "");
  llvm::LLVMContext llvmContext;
  mlir::FailureOr<std::unique_ptr<llvm::Module>> llvmModule =
      kiln::translateForTarget(module, llvmContext, target);
  if (failed(llvmModule) || llvm::verifyModule(**llvmModule, &llvm::errs()))
    __builtin_trap(); // lowered to the LLVM dialect, it must translate
  return 0;
}
