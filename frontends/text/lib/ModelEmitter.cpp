//===- ModelEmitter.cpp - A model's entries -------------------------------===//
//
// The inference entry (the model's outputs), one train entry per `train`
// statement and its loss entry, each holding just the bindings it needs;
// before them, a check entry that holds every binding, so each mistake is
// reported exactly once even when several entries share it.
//
//===----------------------------------------------------------------------===//

#include "ModelEmitter.h"

#include "Declarations.h"
#include "ExprEmitter.h"

#include "kiln/Dialect/KilnOps.h"
#include "kiln/Dialect/ShapeRules.h"

#include "mlir/IR/Verifier.h"

#include "llvm/ADT/SmallPtrSet.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::text;
using namespace kiln::text::detail;

ModelEmitter::ModelEmitter(const Model &model, MLIRContext &mlirContext,
                           const llvm::SourceMgr &sourceMgr,
                           SourceDiagnostics &diagnostics)
    : context(mlirContext, sourceMgr, diagnostics), model(model),
      constants(symbols.configs, context), builder(&mlirContext) {}

void ModelEmitter::collectDependencies(
    const Expr &expr, SmallVectorImpl<llvm::StringRef> &names) const {
  if (expr.kind == Expr::Kind::Name)
    names.push_back(expr.name);
  for (const ExprPtr &operand : expr.operands)
    collectDependencies(*operand, names);
  for (const Argument &argument : expr.arguments)
    collectDependencies(*argument.value, names);
}

bool ModelEmitter::emitBindingsFor(ArrayRef<llvm::StringRef> roots,
                                   EntryBuilder &entry) {
  // The bindings the roots depend on, then emitted in source order.
  llvm::SmallPtrSet<const Binding *, 16> needed;
  SmallVector<llvm::StringRef> worklist(roots);
  while (!worklist.empty()) {
    auto it = symbols.bindings.find(worklist.pop_back_val());
    if (it == symbols.bindings.end() ||
        !needed.insert(it->second.binding).second)
      continue;
    collectDependencies(*it->second.binding->value, worklist);
  }
  ExprEmitter exprs(context, symbols, constants, entry, builder);
  bool ok = true;
  for (const Binding &binding : model.bindings)
    if (needed.count(&binding))
      ok &= exprs.emitBinding(binding);
  return ok;
}

bool ModelEmitter::emitCheckEntry() {
  EntryBuilder entry(context, symbols, builder, module, "__check",
                     EntryMode::Check, model.loc);
  ExprEmitter exprs(context, symbols, constants, entry, builder);
  bool ok = true;
  for (const Binding &binding : model.bindings) {
    if (context.diagnostics.atLimit())
      return false;
    if (binding.isOutput && !binding.value) {
      llvm::StringRef name = binding.names.front();
      if (!symbols.bindings.count(name)) {
        ok &= error(binding.nameLocs.front(),
                    "output '" + name + "' names no binding" +
                        suggestName(name, symbols.bindingNames()));
      }
      continue;
    }
    ok &= exprs.emitBinding(binding);
  }
  for (const TrainDecl &train : model.trains) {
    if (!symbols.bindings.count(train.loss)) {
      error(train.lossLoc, "train '" + train.name + "' minimizes '" +
                               train.loss + "', which is not a binding" +
                               suggestName(train.loss,
                                           symbols.bindingNames()));
      ok = false;
      continue;
    }
    auto value = entry.values.find(train.loss);
    if (value == entry.values.end())
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
  entry.func().erase();
  return ok;
}

bool ModelEmitter::emitInferEntry() {
  SmallVector<const Binding *> outputs;
  for (const Binding &binding : model.bindings)
    if (binding.isOutput)
      outputs.push_back(&binding);
  if (outputs.empty())
    return true;
  EntryBuilder entry(context, symbols, builder, module, "infer",
                     EntryMode::Infer, outputs.front()->loc);
  entry.func()->setAttr(KilnDialect::kEntryAttrName,
                        EntryKindAttr::get(&context.context, EntryKind::infer));
  SmallVector<llvm::StringRef> roots;
  for (const Binding *output : outputs)
    roots.push_back(output->names.front());
  bool ok = emitBindingsFor(roots, entry);
  SmallVector<Value> results;
  SmallVector<NamedAttribute> resultAttrs;
  for (llvm::StringRef name : roots) {
    results.push_back(entry.values.lookup(name));
    resultAttrs.push_back(builder.getNamedAttr(
        KilnDialect::kOutputResultAttrName, builder.getStringAttr(name)));
  }
  if (ok)
    entry.finish(results, resultAttrs);
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
  if (!train.group.empty() && !symbols.defs.count(train.group)) {
    SmallVector<llvm::StringRef> groups;
    for (const DefDecl &def : model.defs)
      groups.push_back(def.name);
    return error(train.groupLoc,
                  "'over " + train.group +
                      "' names no parameter group; groups are the defs " +
                      "that declare parameters" +
                      suggestName(train.group, groups));
  }
  std::optional<OptimizerKind> kind = symbolizeOptimizerKind(train.optimizer);
  if (!kind)
    return error(train.optimizerLoc,
                  "unknown optimizer '" + train.optimizer +
                      "'; expected sgd, adam, adamw or rmsprop" +
                      suggestName(train.optimizer,
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
    std::optional<Constant> value = constants.evaluate(*option.value);
    if (!value)
      return {};
    options.push_back(builder.getNamedAttr(
        option.keyword, builder.getF64FloatAttr(value->value)));
  }
  auto emitOptionError = [&]() {
    return InFlightDiagnostic(
        mlir::emitError(context.loc(train.optimizerLoc)));
  };
  return OptimizerAttr::getChecked(emitOptionError, &context.context, *kind,
                                   builder.getDictionaryAttr(options));
}

bool ModelEmitter::emitTrainEntry(const TrainDecl &train) {
  OptimizerAttr optimizer = checkTrainDecl(train);
  if (!optimizer)
    return false;

  EntryBuilder entry(context, symbols, builder, module, train.name,
                     EntryMode::Train, train.loc);
  auto func = entry.func();
  func->setAttr(KilnDialect::kEntryAttrName,
                EntryKindAttr::get(&context.context, EntryKind::train));
  func->setAttr(KilnDialect::kOptimizerAttrName, optimizer);
  if (!train.group.empty())
    func->setAttr(KilnDialect::kGroupAttrName,
                  builder.getStringAttr(train.group));
  llvm::StringRef root = train.loss;
  bool ok = emitBindingsFor(root, entry);
  if (ok) {
    // Autodiff needs something to differentiate: a trained parameter that
    // the loss reads.
    bool readsTrained = llvm::any_of(func.getArguments(), [&](Value arg) {
      const ParamInfo *param = entry.paramOfArgument(arg);
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
    SmallVector<Value> results = {entry.values.lookup(root)};
    SmallVector<NamedAttribute> resultAttrs = {builder.getNamedAttr(
        KilnDialect::kOutputResultAttrName, builder.getStringAttr(root))};
    for (auto &[value, symbol] : entry.bufferUpdates) {
      results.push_back(value);
      resultAttrs.push_back(builder.getNamedAttr(
          KilnDialect::kUpdateResultAttrName,
          FlatSymbolRefAttr::get(&context.context, symbol)));
    }
    entry.finish(results, resultAttrs);
  }
  return ok;
}

bool ModelEmitter::emitLossEntry(const TrainDecl &train) {
  std::string name = train.name + "_loss";
  if (module.lookupSymbol(name))
    return error(train.loc, "entry '" + name + "' (the loss of train '" +
                                train.name + "') is already defined");
  EntryBuilder entry(context, symbols, builder, module, name,
                     EntryMode::Infer, train.loc);
  entry.func()->setAttr(KilnDialect::kEntryAttrName,
                        EntryKindAttr::get(&context.context, EntryKind::infer));
  entry.func()->setAttr(KilnDialect::kLossOfAttrName,
                        FlatSymbolRefAttr::get(&context.context, train.name));
  llvm::StringRef root = train.loss;
  bool ok = emitBindingsFor(root, entry);
  if (ok)
    entry.finish({entry.values.lookup(root)},
                {builder.getNamedAttr(KilnDialect::kOutputResultAttrName,
                                      builder.getStringAttr(train.loss))});
  return ok;
}

OwningOpRef<ModuleOp> ModelEmitter::emit(const ConfigOverrides &overrides) {
  OwningOpRef<ModuleOp> owned = ModuleOp::create(context.loc(model.loc));
  module = *owned;
  module.setSymName(model.name);
  builder.setInsertionPointToEnd(module.getBody());
  DeclarationChecker declarations(context, model, symbols, constants, builder);
  bool ok = declarations.declareConfigs(overrides);
  ok &= declarations.declareInputsParamsAndDefs();
  ok &= declarations.declareBindings();
  // The bindings and train statements are checked even after a
  // declaration failed: every independent mistake is reported in one run.
  ok &= emitCheckEntry();
  if (!ok) {
    for (const TrainDecl &train : model.trains)
      if (!context.diagnostics.atLimit())
        (void)checkTrainDecl(train);
    return nullptr;
  }
  ok = emitInferEntry();
  for (const TrainDecl &train : model.trains)
    ok &= emitTrainEntry(train);
  for (const TrainDecl &train : model.trains)
    ok &= emitLossEntry(train);
  if (!ok || context.diagnostics.hasErrors() || failed(verify(module)))
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
  for (const auto &[name, param] : symbols.params)
    if (!readParams.contains(param.symbol))
      unused.emplace_back(param.loc.getPointer(),
                          std::string(param.isBuffer ? "buffer '" : "param '") +
                              name.str() + "'");
  for (const auto &[name, input] : symbols.inputs)
    if (!readInputs.contains(name))
      unused.emplace_back(input.loc.getPointer(),
                          "input '" + name.str() + "'");
  // In the order of the file.
  llvm::sort(unused);
  for (const auto &[where, what] : unused)
    context.diagnostics.warning(llvm::SMLoc::getFromPointer(where), "unused",
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

std::map<unsigned, std::string>
kiln::text::bindingNamesByLine(const Model &model,
                               const llvm::SourceMgr &sourceMgr) {
  std::map<unsigned, std::string> names;
  for (const Binding &binding : model.bindings) {
    std::string joined;
    for (const std::string &name : binding.names)
      joined += (joined.empty() ? "" : ", ") + name;
    names[sourceMgr.getLineAndColumn(binding.loc).first] = joined;
  }
  return names;
}
