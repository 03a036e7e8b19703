//===- GraphImporter.cpp - One ONNX graph into one entry function ---------===//

#include "GraphImporter.h"

#include "kiln/Dialect/KilnDialect.h"
#include "kiln/Dialect/KilnOps.h"

#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::onnx::detail;

GraphImporter::GraphImporter(MLIRContext &context, StringRef path)
    : context_(context), path_(path.str()), builder_(&context) {}

Location GraphImporter::fileLoc() {
  return FileLineColLoc::get(&context_, path_, 0, 0);
}

Location GraphImporter::nodeLoc(const ::onnx::NodeProto &node, unsigned index) {
  std::string name = node.name().empty() ? "#" + std::to_string(index)
                                         : "'" + node.name() + "'";
  return NameLoc::get(
      StringAttr::get(&context_, "node " + name + " (" + node.op_type() + ")"),
      fileLoc());
}

RankedTensorType GraphImporter::typeOf(StringRef name) const {
  auto found = values_.find(name);
  if (found == values_.end())
    return {};
  if (found->second.fillType)
    return found->second.fillType;
  if (found->second.value)
    return cast<RankedTensorType>(found->second.value.getType());
  return cast<RankedTensorType>(found->second.constant.getType());
}

std::optional<DenseElementsAttr>
GraphImporter::constantOf(StringRef name) const {
  auto found = values_.find(name);
  if (found == values_.end() || !found->second.constant)
    return std::nullopt;
  return found->second.constant;
}

void GraphImporter::define(StringRef name, Value value) {
  values_[name] = Named{value, {}, false, {}, 0};
}

void GraphImporter::defineConstant(StringRef name, DenseElementsAttr value,
                                   bool trainable) {
  values_[name] = Named{{}, value, trainable, {}, 0};
}

void GraphImporter::defineRunTimeFill(StringRef name, double value,
                                      RankedTensorType type) {
  values_[name] = Named{{}, {}, false, type, value};
}

std::optional<double> GraphImporter::runTimeFillOf(StringRef name) const {
  auto found = values_.find(name);
  if (found == values_.end() || !found->second.fillType)
    return std::nullopt;
  return found->second.fill;
}

Value GraphImporter::addParam(StringRef name, DenseElementsAttr value) {
  // Symbols must be unique; an initializer name normally is.
  std::string symbol = name.str();
  for (int suffix = 1; paramNames_.contains(symbol); ++suffix)
    symbol = name.str() + "." + std::to_string(suffix);
  paramNames_.insert(symbol);
  OpBuilder moduleBuilder(&context_);
  moduleBuilder.setInsertionPoint(entry_);
  OperationState state(fileLoc(), ParamOp::getOperationName());
  state.addAttribute("sym_name", moduleBuilder.getStringAttr(symbol));
  state.addAttribute("type", TypeAttr::get(value.getType()));
  state.addAttribute("init", InitKindAttr::get(&context_, InitKind::data));
  state.addAttribute("data", value);
  moduleBuilder.create(state);
  argAttrs_.push_back(builder_.getDictionaryAttr(
      builder_.getNamedAttr(KilnDialect::kParamArgAttrName,
                            FlatSymbolRefAttr::get(&context_, symbol))));
  return body_->addArgument(value.getType(), fileLoc());
}

FailureOr<Value> GraphImporter::materialize(StringRef name, Location loc) {
  auto found = values_.find(name);
  if (found == values_.end())
    return emitError(loc, "reads '") << name << "', which nothing defines";
  Named &named = found->second;
  if (named.value)
    return named.value;
  if (named.fillType)
    return emitError(loc, "reads '")
           << name << "', a tensor filled to a shape that holds the batch "
           << "size; Kiln takes such tensors only as a recurrent layer's "
           << "initial state";
  if (holdsRunTimeSize(named.constant))
    return emitError(loc, "reads '")
           << name << "', a shape computed from the batch size, which is "
           << "known only at run time; Kiln folds such shapes only into "
           << "Reshape";
  if (named.trainable) {
    named.value = addParam(name, named.constant);
  } else {
    OpBuilder::InsertionGuard guard(builder_);
    builder_.setInsertionPointToEnd(body_);
    named.value = ConstantOp::create(builder_, loc, named.constant);
  }
  return named.value;
}

LogicalResult GraphImporter::addInput(const ::onnx::ValueInfoProto &input) {
  Location loc = fileLoc();
  if (!input.type().has_tensor_type())
    return emitError(loc, "graph input '")
           << input.name() << "' is not a tensor (sequences, maps and "
           << "optionals are not supported)";
  const auto &tensor = input.type().tensor_type();
  Type element = elementTypeOf(tensor.elem_type(), &context_);
  if (!element)
    return emitError(loc, "graph input '")
           << input.name() << "' has element type "
           << onnxTypeName(tensor.elem_type())
           << ", which Kiln does not support (float, double, int32, int64 "
           << "and bool)";
  if (!tensor.has_shape())
    return emitError(loc, "graph input '")
           << input.name() << "' has no shape; Kiln needs its rank";
  SmallVector<int64_t> shape;
  for (const auto &dim : tensor.shape().dim()) {
    if (dim.has_dim_value()) {
      shape.push_back(dim.dim_value());
      continue;
    }
    if (!shape.empty())
      return emitError(loc, "graph input '")
             << input.name() << "' has a symbolic dimension " << shape.size()
             << " ('" << dim.dim_param()
             << "'); only the first dimension (the batch) may be";
    shape.push_back(ShapedType::kDynamic);
  }
  auto type = RankedTensorType::get(shape, element);
  argAttrs_.push_back(builder_.getDictionaryAttr(builder_.getNamedAttr(
      KilnDialect::kInputArgAttrName, builder_.getStringAttr(input.name()))));
  define(input.name(), body_->addArgument(type, loc));
  return success();
}

LogicalResult GraphImporter::importNode(const ::onnx::NodeProto &node,
                                        unsigned index, int64_t opset) {
  for (const std::string &input : node.input())
    if (poisoned_.contains(input)) {
      for (const std::string &output : node.output())
        poisoned_.insert(output);
      return failure();
    }
  auto poison = [&] {
    for (const std::string &output : node.output())
      poisoned_.insert(output);
    return failure();
  };
  if (!node.domain().empty() && node.domain() != "ai.onnx") {
    emitError(fileLoc(), "unsupported ONNX op '")
        << node.domain() << "." << node.op_type() << "' at node '"
        << node.name() << "': Kiln imports the default domain only";
    return poison();
  }
  const OpTable &table = opTable();
  auto importer = table.find(node.op_type());
  if (importer == table.end()) {
    emitError(fileLoc(), "unsupported ONNX op '")
        << node.op_type() << "' (opset " << opset << ") at node '"
        << node.name() << "'";
    return poison();
  }
  for (const std::string &input : node.input())
    if (!input.empty() && !isDefined(input)) {
      emitError(nodeLoc(node, index), "reads '")
          << input << "', which no earlier node, input or initializer "
          << "defines";
      return poison();
    }
  NodeContext context(*this, node, opset, nodeLoc(node, index));
  OpBuilder::InsertionGuard guard(builder_);
  builder_.setInsertionPointToEnd(body_);
  if (failed(importer->second(context)))
    return poison();
  for (const std::string &output : node.output())
    if (!output.empty() && !isDefined(output)) {
      emitError(nodeLoc(node, index), "defines no value for output '")
          << output << "'";
      return poison();
    }
  return success();
}

LogicalResult GraphImporter::importGraph(const ::onnx::GraphProto &graph,
                                         int64_t opset) {
  Location loc = fileLoc();
  bool ok = true;
  for (const ::onnx::TensorProto &initializer : graph.initializer()) {
    FailureOr<DenseElementsAttr> value =
        readTensor(initializer, &context_, [&] {
          return emitError(loc, "initializer '") << initializer.name() << "': ";
        });
    if (failed(value)) {
      ok = false;
      poisoned_.insert(initializer.name());
      continue;
    }
    defineConstant(initializer.name(), *value,
                   isa<FloatType>(value->getElementType()));
  }
  for (const ::onnx::ValueInfoProto &input : graph.input()) {
    // Before IR version 4, initializers were listed as inputs too.
    if (isDefined(input.name()) || poisoned_.contains(input.name()))
      continue;
    if (failed(addInput(input))) {
      ok = false;
      poisoned_.insert(input.name());
    }
  }
  for (int i = 0; i < graph.node_size(); ++i)
    if (failed(importNode(graph.node(i), i, opset)))
      ok = false;
  if (!ok)
    return failure();

  SmallVector<Value> results;
  SmallVector<DictionaryAttr> resultAttrs;
  for (const ::onnx::ValueInfoProto &output : graph.output()) {
    FailureOr<Value> value = materialize(output.name(), loc);
    if (failed(value))
      return failure();
    results.push_back(*value);
    resultAttrs.push_back(builder_.getDictionaryAttr(
        builder_.getNamedAttr(KilnDialect::kOutputResultAttrName,
                              builder_.getStringAttr(output.name()))));
  }
  if (results.empty())
    return emitError(loc, "the graph has no outputs");
  builder_.setInsertionPointToEnd(body_);
  func::ReturnOp::create(builder_, loc, results);
  entry_.setFunctionType(builder_.getFunctionType(
      body_->getArgumentTypes(), ValueRange(results).getTypes()));
  entry_.setAllArgAttrs(argAttrs_);
  entry_.setAllResultAttrs(resultAttrs);
  return success();
}

OwningOpRef<ModuleOp> GraphImporter::import(const ::onnx::ModelProto &model) {
  context_.loadDialect<KilnDialect, func::FuncDialect>();
  int64_t opset = 0;
  for (const auto &import : model.opset_import())
    if (import.domain().empty() || import.domain() == "ai.onnx")
      opset = import.version();
  if (opset == 0)
    opset = 1;
  const ::onnx::GraphProto &graph = model.graph();
  std::string name = graph.name().empty() ? "model" : graph.name();
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc(), name);
  module_ = *module;
  builder_.setInsertionPointToEnd(module->getBody());
  entry_ = func::FuncOp::create(builder_, fileLoc(), "infer",
                                builder_.getFunctionType({}, {}));
  entry_->setAttr(KilnDialect::kEntryAttrName,
                  EntryKindAttr::get(&context_, EntryKind::infer));
  body_ = entry_.addEntryBlock();
  if (failed(importGraph(graph, opset)) || failed(verify(*module)))
    return nullptr;
  return module;
}

//===----------------------------------------------------------------------===//
// Train entries for fine-tuning
//===----------------------------------------------------------------------===//

LogicalResult GraphImporter::addTrainEntries(const TrainEntry &train) {
  Location loc = fileLoc();
  bool classLoss = train.loss == "softmax_cross_entropy" ||
                   train.loss == "nll" || train.loss == "hinge";
  bool pointLoss = train.loss == "mse" || train.loss == "l1" ||
                   train.loss == "bce" || train.loss == "bce_with_logits";
  if (!classLoss && !pointLoss)
    return emitError(loc, "unknown loss '")
           << train.loss << "'; expected softmax_cross_entropy, nll, hinge, "
           << "mse, l1, bce or bce_with_logits";
  std::optional<OptimizerKind> kind = symbolizeOptimizerKind(train.optimizer);
  if (!kind)
    return emitError(loc, "unknown optimizer '")
           << train.optimizer << "'; expected sgd, adam, adamw or rmsprop";
  // The output the loss reads.
  unsigned index = 0;
  if (!train.output.empty()) {
    bool found = false;
    for (unsigned i = 0; i < entry_.getNumResults(); ++i)
      if (auto name = entry_.getResultAttrOfType<StringAttr>(
              i, KilnDialect::kOutputResultAttrName);
          name && name.getValue() == train.output) {
        index = i;
        found = true;
      }
    if (!found)
      return emitError(loc, "the model has no output '")
             << train.output << "' to train";
  }
  auto outputType = cast<RankedTensorType>(entry_.getResultTypes()[index]);
  StringRef targetName = classLoss ? "label" : "target";
  for (unsigned i = 0; i < entry_.getNumArguments(); ++i)
    if (auto name = entry_.getArgAttrOfType<StringAttr>(
            i, KilnDialect::kInputArgAttrName);
        name && name.getValue() == targetName)
      return emitError(loc, "the model already has an input '")
             << targetName << "'";
  RankedTensorType targetType = outputType;
  if (classLoss) {
    if (outputType.getRank() != 2)
      return emitError(loc, "a class loss needs scores [N, classes]; output ")
             << index << " is " << outputType;
    targetType = RankedTensorType::get({outputType.getDimSize(0)},
                                       builder_.getI32Type());
  }

  for (bool isTrain : {true, false}) {
    OpBuilder moduleBuilder(&context_);
    moduleBuilder.setInsertionPointToEnd(module_.getBody());
    auto func = cast<func::FuncOp>(moduleBuilder.clone(*entry_));
    func.setName(isTrain ? "step" : "step_loss");
    if (failed(func.insertArgument(
            func.getNumArguments(), targetType,
            builder_.getDictionaryAttr(
                builder_.getNamedAttr(KilnDialect::kInputArgAttrName,
                                      builder_.getStringAttr(targetName))),
            loc)))
      return failure();
    auto ret = cast<func::ReturnOp>(func.front().getTerminator());
    OpBuilder bodyBuilder(ret);
    FailureOr<Operation *> loss = createInferred(
        bodyBuilder, loc, "kiln." + train.loss,
        ValueRange{ret.getOperand(index), func.getArguments().back()}, {});
    if (failed(loss))
      return failure();
    ret->setOperands((*loss)->getResults());
    func.setFunctionType(builder_.getFunctionType(func.getArgumentTypes(),
                                                  (*loss)->getResultTypes()));
    SmallVector<DictionaryAttr> lossAttrs = {builder_.getDictionaryAttr(
        builder_.getNamedAttr(KilnDialect::kOutputResultAttrName,
                              builder_.getStringAttr("loss")))};
    func.setAllResultAttrs(lossAttrs);
    if (isTrain) {
      func->setAttr(KilnDialect::kEntryAttrName,
                    EntryKindAttr::get(&context_, EntryKind::train));
      func->setAttr(
          KilnDialect::kOptimizerAttrName,
          OptimizerAttr::get(&context_, *kind, builder_.getDictionaryAttr({})));
    } else {
      func->setAttr(KilnDialect::kLossOfAttrName,
                    FlatSymbolRefAttr::get(&context_, "step"));
    }
  }
  return verify(module_);
}
