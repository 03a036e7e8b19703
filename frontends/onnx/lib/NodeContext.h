//===- NodeContext.h - What an ONNX op's importer works with ----*- C++ -*-===//
//
// Each ONNX op type has an importer: a function from the node (through a
// NodeContext: its inputs as values or as compile-time constants, its
// attributes, the opset) to kiln ops and the node's results. Importers live
// in one file per family (ElementwiseImporters.cpp, NeuralImporters.cpp,
// ShapeImporters.cpp, ReductionImporters.cpp) and register in OpTable.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_ONNX_NODECONTEXT_H
#define KILN_FRONTEND_ONNX_NODECONTEXT_H

#include "kiln/Dialect/KilnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/TypeUtilities.h"

#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

#include <limits>
#include <optional>
#include <string>

namespace kiln::onnx::detail {

class GraphImporter;

/// In a shape folded at compile time (Shape's output and what Gather,
/// Concat, Unsqueeze make of it), the size of the dynamic batch: known
/// only at run time. Reshape reads it as the dynamic dimension; arithmetic
/// on it does not fold, and a value holding it cannot be materialized.
inline constexpr int64_t kRunTimeSize = std::numeric_limits<int64_t>::min();
bool holdsRunTimeSize(mlir::DenseElementsAttr value);

class NodeContext {
public:
  NodeContext(GraphImporter &graph, const ::onnx::NodeProto &node,
              int64_t opset, mlir::Location loc);

  const ::onnx::NodeProto &node;
  /// The version of the default domain's opset the model imports.
  const int64_t opset;
  mlir::OpBuilder &builder;
  const mlir::Location loc;

  // Inputs. An optional input left out (or given as "") is absent.
  unsigned numInputs() const { return node.input_size(); }
  bool hasInput(unsigned i) const;
  /// Input `i` as a value (materializing a constant or parameter).
  mlir::FailureOr<mlir::Value> input(unsigned i);
  /// Appends input `i` as a value to `values` when it is given (an
  /// optional bias, state, ...).
  mlir::LogicalResult appendIfGiven(unsigned i,
                                    llvm::SmallVectorImpl<mlir::Value> &values);
  /// Input `i`'s type, whether or not it is materialized.
  mlir::RankedTensorType inputType(unsigned i);
  /// Input `i`'s contents when known at compile time.
  std::optional<mlir::DenseElementsAttr> constantInput(unsigned i);
  /// Input `i` as integers, which must be known at compile time (`what`
  /// names it in the error: "shape").
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  constantInts(unsigned i, llvm::StringRef what);
  /// Input `i` is a ConstantOfShape over a shape that holds the batch
  /// size: its fill value (a recurrent layer's zero initial state).
  std::optional<double> runTimeFill(unsigned i);
  /// Input `i` as one number known at compile time.
  mlir::FailureOr<double> constantScalar(unsigned i, llvm::StringRef what);

  // Attributes.
  bool hasAttr(llvm::StringRef name) const;
  int64_t intAttr(llvm::StringRef name, int64_t fallback) const;
  double floatAttr(llvm::StringRef name, double fallback) const;
  std::string stringAttr(llvm::StringRef name, llvm::StringRef fallback) const;
  std::optional<llvm::SmallVector<int64_t>>
  intsAttr(llvm::StringRef name) const;
  const ::onnx::AttributeProto *attr(llvm::StringRef name) const;

  // Results.
  unsigned numOutputs() const { return node.output_size(); }
  bool hasOutput(unsigned i) const;
  void setResult(unsigned i, mlir::Value value);
  /// A result known at compile time (Shape, Constant, folded arithmetic
  /// on constants): materialized only where a value is needed.
  void setConstantResult(unsigned i, mlir::DenseElementsAttr value);
  /// A result filled with `value` to a shape holding the batch size.
  void setRunTimeFillResult(unsigned i, double value,
                            mlir::RankedTensorType type);

  /// Builds kiln op `name` with inferred result types; its errors are
  /// reported at the node.
  mlir::FailureOr<mlir::Value>
  create(llvm::StringRef name, mlir::ValueRange operands,
         llvm::ArrayRef<mlir::NamedAttribute> attributes = {});
  mlir::FailureOr<mlir::Operation *>
  createMulti(llvm::StringRef name, mlir::ValueRange operands,
              llvm::ArrayRef<mlir::NamedAttribute> attributes,
              unsigned numResults);
  /// `lhs predicate rhs`, elementwise (kiln.compare).
  mlir::FailureOr<mlir::Value> compare(ComparePredicate predicate,
                                       mlir::Value lhs, mlir::Value rhs);
  /// A constant tensor as a value.
  mlir::Value constant(mlir::DenseElementsAttr value);
  /// `x` reshaped to `shape` (-1 for the one inferred size).
  mlir::FailureOr<mlir::Value> reshape(mlir::Value x,
                                       llvm::ArrayRef<int64_t> shape);
  /// A scalar of `like`'s element type, as a value.
  mlir::Value scalarLike(mlir::Value like, double value);

  mlir::NamedAttribute named(llvm::StringRef name, mlir::Attribute value) {
    return builder.getNamedAttr(name, value);
  }
  mlir::DenseI64ArrayAttr ints(llvm::ArrayRef<int64_t> values) {
    return builder.getDenseI64ArrayAttr(values);
  }

  /// An error at the node; returns failure.
  mlir::InFlightDiagnostic error();
  /// "this use of OP is not supported: WHY".
  mlir::LogicalResult unsupported(const llvm::Twine &why);

private:
  GraphImporter &graph_;
};

using OpImporter = mlir::LogicalResult (*)(NodeContext &);
using OpTable = llvm::StringMap<OpImporter>;

void addElementwiseImporters(OpTable &table);
void addNeuralImporters(OpTable &table);
void addShapeImporters(OpTable &table);
void addReductionImporters(OpTable &table);
void addLossImporters(OpTable &table);
void addNormalizationImporters(OpTable &table);
void addIndexImporters(OpTable &table);
void addRecurrentImporters(OpTable &table);

/// Conv and MaxPool/AveragePool over [N, C, D, H, W] (VolumeImporters.cpp).
mlir::LogicalResult importConv3d(NodeContext &node);
mlir::LogicalResult importPool3d(NodeContext &node);

/// Every importer, by ONNX op type.
const OpTable &opTable();

/// The kiln element type of an ONNX TensorProto data type, or null.
mlir::Type elementTypeOf(int32_t onnxType, mlir::MLIRContext *context);
/// ONNX's name of a data type ("FLOAT16"), for errors.
std::string onnxTypeName(int32_t onnxType);
/// A TensorProto's contents, or an error through `emitError`.
mlir::FailureOr<mlir::DenseElementsAttr>
readTensor(const ::onnx::TensorProto &tensor, mlir::MLIRContext *context,
           llvm::function_ref<mlir::InFlightDiagnostic()> emitError);

} // namespace kiln::onnx::detail

#endif // KILN_FRONTEND_ONNX_NODECONTEXT_H
