//===- ExprEmitter.cpp - Expressions, calls and bindings to kiln ops ------===//

#include "ExprEmitter.h"

#include "kiln/Dialect/KilnOps.h"

#include "mlir/IR/Verifier.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::text;
using namespace kiln::text::detail;

FailureOr<Operation *>
ExprEmitter::createOp(llvm::StringRef name, llvm::SMLoc where,
                      ValueRange operands, ArrayRef<NamedAttribute> attrs,
                      unsigned numResults) {
  return createInferred(builder, context.loc(where), name, operands, attrs,
                        numResults);
}

bool ExprEmitter::emitBinding(const Binding &binding) {
  auto poison = [&] {
    for (const std::string &name : binding.names) {
      if (scope)
        scope->poisoned.insert(name);
      else
        entry.poisoned.insert(name);
    }
    return false;
  };
  if (binding.isOutput && !binding.value)
    return true;
  FailureOr<SmallVector<Value>> values =
      emitMulti(*binding.value, binding.names.size());
  if (failed(values))
    return poison();
  for (auto [name, value] : llvm::zip_equal(binding.names, *values)) {
    if (scope)
      scope->values[name] = value;
    else
      entry.values[name] = value;
  }
  return true;
}

FailureOr<SmallVector<Value>> ExprEmitter::emitMulti(const Expr &expr,
                                                     unsigned expected) {
  if (expr.kind != Expr::Kind::Call) {
    FailureOr<Value> value = emitExpr(expr);
    if (failed(value))
      return failure();
    if (expected != 1) {
      error(expr.loc, "this expression has one value, but " +
                          llvm::Twine(expected) + " names are bound");
      return failure();
    }
    return SmallVector<Value>{*value};
  }
  FailureOr<SmallVector<Value>> values = emitCall(expr);
  if (failed(values))
    return failure();
  if (values->size() != expected) {
    error(expr.loc, "'" + expr.name + "' returns " +
                        llvm::Twine(values->size()) + " value(s), but " +
                        llvm::Twine(expected) + " name(s) are bound");
    return failure();
  }
  return values;
}

FailureOr<Value> ExprEmitter::emitConstant(const Expr &expr,
                                           Type elementHint) {
  std::optional<Constant> constant = constants.evaluate(expr);
  if (!constant)
    return failure();
  Type element = elementHint ? elementHint : builder.getF32Type();
  auto type = RankedTensorType::get({}, element);
  Attribute value;
  if (auto floatType = dyn_cast<FloatType>(element))
    value = DenseElementsAttr::get(type, builder.getFloatAttr(
                                             floatType, constant->value));
  else
    value = DenseElementsAttr::get(
        type, builder.getIntegerAttr(element,
                                     static_cast<int64_t>(constant->value)));
  FailureOr<Operation *> op =
      createOp(ConstantOp::getOperationName(), expr.loc, {},
               builder.getNamedAttr("value", value), 1);
  if (failed(op))
    return failure();
  return (*op)->getResult(0);
}

FailureOr<Value> ExprEmitter::emitName(const Expr &expr, Type elementHint) {
  llvm::StringRef name = expr.name;
  if (scope) {
    if (Value value = scope->values.lookup(name))
      return value;
    if (scope->poisoned.count(name) ||
        symbols.undeclared.count((scope->def->name + "." + name).str()))
      return failure();
    auto param = symbols.params.find((scope->def->name + "." + name).str());
    if (param != symbols.params.end())
      return entry.paramArgument(param->second);
    if (symbols.configs.count(name))
      return emitConstant(expr, elementHint);
    if (symbols.bindings.count(name) || symbols.inputs.count(name) ||
        symbols.params.count(name)) {
      error(expr.loc, "'" + name + "' is defined outside def '" +
                          scope->def->name +
                          "'; a def sees only its arguments, its parameters "
                          "and configs, so pass it as an argument");
      return failure();
    }
  } else {
    if (Value value = entry.values.lookup(name))
      return value;
    if (entry.poisoned.count(name) || symbols.undeclared.count(name))
      return failure();
    if (symbols.inputs.count(name))
      return entry.inputArgument(name);
    auto param = symbols.params.find(name);
    if (param != symbols.params.end())
      return entry.paramArgument(param->second);
    if (symbols.configs.count(name))
      return emitConstant(expr, elementHint);
    auto binding = symbols.bindings.find(name);
    if (binding != symbols.bindings.end()) {
      auto [line, col] =
          context.sourceMgr.getLineAndColumn(binding->second.binding->loc);
      error(expr.loc, "'" + name + "' is used before its definition on line " +
                          llvm::Twine(line));
      return failure();
    }
  }
  if (symbols.defs.count(name)) {
    error(expr.loc, "'" + name + "' is a def; call it as " + name + "(...)");
    return failure();
  }
  if (lookupOpSignature(name)) {
    error(expr.loc, "'" + name + "' is a function; call it as " + name +
                        "(...)");
    return failure();
  }
  SmallVector<llvm::StringRef> known;
  for (const auto &b : symbols.bindings)
    known.push_back(b.first());
  for (const auto &i : symbols.inputs)
    known.push_back(i.first());
  for (const auto &p : symbols.params)
    known.push_back(p.first());
  for (const auto &c : symbols.configs)
    known.push_back(c.first());
  if (scope) {
    for (const auto &v : scope->values)
      known.push_back(v.first());
    for (const ParamDecl &param : scope->def->params)
      known.push_back(param.name);
  }
  error(expr.loc, "undefined name '" + name + "'" + suggestName(name, known));
  return failure();
}

FailureOr<SmallVector<Value>>
ExprEmitter::emitOperands(ArrayRef<const Expr *> exprs) {
  // Tensors first: a number among the operands takes their element type.
  SmallVector<Value> values(exprs.size());
  Type hint;
  bool ok = true;
  for (auto [i, expr] : llvm::enumerate(exprs)) {
    if (isConstant(*expr))
      continue;
    FailureOr<Value> value = emitExpr(*expr);
    if (failed(value)) {
      ok = false;
      continue;
    }
    values[i] = *value;
    if (!hint)
      hint = cast<ShapedType>(value->getType()).getElementType();
  }
  for (auto [i, expr] : llvm::enumerate(exprs)) {
    if (!isConstant(*expr))
      continue;
    FailureOr<Value> value = emitConstant(*expr, hint);
    if (failed(value)) {
      ok = false;
      continue;
    }
    values[i] = *value;
  }
  if (!ok)
    return failure();
  return values;
}

static llvm::StringRef binaryOpName(Expr::BinaryOp op) {
  switch (op) {
  case Expr::BinaryOp::Add:
    return AddOp::getOperationName();
  case Expr::BinaryOp::Sub:
    return SubOp::getOperationName();
  case Expr::BinaryOp::Mul:
    return MulOp::getOperationName();
  case Expr::BinaryOp::Div:
    return DivOp::getOperationName();
  default:
    return CompareOp::getOperationName();
  }
}

static ComparePredicate comparePredicate(Expr::BinaryOp op) {
  switch (op) {
  case Expr::BinaryOp::Lt:
    return ComparePredicate::lt;
  case Expr::BinaryOp::Le:
    return ComparePredicate::le;
  case Expr::BinaryOp::Gt:
    return ComparePredicate::gt;
  case Expr::BinaryOp::Ge:
    return ComparePredicate::ge;
  case Expr::BinaryOp::Eq:
    return ComparePredicate::eq;
  default:
    return ComparePredicate::ne;
  }
}

FailureOr<Value> ExprEmitter::emitExpr(const Expr &expr, Type elementHint) {
  switch (expr.kind) {
  case Expr::Kind::Number:
    return emitConstant(expr, elementHint);
  case Expr::Kind::Name:
    return emitName(expr, elementHint);
  case Expr::Kind::Negate: {
    FailureOr<Value> operand = emitExpr(*expr.operands[0], elementHint);
    if (failed(operand))
      return failure();
    FailureOr<Operation *> op =
        createOp(NegOp::getOperationName(), expr.loc, *operand, {}, 1);
    if (failed(op))
      return failure();
    return (*op)->getResult(0);
  }
  case Expr::Kind::Binary: {
    FailureOr<SmallVector<Value>> operands =
        emitOperands({expr.operands[0].get(), expr.operands[1].get()});
    if (failed(operands))
      return failure();
    SmallVector<NamedAttribute> attrs;
    if (expr.binaryOp > Expr::BinaryOp::Div)
      attrs.push_back(builder.getNamedAttr(
          "predicate",
          ComparePredicateAttr::get(&context.context,
                                    comparePredicate(expr.binaryOp))));
    FailureOr<Operation *> op = createOp(binaryOpName(expr.binaryOp),
                                         expr.loc, *operands, attrs, 1);
    if (failed(op))
      return failure();
    warnOnBatchBroadcast(expr, *operands, (*op)->getResult(0));
    return (*op)->getResult(0);
  }
  case Expr::Kind::Call: {
    FailureOr<SmallVector<Value>> values = emitCall(expr);
    if (failed(values))
      return failure();
    if (values->size() != 1) {
      error(expr.loc, "'" + expr.name + "' returns " +
                          llvm::Twine(values->size()) +
                          " values; bind them to as many names, as in "
                          "`a, b = " +
                          expr.name + "(...)`");
      return failure();
    }
    return values->front();
  }
  case Expr::Kind::List:
    error(expr.loc, "a list is only allowed as an argument value, such as "
                    "shape=[-1, 784]");
    return failure();
  case Expr::Kind::String:
    error(expr.loc, "a string is not a tensor");
    return failure();
  }
  return failure();
}

/// The dynamic dimensions of a value's type.
static int64_t dynamicDims(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type ? llvm::count_if(type.getShape(), ShapedType::isDynamic) : 0;
}

static std::string shapeText(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  std::string text = "[";
  for (auto [i, dim] : llvm::enumerate(type.getShape()))
    text += (i ? ", " : "") +
            (ShapedType::isDynamic(dim) ? std::string("N")
                                        : std::to_string(dim));
  return text + "]";
}

/// `pred - y` with pred [N, 1] and y [N] broadcasts to [N, N]: every
/// prediction against every target, which trains without complaint and
/// learns nothing (PyTorch's mse_loss warns about the same shapes).
void ExprEmitter::warnOnBatchBroadcast(const Expr &expr, ValueRange operands,
                                       Value result) {
  if (dynamicDims(result) < 2 ||
      llvm::any_of(operands, [](Value v) { return dynamicDims(v) > 1; }))
    return;
  context.diagnostics.warning(
      expr.loc, "batch-broadcast",
      "broadcasting " + shapeText(operands[0]) + " against " +
          shapeText(operands[1]) + " gives " + shapeText(result) +
          ", a value for every pair of samples; if both hold one value per "
          "sample, give them one shape (e.g. reshape(y, [-1, 1]))");
}

FailureOr<SmallVector<Value>> ExprEmitter::emitCall(const Expr &call) {
  // A def visible here: one declared before the def being emitted (so defs
  // cannot recurse), or any def at top level.
  auto def = symbols.defs.find(call.name);
  if (def != symbols.defs.end() &&
      (!scope || def->second->loc.getPointer() <
                     scope->def->loc.getPointer()))
    return emitDefCall(call, *def->second);
  if (const OpSignature *signature = lookupOpSignature(call.name))
    return emitBuiltinCall(call, *signature);
  if (def != symbols.defs.end()) {
    error(call.loc, "def '" + call.name + "' cannot be called from def '" +
                        scope->def->name + "', which is declared before it");
    return failure();
  }
  SmallVector<llvm::StringRef> known;
  for (const OpSignature &signature : getOpSignatures())
    known.push_back(signature.name);
  for (const auto &d : symbols.defs)
    known.push_back(d.first());
  error(call.loc,
        "unknown function '" + call.name + "'" + suggestName(call.name, known));
  return failure();
}

FailureOr<SmallVector<Value>>
ExprEmitter::emitDefCall(const Expr &call, const DefDecl &def) {
  if (call.arguments.size() != def.args.size()) {
    error(call.loc, "def '" + def.name + "' takes " +
                        llvm::Twine(def.args.size()) + " argument(s), got " +
                        llvm::Twine(call.arguments.size()));
    return failure();
  }
  SmallVector<const Expr *> exprs;
  for (const Argument &argument : call.arguments) {
    if (!argument.keyword.empty()) {
      error(argument.keywordLoc,
            "a def's arguments are positional; remove '" + argument.keyword +
                " ='");
      return failure();
    }
    exprs.push_back(argument.value.get());
  }
  FailureOr<SmallVector<Value>> args = emitOperands(exprs);
  if (failed(args))
    return failure();

  DefScope inner;
  inner.def = &def;
  for (auto [name, value] : llvm::zip_equal(def.args, *args))
    inner.values[name] = value;
  DefScope *outer = scope;
  scope = &inner;
  context.callStack.push_back(call.loc);
  bool ok = true;
  for (const Binding &binding : def.bindings)
    ok &= emitBinding(binding);
  SmallVector<Value> results;
  if (ok) {
    for (const ExprPtr &result : def.results) {
      FailureOr<Value> value = emitExpr(*result);
      if (failed(value)) {
        ok = false;
        break;
      }
      results.push_back(*value);
    }
  }
  context.callStack.pop_back();
  scope = outer;
  if (!ok)
    return failure();
  return results;
}

FailureOr<Attribute> ExprEmitter::convertAttr(const AttrSpec &spec,
                                              const Expr &value,
                                              llvm::StringRef callee) {
  auto fail = [&](const llvm::Twine &expected) -> FailureOr<Attribute> {
    error(value.loc, "'" + spec.name + "' of " + callee + " must be " +
                         expected);
    return failure();
  };
  auto integer = [&](const Expr &e) -> std::optional<int64_t> {
    std::optional<Constant> c = constants.evaluate(e);
    if (!c)
      return std::nullopt;
    if (!c->isInteger) {
      error(e.loc, "'" + spec.name + "' of " + callee +
                       " must be an integer, got " + formatNumber(c->value));
      return std::nullopt;
    }
    return static_cast<int64_t>(c->value);
  };
  auto name = [&]() -> std::optional<llvm::StringRef> {
    if (value.kind == Expr::Kind::Name || value.kind == Expr::Kind::String)
      return llvm::StringRef(value.name);
    return std::nullopt;
  };

  switch (spec.kind) {
  case AttrKind::Int: {
    std::optional<int64_t> v = integer(value);
    if (!v)
      return failure();
    return Attribute(builder.getI64IntegerAttr(*v));
  }
  case AttrKind::Float: {
    std::optional<Constant> c = constants.evaluate(value);
    if (!c)
      return failure();
    return Attribute(builder.getF64FloatAttr(c->value));
  }
  case AttrKind::Bool:
  case AttrKind::Unit: {
    std::optional<llvm::StringRef> word = name();
    if (!word || (*word != "true" && *word != "false"))
      return fail("true or false");
    if (spec.kind == AttrKind::Bool)
      return Attribute(builder.getBoolAttr(*word == "true"));
    return *word == "true" ? Attribute(builder.getUnitAttr()) : Attribute();
  }
  case AttrKind::IntList:
  case AttrKind::IntPair: {
    SmallVector<int64_t> values;
    if (value.kind == Expr::Kind::List) {
      for (const ExprPtr &element : value.operands) {
        std::optional<int64_t> v = integer(*element);
        if (!v)
          return failure();
        values.push_back(*v);
      }
    } else {
      std::optional<int64_t> v = integer(value);
      if (!v)
        return failure();
      values.assign(spec.kind == AttrKind::IntPair ? 2 : 1, *v);
    }
    return Attribute(builder.getDenseI64ArrayAttr(values));
  }
  case AttrKind::DType: {
    std::optional<llvm::StringRef> word = name();
    Type type;
    if (word)
      type = elementTypeNamed(context.context, *word);
    if (!type)
      return fail("an element type: f32, f64, i32, i64 or i1");
    return Attribute(TypeAttr::get(type));
  }
  case AttrKind::Reduction: {
    std::optional<llvm::StringRef> word = name();
    std::optional<Reduction> reduction =
        word ? symbolizeReduction(*word) : std::nullopt;
    if (!reduction)
      return fail("mean, sum or none");
    return Attribute(ReductionAttr::get(&context.context, *reduction));
  }
  case AttrKind::Gelu: {
    std::optional<llvm::StringRef> word = name();
    std::optional<GeluApproximation> approximation =
        word ? symbolizeGeluApproximation(*word) : std::nullopt;
    if (!approximation)
      return fail("exact or tanh");
    return Attribute(
        GeluApproximationAttr::get(&context.context, *approximation));
  }
  }
  return failure();
}

FailureOr<SmallVector<Value>>
ExprEmitter::emitBuiltinCall(const Expr &call, const OpSignature &signature) {
  llvm::StringRef callee = call.name;
  // Bind the arguments: positional ones fill the operands, then the
  // attributes, in order; keywords name either.
  struct Slot {
    llvm::StringRef name;
    bool optional = false;
    const Expr *value = nullptr;
  };
  SmallVector<Slot> operandSlots;
  bool variadic = false;
  for (llvm::StringRef operand : signature.operands) {
    if (operand.consume_back("..."))
      variadic = true;
    bool optional = operand.consume_back("?");
    operandSlots.push_back({operand, optional});
  }
  SmallVector<const Expr *> variadicValues;
  SmallVector<const Expr *> attrValues(signature.attrs.size(), nullptr);
  auto listOfNames = [&] {
    SmallVector<std::string> names;
    for (const Slot &slot : operandSlots)
      names.push_back(slot.name.str());
    for (const AttrSpec &attr : signature.attrs)
      names.push_back(attr.name.str());
    return names.empty() ? std::string("no arguments")
                         : llvm::join(names, ", ");
  };

  size_t positional = 0;
  for (const Argument &argument : call.arguments) {
    if (argument.keyword.empty()) {
      if (variadic) {
        variadicValues.push_back(argument.value.get());
        continue;
      }
      size_t index = positional++;
      if (index < operandSlots.size()) {
        operandSlots[index].value = argument.value.get();
      } else if (index - operandSlots.size() < attrValues.size()) {
        attrValues[index - operandSlots.size()] = argument.value.get();
      } else {
        error(argument.value->loc,
              callee + " takes at most " +
                  llvm::Twine(operandSlots.size() + attrValues.size()) +
                  " argument(s): " + listOfNames());
        return failure();
      }
      continue;
    }
    const Expr **target = nullptr;
    for (Slot &slot : operandSlots)
      if (slot.name == argument.keyword)
        target = &slot.value;
    for (auto [i, attr] : llvm::enumerate(signature.attrs))
      if (attr.name == argument.keyword)
        target = &attrValues[i];
    if (!target) {
      error(argument.keywordLoc, callee + " has no argument '" +
                                     argument.keyword + "'; it takes " +
                                     listOfNames());
      return failure();
    }
    if (*target) {
      error(argument.keywordLoc,
            "argument '" + argument.keyword + "' is given twice");
      return failure();
    }
    *target = argument.value.get();
  }

  // Operands.
  SmallVector<const Expr *> operandExprs;
  SmallVector<int32_t> segmentSizes;
  if (variadic) {
    if (variadicValues.empty()) {
      error(call.loc, callee + " needs at least one tensor");
      return failure();
    }
    operandExprs = variadicValues;
  }
  for (const Slot &slot : operandSlots) {
    if (variadic)
      break;
    if (!slot.value && !slot.optional) {
      error(call.loc, callee + " needs argument '" + slot.name + "'");
      return failure();
    }
    segmentSizes.push_back(slot.value ? 1 : 0);
    if (slot.value)
      operandExprs.push_back(slot.value);
  }
  FailureOr<SmallVector<Value>> operands = emitOperands(operandExprs);
  if (failed(operands))
    return failure();

  // Attributes.
  SmallVector<NamedAttribute> attrs;
  for (auto [spec, value] : llvm::zip_equal(signature.attrs, attrValues)) {
    if (!value) {
      if (spec.required) {
        error(call.loc, callee + " needs argument '" + spec.name + "'");
        return failure();
      }
      continue;
    }
    FailureOr<Attribute> attr = convertAttr(spec, *value, callee);
    if (failed(attr))
      return failure();
    if (*attr)
      attrs.push_back(builder.getNamedAttr(
          spec.opAttrName.empty() ? spec.name : spec.opAttrName, *attr));
  }

  unsigned numResults = signature.numResults;
  switch (signature.special) {
  case OpSpecial::Dropout:
    if (entry.mode() == EntryMode::Infer)
      return SmallVector<Value>{operands->front()};
    [[fallthrough]];
  case OpSpecial::Random: {
    Value key = entry.rngKeyArgument(call.loc);
    // The key comes right after the main input for dropout, first for the
    // random tensors, as the ops declare.
    auto position = signature.special == OpSpecial::Dropout
                        ? operands->begin() + 1
                        : operands->begin();
    operands->insert(position, key);
    attrs.push_back(builder.getNamedAttr(
        "stream", builder.getI64IntegerAttr(entry.takeStream())));
    break;
  }
  case OpSpecial::BatchNorm:
    numResults = 3;
    if (entry.mode() != EntryMode::Infer)
      attrs.push_back(builder.getNamedAttr("training", builder.getUnitAttr()));
    break;
  case OpSpecial::Lstm:
    attrs.push_back(builder.getNamedAttr(
        "operandSegmentSizes", builder.getDenseI32ArrayAttr(segmentSizes)));
    break;
  case OpSpecial::None:
    break;
  }

  FailureOr<Operation *> op =
      createOp(signature.opName, call.loc, *operands, attrs, numResults);
  if (failed(op))
    return failure();
  SmallVector<Value> results((*op)->getResults());

  if (signature.special == OpSpecial::BatchNorm) {
    // The running statistics are buffers; a train entry returns their new
    // values so the runtime can store them.
    if (entry.mode() != EntryMode::Infer) {
      for (unsigned i : {3u, 4u}) {
        const ParamInfo *param = entry.paramOfArgument((*operands)[i]);
        if (!param || !param->isBuffer) {
          error(operandExprs[i]->loc,
                "batch_norm's " + operandSlots[i].name +
                    " must be a buffer (declared with 'buffer'), so training "
                    "can update it");
          return failure();
        }
        bool updatedAlready =
            llvm::any_of(entry.bufferUpdates, [&](const auto &update) {
              return update.second == param->symbol;
            });
        if (updatedAlready) {
          error(call.loc, "buffer '" + param->symbol +
                              "' would be updated twice in one training "
                              "step; give each batch_norm its own buffers");
          return failure();
        }
        entry.bufferUpdates.emplace_back(results[i - 2], param->symbol);
      }
    }
    results.resize(1);
  }
  return results;
}
