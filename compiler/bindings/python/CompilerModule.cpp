//===- CompilerModule.cpp - kiln._compiler: .kiln source to a module ------===//
//
// The compiler for Python, in-process: the front end, then the same stages
// and options as kilnc (kiln/Pipeline/Compile.h), to the bytes of a .kmod.
// A model with errors raises kiln.CompileError carrying exactly what kilnc
// prints (file:line:col, the line and a caret). The GIL is released while
// it compiles.
//
//===----------------------------------------------------------------------===//

#include "kiln/Frontend/Onnx/Import.h"
#include "kiln/Frontend/Text/Emitter.h"
#include "kiln/Frontend/Text/Parser.h"
#include "kiln/InitAll.h"
#include "kiln/Pipeline/Compile.h"
#include "kiln/Target/LayerSummary.h"

#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <nanobind/nanobind.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace nb = nanobind;

namespace {

/// What the compiler printed about a model it refused.
struct CompileFailure {
  std::string diagnostics;
};

nb::handle compileErrorClass;

/// The .kmod of `source` (.kiln text, or an ONNX model's bytes when
/// `filename` ends in .onnx), or the diagnostics kilnc would print.
std::optional<std::vector<uint8_t>>
compileSource(const std::string &source, const std::string &filename,
              const kiln::CompileOptions &options,
              const kiln::text::ConfigOverrides &overrides,
              const std::map<std::string, double> &optimizer,
              const kiln::onnx::TrainEntry *train,
              std::string &diagnosticsText) {
  static std::once_flag registered;
  std::call_once(registered, [] { kiln::registerAllPasses(); });
  llvm::raw_string_ostream out(diagnosticsText);
  mlir::DialectRegistry registry;
  kiln::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  kiln::text::SourceDiagnostics diagnostics(sourceMgr, out);
  std::optional<kiln::text::SourceDiagnostics::MLIRHandler> textHandler;
  std::optional<kiln::onnx::DiagnosticPrinter> onnxPrinter;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::map<unsigned, std::string> bindings;
  if (kiln::onnx::isOnnxPath(filename)) {
    if (!overrides.empty()) {
      out << filename << ": error: config settings change a .kiln model; "
          << "an ONNX model has none\n";
      return std::nullopt;
    }
    onnxPrinter.emplace(context, out);
    module = kiln::onnx::importModel(source, filename, context, train);
  } else {
    if (train) {
      out << filename << ": error: train_loss adds training to an ONNX "
          << "model; a .kiln model declares its own with 'train'\n";
      return std::nullopt;
    }
    sourceMgr.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(source, filename),
        llvm::SMLoc());
    std::optional<kiln::text::Model> model =
        kiln::text::parseModel(sourceMgr, diagnostics);
    if (!model)
      return std::nullopt;
    textHandler.emplace(&context, diagnostics);
    module = kiln::text::emitModule(*model, context, sourceMgr, diagnostics,
                                    overrides);
    // The model summary, as kilnc records it: of the model as written.
    bindings = kiln::text::bindingNamesByLine(*model, sourceMgr);
  }
  if (!module)
    return std::nullopt;
  for (const auto &[name, value] : optimizer)
    if (failed(kiln::overrideOptimizers(*module, name, value)))
      return std::nullopt;
  kiln::ModuleSummary summary;
  summary.layers = kiln::summarizeLayers(*module, [&](unsigned line) {
    auto found = bindings.find(line);
    return found == bindings.end() ? std::string() : found->second;
  });
  if (failed(kiln::lowerModule(*module, options, kiln::CompileStage::LLVMMLIR,
                               summary)))
    return std::nullopt;
  mlir::FailureOr<std::vector<uint8_t>> kmod =
      kiln::buildKmod(*module, options, summary);
  if (failed(kmod))
    return std::nullopt;
  return std::move(*kmod);
}

nb::bytes compile(nb::handle sourceObject, const std::string &filename,
                  std::optional<std::string> targetCpu,
                  std::optional<std::string> targetFeatures, bool fuse,
                  bool layout, bool vectorize, bool inferenceOnly,
                  const std::map<std::string, std::string> &config,
                  const std::map<std::string, double> &optimizer,
                  const std::string &trainLoss, const std::string &trainOutput,
                  const std::string &trainOptimizer) {
  // .kiln text as str, an ONNX model as bytes.
  std::string source =
      nb::isinstance<nb::bytes>(sourceObject)
          ? std::string(nb::borrow<nb::bytes>(sourceObject).c_str(),
                        nb::borrow<nb::bytes>(sourceObject).size())
          : nb::cast<std::string>(sourceObject);
  kiln::CompileOptions options;
  options.fuse = fuse;
  options.layout = layout;
  options.vectorize = vectorize;
  options.inferenceOnly = inferenceOnly;
  options.targetCpu = targetCpu.value_or("");
  options.targetFeatures = targetFeatures.value_or("");
  kiln::text::ConfigOverrides overrides(config.begin(), config.end());
  std::string diagnostics;
  std::optional<std::vector<uint8_t>> kmod;
  {
    nb::gil_scoped_release released;
    kiln::onnx::TrainEntry train{trainLoss, trainOutput, trainOptimizer};
    kmod = compileSource(source, filename, options, overrides, optimizer,
                         trainLoss.empty() ? nullptr : &train, diagnostics);
  }
  if (!kmod)
    throw CompileFailure{diagnostics.empty()
                             ? filename + ": error: compilation failed"
                             : diagnostics};
  return nb::bytes(reinterpret_cast<const char *>(kmod->data()),
                   kmod->size());
}

} // namespace

NB_MODULE(_compiler, m) {
  m.doc() = "Kiln's compiler: .kiln source to the bytes of a .kmod module.";
  // kiln.CompileError (kiln/__init__.py) subclasses it with the location.
  compileErrorClass = PyErr_NewException("kiln._compiler.CompileFailure",
                                         PyExc_Exception, nullptr);
  m.attr("CompileFailure") = compileErrorClass;
  nb::register_exception_translator([](const std::exception_ptr &p, void *) {
    try {
      std::rethrow_exception(p);
    } catch (const CompileFailure &failure) {
      PyErr_SetString(compileErrorClass.ptr(), failure.diagnostics.c_str());
    }
  });
  m.def("compile", &compile, nb::arg("source"), nb::arg("filename"),
        nb::arg("target_cpu") = nb::none(),
        nb::arg("target_features") = nb::none(), nb::arg("fuse") = true,
        nb::arg("layout") = true, nb::arg("vectorize") = true,
        nb::arg("inference_only") = false,
        nb::arg("config") = std::map<std::string, std::string>(),
        nb::arg("optimizer") = std::map<std::string, double>(),
        nb::arg("train_loss") = "", nb::arg("train_output") = "",
        nb::arg("train_optimizer") = "adam",
        "Compiles .kiln source (str) or an ONNX model (bytes, a filename "
        "ending in .onnx) to .kmod bytes; raises CompileFailure with "
        "kilnc's diagnostics.");
}
