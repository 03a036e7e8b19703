//===- LayerSummary.cpp - The model summary: one row per op ---------------===//
//
// FLOPs follow the convention of fvcore and torchinfo for the ops that
// dominate: a multiply-add of a convolution, dense layer, matmul or
// recurrent cell counts 2, a bias add one per output element. The other
// ops are estimated from the elements they touch: one per element for
// elementwise ops and reductions, a few for normalisation and softmax,
// nothing for ops that only move data (reshape, concat, gather, ...).
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/LayerSummary.h"

#include "kiln/Dialect/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace {

/// Elements of one sample of a value: the dynamic batch counts as 1.
int64_t elementsPerSample(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return 0;
  int64_t count = 1;
  for (int64_t dim : tensor.getShape())
    count *= ShapedType::isDynamic(dim) ? 1 : dim;
  return count;
}

int64_t dimOf(Value value, int64_t dim) {
  auto type = cast<RankedTensorType>(value.getType());
  if (dim < 0)
    dim += type.getRank();
  int64_t size = type.getDimSize(dim);
  return ShapedType::isDynamic(size) ? 1 : size;
}

/// One direction of a recurrent layer runs T steps of
/// `gates = x_t · w_ihᵀ + b_ih + h · w_hhᵀ + b_hh`, then the cell's
/// pointwise update (its G nonlinearities and about three ops per unit).
template <typename Cell> int64_t recurrentFlops(Cell cell) {
  int64_t steps = dimOf(cell.getInput(), 1);
  int64_t features = dimOf(cell.getInput(), 2);
  int64_t directions = dimOf(cell.getWIh(), 0);
  int64_t gateRows = dimOf(cell.getWIh(), 1);
  int64_t hidden = gateRows / Cell::kGateCount;
  int64_t perStep = 2 * gateRows * (features + hidden) + 2 * gateRows +
                    (Cell::kGateCount + 3) * hidden;
  return steps * directions * perStep;
}

int64_t flopsOf(Operation *op) {
  auto resultElements = [&] {
    return op->getNumResults() ? elementsPerSample(op->getResult(0).getType())
                               : 0;
  };
  auto operandElements = [&] {
    return op->getNumOperands()
               ? elementsPerSample(op->getOperand(0).getType())
               : 0;
  };
  return llvm::TypeSwitch<Operation *, int64_t>(op)
      .Case([&](kiln::Conv2DOp conv) {
        // weight [F, C / groups, KH, KW]: each output reads C/groups*KH*KW.
        Value weight = conv.getWeight();
        int64_t taps = dimOf(weight, 1) * dimOf(weight, 2) * dimOf(weight, 3);
        return 2 * resultElements() * taps +
               (conv.getBias() ? resultElements() : 0);
      })
      .Case([&](kiln::ConvTranspose2DOp conv) {
        // weight [C, F / groups, KH, KW]: each input scatters F/groups*KH*KW.
        Value weight = conv.getWeight();
        int64_t taps = dimOf(weight, 1) * dimOf(weight, 2) * dimOf(weight, 3);
        return 2 * operandElements() * taps +
               (conv.getBias() ? resultElements() : 0);
      })
      .Case([&](kiln::DenseOp dense) {
        return 2 * resultElements() * dimOf(dense.getInput(), -1) +
               (dense.getBias() ? resultElements() : 0);
      })
      .Case([&](kiln::MatmulOp matmul) {
        int64_t inner = dimOf(matmul.getLhs(), matmul.getTransposeLhs() ? -2
                                                                        : -1);
        return 2 * resultElements() * inner;
      })
      .Case<kiln::MaxPool2DOp, kiln::AvgPool2DOp>([&](auto pool) {
        ArrayRef<int64_t> kernel = pool.getKernel();
        return resultElements() * kernel[0] * kernel[1];
      })
      .Case([&](kiln::RnnOp cell) { return recurrentFlops(cell); })
      .Case([&](kiln::GruOp cell) { return recurrentFlops(cell); })
      .Case([&](kiln::LstmOp cell) { return recurrentFlops(cell); })
      // With running statistics a scale and a shift per element; in
      // training also the batch mean and variance.
      .Case([&](kiln::BatchNormOp norm) {
        return (norm.getTraining() ? 6 : 2) * resultElements();
      })
      .Case([&](kiln::LayerNormOp) { return 6 * resultElements(); })
      .Case<kiln::SoftmaxOp, kiln::LogSoftmaxOp>(
          [&](Operation *) { return 3 * resultElements(); })
      .Case<kiln::ReshapeOp, kiln::FlattenOp, kiln::TransposeOp,
            kiln::BroadcastToOp, kiln::ConcatOp, kiln::SliceOp, kiln::PadOp,
            kiln::GatherOp, kiln::OneHotOp, kiln::UpsampleNearest2DOp,
            kiln::ConstantOp, kiln::FullOp, kiln::ZerosLikeOp,
            kiln::OnesLikeOp, kiln::FullLikeOp, kiln::StopGradientOp>(
          [](Operation *) { return int64_t(0); })
      // Reductions, global pooling and losses read each input element once
      // or twice; count one per input element.
      .Case<kiln::SumOp, kiln::MeanOp, kiln::MaxOp, kiln::MinOp,
            kiln::LogSumExpOp, kiln::ArgmaxOp, kiln::ArgminOp,
            kiln::GlobalAvgPool2DOp, kiln::MseLossOp, kiln::L1LossOp,
            kiln::BceLossOp, kiln::BceWithLogitsLossOp,
            kiln::SoftmaxCrossEntropyLossOp, kiln::NllLossOp,
            kiln::HingeLossOp>(
          [&](Operation *) { return operandElements(); })
      .Default([&](Operation *) { return resultElements(); });
}

kiln::TensorSpec specOf(Type type) {
  kiln::TensorSpec spec;
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return spec;
  Type element = tensor.getElementType();
  spec.dtype = element.isF64()           ? kiln::DType::F64
               : element.isInteger(32) ? kiln::DType::I32
               : element.isInteger(64) ? kiln::DType::I64
               : element.isInteger(1)  ? kiln::DType::I1
                                       : kiln::DType::F32;
  for (int64_t dim : tensor.getShape())
    spec.shape.push_back(ShapedType::isDynamic(dim) ? -1 : dim);
  return spec;
}

/// The op's own position, and the line of the top-level binding whose
/// call (through `def`s) emitted it.
struct SourcePosition {
  unsigned line = 0, column = 0, bindingLine = 0;
};

SourcePosition positionOf(Location loc) {
  SourcePosition position;
  Location callee = loc, outermost = loc;
  while (auto call = dyn_cast<CallSiteLoc>(callee))
    callee = call.getCallee();
  while (auto call = dyn_cast<CallSiteLoc>(outermost))
    outermost = call.getCaller();
  if (auto file = dyn_cast<FileLineColLoc>(callee)) {
    position.line = file.getLine();
    position.column = file.getColumn();
  }
  if (auto file = dyn_cast<FileLineColLoc>(outermost))
    position.bindingLine = file.getLine();
  return position;
}

/// The inference entry first, then the train entries (what only training
/// computes), then any other entry.
SmallVector<func::FuncOp> entriesInSummaryOrder(ModuleOp module) {
  SmallVector<func::FuncOp> first, train, rest;
  for (auto func : module.getOps<func::FuncOp>()) {
    auto kind =
        func->getAttrOfType<kiln::EntryKindAttr>(kiln::KilnDialect::kEntryAttrName);
    if (!kind)
      continue;
    if (kind.getValue() == kiln::EntryKind::train)
      train.push_back(func);
    else if (func.getName() == "infer")
      first.push_back(func);
    else
      rest.push_back(func);
  }
  first.append(train);
  first.append(rest);
  return first;
}

} // namespace

std::vector<kiln::LayerSummary> kiln::summarizeLayers(
    ModuleOp module, llvm::function_ref<std::string(unsigned)> bindingAt) {
  llvm::StringMap<bool> isBuffer;
  for (auto param : module.getOps<ParamOp>())
    isBuffer[param.getSymName()] = param.getBuffer();

  std::vector<LayerSummary> rows;
  // An op is one row however many entries repeat it: the entries replay
  // the same source, so its name and location identify it.
  llvm::DenseSet<std::pair<const void *, const void *>> seen;
  llvm::StringSet<> countedParams;
  for (func::FuncOp entry : entriesInSummaryOrder(module)) {
    entry.walk([&](Operation *op) {
      if (!isa_and_nonnull<KilnDialect>(op->getDialect()))
        return;
      if (!seen.insert({op->getName().getAsOpaquePointer(),
                        op->getLoc().getAsOpaquePointer()})
               .second)
        return;
      LayerSummary row;
      row.entry = entry.getName().str();
      row.op = op->getName().stripDialect().str();
      SourcePosition position = positionOf(op->getLoc());
      row.line = position.line;
      row.column = position.column;
      row.binding = bindingAt(position.bindingLine);
      // A batch norm's other results are its running statistics.
      TypeRange results = op->getResultTypes();
      if (isa<BatchNormOp>(op))
        results = results.take_front();
      for (Type type : results)
        row.shapes.push_back(specOf(type));
      for (Value operand : op->getOperands()) {
        auto argument = dyn_cast<BlockArgument>(operand);
        if (!argument)
          continue;
        auto symbol = entry.getArgAttrOfType<FlatSymbolRefAttr>(
            argument.getArgNumber(), KilnDialect::kParamArgAttrName);
        if (!symbol || isBuffer.lookup(symbol.getValue()) ||
            !countedParams.insert(symbol.getValue()).second)
          continue;
        row.params += elementsPerSample(operand.getType());
      }
      row.flops = flopsOf(op);
      rows.push_back(std::move(row));
    });
  }
  return rows;
}
