//===- GraphImporter.h - One ONNX graph into one entry function -*- C++ -*-===//

#ifndef KILN_FRONTEND_ONNX_GRAPHIMPORTER_H
#define KILN_FRONTEND_ONNX_GRAPHIMPORTER_H

#include "NodeContext.h"

#include "kiln/Frontend/Onnx/Import.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

namespace kiln::onnx::detail {

/// Walks a graph's nodes in order (ONNX requires a topological order),
/// keeping every named value as an MLIR value, a compile-time constant, or
/// both.
class GraphImporter {
public:
  GraphImporter(mlir::MLIRContext &context, llvm::StringRef path);

  mlir::OwningOpRef<mlir::ModuleOp> import(const ::onnx::ModelProto &model);
  /// After import: `step` and `step_loss` (TrainEntry).
  mlir::LogicalResult addTrainEntries(const TrainEntry &train);

  // For NodeContext.
  mlir::OpBuilder &builder() { return builder_; }
  mlir::MLIRContext &context() { return context_; }
  bool isDefined(llvm::StringRef name) const { return values_.count(name); }
  mlir::FailureOr<mlir::Value> materialize(llvm::StringRef name,
                                           mlir::Location loc);
  mlir::RankedTensorType typeOf(llvm::StringRef name) const;
  std::optional<mlir::DenseElementsAttr> constantOf(llvm::StringRef name) const;
  void define(llvm::StringRef name, mlir::Value value);
  void defineConstant(llvm::StringRef name, mlir::DenseElementsAttr value,
                      bool trainable = false);
  /// A tensor of `type` (its batch dynamic) filled with `value`, kept
  /// unmaterialized: a recurrent layer reads a zero one as no state.
  void defineRunTimeFill(llvm::StringRef name, double value,
                         mlir::RankedTensorType type);
  std::optional<double> runTimeFillOf(llvm::StringRef name) const;

private:
  struct Named {
    mlir::Value value;
    mlir::DenseElementsAttr constant;
    /// A float initializer: a parameter starting from `constant` when an
    /// op reads it as a tensor.
    bool trainable = false;
    /// A run-time fill: its type and value.
    mlir::RankedTensorType fillType;
    double fill = 0;
  };

  mlir::LogicalResult importGraph(const ::onnx::GraphProto &graph,
                                  int64_t opset);
  mlir::LogicalResult addInput(const ::onnx::ValueInfoProto &input);
  mlir::LogicalResult importNode(const ::onnx::NodeProto &node, unsigned index,
                                 int64_t opset);
  mlir::Value addParam(llvm::StringRef name, mlir::DenseElementsAttr value);
  mlir::Location fileLoc();
  mlir::Location nodeLoc(const ::onnx::NodeProto &node, unsigned index);

  mlir::MLIRContext &context_;
  std::string path_;
  mlir::OpBuilder builder_;
  mlir::ModuleOp module_;
  mlir::func::FuncOp entry_;
  mlir::Block *body_ = nullptr;
  llvm::SmallVector<mlir::DictionaryAttr> argAttrs_;
  llvm::StringMap<Named> values_;
  /// Values a failed node should have defined: later nodes that read them
  /// are skipped, so that one error is reported once.
  llvm::StringSet<> poisoned_;
  llvm::StringSet<> paramNames_;
};

} // namespace kiln::onnx::detail

#endif // KILN_FRONTEND_ONNX_GRAPHIMPORTER_H
