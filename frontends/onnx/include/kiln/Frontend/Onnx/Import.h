//===- Import.h - ONNX models into the kiln dialect -------------*- C++ -*-===//
//
// An ONNX ModelProto becomes a kiln module like the one a .kiln file gives:
// graph inputs are inputs (a symbolic first dimension is the dynamic
// batch), float initializers are parameters starting from their values
// (so an imported model can be fine-tuned), other initializers and
// Constant nodes are constants, folded into attributes where an op needs
// them at compile time (Reshape's shape, Slice's starts), and the graph's
// outputs are the outputs of an `infer` entry. Each node maps onto kiln
// ops; a node nothing maps is an error naming its op, opset and name.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_ONNX_IMPORT_H
#define KILN_FRONTEND_ONNX_IMPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace kiln::onnx {

/// Whether `path` names an ONNX model (by its extension).
bool isOnnxPath(llvm::StringRef path);

/// A train entry to add to an imported model, so that it can be
/// fine-tuned: `step` minimizes `loss` of graph output `output` (default
/// the first) against a new input — `label` (class indices [N]) for the
/// class losses softmax_cross_entropy, nll and hinge, `target` (the
/// output's shape) for mse, l1, bce and bce_with_logits — with
/// `optimizer` (sgd, adam, adamw, rmsprop; kilnc --optimizer sets its
/// hyperparameters). `step_loss` computes the loss alone, for validation.
struct TrainEntry {
  std::string loss;
  std::string output;
  std::string optimizer = "adam";
};

/// Imports the serialized ModelProto `bytes`, read from `path` (the name
/// diagnostics use), with a train entry when `train` is given. Errors are
/// MLIR diagnostics located at the file (and node): DiagnosticPrinter
/// prints them as "PATH: error: ..."; the returned module is null when
/// the import failed.
mlir::OwningOpRef<mlir::ModuleOp>
importModel(llvm::StringRef bytes, llvm::StringRef path,
            mlir::MLIRContext &context, const TrainEntry *train = nullptr);

/// The ONNX op types the importer maps, sorted.
std::vector<std::string> supportedOps();

/// Prints MLIR diagnostics located at an imported model's nodes as
/// "PATH: error: node 'NAME' (OP): message" while it lives.
class DiagnosticPrinter {
public:
  DiagnosticPrinter(mlir::MLIRContext &context, llvm::raw_ostream &out);
  ~DiagnosticPrinter();

private:
  mlir::MLIRContext &context_;
  uint64_t handler_;
};

} // namespace kiln::onnx

#endif // KILN_FRONTEND_ONNX_IMPORT_H
