//===- InferenceHelpers.h - Result-type inference shared by op families ---===//
//
// Private to the dialect library. Every inference function reports a
// failure at `loc` (when given) worded like a verifier error, naming the
// operands and their shapes, so users see one precise message instead of a
// generic "failed to infer returned types".
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_LIB_INFERENCEHELPERS_H
#define KILN_DIALECT_LIB_INFERENCEHELPERS_H

#include "kiln/Dialect/KilnOps.h"
#include "kiln/Dialect/ShapeRules.h"

#include "mlir/IR/Diagnostics.h"

namespace kiln::detail {

template <typename... Args>
llvm::LogicalResult emitInferenceError(std::optional<mlir::Location> loc,
                                       llvm::StringRef opName,
                                       Args &&...args) {
  return mlir::emitOptionalError(loc, "'", opName, "' op ",
                                 std::forward<Args>(args)...);
}

/// The value's type as a ranked tensor, or null.
inline mlir::RankedTensorType getRankedType(mlir::Value value) {
  return value ? llvm::dyn_cast<mlir::RankedTensorType>(value.getType())
               : nullptr;
}

/// `[?, 10]` for a ranked tensor type.
inline std::string formatShape(mlir::RankedTensorType type) {
  return shape::format(type.getShape());
}

/// Fails (with a message) unless every operand is a ranked tensor.
llvm::LogicalResult requireRanked(std::optional<mlir::Location> loc,
                                  llvm::StringRef opName,
                                  mlir::ValueRange operands);

/// Broadcasts the shapes of `operands`, named `names` in messages, into
/// `result`.
llvm::LogicalResult broadcastOperands(std::optional<mlir::Location> loc,
                                      llvm::StringRef opName,
                                      mlir::ValueRange operands,
                                      llvm::ArrayRef<llvm::StringRef> names,
                                      shape::Shape &result);

/// Broadcast result of operands that share their element type; the result
/// element type is `resultElement` when given, else theirs.
llvm::LogicalResult
inferElementwiseBroadcast(std::optional<mlir::Location> loc,
                          llvm::StringRef opName, mlir::ValueRange operands,
                          llvm::ArrayRef<llvm::StringRef> names,
                          mlir::Type resultElement,
                          llvm::SmallVectorImpl<mlir::Type> &inferred);

llvm::LogicalResult inferReduction(std::optional<mlir::Location> loc,
                                   llvm::StringRef opName, mlir::Value input,
                                   llvm::ArrayRef<int64_t> axes, bool keepDims,
                                   llvm::SmallVectorImpl<mlir::Type> &inferred);

llvm::LogicalResult
inferArgReduction(std::optional<mlir::Location> loc, llvm::StringRef opName,
                  mlir::Value input, int64_t axis, bool keepDims,
                  llvm::SmallVectorImpl<mlir::Type> &inferred);

llvm::LogicalResult
inferPointwiseLoss(std::optional<mlir::Location> loc, llvm::StringRef opName,
                   mlir::Value input, mlir::Value target, Reduction reduction,
                   llvm::SmallVectorImpl<mlir::Type> &inferred);

llvm::LogicalResult
inferClassLoss(std::optional<mlir::Location> loc, llvm::StringRef opName,
               mlir::Value input, mlir::Value labels, Reduction reduction,
               llvm::SmallVectorImpl<mlir::Type> &inferred);

/// Random tensors take their type from `like` or from `shape` and `dtype`.
llvm::LogicalResult
inferRandomTensor(mlir::MLIRContext *context,
                  std::optional<mlir::Location> loc, llvm::StringRef opName,
                  mlir::Value like, std::optional<llvm::ArrayRef<int64_t>> shape,
                  std::optional<mlir::Type> dtype,
                  llvm::SmallVectorImpl<mlir::Type> &inferred);

/// The operands of a recurrent layer; `c0` only for LSTM.
struct RecurrentOperands {
  mlir::Value input, wIh, wHh, bIh, bHh, h0, c0;
  bool bidirectional = false;
  int64_t gateCount = 1;
  bool hasCellState = false;
};

/// Collects the operands of a kiln.rnn, kiln.gru or kiln.lstm adaptor.
template <typename Adaptor>
RecurrentOperands getRecurrentOperands(Adaptor adaptor, int64_t gateCount) {
  RecurrentOperands operands;
  operands.input = adaptor.getInput();
  operands.wIh = adaptor.getWIh();
  operands.wHh = adaptor.getWHh();
  operands.bIh = adaptor.getBIh();
  operands.bHh = adaptor.getBHh();
  operands.h0 = adaptor.getH0();
  operands.bidirectional = adaptor.getBidirectional();
  operands.gateCount = gateCount;
  if constexpr (std::is_same_v<Adaptor, LstmOp::Adaptor>) {
    operands.c0 = adaptor.getC0();
    operands.hasCellState = true;
  }
  return operands;
}

llvm::LogicalResult
inferRecurrent(std::optional<mlir::Location> loc, llvm::StringRef opName,
               const RecurrentOperands &operands,
               llvm::SmallVectorImpl<mlir::Type> &inferred);

} // namespace kiln::detail

#endif // KILN_DIALECT_LIB_INFERENCEHELPERS_H
