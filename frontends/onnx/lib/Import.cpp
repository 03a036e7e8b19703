//===- Import.cpp - ONNX models into the kiln dialect ---------------------===//

#include "kiln/Frontend/Onnx/Import.h"

#include "GraphImporter.h"
#include "NodeContext.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"

#include <algorithm>

using namespace mlir;
using namespace kiln::onnx;
using namespace kiln::onnx::detail;

bool kiln::onnx::isOnnxPath(StringRef path) {
  return path.ends_with_insensitive(".onnx");
}

const OpTable &kiln::onnx::detail::opTable() {
  static const OpTable table = [] {
    OpTable table;
    addElementwiseImporters(table);
    addNeuralImporters(table);
    addShapeImporters(table);
    addReductionImporters(table);
    addLossImporters(table);
    addNormalizationImporters(table);
    addIndexImporters(table);
    addRecurrentImporters(table);
    return table;
  }();
  return table;
}

std::vector<std::string> kiln::onnx::supportedOps() {
  std::vector<std::string> names;
  for (const auto &entry : opTable())
    names.push_back(entry.getKey().str());
  std::sort(names.begin(), names.end());
  return names;
}

OwningOpRef<ModuleOp> kiln::onnx::importModel(StringRef bytes, StringRef path,
                                              MLIRContext &context,
                                              const TrainEntry *train) {
  ::onnx::ModelProto model;
  // Protobuf's own limit is 2 GB; larger models keep weights externally.
  if (bytes.size() > static_cast<size_t>(INT32_MAX) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    emitError(FileLineColLoc::get(&context, path, 0, 0),
              "not an ONNX model (the file does not parse as a ModelProto)");
    return nullptr;
  }
  if (!model.has_graph()) {
    emitError(FileLineColLoc::get(&context, path, 0, 0),
              "the ONNX model has no graph");
    return nullptr;
  }
  GraphImporter importer(context, path);
  OwningOpRef<ModuleOp> module = importer.import(model);
  if (module && train && failed(importer.addTrainEntries(*train)))
    return nullptr;
  return module;
}

namespace {
/// The file a location is in, and the node it names (if any).
void describe(Location loc, std::string &file, std::string &node) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    node = name.getName().str();
    return describe(name.getChildLoc(), file, node);
  }
  if (auto fileLoc = dyn_cast<FileLineColLoc>(loc)) {
    file = fileLoc.getFilename().str();
    return;
  }
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (file.empty())
        describe(inner, file, node);
  if (auto callSite = dyn_cast<CallSiteLoc>(loc))
    describe(callSite.getCallee(), file, node);
}

const char *severityName(DiagnosticSeverity severity) {
  switch (severity) {
  case DiagnosticSeverity::Error:
    return "error";
  case DiagnosticSeverity::Warning:
    return "warning";
  case DiagnosticSeverity::Note:
    return "note";
  case DiagnosticSeverity::Remark:
    return "remark";
  }
  return "error";
}
} // namespace

DiagnosticPrinter::DiagnosticPrinter(MLIRContext &context, raw_ostream &out)
    : context_(context) {
  handler_ = context.getDiagEngine().registerHandler([&out](Diagnostic &diag) {
    auto print = [&out](Diagnostic &one) {
      std::string file, node;
      describe(one.getLocation(), file, node);
      out << (file.empty() ? std::string("<onnx>") : file) << ": "
          << severityName(one.getSeverity()) << ": ";
      if (!node.empty())
        out << node << ": ";
      out << one.str() << "\n";
    };
    print(diag);
    for (Diagnostic &note : diag.getNotes())
      print(note);
    out.flush();
    return success();
  });
}

DiagnosticPrinter::~DiagnosticPrinter() {
  context_.getDiagEngine().eraseHandler(handler_);
}
