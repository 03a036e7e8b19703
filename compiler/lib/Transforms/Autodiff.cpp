//===- Autodiff.cpp - The kiln-autodiff pass ------------------------------===//
//
// Turns each train entry, which computes its loss, into one training step:
// the forward pass, the reverse-mode gradients of the loss with respect to
// the parameters the entry trains, optional clipping by global norm, and
// the optimizer's update. The pass only orders the work and accumulates
// gradients at fan-out; what each op contributes is its
// DifferentiableOpInterface rule. Entries are pure functions, so the new
// parameters and optimizer state are results, and the learning rate and
// step number are arguments: schedules need no recompilation.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/KilnOps.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace kiln {
#define GEN_PASS_DEF_KILNAUTODIFF
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

bool isFloatTensor(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && isa<FloatType>(type.getElementType());
}

/// A parameter the entry trains and the argument that carries it.
struct TrainedParam {
  BlockArgument argument;
  ParamOp param;
};

class EntryDifferentiator {
public:
  EntryDifferentiator(func::FuncOp func, OptimizerAttr optimizer)
      : func(func), optimizer(optimizer), builder(func.getContext()) {}

  LogicalResult run() {
    collectTrainedParams();
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    Value loss = ret.getOperand(0);
    markActiveValues();
    if (!active.contains(loss))
      return func.emitOpError("train entry '")
             << func.getName() << "': the loss does not depend on any "
             << describeGroup();
    builder.setInsertionPoint(ret);
    if (failed(backpropagate(loss)))
      return failure();
    SmallVector<std::pair<TrainedParam, Value>> updates;
    for (const TrainedParam &trained : trainedParams)
      if (Value grad = gradients.lookup(trained.argument))
        updates.push_back({trained, grad});
    if (optimizer.getHyperparameter("clip_norm") > 0)
      clipByGlobalNorm(updates, ret.getLoc());
    appendOptimizerSteps(updates, ret);
    return success();
  }

private:
  std::string describeGroup() {
    auto group = func->getAttrOfType<StringAttr>(KilnDialect::kGroupAttrName);
    return group ? "parameter of group '" + group.str() + "'"
                 : std::string("trainable parameter");
  }

  void collectTrainedParams() {
    auto group = func->getAttrOfType<StringAttr>(KilnDialect::kGroupAttrName);
    for (BlockArgument argument : func.getArguments()) {
      auto symbol = func.getArgAttrOfType<FlatSymbolRefAttr>(
          argument.getArgNumber(), KilnDialect::kParamArgAttrName);
      if (!symbol)
        continue;
      auto param = SymbolTable::lookupNearestSymbolFrom<ParamOp>(func, symbol);
      if (!param || param.getBuffer() || !isFloatTensor(argument))
        continue;
      if (group && param.getGroup() != group.getValue())
        continue;
      trainedParams.push_back({argument, param});
    }
  }

  /// Values that depend on a trained parameter through float data: only
  /// they need gradients, which keeps the backward pass from computing,
  /// say, the gradient of the input images.
  void markActiveValues() {
    for (const TrainedParam &trained : trainedParams)
      active.insert(trained.argument);
    for (Operation &op : func.getBody().front().without_terminator()) {
      // These results do not depend on their operands' values.
      if (isa<StopGradientOp, ZerosLikeOp, OnesLikeOp, FullLikeOp,
              RandomNormalOp, RandomUniformOp, BernoulliOp>(op))
        continue;
      if (llvm::none_of(op.getOperands(),
                        [&](Value v) { return active.contains(v); }))
        continue;
      for (Value result : op.getResults())
        if (isFloatTensor(result))
          active.insert(result);
    }
  }

  void accumulate(Value value, Value grad, Location loc) {
    Value &slot = gradients[value];
    slot = slot ? Value(AddOp::create(builder, loc, slot, grad)) : grad;
  }

  LogicalResult backpropagate(Value loss) {
    Location loc = loss.getLoc();
    auto lossType = cast<RankedTensorType>(loss.getType());
    gradients[loss] = FullOp::create(
        builder, loc, builder.getDenseI64ArrayAttr({}),
        builder.getF64FloatAttr(1.0), TypeAttr::get(lossType.getElementType()));
    SmallVector<Operation *> forward;
    for (Operation &op : func.getBody().front().without_terminator())
      forward.push_back(&op);
    for (Operation *op : llvm::reverse(forward)) {
      SmallVector<Value> resultGrads;
      bool reached = false;
      for (Value result : op->getResults()) {
        resultGrads.push_back(gradients.lookup(result));
        reached |= resultGrads.back() != nullptr;
      }
      bool needsGrad = llvm::any_of(op->getOperands(), [&](Value v) {
        return active.contains(v);
      });
      if (!reached || !needsGrad)
        continue;
      auto differentiable = dyn_cast<DifferentiableOpInterface>(op);
      if (!differentiable)
        return op->emitOpError("has no gradient rule, so train entry '")
               << func.getName() << "' cannot differentiate through it";
      SmallVector<Value> operandGrads;
      if (failed(differentiable.buildGradients(builder, resultGrads,
                                               operandGrads)))
        return failure();
      if (operandGrads.size() != op->getNumOperands())
        return op->emitOpError("gradient rule returned ")
               << operandGrads.size() << " gradients for "
               << op->getNumOperands() << " operands";
      for (auto [operand, grad] : llvm::zip(op->getOperands(), operandGrads)) {
        if (!grad || !active.contains(operand))
          continue;
        if (grad.getType() != operand.getType())
          return op->emitOpError("gradient rule gave type ")
                 << grad.getType() << " for an operand of type "
                 << operand.getType();
        accumulate(operand, grad, op->getLoc());
      }
    }
    return success();
  }

  /// PyTorch's clip_grad_norm_: scale every gradient by
  /// min(1, clip / (norm + 1e-6)), with norm the L2 norm of all of them.
  void clipByGlobalNorm(SmallVectorImpl<std::pair<TrainedParam, Value>> &updates,
                        Location loc) {
    if (updates.empty())
      return;
    Value squares;
    for (auto &[trained, grad] : updates) {
      Value sum = SumOp::create(builder, loc, MulOp::create(builder, loc, grad, grad),
                                builder.getDenseI64ArrayAttr({}),
                                builder.getBoolAttr(false));
      sum = CastOp::create(builder, loc, sum, TypeAttr::get(builder.getF32Type()));
      squares = squares ? Value(AddOp::create(builder, loc, squares, sum)) : sum;
    }
    auto scalar = [&](double value) -> Value {
      return FullOp::create(builder, loc, builder.getDenseI64ArrayAttr({}),
                            builder.getF64FloatAttr(value),
                            TypeAttr::get(builder.getF32Type()));
    };
    Value norm = SqrtOp::create(builder, loc, squares);
    Value coefficient = DivOp::create(
        builder, loc, scalar(optimizer.getHyperparameter("clip_norm")),
        AddOp::create(builder, loc, norm, scalar(1e-6)));
    coefficient = MinimumOp::create(builder, loc, coefficient, scalar(1.0));
    for (auto &[trained, grad] : updates) {
      Type element = cast<RankedTensorType>(grad.getType()).getElementType();
      Value factor = coefficient;
      if (!element.isF32())
        factor = CastOp::create(builder, loc, factor, TypeAttr::get(element));
      grad = MulOp::create(builder, loc, grad, factor);
    }
  }

  BlockArgument appendArgument(Type type, ArrayRef<NamedAttribute> attrs,
                               Location loc) {
    unsigned index = func.getNumArguments();
    (void)func.insertArgument(index, type, builder.getDictionaryAttr(attrs),
                              loc);
    return func.getArgument(index);
  }

  void appendResult(func::ReturnOp ret, Value value,
                    ArrayRef<NamedAttribute> attrs) {
    unsigned index = func.getNumResults();
    (void)func.insertResult(index, value.getType(),
                            builder.getDictionaryAttr(attrs));
    ret->insertOperands(ret->getNumOperands(), value);
  }

  void appendOptimizerSteps(ArrayRef<std::pair<TrainedParam, Value>> updates,
                            func::ReturnOp ret) {
    Location loc = func.getLoc();
    MLIRContext *context = func.getContext();
    Value lr = appendArgument(
        RankedTensorType::get({}, builder.getF32Type()),
        {builder.getNamedAttr(KilnDialect::kLearningRateArgAttrName,
                              builder.getUnitAttr())},
        loc);
    Value step = appendArgument(
        RankedTensorType::get({}, builder.getI64Type()),
        {builder.getNamedAttr(KilnDialect::kStepArgAttrName,
                              builder.getUnitAttr())},
        loc);
    SmallVector<StringRef> slots = optimizer.getStateSlots();
    for (auto [trained, grad] : updates) {
      auto symbol = FlatSymbolRefAttr::get(context, trained.param.getSymName());
      SmallVector<Value> state;
      for (StringRef slot : slots)
        state.push_back(appendArgument(
            trained.argument.getType(),
            {builder.getNamedAttr(KilnDialect::kStateArgAttrName,
                                  builder.getStringAttr(slot)),
             builder.getNamedAttr(KilnDialect::kStateOfArgAttrName, symbol)},
            trained.argument.getLoc()));
      auto update = OptimizerUpdateOp::create(builder, trained.argument.getLoc(),
                                              trained.argument, grad, lr, step,
                                              state, optimizer);
      appendResult(ret, update.getNewParam(),
                   {builder.getNamedAttr(KilnDialect::kUpdateResultAttrName,
                                         symbol)});
      for (auto [slotValue, newValue] :
           llvm::zip(state, update.getNewState()))
        appendResult(
            ret, newValue,
            {builder.getNamedAttr(
                KilnDialect::kStateUpdateResultAttrName,
                builder.getI64IntegerAttr(
                    cast<BlockArgument>(slotValue).getArgNumber()))});
    }
  }

  func::FuncOp func;
  OptimizerAttr optimizer;
  OpBuilder builder;
  SmallVector<TrainedParam> trainedParams;
  DenseSet<Value> active;
  DenseMap<Value, Value> gradients;
};

struct AutodiffPass : kiln::impl::KilnAutodiffBase<AutodiffPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      auto optimizer =
          func->getAttrOfType<OptimizerAttr>(KilnDialect::kOptimizerAttrName);
      if (!optimizer || isDifferentiated(func))
        continue;
      if (failed(EntryDifferentiator(func, optimizer).run()))
        return signalPassFailure();
    }
  }

  /// Running the pass twice must not differentiate the update itself.
  static bool isDifferentiated(func::FuncOp func) {
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
      if (func.getArgAttr(i, KilnDialect::kLearningRateArgAttrName))
        return true;
    return false;
  }
};
} // namespace
