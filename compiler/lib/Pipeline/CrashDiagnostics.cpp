//===- CrashDiagnostics.cpp - A crash in kilnc becomes a diagnostic -------===//
//
// See CrashDiagnostics.h for the scheme. The signal handler only reads
// what was prepared before the crash (the re-run's argv, each thread's
// record of its pass) and uses write(2), execv(2) and _exit(2).
//
//===----------------------------------------------------------------------===//

#include "kiln/Pipeline/CrashDiagnostics.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Location.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/Pass.h"

#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/raw_ostream.h"

#include <csignal>
#include <cstring>
#include <unistd.h>

using namespace mlir;

namespace {
/// What each thread is running: the innermost pass last.
thread_local std::vector<std::string> passStack;
/// A stage outside the pass managers, or empty.
std::string currentStage;

std::vector<std::string> rerunArguments;
std::vector<char *> rerunArgv;
bool isRerun = false;

void writeText(const char *text) {
  ssize_t ignored = ::write(STDERR_FILENO, text, std::strlen(text));
  (void)ignored;
}

extern "C" void onFatalSignal(int signal) {
  writeText("kilnc: error: internal compiler error (");
  writeText(strsignal(signal));
  writeText(") ");
  if (!passStack.empty()) {
    writeText("in pass ");
    writeText(passStack.back().c_str());
  } else if (!currentStage.empty()) {
    writeText("in ");
    writeText(currentStage.c_str());
  } else {
    writeText("outside the pass pipeline");
  }
  writeText("\n");
  // A pass crashed: run again on one thread with MLIR's crash recovery,
  // which writes the reproducer and reports the failure as an error.
  if (!isRerun && !passStack.empty() && !rerunArgv.empty()) {
    writeText("kilnc: note: compiling again on one thread to write a "
              "reproducer\n");
    ::execv("/proc/self/exe", rerunArgv.data());
  }
  writeText("kilnc: note: this is a bug in Kiln; please report it with the "
            "model\n");
  ::_exit(70);
}

/// "'kiln-vectorize' on func.func @step (model.kiln:12:3)".
std::string describe(Pass *pass, Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "'" << (pass->getArgument().empty() ? pass->getName()
                                             : pass->getArgument())
     << "' on " << op->getName();
  if (auto symbol = op->getAttrOfType<StringAttr>(SymbolTable::getSymbolAttrName()))
    os << " @" << symbol.getValue();
  if (auto file = op->getLoc()->findInstanceOf<FileLineColLoc>())
    os << " (" << file.getFilename().getValue() << ":" << file.getLine()
       << ":" << file.getColumn() << ")";
  return text;
}

struct PassRecorder : PassInstrumentation {
  void runBeforePass(Pass *pass, Operation *op) override {
    passStack.push_back(describe(pass, op));
  }
  void runAfterPass(Pass *, Operation *) override { pop(); }
  void runAfterPassFailed(Pass *, Operation *) override { pop(); }
  static void pop() {
    if (!passStack.empty())
      passStack.pop_back();
  }
};

/// Stores through a null pointer, as a miscompiled pattern might.
struct TestCrashPass : PassWrapper<TestCrashPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TestCrashPass)
  StringRef getArgument() const final { return "kiln-test-crash"; }
  void runOnOperation() override {
    volatile int *nowhere = nullptr;
    *nowhere = 1;
  }
};
} // namespace

void kiln::installCrashHandler(const std::vector<std::string> &commandLine,
                               const std::string &reproducerPath,
                               bool rerunning) {
  isRerun = rerunning;
  rerunArguments = commandLine;
  rerunArguments.push_back("--crash-reproducer=" + reproducerPath);
  rerunArgv.clear();
  for (std::string &argument : rerunArguments)
    rerunArgv.push_back(argument.data());
  rerunArgv.push_back(nullptr);
  struct sigaction action = {};
  action.sa_handler = onFatalSignal;
  sigemptyset(&action.sa_mask);
  // The handler may run on a thread whose stack overflowed.
  action.sa_flags = SA_NODEFER | SA_RESETHAND;
  for (int signal : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT})
    ::sigaction(signal, &action, nullptr);
}

void kiln::setCrashStage(llvm::StringRef stage) { currentStage = stage.str(); }

void kiln::instrumentForCrashes(PassManager &pm, bool rerunning,
                                const std::string &reproducerPath) {
  pm.addInstrumentation(std::make_unique<PassRecorder>());
  if (rerunning) {
    llvm::CrashRecoveryContext::Enable();
    pm.enableCrashReproducerGeneration(reproducerPath,
                                       /*genLocalReproducer=*/false);
  }
}

std::unique_ptr<Pass> kiln::createTestCrashPass() {
  return std::make_unique<TestCrashPass>();
}
