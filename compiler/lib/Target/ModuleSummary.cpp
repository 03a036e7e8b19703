//===- ModuleSummary.cpp - What the runtime needs to know of a model ------===//

#include "kiln/Target/ModuleSummary.h"

#include "kiln/Dialect/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;

static FailureOr<kiln::TensorSpec> specOf(Operation *where, Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return where->emitError("entry values must be ranked tensors, got ")
           << type;
  kiln::TensorSpec spec;
  Type element = tensor.getElementType();
  if (element.isF32())
    spec.dtype = kiln::DType::F32;
  else if (element.isF64())
    spec.dtype = kiln::DType::F64;
  else if (element.isInteger(32))
    spec.dtype = kiln::DType::I32;
  else if (element.isInteger(64))
    spec.dtype = kiln::DType::I64;
  else if (element.isInteger(1))
    spec.dtype = kiln::DType::I1;
  else
    return where->emitError("unsupported element type ") << element;
  for (int64_t dim : tensor.getShape())
    spec.shape.push_back(ShapedType::isDynamic(dim) ? -1 : dim);
  return spec;
}

namespace kiln {
/// The state `optimizer` keeps for the parameters `entry` trains: those it
/// takes that are not buffers (and in its group, if it names one).
static std::vector<StateSlotSummary>
optimizerState(OptimizerAttr optimizer, const EntrySummary &entry,
               const std::vector<ParamSummary> &params) {
  auto hyperparameter = [&](StringRef name) {
    auto value = optimizer.getHyperparameters().getAs<FloatAttr>(name);
    return value ? value.getValueAsDouble() : 0.0;
  };
  std::vector<std::string> perParam;
  switch (optimizer.getKind()) {
  case OptimizerKind::sgd:
    if (hyperparameter("momentum") != 0)
      perParam = {"momentum_buffer"};
    break;
  case OptimizerKind::adam:
  case OptimizerKind::adamw:
    perParam = {"exp_avg", "exp_avg_sq"};
    break;
  case OptimizerKind::rmsprop:
    perParam = {"square_avg"};
    if (hyperparameter("momentum") != 0)
      perParam.push_back("momentum_buffer");
    break;
  }
  std::vector<StateSlotSummary> state;
  for (const ArgumentSummary &argument : entry.arguments) {
    if (argument.role != ArgumentSummary::Role::Param)
      continue;
    const ParamSummary &param = params[argument.paramIndex];
    if (param.buffer || (!entry.group.empty() && param.group != entry.group))
      continue;
    for (const std::string &name : perParam)
      state.push_back({name, argument.paramIndex, param.type});
  }
  state.push_back({"step", -1, TensorSpec{DType::I64, {}}});
  return state;
}
} // namespace kiln

FailureOr<kiln::ModuleSummary> kiln::summarizeModule(ModuleOp module) {
  ModuleSummary summary;
  summary.name = module.getSymName().value_or("model").str();
  llvm::StringMap<int> paramIndex;
  for (auto param : module.getOps<ParamOp>()) {
    ParamSummary info;
    info.name = param.getSymName().str();
    FailureOr<TensorSpec> spec = specOf(param, param.getType());
    if (failed(spec))
      return failure();
    info.type = *spec;
    info.init = stringifyInitKind(param.getInit()).str();
    auto read = [](FloatAttr attr, double fallback) {
      return attr ? attr.getValueAsDouble() : fallback;
    };
    info.value = read(param.getValueAttr(), 0);
    info.mean = read(param.getMeanAttr(), 0);
    info.std = read(param.getStdAttr(), 1);
    info.low = read(param.getLowAttr(), 0);
    info.high = read(param.getHighAttr(), 1);
    info.gain = read(param.getGainAttr(), 0);
    info.group = param.getGroup().value_or("").str();
    info.buffer = param.getBuffer();
    paramIndex[info.name] = summary.params.size();
    summary.params.push_back(std::move(info));
  }

  for (auto func : module.getOps<func::FuncOp>()) {
    auto kind = func->getAttrOfType<EntryKindAttr>(KilnDialect::kEntryAttrName);
    if (!kind)
      continue;
    EntrySummary entry;
    entry.name = func.getName().str();
    entry.isTrain = kind.getValue() == EntryKind::train;
    if (auto optimizer = func->getAttr(KilnDialect::kOptimizerAttrName)) {
      llvm::raw_string_ostream os(entry.optimizer);
      os << optimizer;
    }
    if (auto group =
            func->getAttrOfType<StringAttr>(KilnDialect::kGroupAttrName))
      entry.group = group.str();
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
      ArgumentSummary argument;
      FailureOr<TensorSpec> spec = specOf(func, func.getArgumentTypes()[i]);
      if (failed(spec))
        return failure();
      argument.type = *spec;
      if (auto symbol = func.getArgAttrOfType<FlatSymbolRefAttr>(
              i, KilnDialect::kParamArgAttrName)) {
        argument.role = ArgumentSummary::Role::Param;
        argument.name = symbol.getValue().str();
        argument.paramIndex = paramIndex.lookup(symbol.getValue());
      } else if (auto input = func.getArgAttrOfType<StringAttr>(
                     i, KilnDialect::kInputArgAttrName)) {
        argument.role = ArgumentSummary::Role::Input;
        argument.name = input.str();
      } else {
        argument.role = ArgumentSummary::Role::RngKey;
        argument.name = "rng_key";
      }
      entry.arguments.push_back(std::move(argument));
    }
    for (unsigned i = 0, e = func.getNumResults(); i < e; ++i) {
      ResultSummary result;
      FailureOr<TensorSpec> spec = specOf(func, func.getResultTypes()[i]);
      if (failed(spec))
        return failure();
      result.type = *spec;
      if (auto symbol = func.getResultAttrOfType<FlatSymbolRefAttr>(
              i, KilnDialect::kUpdateResultAttrName)) {
        result.role = ResultSummary::Role::Update;
        result.name = symbol.getValue().str();
        result.paramIndex = paramIndex.lookup(symbol.getValue());
      } else if (auto output = func.getResultAttrOfType<StringAttr>(
                     i, KilnDialect::kOutputResultAttrName)) {
        result.name = output.str();
      } else {
        result.name = "result" + std::to_string(i);
      }
      entry.results.push_back(std::move(result));
    }
    if (auto optimizer = func->getAttrOfType<OptimizerAttr>(
            KilnDialect::kOptimizerAttrName))
      entry.state = optimizerState(optimizer, entry, summary.params);
    summary.entries.push_back(std::move(entry));
  }
  return summary;
}
