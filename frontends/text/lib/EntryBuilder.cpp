//===- EntryBuilder.cpp - Arguments and results of an entry ---------------===//

#include "EntryBuilder.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::text;
using namespace kiln::text::detail;

/// Argument sort keys: inputs, then parameters, then the random key.
static constexpr int64_t kParamKeyBase = 1 << 20;
static constexpr int64_t kRngKeyKey = int64_t(1) << 40;

EntryBuilder::EntryBuilder(EmitterContext &context,
                           const ModelSymbols &symbols, OpBuilder &builder,
                           ModuleOp module, llvm::StringRef name,
                           EntryMode mode, llvm::SMLoc where)
    : context(context), symbols(symbols), builder(builder), entryMode(mode) {
  builder.setInsertionPointToEnd(module.getBody());
  function = func::FuncOp::create(builder, context.loc(where), name,
                                  builder.getFunctionType({}, {}));
  function.addEntryBlock();
  builder.setInsertionPointToStart(&function.getBody().front());
}

Value EntryBuilder::addArgument(int64_t key, Type type,
                                ArrayRef<NamedAttribute> attrs,
                                llvm::SMLoc where) {
  auto position =
      llvm::upper_bound(argumentKeys, key) - argumentKeys.begin();
  argumentKeys.insert(argumentKeys.begin() + position, key);
  // Inserting into a function we build ourselves cannot fail.
  (void)function.insertArgument(position, type,
                                builder.getDictionaryAttr(attrs),
                                context.loc(where));
  return function.getArgument(position);
}

Value EntryBuilder::inputArgument(llvm::StringRef name) {
  const InputInfo &input = symbols.inputs.find(name)->second;
  auto found = llvm::find(argumentKeys, input.order);
  if (found != argumentKeys.end())
    return function.getArgument(found - argumentKeys.begin());
  SmallVector<NamedAttribute, 2> attrs = {builder.getNamedAttr(
      KilnDialect::kInputArgAttrName, builder.getStringAttr(name))};
  if (input.noise)
    attrs.push_back(
        builder.getNamedAttr(KilnDialect::kNoiseArgAttrName, input.noise));
  return addArgument(input.order, input.type, attrs, input.loc);
}

Value EntryBuilder::paramArgument(const ParamInfo &param) {
  int64_t key = kParamKeyBase + param.order;
  auto found = llvm::find(argumentKeys, key);
  if (found != argumentKeys.end())
    return function.getArgument(found - argumentKeys.begin());
  return addArgument(
      key, param.type,
      builder.getNamedAttr(
          KilnDialect::kParamArgAttrName,
          FlatSymbolRefAttr::get(&context.context, param.symbol)),
      param.loc);
}

Value EntryBuilder::rngKeyArgument(llvm::SMLoc where) {
  if (!rngKey)
    rngKey = addArgument(
        kRngKeyKey, RankedTensorType::get({2}, builder.getI64Type()),
        builder.getNamedAttr(KilnDialect::kRngKeyArgAttrName,
                             builder.getUnitAttr()),
        where);
  return rngKey;
}

const ParamInfo *EntryBuilder::paramOfArgument(Value value) const {
  auto arg = dyn_cast<BlockArgument>(value);
  if (!arg || arg.getOwner()->getParentOp() != function)
    return nullptr;
  // FuncOp's accessors are not const; the handle is a copy.
  auto symbol = func::FuncOp(function).getArgAttrOfType<FlatSymbolRefAttr>(
      arg.getArgNumber(), KilnDialect::kParamArgAttrName);
  if (!symbol)
    return nullptr;
  auto it = symbols.params.find(symbol.getValue());
  return it == symbols.params.end() ? nullptr : &it->second;
}

void EntryBuilder::finish(ArrayRef<Value> results,
                          ArrayRef<NamedAttribute> resultAttrs) {
  builder.setInsertionPointToEnd(&function.getBody().front());
  func::ReturnOp::create(builder, function.getLoc(), results);
  function.setType(
      builder.getFunctionType(function.getBody().front().getArgumentTypes(),
                              ValueRange(results).getTypes()));
  for (auto [i, attr] : llvm::enumerate(resultAttrs))
    function.setResultAttrs(i, builder.getDictionaryAttr({attr}));
}
