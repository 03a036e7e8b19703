//===- CrashDiagnostics.h - A crash in kilnc becomes a diagnostic -*- C++ -*-===//
//
// The compiler must not crash on a valid model, and when it does anyway the
// user should get an error naming the pass, the function it ran on and the
// model's source line, plus an MLIR reproducer to attach to a report — not
// a bare SIGSEGV and LLVM's stack dump.
//
// How: every pass manager carries an instrumentation that records, per
// thread, which pass runs on which operation. A fatal signal prints that
// record as an error and re-executes kilnc with --crash-reproducer set: the
// re-run uses one thread, MLIR's crash recovery catches the same crash,
// writes the IR that made the pass fail and reports it as an ordinary
// error, exit status 1. A crash outside any pass (LLVM's code generation)
// is reported with the stage it happened in, exit status 70.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PIPELINE_CRASHDIAGNOSTICS_H
#define KILN_PIPELINE_CRASHDIAGNOSTICS_H

#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

#include <string>
#include <vector>

namespace kiln {

/// Installs the fatal-signal handler. `commandLine` is the tool's argv;
/// `reproducerPath` where a re-run writes the reproducer. In a re-run
/// (`rerunning`), a crash is reported and ends the process.
void installCrashHandler(const std::vector<std::string> &commandLine,
                         const std::string &reproducerPath, bool rerunning);

/// Names the stage outside the pass managers that runs now ("LLVM code
/// generation"), for a crash report.
void setCrashStage(llvm::StringRef stage);

/// Adds the per-thread pass record to `pm`; in a re-run also MLIR's crash
/// reproducer at `reproducerPath`, which needs a single-threaded context.
void instrumentForCrashes(mlir::PassManager &pm, bool rerunning,
                          const std::string &reproducerPath);

/// A pass that crashes (a null store), to test all of the above:
/// `kilnc --test-crash-in-pass`.
std::unique_ptr<mlir::Pass> createTestCrashPass();

} // namespace kiln

#endif // KILN_PIPELINE_CRASHDIAGNOSTICS_H
