//===- kilnc.cpp - The Kiln compiler driver -------------------------------===//
//
// Compiles a .kiln model to a .kmod module: the frontend emits the kiln
// dialect, the pipeline lowers it through linalg to the LLVM dialect, LLVM
// optimizes it for the target CPU, and lld links a shared object that goes
// into the module file with the model's summary. `--emit` stops at any
// stage and prints it.
//
//===----------------------------------------------------------------------===//

#include "kiln/Frontend/Onnx/Import.h"
#include "kiln/Frontend/Text/Emitter.h"
#include "kiln/Frontend/Text/OpSignatures.h"
#include "kiln/Frontend/Text/Parser.h"
#include "kiln/Dialect/KilnOps.h"
#include "kiln/InitAll.h"
#include "kiln/Pipeline/Compile.h"
#include "kiln/Pipeline/CrashDiagnostics.h"
#include "kiln/Target/Kmod.h"
#include "kiln/Target/LayerSummary.h"
#include "kiln/Target/NativeCode.h"
#include "kiln/tooling/ModelSummary.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

namespace cl = llvm::cl;

namespace {
cl::OptionCategory kilncOptions("kilnc options");

enum class EmitKind { Kiln, Train, Linalg, Vector, LLVMMLIR, LLVMIR, Asm, Obj, Kmod };

cl::opt<std::string> inputPath(cl::Positional, cl::cat(kilncOptions),
                               cl::desc("<model.kiln or model.onnx>"));
cl::opt<std::string> outputPath(
    "o",
    cl::cat(kilncOptions),
    cl::desc("Output file (default: stdout for text, MODEL.kmod for "
             "a module)"),
    cl::value_desc("file"));
// For debugging the code generator: plain scalar loops, one thread.
cl::opt<bool> vectorize(
    "vectorize",
    cl::cat(kilncOptions),
    cl::desc("Split for threads, tile and vectorize (default true; "
             "--vectorize=false leaves naive scalar loops)"),
    cl::init(true));

// Each optimization can be left out to measure what it brings.
cl::opt<bool> layout(
    "layout",
    cl::cat(kilncOptions),
    cl::desc("Compute unit-stride convolutions on their padded NCHW planes "
             "in place (default true; --layout=false makes every "
             "convolution an image-to-column product)"),
    cl::init(true));
cl::opt<bool> fuse(
    "fuse",
    cl::cat(kilncOptions),
    cl::desc("Fuse chains of elementwise ops into one loop nest (default "
             "true; --fuse=false leaves one loop nest per op)"),
    cl::init(true));

cl::opt<EmitKind> emitKind(
    "emit",
    cl::cat(kilncOptions),
    cl::desc("What to produce"), cl::init(EmitKind::Kmod),
    cl::values(
        clEnumValN(EmitKind::Kiln, "kiln", "the model in the kiln dialect"),
        clEnumValN(EmitKind::Train, "train",
                   "after autodiff: train entries with gradients and the "
                   "optimizer step"),
        clEnumValN(EmitKind::Linalg, "linalg",
                   "after lowering to linalg and fusing elementwise ops"),
        clEnumValN(EmitKind::Vector, "vector",
                   "after splitting for threads, tiling and vectorizing"),
        clEnumValN(EmitKind::LLVMMLIR, "llvm-mlir",
                   "after lowering to the LLVM dialect"),
        clEnumValN(EmitKind::LLVMIR, "llvm-ir", "optimized LLVM IR"),
        clEnumValN(EmitKind::Asm, "asm", "assembly for the target"),
        clEnumValN(EmitKind::Obj, "obj", "an ELF object file"),
        clEnumValN(EmitKind::Kmod, "kmod", "a module for the runtime")));
cl::opt<bool> inferenceOnly(
    "inference-only",
    cl::cat(kilncOptions),
    cl::desc("Leave out the train entries (no autodiff, no optimizer)"),
    cl::init(false));
cl::list<std::string> overrides(
    "set",
    cl::cat(kilncOptions),
    cl::desc("Override a config of the model: --set name=value"),
    cl::value_desc("name=value"));
cl::list<std::string> optimizerOverrides(
    "optimizer",
    cl::cat(kilncOptions),
    cl::desc("Override a hyperparameter of every train entry's optimizer: "
             "--optimizer momentum=0.5"),
    cl::value_desc("name=value"));
// Fine-tuning an ONNX model: a train entry added to the imported graph.
cl::opt<std::string> trainLoss(
    "train-loss", cl::cat(kilncOptions),
    cl::desc("ONNX models: add a train entry 'step' minimizing this loss of "
             "an output (softmax_cross_entropy, nll or hinge against a new "
             "input 'label'; mse, l1, bce or bce_with_logits against "
             "'target')"),
    cl::value_desc("loss"));
cl::opt<std::string> trainOutput(
    "train-output", cl::cat(kilncOptions),
    cl::desc("ONNX models: the output --train-loss reads (default the "
             "first)"),
    cl::value_desc("name"));
cl::opt<std::string> trainOptimizer(
    "train-optimizer", cl::cat(kilncOptions),
    cl::desc("ONNX models: the optimizer of --train-loss's entry (sgd, adam, "
             "adamw, rmsprop; default adam; --optimizer sets its "
             "hyperparameters)"),
    cl::value_desc("name"), cl::init("adam"));
// LLVM optimizes and compiles the module in this many parts, one thread
// each (the code depends on the number, not on the host's cores).
cl::opt<unsigned> codegenParts(
    "codegen-parts",
    cl::cat(kilncOptions),
    cl::desc("Optimize and compile a module in this many parts in parallel "
             "(default 2; 1 keeps it whole)"),
    cl::init(2));
cl::opt<std::string> targetCpu(
    "target-cpu",
    cl::cat(kilncOptions),
    cl::desc("CPU to compile for (default: this host's)"));
cl::opt<std::string> targetFeatures(
    "target-features",
    cl::cat(kilncOptions),
    cl::desc("CPU features to add or remove, e.g. -avx512f,+avx2"));
cl::opt<bool> printSummary(
    "summary",
    cl::cat(kilncOptions),
    cl::desc("Print one row per op of the model (output shape, parameters, "
             "FLOPs per sample) with totals, and exit"));
cl::opt<bool> printBuiltins(
    "print-builtins",
    cl::cat(kilncOptions),
    cl::desc("Print the model language's built-in functions as a Markdown "
             "table and exit"));
cl::opt<bool> printOnnxOps(
    "print-onnx-ops", cl::cat(kilncOptions),
    cl::desc("Print the ONNX op types the importer maps, one per line, and "
             "exit"));

cl::opt<std::string> crashReproducer(
    "crash-reproducer",
    cl::cat(kilncOptions),
    cl::desc("Compile on one thread and, if a pass fails or crashes, write the "
             "IR it ran on here (kilnc re-runs itself with this after a "
             "crash, writing OUTPUT.reproducer.mlir)"),
    cl::value_desc("file"));
cl::opt<bool> testCrashInPass(
    "test-crash-in-pass", cl::Hidden,
    cl::desc("Crash in a pass after lowering to linalg (tests the crash "
             "handling)"));

int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "kilnc") << message << "\n";
  return 1;
}

/// Writes `bytes` to the output file (or stdout).
int writeOutput(llvm::StringRef path, llvm::StringRef bytes) {
  std::string errorMessage;
  auto output = mlir::openOutputFile(path, &errorMessage);
  if (!output)
    return fail(errorMessage);
  output->os() << bytes;
  output->keep();
  return 0;
}

/// Applies one --optimizer NAME=VALUE.
int overrideOptimizers(mlir::ModuleOp module, llvm::StringRef setting) {
  auto [name, text] = setting.split('=');
  name = name.trim();
  text = text.trim();
  double value;
  if (name.empty() || !setting.contains('=') || text.getAsDouble(value))
    return fail("--optimizer expects name=number, got '" + setting + "'");
  return failed(kiln::overrideOptimizers(module, name, value)) ? 1 : 0;
}

/// The rows as the runtime reads them from the .kmod, so that kilnc and
/// kiln-run print one table.
std::vector<kiln::rt::LayerSpec>
asRuntimeLayers(const std::vector<kiln::LayerSummary> &layers) {
  std::vector<kiln::rt::LayerSpec> specs;
  for (const kiln::LayerSummary &layer : layers) {
    kiln::rt::LayerSpec spec{layer.entry, layer.binding, layer.op,
                             layer.line,  layer.column,  {},
                             layer.params, layer.flops};
    for (const kiln::TensorSpec &shape : layer.shapes)
      spec.shapes.push_back(
          {static_cast<kiln::rt::DType>(shape.dtype), shape.shape});
    specs.push_back(std::move(spec));
  }
  return specs;
}

int printModelSummary(mlir::ModuleOp module,
                      const std::vector<kiln::LayerSummary> &layers) {
  kiln::tooling::ParameterTotals totals;
  for (auto param : module.getOps<kiln::ParamOp>()) {
    auto type = llvm::cast<mlir::RankedTensorType>(param.getType());
    (param.getBuffer() ? totals.buffers : totals.trainable) +=
        type.getNumElements();
    totals.bytes +=
        type.getNumElements() * type.getElementTypeBitWidth() / 8;
  }
  llvm::outs() << kiln::tooling::formatModelSummary(
      module.getSymName().value_or("model").str(), asRuntimeLayers(layers),
      totals);
  return 0;
}

int printModule(mlir::ModuleOp module, llvm::StringRef path) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module.print(os);
  os << "\n";
  return writeOutput(path, text);
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  kiln::hideLibraryOptionsFromHelp();
  kiln::registerAllPasses();
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "Kiln model compiler\n");

  if (printBuiltins) {
    kiln::text::printBuiltinsTable(llvm::outs());
    return 0;
  }
  if (printOnnxOps) {
    for (const std::string &op : kiln::onnx::supportedOps())
      llvm::outs() << op << "\n";
    return 0;
  }
  if (inputPath.empty())
    return fail("no input file; usage: kilnc model.kiln|model.onnx [options]");

  kiln::text::ConfigOverrides configOverrides;
  for (llvm::StringRef setting : overrides) {
    auto [name, value] = setting.split('=');
    if (name.empty() || !setting.contains('='))
      return fail("--set expects name=value, got '" + setting + "'");
    configOverrides.emplace_back(name.trim().str(), value.trim().str());
  }

  std::string output = outputPath;
  if (output.empty()) {
    output = "-";
    if (emitKind == EmitKind::Kmod || emitKind == EmitKind::Obj) {
      llvm::SmallString<128> path(llvm::sys::path::filename(inputPath));
      llvm::sys::path::replace_extension(
          path, emitKind == EmitKind::Kmod ? "kmod" : "o");
      output = path.str().str();
    }
  }
  // A crash is reported, and a reproducer written beside the output.
  bool rerunning = !crashReproducer.empty();
  std::string reproducer = crashReproducer;
  if (!rerunning) {
    llvm::SmallString<128> path(output == "-"
                                    ? llvm::sys::path::filename(inputPath)
                                    : llvm::StringRef(output));
    llvm::sys::path::replace_extension(path, "reproducer.mlir");
    reproducer = path.str().str();
  }
  kiln::installCrashHandler(std::vector<std::string>(argv, argv + argc),
                            reproducer, rerunning);
  kiln::setCrashStage("the front end");

  bool onnxInput = kiln::onnx::isOnnxPath(inputPath);
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFileOrSTDIN(inputPath, /*IsText=*/!onnxInput);
  if (std::error_code error = file.getError())
    return fail("cannot read '" + inputPath + "': " + error.message());
  if (onnxInput && !configOverrides.empty())
    return fail("--set changes a .kiln model's config; an ONNX model has "
                "none");
  if (!onnxInput && !trainLoss.empty())
    return fail("--train-loss adds training to an ONNX model; a .kiln "
                "model declares its own with 'train'");

  mlir::DialectRegistry registry;
  kiln::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  // MLIR's crash recovery catches a crash on the thread that runs the pass
  // manager only.
  if (rerunning)
    context.disableMultithreading();
  llvm::SourceMgr sourceMgr;
  kiln::text::SourceDiagnostics diagnostics(sourceMgr, llvm::errs());
  // Lowering errors point at the model's source: a .kiln line, an ONNX
  // node.
  std::optional<kiln::text::SourceDiagnostics::MLIRHandler> textHandler;
  std::optional<kiln::onnx::DiagnosticPrinter> onnxPrinter;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::map<unsigned, std::string> bindings;
  if (onnxInput) {
    onnxPrinter.emplace(context, llvm::errs());
    kiln::onnx::TrainEntry train{trainLoss, trainOutput, trainOptimizer};
    module = kiln::onnx::importModel((*file)->getBuffer(), inputPath, context,
                                     trainLoss.empty() ? nullptr : &train);
    if (!module)
      return 1;
  } else {
    sourceMgr.AddNewSourceBuffer(std::move(*file), llvm::SMLoc());
    std::optional<kiln::text::Model> model =
        kiln::text::parseModel(sourceMgr, diagnostics);
    if (!model)
      return 1;
    module = kiln::text::emitModule(*model, context, sourceMgr, diagnostics,
                                    configOverrides);
    if (!module)
      return 1;
    textHandler.emplace(&context, diagnostics);
    bindings = kiln::text::bindingNamesByLine(*model, sourceMgr);
  }
  for (llvm::StringRef setting : optimizerOverrides)
    if (int status = overrideOptimizers(*module, setting))
      return status;
  if (emitKind == EmitKind::Kiln)
    return printModule(*module, output);
  // The summary is of the model as written, before autodiff adds the
  // backward ops.
  std::vector<kiln::LayerSummary> layers =
      kiln::summarizeLayers(*module, [&](unsigned line) {
        auto found = bindings.find(line);
        return found == bindings.end() ? std::string() : found->second;
      });
  if (printSummary)
    return printModelSummary(*module, layers);

  kiln::CompileOptions options;
  options.vectorize = vectorize;
  options.layout = layout;
  options.fuse = fuse;
  options.inferenceOnly = inferenceOnly;
  options.codegenParts = codegenParts;
  options.targetCpu = targetCpu;
  options.targetFeatures = targetFeatures;
  // The pass manager options (--mlir-print-ir-after-all, --mlir-timing,
  // ...) apply to every stage.
  options.configurePassManager = [&](mlir::PassManager &pm,
                                     kiln::CompileStage stage) {
    kiln::instrumentForCrashes(pm, rerunning, reproducer);
    if (failed(mlir::applyPassManagerCLOptions(pm))) {
      fail("bad pass manager options");
      return llvm::failure();
    }
    mlir::applyDefaultTimingPassManagerCLOptions(pm);
    if (testCrashInPass && stage == kiln::CompileStage::Linalg)
      pm.addPass(kiln::createTestCrashPass());
    return llvm::success();
  };
  kiln::ModuleSummary summary;
  summary.layers = std::move(layers);
  kiln::CompileStage last = kiln::CompileStage::Kmod;
  switch (emitKind) {
  case EmitKind::Kiln:
    last = kiln::CompileStage::Kiln;
    break;
  case EmitKind::Train:
    last = kiln::CompileStage::Train;
    break;
  case EmitKind::Linalg:
    last = kiln::CompileStage::Linalg;
    break;
  case EmitKind::Vector:
    last = kiln::CompileStage::Vector;
    break;
  default:
    last = kiln::CompileStage::LLVMMLIR;
  }
  if (failed(kiln::lowerModule(*module, options, last, summary)))
    return 1;
  if (last != kiln::CompileStage::LLVMMLIR || emitKind == EmitKind::LLVMMLIR)
    return printModule(*module, output);

  if (emitKind == EmitKind::Kmod) {
    mlir::FailureOr<std::vector<uint8_t>> kmod =
        kiln::buildKmod(*module, options, summary);
    if (failed(kmod))
      return 1;
    return writeOutput(output,
                       llvm::StringRef(reinterpret_cast<const char *>(
                                           kmod->data()),
                                       kmod->size()));
  }
  kiln::TargetDescription target =
      kiln::describeTarget(targetCpu, targetFeatures);
  kiln::setCrashStage("LLVM's optimization and code generation");
  llvm::LLVMContext llvmContext;
  mlir::FailureOr<std::unique_ptr<llvm::Module>> llvmModule =
      kiln::translateAndOptimize(*module, llvmContext, target);
  if (failed(llvmModule))
    return 1;
  if (emitKind == EmitKind::LLVMIR) {
    std::string text;
    llvm::raw_string_ostream os(text);
    (*llvmModule)->print(os, nullptr);
    return writeOutput(output, text);
  }
  mlir::FailureOr<llvm::SmallVector<char>> code = kiln::emitMachineCode(
      **llvmModule, target,
      emitKind == EmitKind::Asm ? kiln::CodeFileKind::Assembly
                                : kiln::CodeFileKind::Object);
  if (failed(code))
    return fail("code generation failed for " + target.triple);
  return writeOutput(output, llvm::StringRef(code->data(), code->size()));
}
