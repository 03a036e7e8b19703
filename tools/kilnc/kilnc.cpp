//===- kilnc.cpp - The Kiln compiler driver -------------------------------===//
//
// Compiles a .kiln model. Today it stops after the frontend and prints the
// kiln dialect (`--emit=kiln`); later stages extend the pipeline.
//
//===----------------------------------------------------------------------===//

#include "kiln/Frontend/Text/Emitter.h"
#include "kiln/Frontend/Text/OpSignatures.h"
#include "kiln/Frontend/Text/Parser.h"
#include "kiln/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

namespace cl = llvm::cl;

namespace {
enum class EmitKind { Kiln };

cl::opt<std::string> inputPath(cl::Positional, cl::desc("<model.kiln>"));
cl::opt<bool> printBuiltins(
    "print-builtins",
    cl::desc("Print the model language's built-in functions as a Markdown "
             "table and exit"));
cl::opt<std::string> outputPath("o", cl::desc("Output file (default: stdout)"),
                                cl::value_desc("file"), cl::init("-"));
cl::opt<EmitKind> emitKind(
    "emit", cl::desc("What to produce"), cl::init(EmitKind::Kiln),
    cl::values(clEnumValN(EmitKind::Kiln, "kiln",
                          "the model in the kiln MLIR dialect")));
cl::list<std::string> overrides(
    "set", cl::desc("Override a config of the model: --set name=value"),
    cl::value_desc("name=value"));
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "Kiln model compiler\n");

  auto fail = [](const llvm::Twine &message) {
    llvm::WithColor::error(llvm::errs(), "kilnc") << message << "\n";
    return 1;
  };
  if (printBuiltins) {
    kiln::text::printBuiltinsTable(llvm::outs());
    return 0;
  }
  if (inputPath.empty())
    return fail("no input file; usage: kilnc model.kiln [options]");

  kiln::text::ConfigOverrides configOverrides;
  for (llvm::StringRef setting : overrides) {
    auto [name, value] = setting.split('=');
    if (name.empty() || !setting.contains('='))
      return fail("--set expects name=value, got '" + setting + "'");
    configOverrides.emplace_back(name.trim().str(), value.trim().str());
  }

  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFileOrSTDIN(inputPath, /*IsText=*/true);
  if (std::error_code error = file.getError())
    return fail("cannot read '" + inputPath + "': " + error.message());

  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(*file), llvm::SMLoc());
  kiln::text::SourceDiagnostics diagnostics(sourceMgr, llvm::errs());
  std::optional<kiln::text::Model> model =
      kiln::text::parseModel(sourceMgr, diagnostics);
  if (!model)
    return 1;

  mlir::DialectRegistry registry;
  kiln::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  mlir::OwningOpRef<mlir::ModuleOp> module = kiln::text::emitModule(
      *model, context, sourceMgr, diagnostics, configOverrides);
  if (!module)
    return 1;

  std::string errorMessage;
  auto output = mlir::openOutputFile(outputPath, &errorMessage);
  if (!output)
    return fail(errorMessage);
  module->print(output->os());
  output->os() << "\n";
  output->keep();
  return 0;
}
