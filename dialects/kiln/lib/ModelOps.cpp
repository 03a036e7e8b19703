//===- ModelOps.cpp - Parameters, entries and optimizers ------------------===//
//
// Verification of a model's structure: parameter declarations, the
// attributes that mark entry functions and their arguments, optimizer
// hyperparameters and noise distributions.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/KilnOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

#include <cmath>
#include <cstdio>

using namespace mlir;
using namespace kiln;

//===----------------------------------------------------------------------===//
// kiln.param
//===----------------------------------------------------------------------===//

namespace {
/// Which optional initializer arguments each initializer reads.
struct InitializerArgs {
  bool value = false, mean = false, std = false, low = false, high = false,
       gain = false;
};
} // namespace

static InitializerArgs getAllowedArgs(InitKind kind) {
  InitializerArgs allowed;
  switch (kind) {
  case InitKind::zeros:
  case InitKind::ones:
  case InitKind::data:
    break;
  case InitKind::constant:
    allowed.value = true;
    break;
  case InitKind::normal:
    allowed.mean = allowed.std = true;
    break;
  case InitKind::uniform:
    allowed.low = allowed.high = true;
    break;
  case InitKind::glorot_uniform:
  case InitKind::glorot_normal:
  case InitKind::he_uniform:
  case InitKind::he_normal:
    allowed.gain = true;
    break;
  }
  return allowed;
}

static bool isFanBased(InitKind kind) {
  return kind == InitKind::glorot_uniform || kind == InitKind::glorot_normal ||
         kind == InitKind::he_uniform || kind == InitKind::he_normal;
}

/// The value of an optional f64 attribute.
static std::optional<double> getDouble(FloatAttr attr) {
  if (!attr)
    return std::nullopt;
  return attr.getValueAsDouble();
}

LogicalResult ParamOp::verify() {
  RankedTensorType type = getTensorType();
  if (!type.hasStaticShape())
    return emitOpError("parameter @")
           << getSymName() << " must have a static shape, got " << type;

  InitKind kind = getInit();
  InitializerArgs allowed = getAllowedArgs(kind);
  std::pair<StringRef, bool> args[] = {
      {"value", getValue().has_value() && !allowed.value},
      {"mean", getMean().has_value() && !allowed.mean},
      {"std", getStd().has_value() && !allowed.std},
      {"low", getLow().has_value() && !allowed.low},
      {"high", getHigh().has_value() && !allowed.high},
      {"gain", getGain().has_value() && !allowed.gain}};
  for (auto [name, misplaced] : args)
    if (misplaced)
      return emitOpError("initializer '")
             << stringifyInitKind(kind) << "' takes no '" << name
             << "' argument";

  if (kind == InitKind::constant && !getValue())
    return emitOpError("initializer 'constant' needs a 'value' argument");
  if ((kind == InitKind::data) != bool(getData()))
    return emitOpError(kind == InitKind::data
                           ? "initializer 'data' needs a 'data' argument"
                           : "only initializer 'data' takes a 'data' "
                             "argument");
  if (getData() && getData()->getType() != type)
    return emitOpError("'data' must be of the parameter's type ")
           << type << ", got " << getData()->getType();
  bool isRandom = kind != InitKind::zeros && kind != InitKind::ones &&
                  kind != InitKind::constant && kind != InitKind::data;
  if (isRandom && !isa<FloatType>(type.getElementType()))
    return emitOpError("random initializer '")
           << stringifyInitKind(kind) << "' needs a float parameter, got "
           << type;
  std::optional<double> std = getDouble(getStdAttr());
  std::optional<double> gain = getDouble(getGainAttr());
  if (std && *std <= 0)
    return emitOpError("'std' must be positive, got ") << formatNumber(*std);
  if (gain && *gain <= 0)
    return emitOpError("'gain' must be positive, got ")
           << formatNumber(*gain);
  double low = getDouble(getLowAttr()).value_or(0.0);
  double high = getDouble(getHighAttr()).value_or(1.0);
  if (kind == InitKind::uniform && low >= high)
    return emitOpError("'low' (")
           << formatNumber(low) << ") must be below 'high' ("
           << formatNumber(high) << ")";
  if (isFanBased(kind) && type.getRank() < 2)
    return emitOpError("initializer '")
           << stringifyInitKind(kind)
           << "' needs a parameter of rank 2 or more to compute fans, got "
           << type;
  if (getGroup() && getGroup()->empty())
    return emitOpError("'group' must not be empty");
  return success();
}

//===----------------------------------------------------------------------===//
// #kiln.optimizer
//===----------------------------------------------------------------------===//

LogicalResult
OptimizerAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                      OptimizerKind kind, DictionaryAttr hyperparameters) {
  SmallVector<StringRef> allowed = {"lr", "weight_decay", "clip_norm"};
  switch (kind) {
  case OptimizerKind::sgd:
    allowed.append({"momentum", "nesterov"});
    break;
  case OptimizerKind::adam:
  case OptimizerKind::adamw:
    allowed.append({"beta1", "beta2", "eps"});
    break;
  case OptimizerKind::rmsprop:
    allowed.append({"alpha", "eps", "momentum"});
    break;
  }
  for (NamedAttribute entry : hyperparameters) {
    StringRef name = entry.getName().getValue();
    if (!llvm::is_contained(allowed, name))
      return emitError() << "optimizer '" << stringifyOptimizerKind(kind)
                         << "' has no hyperparameter '" << name << "'";
    if (name == "nesterov") {
      if (!isa<BoolAttr>(entry.getValue()))
        return emitError() << "hyperparameter 'nesterov' must be a bool";
      continue;
    }
    auto number = dyn_cast<FloatAttr>(entry.getValue());
    if (!number)
      return emitError() << "hyperparameter '" << name
                         << "' must be a float, got " << entry.getValue();
    double value = number.getValueAsDouble();
    bool isProbability = name == "beta1" || name == "beta2" ||
                         name == "alpha" || name == "momentum";
    if (value < 0 || (isProbability && value >= 1) ||
        ((name == "lr" || name == "eps" || name == "clip_norm") && value == 0))
      return emitError() << "hyperparameter '" << name << "' is out of range: "
                         << formatNumber(value);
  }
  return success();
}

double OptimizerAttr::getHyperparameter(StringRef name) const {
  if (auto value = getHyperparameters().getAs<FloatAttr>(name))
    return value.getValueAsDouble();
  OptimizerKind kind = getKind();
  if (name == "lr")
    return kind == OptimizerKind::adam || kind == OptimizerKind::adamw ? 1e-3
                                                                       : 1e-2;
  if (name == "weight_decay")
    return kind == OptimizerKind::adamw ? 1e-2 : 0.0;
  if (name == "beta1")
    return 0.9;
  if (name == "beta2")
    return 0.999;
  if (name == "alpha")
    return 0.99;
  if (name == "eps")
    return 1e-8;
  return 0.0; // momentum, clip_norm (0: no clipping)
}

bool OptimizerAttr::isNesterov() const {
  auto value = getHyperparameters().getAs<BoolAttr>("nesterov");
  return value && value.getValue();
}

SmallVector<StringRef> OptimizerAttr::getStateSlots() const {
  bool momentum = getHyperparameter("momentum") != 0;
  switch (getKind()) {
  case OptimizerKind::sgd:
    return momentum ? SmallVector<StringRef>{"momentum_buffer"}
                    : SmallVector<StringRef>{};
  case OptimizerKind::adam:
  case OptimizerKind::adamw:
    return {"exp_avg", "exp_avg_sq"};
  case OptimizerKind::rmsprop:
    return momentum ? SmallVector<StringRef>{"square_avg", "momentum_buffer"}
                    : SmallVector<StringRef>{"square_avg"};
  }
  return {};
}

/// `value` as people write it ("1", "0.5", "1e-08").
static std::string formatShort(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

LogicalResult NoiseAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                NoiseKind kind, DictionaryAttr parameters) {
  SmallVector<StringRef> allowed = kind == NoiseKind::normal
                                       ? SmallVector<StringRef>{"mean", "std"}
                                       : SmallVector<StringRef>{"low", "high"};
  for (NamedAttribute entry : parameters) {
    StringRef name = entry.getName().getValue();
    if (!llvm::is_contained(allowed, name))
      return emitError() << "noise '" << stringifyNoiseKind(kind)
                         << "' has no parameter '" << name << "'; it takes "
                         << allowed[0] << " and " << allowed[1];
    auto number = dyn_cast<FloatAttr>(entry.getValue());
    if (!number || !number.getType().isF64() ||
        !std::isfinite(number.getValueAsDouble()))
      return emitError() << "noise parameter '" << name
                         << "' must be a finite f64";
  }
  auto value = [&](StringRef name, double fallback) {
    auto number = parameters.getAs<FloatAttr>(name);
    return number ? number.getValueAsDouble() : fallback;
  };
  if (kind == NoiseKind::normal && !(value("std", 1) > 0))
    return emitError() << "normal noise needs std > 0, got "
                       << formatShort(value("std", 1));
  if (kind == NoiseKind::uniform && !(value("low", 0) < value("high", 1)))
    return emitError() << "uniform noise needs low < high, got ["
                       << formatShort(value("low", 0)) << ", "
                       << formatShort(value("high", 1)) << ")";
  return success();
}

double NoiseAttr::getParameter(StringRef name) const {
  if (auto value = getParameters().getAs<FloatAttr>(name))
    return value.getValueAsDouble();
  return name == "std" || name == "high" ? 1.0 : 0.0;
}

//===----------------------------------------------------------------------===//
// Entry functions and their arguments
//===----------------------------------------------------------------------===//

/// True when some kiln.param in `module` is in `group`.
static bool hasParamGroup(ModuleOp module, StringRef group) {
  for (auto param : module.getOps<ParamOp>())
    if (param.getGroup() == group)
      return true;
  return false;
}

static LogicalResult verifyEntry(FunctionOpInterface func, EntryKindAttr kind) {
  Attribute optimizer = func->getAttr(KilnDialect::kOptimizerAttrName);
  if (optimizer && !isa<OptimizerAttr>(optimizer))
    return func->emitOpError("'")
           << KilnDialect::kOptimizerAttrName
           << "' must be a #kiln.optimizer, got " << optimizer;
  if (kind.getValue() == EntryKind::infer) {
    if (optimizer || func->hasAttr(KilnDialect::kGroupAttrName))
      return func->emitOpError("infer entry '")
             << func.getName() << "' takes no optimizer or parameter group";
  } else {
    if (!optimizer)
      return func->emitOpError("train entry '")
             << func.getName() << "' needs a '"
             << KilnDialect::kOptimizerAttrName << "' attribute";
    ArrayRef<Type> results = func.getResultTypes();
    auto loss = results.empty() ? nullptr
                                : dyn_cast<RankedTensorType>(results.front());
    if (!loss || loss.getRank() != 0 ||
        !isa<FloatType>(loss.getElementType()))
      return func->emitOpError("train entry '")
             << func.getName()
             << "' must return its loss, a rank-0 float tensor, first";
  }
  // Every argument plays one declared role, so the runtime knows what to
  // pass for it.
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
    unsigned roles = 0;
    for (StringRef role :
         {KilnDialect::kParamArgAttrName, KilnDialect::kInputArgAttrName,
          KilnDialect::kRngKeyArgAttrName, KilnDialect::kStateArgAttrName,
          KilnDialect::kLearningRateArgAttrName, KilnDialect::kStepArgAttrName})
      roles += func.getArgAttr(i, role) ? 1 : 0;
    if (roles != 1)
      return func->emitOpError("argument #")
             << i << " of entry '" << func.getName()
             << "' must have exactly one of 'kiln.param', 'kiln.input', "
                "'kiln.rng_key', 'kiln.state', 'kiln.learning_rate' or "
                "'kiln.step'";
  }
  return success();
}

LogicalResult KilnDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  if (name == kScheduleAttrName) {
    if (!isa<StringAttr>(attr.getValue()))
      return op->emitOpError("'") << name << "' must be a string";
    return success();
  }
  if (name == kLayoutAttrName) {
    if (!isa<Conv2DOp, ConvTranspose2DOp, Conv2DFilterGradOp>(op))
      return op->emitOpError("'")
             << name << "' is only valid on convolutions and filter gradients";
    auto layout = dyn_cast<StringAttr>(attr.getValue());
    if (!layout || layout.getValue() != "planes")
      return op->emitOpError("'") << name << "' must be \"planes\"";
    return success();
  }
  auto func = dyn_cast<FunctionOpInterface>(op);
  if (name == kEntryAttrName || name == kOptimizerAttrName ||
      name == kGroupAttrName) {
    if (!func)
      return op->emitOpError("'") << name << "' is only valid on functions";
  }
  if (name == kEntryAttrName) {
    auto kind = dyn_cast<EntryKindAttr>(attr.getValue());
    if (!kind)
      return op->emitOpError("'") << name << "' must be #kiln.entry<infer> or "
                                           "#kiln.entry<train>";
    return verifyEntry(func, kind);
  }
  if (name == kLossOfAttrName) {
    auto kind = func ? func->getAttrOfType<EntryKindAttr>(kEntryAttrName)
                     : EntryKindAttr();
    if (!kind || kind.getValue() != EntryKind::infer)
      return op->emitOpError("'") << name << "' needs an infer entry";
    auto symbol = dyn_cast<FlatSymbolRefAttr>(attr.getValue());
    Operation *train =
        symbol ? SymbolTable::lookupNearestSymbolFrom(op, symbol) : nullptr;
    auto trainKind =
        train ? train->getAttrOfType<EntryKindAttr>(kEntryAttrName)
              : EntryKindAttr();
    if (!trainKind || trainKind.getValue() != EntryKind::train)
      return op->emitOpError("'")
             << name << "' must name a train entry, got " << attr.getValue();
    return success();
  }
  if (name == kOptimizerAttrName || name == kGroupAttrName) {
    if (!func->hasAttr(kEntryAttrName))
      return op->emitOpError("'") << name << "' needs a train entry";
    if (name == kOptimizerAttrName) {
      if (!isa<OptimizerAttr>(attr.getValue()))
        return op->emitOpError("'") << name << "' must be a #kiln.optimizer";
      return success();
    }
    auto group = dyn_cast<StringAttr>(attr.getValue());
    if (!group)
      return op->emitOpError("'") << name << "' must be a string";
    auto module = op->getParentOfType<ModuleOp>();
    if (module && !hasParamGroup(module, group.getValue()))
      return op->emitOpError("parameter group '")
             << group.getValue() << "' has no parameters";
    return success();
  }
  return op->emitOpError("unknown kiln attribute '") << name << "'";
}

LogicalResult KilnDialect::verifyRegionArgAttribute(Operation *op,
                                                    unsigned regionIndex,
                                                    unsigned argIndex,
                                                    NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  auto func = dyn_cast<FunctionOpInterface>(op);
  if (!func || regionIndex != 0)
    return op->emitOpError("'") << name
                              << "' is only valid on function arguments";
  Type argType = func.getArgumentTypes()[argIndex];
  if (name == kParamArgAttrName) {
    auto symbol = dyn_cast<FlatSymbolRefAttr>(attr.getValue());
    if (!symbol)
      return op->emitOpError("'") << name << "' must name a parameter symbol";
    auto param = SymbolTable::lookupNearestSymbolFrom<ParamOp>(op, symbol);
    if (!param)
      return op->emitOpError("argument #")
             << argIndex << " refers to unknown parameter " << symbol;
    if (param.getType() != argType)
      return op->emitOpError("argument #")
             << argIndex << " has type " << argType << " but parameter "
             << symbol << " has type " << param.getType();
    return success();
  }
  if (name == kInputArgAttrName) {
    auto input = dyn_cast<StringAttr>(attr.getValue());
    if (!input || input.getValue().empty())
      return op->emitOpError("'") << name << "' must be a non-empty input name";
    return success();
  }
  if (name == kNoiseArgAttrName) {
    if (!isa<NoiseAttr>(attr.getValue()))
      return op->emitOpError("'") << name << "' must be a #kiln.noise";
    auto tensor = dyn_cast<RankedTensorType>(argType);
    if (!func.getArgAttr(argIndex, kInputArgAttrName) || !tensor ||
        !isa<FloatType>(tensor.getElementType()))
      return op->emitOpError("argument #")
             << argIndex << " is noise and must be a float input, got "
             << argType;
    return success();
  }
  if (name == kRngKeyArgAttrName) {
    if (!isRngKeyType(argType))
      return op->emitOpError("argument #")
             << argIndex << " is a random key and must be tensor<2xi64>, got "
             << argType;
    return success();
  }
  if (name == kStateArgAttrName) {
    auto slot = dyn_cast<StringAttr>(attr.getValue());
    if (!slot || slot.getValue().empty())
      return op->emitOpError("'") << name << "' must name a state slot";
    if (!func.getArgAttr(argIndex, kStateOfArgAttrName))
      return op->emitOpError("argument #")
             << argIndex << " is optimizer state but names no parameter ('"
             << kStateOfArgAttrName << "')";
    return success();
  }
  if (name == kStateOfArgAttrName) {
    auto symbol = dyn_cast<FlatSymbolRefAttr>(attr.getValue());
    auto param = symbol
                     ? SymbolTable::lookupNearestSymbolFrom<ParamOp>(op, symbol)
                     : nullptr;
    if (!param)
      return op->emitOpError("argument #")
             << argIndex << " is state of unknown parameter "
             << attr.getValue();
    if (param.getType() != argType)
      return op->emitOpError("argument #")
             << argIndex << " has type " << argType
             << " but the state of parameter " << symbol << " has type "
             << param.getType();
    return success();
  }
  if (name == kLearningRateArgAttrName || name == kStepArgAttrName) {
    Type element = name == kStepArgAttrName
                       ? Type(IntegerType::get(op->getContext(), 64))
                       : Type(Float32Type::get(op->getContext()));
    if (argType != RankedTensorType::get({}, element))
      return op->emitOpError("argument #")
             << argIndex << " ('" << name << "') must be "
             << RankedTensorType::get({}, element) << ", got " << argType;
    return success();
  }
  return op->emitOpError("unknown kiln argument attribute '") << name << "'";
}

LogicalResult KilnDialect::verifyRegionResultAttribute(Operation *op,
                                                       unsigned regionIndex,
                                                       unsigned resultIndex,
                                                       NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  auto func = dyn_cast<FunctionOpInterface>(op);
  if (!func)
    return op->emitOpError("'") << name
                                << "' is only valid on function results";
  Type resultType = func.getResultTypes()[resultIndex];
  if (name == kOutputResultAttrName) {
    auto output = dyn_cast<StringAttr>(attr.getValue());
    if (!output || output.getValue().empty())
      return op->emitOpError("'") << name << "' must be a non-empty output name";
    return success();
  }
  if (name == kUpdateResultAttrName) {
    auto symbol = dyn_cast<FlatSymbolRefAttr>(attr.getValue());
    auto param = symbol
                     ? SymbolTable::lookupNearestSymbolFrom<ParamOp>(op, symbol)
                     : nullptr;
    // Train entries return new values of buffers (from the forward pass)
    // and, after autodiff, of the parameters they train.
    if (!param || (!param.getBuffer() &&
                   !func->hasAttr(kOptimizerAttrName)))
      return op->emitOpError("result #")
             << resultIndex << " must update a buffer, but "
             << attr.getValue() << " is not one";
    if (param.getType() != resultType)
      return op->emitOpError("result #")
             << resultIndex << " has type " << resultType << " but buffer "
             << symbol << " has type " << param.getType();
    return success();
  }
  if (name == kStateUpdateResultAttrName) {
    auto index = dyn_cast<IntegerAttr>(attr.getValue());
    unsigned numArgs = func.getNumArguments();
    if (!index || index.getInt() < 0 || index.getInt() >= numArgs ||
        !func.getArgAttr(index.getInt(), kStateArgAttrName))
      return op->emitOpError("result #")
             << resultIndex << " must name an optimizer state argument";
    if (func.getArgumentTypes()[index.getInt()] != resultType)
      return op->emitOpError("result #")
             << resultIndex << " has type " << resultType
             << " but its state argument has type "
             << func.getArgumentTypes()[index.getInt()];
    return success();
  }
  if (name == kWritesArgumentAttrName) {
    auto index = dyn_cast<IntegerAttr>(attr.getValue());
    if (!index || index.getInt() < 0 ||
        index.getInt() >= func.getNumArguments() ||
        func.getArgumentTypes()[index.getInt()] != resultType)
      return op->emitOpError("result #")
             << resultIndex << " must name an argument of its type";
    return success();
  }
  return op->emitOpError("unknown kiln result attribute '") << name << "'";
}
