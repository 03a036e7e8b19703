//===- ModelEmitter.cpp - Declarations and entries of a model -------------===//

#include "EmitterImpl.h"

#include "kiln/Dialect/KilnOps.h"
#include "kiln/Dialect/ShapeRules.h"

#include "mlir/IR/Verifier.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::text;
using namespace kiln::text::detail;

/// Argument sort keys: inputs, then parameters, then the random key.
static constexpr int64_t kParamKeyBase = 1 << 20;
static constexpr int64_t kRngKeyKey = int64_t(1) << 40;

ModelEmitter::ModelEmitter(const Model &model, MLIRContext &context,
                           const llvm::SourceMgr &sourceMgr,
                           SourceDiagnostics &diagnostics)
    : model(model), context(context), sourceMgr(sourceMgr),
      diagnostics(diagnostics), builder(&context) {
  fileName = StringAttr::get(
      &context, sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())
                    ->getBufferIdentifier());
}

Location ModelEmitter::loc(llvm::SMLoc where) const {
  auto fileLoc = [&](llvm::SMLoc at) -> Location {
    if (!at.isValid())
      return FileLineColLoc::get(fileName, 0, 0);
    auto [line, col] = sourceMgr.getLineAndColumn(at);
    return FileLineColLoc::get(fileName, line, col);
  };
  Location result = fileLoc(where);
  // Ops emitted for a def's body carry the chain of calls that led there.
  std::optional<Location> caller;
  for (llvm::SMLoc site : callStack)
    caller = caller ? Location(CallSiteLoc::get(fileLoc(site), *caller))
                    : fileLoc(site);
  return caller ? Location(CallSiteLoc::get(result, *caller)) : result;
}

std::string
ModelEmitter::suggest(llvm::StringRef name,
                      llvm::ArrayRef<llvm::StringRef> candidates) const {
  llvm::StringRef best;
  unsigned bestDistance = std::max<size_t>(2, name.size() / 3) + 1;
  for (llvm::StringRef candidate : candidates) {
    unsigned distance = name.edit_distance(candidate, true, bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best.empty() ? "" : ("; did you mean '" + best + "'?").str();
}

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

bool ModelEmitter::declareName(llvm::StringRef name, llvm::SMLoc where) {
  auto [it, inserted] = declared.try_emplace(name, where);
  if (inserted)
    return true;
  error(where, "'" + name + "' is already defined");
  diagnostics.note(it->second, "the previous definition is here");
  return false;
}

bool ModelEmitter::declareConfigs(const ConfigOverrides &overrides) {
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
        configs[config.name] = value;
        continue;
      }
      // Report it, and carry on with the declared value so that one mistake
      // gives one message.
      ok = error({}, "--set " + config.name + "=" + text +
                         ": the value is not a number");
    }
    std::optional<Constant> value = evaluateConstant(*config.value);
    if (!value) {
      ok = false;
      continue;
    }
    configs[config.name] = *value;
  }
  for (const auto &entry : overridden) {
    SmallVector<llvm::StringRef> names;
    for (const ConfigDecl &config : model.configs)
      names.push_back(config.name);
    error({}, "--set names '" + entry.first() +
                  "', which is not a config of model '" + model.name + "'" +
                  suggest(entry.first(), names));
    ok = false;
  }
  return ok;
}

std::optional<RankedTensorType>
ModelEmitter::resolveType(const TypeSpec &type, bool allowBatch) {
  Type element =
      llvm::StringSwitch<Type>(type.dtype)
          .Case("f32", builder.getF32Type())
          .Case("f64", builder.getF64Type())
          .Case("i32", builder.getI32Type())
          .Case("i64", builder.getI64Type())
          .Cases({"i1", "bool"}, builder.getI1Type())
          .Default(nullptr);
  if (!element) {
    error(type.dtypeLoc, "unknown element type '" + type.dtype +
                             "'; expected f32, f64, i32, i64 or i1" +
                             suggest(type.dtype, {"f32", "f64", "i32", "i64",
                                                  "i1"}));
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
    std::optional<Constant> size = evaluateConstant(*dim);
    if (!size)
      return std::nullopt;
    if (!size->isInteger || size->value < 1) {
      error(where, "a dimension must be a positive integer, got " +
                       formatNumber(size->value));
      return std::nullopt;
    }
    shape.push_back(static_cast<int64_t>(size->value));
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

bool ModelEmitter::declareParam(const ParamDecl &param, const DefDecl *def) {
  std::string symbol = def ? def->name + "." + param.name : param.name;
  if (!def && !declareName(symbol, param.loc))
    return false;
  if (def && params.count(symbol)) {
    error(param.loc, "'" + param.name + "' is already a parameter of def '" +
                         def->name + "'");
    diagnostics.note(params[symbol].loc, "the previous definition is here");
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
                      suggest(param.init,
                              {"zeros", "ones", "constant", "normal",
                               "uniform", "glorot_uniform", "glorot_normal",
                               "he_uniform", "he_normal"}));

  SmallVector<NamedAttribute> attrs = {
      builder.getNamedAttr("sym_name", builder.getStringAttr(symbol)),
      builder.getNamedAttr("type", TypeAttr::get(*type)),
      builder.getNamedAttr("init",
                           InitKindAttr::get(&context, *init))};
  SmallVector<llvm::StringRef> argNames = initArgNames(*init);
  llvm::StringSet<> given;
  for (auto [i, argument] : llvm::enumerate(param.initArgs)) {
    llvm::StringRef name = argument.keyword;
    llvm::SMLoc where =
        name.empty() ? argument.value->loc : argument.keywordLoc;
    if (name.empty()) {
      if (i >= argNames.size())
        return error(where, "initializer '" + param.init + "' takes " +
                                 llvm::Twine(argNames.size()) +
                                 " argument(s)");
      name = argNames[i];
    } else if (!llvm::is_contained(argNames, name)) {
      return error(where, "initializer '" + param.init +
                               "' has no argument '" + name + "'" +
                               (argNames.empty()
                                    ? std::string("; it takes none")
                                    : "; it takes " +
                                          llvm::join(argNames, ", ")));
    }
    if (!given.insert(name).second)
      return error(where, "argument '" + name + "' is given twice");
    std::optional<Constant> value = evaluateConstant(*argument.value);
    if (!value)
      return false;
    attrs.push_back(
        builder.getNamedAttr(name, builder.getF64FloatAttr(value->value)));
  }
  if (def)
    attrs.push_back(
        builder.getNamedAttr("group", builder.getStringAttr(def->name)));
  if (param.isBuffer)
    attrs.push_back(builder.getNamedAttr("buffer", builder.getUnitAttr()));

  OperationState state(loc(param.loc), ParamOp::getOperationName());
  state.addAttributes(attrs);
  Operation *op = builder.create(state);
  if (failed(verify(op))) {
    op->erase();
    return false;
  }
  params[symbol] = ParamInfo{symbol, *type, param.isBuffer,
                             def ? def->name : "",
                             static_cast<unsigned>(params.size()), param.loc};
  return true;
}

bool ModelEmitter::declareInputsParamsAndDefs() {
  bool ok = true;
  for (const InputDecl &input : model.inputs) {
    if (!declareName(input.name, input.loc)) {
      ok = false;
      continue;
    }
    std::optional<RankedTensorType> type =
        resolveType(input.type, /*allowBatch=*/true);
    if (!type) {
      undeclared.insert(input.name);
      ok = false;
      continue;
    }
    inputs[input.name] =
        InputInfo{*type, static_cast<unsigned>(inputs.size()), input.loc};
  }
  // A declaration that failed was reported; its uses fail quietly, so the
  // bindings still get checked for mistakes of their own.
  auto declare = [&](const ParamDecl &param, const DefDecl *def) {
    if (declareParam(param, def))
      return true;
    undeclared.insert(def ? def->name + "." + param.name : param.name);
    return false;
  };
  for (const ParamDecl &param : model.params)
    ok &= declare(param, nullptr);
  for (const DefDecl &def : model.defs) {
    if (!declareName(def.name, def.loc)) {
      ok = false;
      continue;
    }
    defs[def.name] = &def;
    for (const ParamDecl &param : def.params)
      ok &= declare(param, &def);
  }
  return ok;
}

bool ModelEmitter::declareBindings() {
  bool ok = true;
  for (const Binding &binding : model.bindings) {
    if (binding.isOutput && !binding.value)
      continue; // `output x` names an existing binding.
    for (auto [i, name] : llvm::enumerate(binding.names)) {
      if (!declareName(name, binding.nameLocs[i])) {
        ok = false;
        continue;
      }
      bindings[name] = BindingRef{&binding, static_cast<unsigned>(i)};
    }
  }
  return ok;
}

//===----------------------------------------------------------------------===//
// Entries
//===----------------------------------------------------------------------===//

void ModelEmitter::beginEntry(llvm::StringRef name, EntryMode mode,
                              llvm::SMLoc where) {
  builder.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(builder, loc(where), name,
                                   builder.getFunctionType({}, {}));
  func.addEntryBlock();
  entry->func = func;
  entry->mode = mode;
  builder.setInsertionPointToStart(&func.getBody().front());
}

Value ModelEmitter::addArgument(int64_t key, Type type, NamedAttribute role,
                                llvm::SMLoc where) {
  auto position = llvm::upper_bound(entry->argumentKeys, key) -
                  entry->argumentKeys.begin();
  entry->argumentKeys.insert(entry->argumentKeys.begin() + position, key);
  func::FuncOp func = entry->func;
  // Inserting into a function we build ourselves cannot fail.
  (void)func.insertArgument(position, type, builder.getDictionaryAttr({role}),
                            loc(where));
  return func.getArgument(position);
}

Value ModelEmitter::inputArgument(llvm::StringRef name) {
  const InputInfo &input = inputs[name];
  auto found = llvm::find(entry->argumentKeys, input.order);
  if (found != entry->argumentKeys.end())
    return entry->func.getArgument(found - entry->argumentKeys.begin());
  return addArgument(input.order, input.type,
                     builder.getNamedAttr(KilnDialect::kInputArgAttrName,
                                          builder.getStringAttr(name)),
                     input.loc);
}

Value ModelEmitter::paramArgument(const ParamInfo &param) {
  int64_t key = kParamKeyBase + param.order;
  auto found = llvm::find(entry->argumentKeys, key);
  if (found != entry->argumentKeys.end())
    return entry->func.getArgument(found - entry->argumentKeys.begin());
  return addArgument(
      key, param.type,
      builder.getNamedAttr(KilnDialect::kParamArgAttrName,
                           FlatSymbolRefAttr::get(&context, param.symbol)),
      param.loc);
}

Value ModelEmitter::rngKeyArgument(llvm::SMLoc where) {
  if (!entry->rngKey)
    entry->rngKey = addArgument(
        kRngKeyKey, RankedTensorType::get({2}, builder.getI64Type()),
        builder.getNamedAttr(KilnDialect::kRngKeyArgAttrName,
                             builder.getUnitAttr()),
        where);
  return entry->rngKey;
}

const ParamInfo *ModelEmitter::paramOfArgument(Value value) const {
  auto arg = dyn_cast<BlockArgument>(value);
  if (!arg || arg.getOwner()->getParentOp() != entry->func)
    return nullptr;
  auto symbol = entry->func.getArgAttrOfType<FlatSymbolRefAttr>(
      arg.getArgNumber(), KilnDialect::kParamArgAttrName);
  if (!symbol)
    return nullptr;
  auto it = params.find(symbol.getValue());
  return it == params.end() ? nullptr : &it->second;
}

void ModelEmitter::finishEntry(ArrayRef<Value> results,
                               ArrayRef<NamedAttribute> resultAttrs) {
  func::FuncOp func = entry->func;
  builder.setInsertionPointToEnd(&func.getBody().front());
  func::ReturnOp::create(builder, func.getLoc(), results);
  func.setType(builder.getFunctionType(
      func.getBody().front().getArgumentTypes(), ValueRange(results).getTypes()));
  for (auto [i, attr] : llvm::enumerate(resultAttrs))
    func.setResultAttrs(i, builder.getDictionaryAttr({attr}));
}

void ModelEmitter::collectDependencies(
    const Expr &expr, SmallVectorImpl<llvm::StringRef> &names) const {
  if (expr.kind == Expr::Kind::Name)
    names.push_back(expr.name);
  for (const ExprPtr &operand : expr.operands)
    collectDependencies(*operand, names);
  for (const Argument &argument : expr.arguments)
    collectDependencies(*argument.value, names);
}

bool ModelEmitter::emitBindingsFor(ArrayRef<llvm::StringRef> roots) {
  // The bindings the roots depend on, then emitted in source order.
  llvm::SmallPtrSet<const Binding *, 16> needed;
  SmallVector<llvm::StringRef> worklist(roots);
  while (!worklist.empty()) {
    auto it = bindings.find(worklist.pop_back_val());
    if (it == bindings.end() || !needed.insert(it->second.binding).second)
      continue;
    collectDependencies(*it->second.binding->value, worklist);
  }
  bool ok = true;
  for (const Binding &binding : model.bindings)
    if (needed.count(&binding))
      ok &= emitBinding(binding);
  return ok;
}

bool ModelEmitter::emitCheckEntry() {
  EntryState state;
  entry = &state;
  beginEntry("__check", EntryMode::Check, model.loc);
  bool ok = true;
  for (const Binding &binding : model.bindings) {
    if (diagnostics.atLimit())
      return false;
    if (binding.isOutput && !binding.value) {
      llvm::StringRef name = binding.names.front();
      if (!bindings.count(name)) {
        SmallVector<llvm::StringRef> known;
        for (const auto &b : bindings)
          known.push_back(b.first());
        ok &= (error(binding.nameLocs.front(),
                              "output '" + name +
                                  "' names no binding" + suggest(name, known)));
      }
      continue;
    }
    ok &= emitBinding(binding);
  }
  for (const TrainDecl &train : model.trains) {
    if (!bindings.count(train.loss)) {
      SmallVector<llvm::StringRef> known;
      for (const auto &b : bindings)
        known.push_back(b.first());
      error(train.lossLoc, "train '" + train.name + "' minimizes '" +
                               train.loss + "', which is not a binding" +
                               suggest(train.loss, known));
      ok = false;
      continue;
    }
    auto value = state.values.find(train.loss);
    if (value == state.values.end())
      continue; // Its binding failed and was reported.
    auto type = dyn_cast<RankedTensorType>(value->second.getType());
    if (!type || type.getRank() != 0 ||
        !isa<FloatType>(type.getElementType())) {
      error(train.lossLoc,
            "the loss '" + train.loss + "' must be a float scalar, but it is " +
                (type ? "a tensor of shape " +
                            shape::format(type.getShape()) + " of " +
                            [&] {
                              std::string s;
                              llvm::raw_string_ostream os(s);
                              os << type.getElementType();
                              return s;
                            }()
                      : std::string("not a tensor")) +
                "; reduce it with mean(...) or sum(...)");
      ok = false;
    }
  }
  entry->func.erase();
  entry = nullptr;
  return ok;
}

bool ModelEmitter::emitInferEntry() {
  SmallVector<const Binding *> outputs;
  for (const Binding &binding : model.bindings)
    if (binding.isOutput)
      outputs.push_back(&binding);
  if (outputs.empty())
    return true;
  EntryState state;
  entry = &state;
  beginEntry("infer", EntryMode::Infer, outputs.front()->loc);
  entry->func->setAttr(KilnDialect::kEntryAttrName,
                       EntryKindAttr::get(&context, EntryKind::infer));
  SmallVector<llvm::StringRef> roots;
  for (const Binding *output : outputs)
    roots.push_back(output->names.front());
  bool ok = emitBindingsFor(roots);
  SmallVector<Value> results;
  SmallVector<NamedAttribute> resultAttrs;
  for (llvm::StringRef name : roots) {
    results.push_back(state.values.lookup(name));
    resultAttrs.push_back(builder.getNamedAttr(
        KilnDialect::kOutputResultAttrName, builder.getStringAttr(name)));
  }
  if (ok)
    finishEntry(results, resultAttrs);
  entry = nullptr;
  return ok;
}

OptimizerAttr ModelEmitter::checkTrainDecl(const TrainDecl &train) {
  auto error = [&](llvm::SMLoc where, const llvm::Twine &message) {
    this->error(where, message);
    return OptimizerAttr();
  };
  if (train.name == "infer")
    return (error(train.loc, "'infer' is the inference entry's name; "
                                      "choose another name for a train entry"));
  if (module.lookupSymbol(train.name))
    return error(train.loc, "entry '" + train.name + "' is already defined");
  if (!train.group.empty() && !defs.count(train.group)) {
    SmallVector<llvm::StringRef> groups;
    for (const DefDecl &def : model.defs)
      groups.push_back(def.name);
    return error(train.groupLoc,
                  "'over " + train.group +
                      "' names no parameter group; groups are the defs " +
                      "that declare parameters" + suggest(train.group, groups));
  }
  std::optional<OptimizerKind> kind = symbolizeOptimizerKind(train.optimizer);
  if (!kind)
    return error(train.optimizerLoc,
                  "unknown optimizer '" + train.optimizer +
                      "'; expected sgd, adam, adamw or rmsprop" +
                      suggest(train.optimizer,
                              {"sgd", "adam", "adamw", "rmsprop"}));
  SmallVector<NamedAttribute> options;
  for (const Argument &option : train.options) {
    llvm::SMLoc where =
        option.keyword.empty() ? option.value->loc : option.keywordLoc;
    if (option.keyword.empty())
      return error(where, "optimizer options are named, as in adam(lr=0.001)");
    if (option.keyword == "nesterov") {
      if (option.value->kind != Expr::Kind::Name ||
          (option.value->name != "true" && option.value->name != "false"))
        return error(option.value->loc, "'nesterov' must be true or false");
      options.push_back(builder.getNamedAttr(
          option.keyword, builder.getBoolAttr(option.value->name == "true")));
      continue;
    }
    std::optional<Constant> value = evaluateConstant(*option.value);
    if (!value)
      return {};
    options.push_back(builder.getNamedAttr(
        option.keyword, builder.getF64FloatAttr(value->value)));
  }
  auto emitOptionError = [&]() {
    return InFlightDiagnostic(
        mlir::emitError(loc(train.optimizerLoc)));
  };
  return OptimizerAttr::getChecked(emitOptionError, &context, *kind,
                                   builder.getDictionaryAttr(options));
}

bool ModelEmitter::emitTrainEntry(const TrainDecl &train) {
  OptimizerAttr optimizer = checkTrainDecl(train);
  if (!optimizer)
    return false;

  EntryState state;
  entry = &state;
  beginEntry(train.name, EntryMode::Train, train.loc);
  auto func = entry->func;
  func->setAttr(KilnDialect::kEntryAttrName,
                EntryKindAttr::get(&context, EntryKind::train));
  func->setAttr(KilnDialect::kOptimizerAttrName, optimizer);
  if (!train.group.empty())
    func->setAttr(KilnDialect::kGroupAttrName,
                  builder.getStringAttr(train.group));
  llvm::StringRef root = train.loss;
  bool ok = emitBindingsFor(root);
  if (ok) {
    // Autodiff needs something to differentiate: a trained parameter that
    // the loss reads.
    bool readsTrained = llvm::any_of(func.getArguments(), [&](Value arg) {
      const ParamInfo *param = paramOfArgument(arg);
      return param && !param->isBuffer &&
             (train.group.empty() || param->group == train.group);
    });
    if (!readsTrained) {
      error(train.lossLoc,
            "the loss '" + train.loss + "' does not depend on any " +
                (train.group.empty()
                     ? std::string("trainable parameter")
                     : "parameter of group '" + train.group + "'"));
      ok = false;
    }
  }
  if (ok) {
    SmallVector<Value> results = {state.values.lookup(root)};
    SmallVector<NamedAttribute> resultAttrs = {builder.getNamedAttr(
        KilnDialect::kOutputResultAttrName, builder.getStringAttr(root))};
    for (auto &[value, symbol] : state.bufferUpdates) {
      results.push_back(value);
      resultAttrs.push_back(builder.getNamedAttr(
          KilnDialect::kUpdateResultAttrName,
          FlatSymbolRefAttr::get(&context, symbol)));
    }
    finishEntry(results, resultAttrs);
  }
  entry = nullptr;
  return ok;
}

bool ModelEmitter::emitLossEntry(const TrainDecl &train) {
  std::string name = train.name + "_loss";
  if (module.lookupSymbol(name))
    return error(train.loc, "entry '" + name + "' (the loss of train '" +
                                train.name + "') is already defined");
  EntryState state;
  entry = &state;
  beginEntry(name, EntryMode::Infer, train.loc);
  entry->func->setAttr(KilnDialect::kEntryAttrName,
                       EntryKindAttr::get(&context, EntryKind::infer));
  llvm::StringRef root = train.loss;
  bool ok = emitBindingsFor(root);
  if (ok)
    finishEntry({state.values.lookup(root)},
                {builder.getNamedAttr(KilnDialect::kOutputResultAttrName,
                                      builder.getStringAttr(train.loss))});
  entry = nullptr;
  return ok;
}

OwningOpRef<ModuleOp> ModelEmitter::emit(const ConfigOverrides &overrides) {
  OwningOpRef<ModuleOp> owned = ModuleOp::create(loc(model.loc));
  module = *owned;
  module.setSymName(model.name);
  builder.setInsertionPointToEnd(module.getBody());
  bool ok = declareConfigs(overrides);
  ok &= declareInputsParamsAndDefs();
  ok &= declareBindings();
  // The bindings and train statements are checked even after a
  // declaration failed: every independent mistake is reported in one run.
  ok &= emitCheckEntry();
  if (!ok) {
    for (const TrainDecl &train : model.trains)
      if (!diagnostics.atLimit())
        (void)checkTrainDecl(train);
    return nullptr;
  }
  ok = emitInferEntry();
  for (const TrainDecl &train : model.trains)
    ok &= emitTrainEntry(train);
  for (const TrainDecl &train : model.trains)
    ok &= emitLossEntry(train);
  if (!ok || diagnostics.hasErrors() || failed(verify(module)))
    return nullptr;
  warnOnUnusedDeclarations();
  return owned;
}

/// A parameter or input that no entry reads is usually a layer left out of
/// the network by mistake, or a loss that forgot a target.
void ModelEmitter::warnOnUnusedDeclarations() {
  llvm::StringSet<> readParams, readInputs;
  bool anyEntry = false;
  module.walk([&](func::FuncOp func) {
    anyEntry = true;
    for (unsigned i = 0; i < func.getNumArguments(); ++i) {
      if (auto symbol = func.getArgAttrOfType<FlatSymbolRefAttr>(
              i, KilnDialect::kParamArgAttrName))
        readParams.insert(symbol.getValue());
      if (auto name = func.getArgAttrOfType<StringAttr>(
              i, KilnDialect::kInputArgAttrName))
        readInputs.insert(name.getValue());
    }
  });
  if (!anyEntry)
    return;
  SmallVector<std::pair<const char *, std::string>> unused;
  for (const auto &[name, param] : params)
    if (!readParams.contains(param.symbol))
      unused.emplace_back(param.loc.getPointer(),
                          std::string(param.isBuffer ? "buffer '" : "param '") +
                              name.str() + "'");
  for (const auto &[name, input] : inputs)
    if (!readInputs.contains(name))
      unused.emplace_back(input.loc.getPointer(),
                          "input '" + name.str() + "'");
  // In the order of the file.
  llvm::sort(unused);
  for (const auto &[where, what] : unused)
    diagnostics.warning(llvm::SMLoc::getFromPointer(where), "unused",
                        what + " is read by no output and no loss");
}

OwningOpRef<ModuleOp> kiln::text::emitModule(const Model &model,
                                             MLIRContext &context,
                                             const llvm::SourceMgr &sourceMgr,
                                             SourceDiagnostics &diagnostics,
                                             const ConfigOverrides &overrides) {
  context.loadDialect<KilnDialect, func::FuncDialect>();
  // Users read messages about their .kiln lines, not about generic IR.
  context.printOpOnDiagnostic(false);
  SourceDiagnostics::MLIRHandler handler(&context, diagnostics);
  return ModelEmitter(model, context, sourceMgr, diagnostics).emit(overrides);
}
