//===- Declarations.cpp - Configs, inputs, parameters, defs, bindings -----===//

#include "Declarations.h"

#include "kiln/Dialect/KilnOps.h"

#include "mlir/IR/Verifier.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

#include <cstdio>

using namespace mlir;
using namespace kiln;
using namespace kiln::text;
using namespace kiln::text::detail;

bool DeclarationChecker::declareName(llvm::StringRef name, llvm::SMLoc where) {
  auto [it, inserted] = declared.try_emplace(name, where);
  if (inserted)
    return true;
  error(where, "'" + name + "' is already defined");
  context.diagnostics.note(it->second, "the previous definition is here");
  return false;
}

bool DeclarationChecker::declareConfigs(const ConfigOverrides &overrides) {
  bool ok = true;
  llvm::StringMap<std::string> overridden;
  for (const auto &[name, value] : overrides)
    overridden[name] = value;
  for (const ConfigDecl &config : model.configs) {
    if (!declareName(config.name, config.loc)) {
      ok = false;
      continue;
    }
    auto it = overridden.find(config.name);
    if (it != overridden.end()) {
      Constant value;
      std::string text = it->second;
      value.isInteger = !llvm::StringRef(text).contains_insensitive('.') &&
                        !llvm::StringRef(text).contains_insensitive('e');
      bool isNumber = !llvm::StringRef(text).getAsDouble(value.value);
      overridden.erase(it);
      if (isNumber) {
        symbols.configs[config.name] = value;
        continue;
      }
      // Report it, and carry on with the declared value so that one mistake
      // gives one message.
      ok = error({}, "--set " + config.name + "=" + text +
                         ": the value is not a number");
    }
    std::optional<Constant> value = constants.evaluate(*config.value);
    if (!value) {
      ok = false;
      continue;
    }
    symbols.configs[config.name] = *value;
  }
  for (const auto &entry : overridden) {
    SmallVector<llvm::StringRef> names;
    for (const ConfigDecl &config : model.configs)
      names.push_back(config.name);
    error({}, "--set names '" + entry.first() +
                  "', which is not a config of model '" + model.name + "'" +
                  suggestName(entry.first(), names));
    ok = false;
  }
  return ok;
}

std::optional<RankedTensorType>
DeclarationChecker::resolveType(const TypeSpec &type, bool allowBatch) {
  Type element = elementTypeNamed(context.context, type.dtype);
  if (!element) {
    error(type.dtypeLoc, "unknown element type '" + type.dtype +
                             "'; expected f32, f64, i32, i64 or i1" +
                             suggestName(type.dtype,
                                         {"f32", "f64", "i32", "i64", "i1"}));
    return std::nullopt;
  }
  SmallVector<int64_t> shape;
  bool hasBatch = false;
  for (auto [i, dim] : llvm::enumerate(type.dims)) {
    llvm::SMLoc where = type.dimLocs[i];
    if (!dim) {
      if (!allowBatch) {
        error(where, "the batch dimension N is only allowed in inputs; "
                     "parameters have static shapes");
        return std::nullopt;
      }
      if (hasBatch) {
        error(where, "an input has at most one batch dimension N");
        return std::nullopt;
      }
      hasBatch = true;
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    std::optional<Constant> size = constants.evaluate(*dim);
    if (!size)
      return std::nullopt;
    if (!size->isInteger || size->value < 1) {
      error(where, "a dimension must be a positive integer, got " +
                       formatNumber(size->value));
      return std::nullopt;
    }
    shape.push_back(static_cast<int64_t>(size->value));
  }
  // As the runtime refuses to load (kiln/runtime/Module.h): the values of
  // one tensor (per sample, with N) must be countable and storable.
  constexpr double kMaxValues = double(int64_t(1) << 40);
  double values = 1;
  for (int64_t dim : shape)
    if (!ShapedType::isDynamic(dim))
      values *= double(dim);
  if (values > kMaxValues) {
    char count[32];
    std::snprintf(count, sizeof count, "%.3g", values);
    error(type.dtypeLoc, std::string("a tensor of ") + count + " values" +
                             (hasBatch ? " per sample" : "") +
                             " is too large (Kiln's limit is 2^40)");
    return std::nullopt;
  }
  return RankedTensorType::get(shape, element);
}

/// The initializer named `name` (with the usual aliases), if any.
static std::optional<InitKind> lookupInit(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<InitKind>>(name)
      .Case("zeros", InitKind::zeros)
      .Case("ones", InitKind::ones)
      .Case("constant", InitKind::constant)
      .Case("normal", InitKind::normal)
      .Case("uniform", InitKind::uniform)
      .Cases({"glorot_uniform", "xavier_uniform"}, InitKind::glorot_uniform)
      .Cases({"glorot_normal", "xavier_normal"}, InitKind::glorot_normal)
      .Cases({"he_uniform", "kaiming_uniform"}, InitKind::he_uniform)
      .Cases({"he_normal", "kaiming_normal"}, InitKind::he_normal)
      .Default(std::nullopt);
}

/// An initializer's arguments in positional order.
static SmallVector<llvm::StringRef> initArgNames(InitKind kind) {
  switch (kind) {
  case InitKind::constant:
    return {"value"};
  case InitKind::normal:
    return {"mean", "std"};
  case InitKind::uniform:
    return {"low", "high"};
  case InitKind::glorot_uniform:
  case InitKind::glorot_normal:
  case InitKind::he_uniform:
  case InitKind::he_normal:
    return {"gain"};
  default:
    return {};
  }
}

bool DeclarationChecker::initializerArguments(
    const std::string &what, ArrayRef<Argument> arguments,
    ArrayRef<llvm::StringRef> argNames,
    SmallVectorImpl<NamedAttribute> &attrs) {
  llvm::StringSet<> given;
  for (auto [i, argument] : llvm::enumerate(arguments)) {
    llvm::StringRef name = argument.keyword;
    llvm::SMLoc where =
        name.empty() ? argument.value->loc : argument.keywordLoc;
    if (name.empty()) {
      if (i >= argNames.size())
        return error(where, what + " takes " + llvm::Twine(argNames.size()) +
                                " argument(s)");
      name = argNames[i];
    } else if (!llvm::is_contained(argNames, name)) {
      return error(where, what + " has no argument '" + name + "'" +
                              (argNames.empty()
                                   ? std::string("; it takes none")
                                   : "; it takes " +
                                         llvm::join(argNames, ", ")));
    }
    if (!given.insert(name).second)
      return error(where, "argument '" + name + "' is given twice");
    std::optional<Constant> value = constants.evaluate(*argument.value);
    if (!value)
      return false;
    attrs.push_back(
        builder.getNamedAttr(name, builder.getF64FloatAttr(value->value)));
  }
  return true;
}

NoiseAttr DeclarationChecker::declareNoise(const InputDecl &input, bool &ok) {
  ok = true;
  if (input.noise.empty())
    return {};
  std::optional<NoiseKind> kind = symbolizeNoiseKind(input.noise);
  if (!kind) {
    ok = error(input.noiseLoc,
               "unknown noise distribution '" + input.noise +
                   "'; expected normal or uniform" +
                   suggestName(input.noise, {"normal", "uniform"}));
    return {};
  }
  SmallVector<NamedAttribute> parameters;
  ok = initializerArguments("noise '" + input.noise + "'", input.noiseArgs,
                            initArgNames(*kind == NoiseKind::normal
                                             ? InitKind::normal
                                             : InitKind::uniform),
                            parameters);
  if (!ok)
    return {};
  auto emitNoiseError = [&]() {
    return InFlightDiagnostic(mlir::emitError(context.loc(input.noiseLoc)));
  };
  NoiseAttr noise = NoiseAttr::getChecked(
      emitNoiseError, &context.context, *kind,
      builder.getDictionaryAttr(parameters));
  ok = bool(noise);
  return noise;
}

bool DeclarationChecker::declareParam(const ParamDecl &param,
                                      const DefDecl *def) {
  std::string symbol = def ? def->name + "." + param.name : param.name;
  if (!def && !declareName(symbol, param.loc))
    return false;
  if (def && symbols.params.count(symbol)) {
    error(param.loc, "'" + param.name + "' is already a parameter of def '" +
                         def->name + "'");
    context.diagnostics.note(symbols.params[symbol].loc,
                             "the previous definition is here");
    return false;
  }
  std::optional<RankedTensorType> type =
      resolveType(param.type, /*allowBatch=*/false);
  if (!type)
    return false;
  std::optional<InitKind> init = lookupInit(param.init);
  if (!init)
    return error(param.initLoc,
                  "unknown initializer '" + param.init +
                      "'; expected zeros, ones, constant, normal, uniform, "
                      "glorot_uniform, glorot_normal, he_uniform or "
                      "he_normal" +
                      suggestName(param.init,
                              {"zeros", "ones", "constant", "normal",
                               "uniform", "glorot_uniform", "glorot_normal",
                               "he_uniform", "he_normal"}));

  SmallVector<NamedAttribute> attrs = {
      builder.getNamedAttr("sym_name", builder.getStringAttr(symbol)),
      builder.getNamedAttr("type", TypeAttr::get(*type)),
      builder.getNamedAttr("init",
                           InitKindAttr::get(&context.context, *init))};
  if (!initializerArguments("initializer '" + param.init + "'",
                            param.initArgs, initArgNames(*init), attrs))
    return false;
  if (def)
    attrs.push_back(
        builder.getNamedAttr("group", builder.getStringAttr(def->name)));
  if (param.isBuffer)
    attrs.push_back(builder.getNamedAttr("buffer", builder.getUnitAttr()));

  OperationState state(context.loc(param.loc), ParamOp::getOperationName());
  state.addAttributes(attrs);
  Operation *op = builder.create(state);
  if (failed(verify(op))) {
    op->erase();
    return false;
  }
  symbols.params[symbol] =
      ParamInfo{symbol, *type, param.isBuffer, def ? def->name : "",
                static_cast<unsigned>(symbols.params.size()), param.loc};
  return true;
}

bool DeclarationChecker::declareInputsParamsAndDefs() {
  bool ok = true;
  for (const InputDecl &input : model.inputs) {
    if (!declareName(input.name, input.loc)) {
      ok = false;
      continue;
    }
    std::optional<RankedTensorType> type =
        resolveType(input.type, /*allowBatch=*/true);
    if (!type) {
      symbols.undeclared.insert(input.name);
      ok = false;
      continue;
    }
    bool noiseOk = true;
    NoiseAttr noise = declareNoise(input, noiseOk);
    if (noise && !isa<FloatType>(type->getElementType()))
      noiseOk = error(input.noiseLoc, "noise must be a float input; '" +
                                          input.name + "' is " +
                                          input.type.dtype);
    if (!noiseOk) {
      symbols.undeclared.insert(input.name);
      ok = false;
      continue;
    }
    symbols.inputs[input.name] = InputInfo{
        *type, static_cast<unsigned>(symbols.inputs.size()), input.loc, noise};
  }
  // A declaration that failed was reported; its uses fail quietly, so the
  // bindings still get checked for mistakes of their own.
  auto declare = [&](const ParamDecl &param, const DefDecl *def) {
    if (declareParam(param, def))
      return true;
    symbols.undeclared.insert(def ? def->name + "." + param.name : param.name);
    return false;
  };
  for (const ParamDecl &param : model.params)
    ok &= declare(param, nullptr);
  for (const DefDecl &def : model.defs) {
    if (!declareName(def.name, def.loc)) {
      ok = false;
      continue;
    }
    symbols.defs[def.name] = &def;
    for (const ParamDecl &param : def.params)
      ok &= declare(param, &def);
  }
  return ok;
}

bool DeclarationChecker::declareBindings() {
  bool ok = true;
  for (const Binding &binding : model.bindings) {
    if (binding.isOutput && !binding.value)
      continue; // `output x` names an existing binding.
    for (auto [i, name] : llvm::enumerate(binding.names)) {
      if (!declareName(name, binding.nameLocs[i])) {
        ok = false;
        continue;
      }
      symbols.bindings[name] = BindingRef{&binding, static_cast<unsigned>(i)};
    }
  }
  return ok;
}
