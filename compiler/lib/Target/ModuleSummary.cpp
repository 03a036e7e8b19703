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


/// The bound an integer input's values must stay under, from the ops that
/// index with it directly: the class count of a class loss's labels, the
/// indexed dimension of a gather's table (the tightest when several). The
/// runtime checks it, since the code would read out of bounds.
static int64_t indexBoundOf(Value input) {
  int64_t bound = 0;
  auto tighten = [&](Value shaped, int64_t dim) {
    auto type = dyn_cast<RankedTensorType>(shaped.getType());
    if (!type || dim < 0 || dim >= type.getRank() || type.isDynamicDim(dim))
      return;
    int64_t size = type.getDimSize(dim);
    bound = bound ? std::min(bound, size) : size;
  };
  for (OpOperand &use : input.getUses()) {
    Operation *user = use.getOwner();
    auto classes = [&](auto loss) {
      if (loss.getLabels() == input)
        tighten(loss.getInput(),
                cast<RankedTensorType>(loss.getInput().getType()).getRank() -
                    1);
    };
    if (auto loss = dyn_cast<kiln::SoftmaxCrossEntropyLossOp>(user))
      classes(loss);
    else if (auto loss = dyn_cast<kiln::NllLossOp>(user))
      classes(loss);
    else if (auto loss = dyn_cast<kiln::HingeLossOp>(user))
      classes(loss);
    else if (auto gather = dyn_cast<kiln::GatherOp>(user);
             gather && gather.getIndices() == input) {
      // The attribute is signed; its accessor returns it as unsigned.
      auto axis = static_cast<int64_t>(gather.getAxis());
      int64_t rank =
          cast<RankedTensorType>(gather.getTable().getType()).getRank();
      tighten(gather.getTable(), axis < 0 ? axis + rank : axis);
    }
  }
  return bound;
}

/// The fans of a parameter used as a recurrent cell's weight: w_ih
/// [D, G*H, F] and w_hh [D, G*H, H] hold one [H, F] or [H, H] matrix per
/// direction and gate, each initialized as PyTorch initializes one matrix.
/// PyTorch's rule on the stacked shape would take fan_in = G*H*F.
static std::optional<std::pair<double, double>>
recurrentFans(ModuleOp module, StringRef symbol) {
  std::optional<std::pair<double, double>> fans;
  for (auto func : module.getOps<func::FuncOp>())
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
      auto param = func.getArgAttrOfType<FlatSymbolRefAttr>(
          i, kiln::KilnDialect::kParamArgAttrName);
      if (!param || param.getValue() != symbol)
        continue;
      Value argument = func.getArgument(i);
      for (Operation *user : argument.getUsers()) {
        auto record = [&](auto cell) {
          Value weight = argument;
          if (cell.getWIh() != weight && cell.getWHh() != weight)
            return;
          auto type = cast<RankedTensorType>(weight.getType());
          int64_t gates = cell.kGateCount;
          if (type.getRank() != 3 || type.getDimSize(1) % gates != 0)
            return;
          fans = {double(type.getDimSize(2)),
                  double(type.getDimSize(1) / gates)};
        };
        if (auto cell = dyn_cast<kiln::RnnOp>(user))
          record(cell);
        else if (auto cell = dyn_cast<kiln::GruOp>(user))
          record(cell);
        else if (auto cell = dyn_cast<kiln::LstmOp>(user))
          record(cell);
      }
    }
  return fans;
}

/// Appends `values`' bytes to `bytes`.
template <typename T, typename Range>
static void appendValues(Range values, std::vector<uint8_t> &bytes) {
  for (auto value : values) {
    T converted = static_cast<T>(value);
    auto *raw = reinterpret_cast<const uint8_t *>(&converted);
    bytes.insert(bytes.end(), raw, raw + sizeof(T));
  }
}

/// A `data` parameter's values as the runtime stores its elements.
static LogicalResult serializeData(kiln::ParamOp param,
                                   std::vector<uint8_t> &bytes) {
  auto dense = dyn_cast<DenseElementsAttr>(*param.getData());
  if (!dense)
    return param.emitOpError("only dense 'data' can be written to a module");
  Type element = dense.getElementType();
  bytes.reserve(dense.getNumElements() *
                std::max<unsigned>(element.getIntOrFloatBitWidth() / 8, 1));
  if (element.isF32())
    appendValues<float>(dense.getValues<float>(), bytes);
  else if (element.isF64())
    appendValues<double>(dense.getValues<double>(), bytes);
  else if (element.isInteger(32))
    appendValues<int32_t>(dense.getValues<int32_t>(), bytes);
  else if (element.isInteger(64))
    appendValues<int64_t>(dense.getValues<int64_t>(), bytes);
  else if (element.isInteger(1))
    appendValues<uint8_t>(dense.getValues<bool>(), bytes);
  else
    return param.emitOpError("cannot write 'data' of type ") << element;
  return success();
}

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
    if (auto fans = recurrentFans(module, info.name))
      std::tie(info.fanIn, info.fanOut) = *fans;
    if (param.getData() && failed(serializeData(param, info.data)))
      return failure();
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
    if (auto optimizer = func->getAttrOfType<OptimizerAttr>(
            KilnDialect::kOptimizerAttrName)) {
      llvm::raw_string_ostream os(entry.optimizer);
      os << optimizer;
      entry.learningRate = optimizer.getHyperparameter("lr");
    }
    if (auto group =
            func->getAttrOfType<StringAttr>(KilnDialect::kGroupAttrName))
      entry.group = group.str();
    if (auto train = func->getAttrOfType<FlatSymbolRefAttr>(
            KilnDialect::kLossOfAttrName))
      entry.lossOf = train.getValue().str();
    llvm::DenseMap<unsigned, int> stateOfArgument;
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
        argument.indexBound = indexBoundOf(func.getArgument(i));
        if (auto noise = func.getArgAttrOfType<NoiseAttr>(
                i, KilnDialect::kNoiseArgAttrName)) {
          argument.noise = stringifyNoiseKind(noise.getKind()).str();
          argument.noiseMean = noise.getParameter("mean");
          argument.noiseStd = noise.getParameter("std");
          argument.noiseLow = noise.getParameter("low");
          argument.noiseHigh = noise.getParameter("high");
        }
      } else if (auto slot = func.getArgAttrOfType<StringAttr>(
                     i, KilnDialect::kStateArgAttrName)) {
        auto of = func.getArgAttrOfType<FlatSymbolRefAttr>(
            i, KilnDialect::kStateOfArgAttrName);
        argument.role = ArgumentSummary::Role::State;
        argument.name = slot.str();
        argument.paramIndex = paramIndex.lookup(of.getValue());
        argument.stateIndex = static_cast<int>(entry.state.size());
        stateOfArgument[i] = argument.stateIndex;
        entry.state.push_back(
            {slot.str(), argument.paramIndex, argument.type});
      } else if (func.getArgAttr(i, KilnDialect::kLearningRateArgAttrName)) {
        argument.role = ArgumentSummary::Role::LearningRate;
        argument.name = "learning_rate";
      } else if (func.getArgAttr(i, KilnDialect::kStepArgAttrName)) {
        argument.role = ArgumentSummary::Role::Step;
        argument.name = "step";
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
      } else if (auto stateArg = func.getResultAttrOfType<IntegerAttr>(
                     i, KilnDialect::kStateUpdateResultAttrName)) {
        result.role = ResultSummary::Role::StateUpdate;
        result.stateIndex = stateOfArgument.lookup(stateArg.getInt());
        result.name = entry.state[result.stateIndex].name;
      } else if (auto output = func.getResultAttrOfType<StringAttr>(
                     i, KilnDialect::kOutputResultAttrName)) {
        result.name = output.str();
      } else {
        result.name = "result" + std::to_string(i);
      }
      entry.results.push_back(std::move(result));
    }
    // The runtime counts the steps it has taken; checkpoints keep the count.
    if (entry.isTrain)
      entry.state.push_back({"step", -1, TensorSpec{DType::I64, {}}});
    summary.entries.push_back(std::move(entry));
  }
  return summary;
}
