//===- NodeContext.cpp - What an ONNX op's importer works with ------------===//

#include "NodeContext.h"
#include "GraphImporter.h"

#include "kiln/Dialect/KilnOps.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::onnx::detail;

NodeContext::NodeContext(GraphImporter &graph, const ::onnx::NodeProto &node,
                         int64_t opset, Location loc)
    : node(node), opset(opset), builder(graph.builder()), loc(loc),
      graph_(graph) {}

bool NodeContext::hasInput(unsigned i) const {
  return i < static_cast<unsigned>(node.input_size()) && !node.input(i).empty();
}

FailureOr<Value> NodeContext::input(unsigned i) {
  if (!hasInput(i))
    return error() << "needs input " << i;
  return graph_.materialize(node.input(i), loc);
}

LogicalResult NodeContext::appendIfGiven(unsigned i,
                                         SmallVectorImpl<Value> &values) {
  if (!hasInput(i))
    return success();
  FailureOr<Value> value = input(i);
  if (failed(value))
    return failure();
  values.push_back(*value);
  return success();
}

RankedTensorType NodeContext::inputType(unsigned i) {
  return hasInput(i) ? graph_.typeOf(node.input(i)) : RankedTensorType();
}

std::optional<DenseElementsAttr> NodeContext::constantInput(unsigned i) {
  if (!hasInput(i))
    return std::nullopt;
  return graph_.constantOf(node.input(i));
}

FailureOr<SmallVector<int64_t>> NodeContext::constantInts(unsigned i,
                                                          StringRef what) {
  std::optional<DenseElementsAttr> value = constantInput(i);
  if (!value)
    return unsupported(Twine("its ") + what +
                       " must be known when the model compiles (an "
                       "initializer or a constant), not computed at run "
                       "time");
  SmallVector<int64_t> ints;
  if (isa<IntegerType>(value->getElementType())) {
    for (const APInt &v : value->getValues<APInt>())
      ints.push_back(v.getSExtValue());
  } else {
    for (const APFloat &v : value->getValues<APFloat>())
      ints.push_back(static_cast<int64_t>(v.convertToDouble()));
  }
  return ints;
}

bool kiln::onnx::detail::holdsRunTimeSize(DenseElementsAttr value) {
  if (!value || !value.getElementType().isInteger(64))
    return false;
  for (const APInt &v : value.getValues<APInt>())
    if (v.getSExtValue() == kRunTimeSize)
      return true;
  return false;
}

std::optional<double> NodeContext::runTimeFill(unsigned i) {
  if (!hasInput(i))
    return std::nullopt;
  return graph_.runTimeFillOf(node.input(i));
}

void NodeContext::setRunTimeFillResult(unsigned i, double value,
                                       RankedTensorType type) {
  if (hasOutput(i))
    graph_.defineRunTimeFill(node.output(i), value, type);
}

FailureOr<double> NodeContext::constantScalar(unsigned i, StringRef what) {
  std::optional<DenseElementsAttr> value = constantInput(i);
  if (!value || value->getNumElements() != 1)
    return unsupported(Twine("its ") + what +
                       " must be one number known when the model compiles");
  if (isa<IntegerType>(value->getElementType()))
    return static_cast<double>((*value->value_begin<APInt>()).getSExtValue());
  return (*value->value_begin<APFloat>()).convertToDouble();
}

const ::onnx::AttributeProto *NodeContext::attr(StringRef name) const {
  for (const ::onnx::AttributeProto &attribute : node.attribute())
    if (attribute.name() == name)
      return &attribute;
  return nullptr;
}

bool NodeContext::hasAttr(StringRef name) const {
  return attr(name) != nullptr;
}

int64_t NodeContext::intAttr(StringRef name, int64_t fallback) const {
  const ::onnx::AttributeProto *found = attr(name);
  return found && found->has_i() ? found->i() : fallback;
}

double NodeContext::floatAttr(StringRef name, double fallback) const {
  const ::onnx::AttributeProto *found = attr(name);
  return found && found->has_f() ? found->f() : fallback;
}

std::string NodeContext::stringAttr(StringRef name, StringRef fallback) const {
  const ::onnx::AttributeProto *found = attr(name);
  return found && found->has_s() ? found->s() : fallback.str();
}

std::optional<SmallVector<int64_t>>
NodeContext::intsAttr(StringRef name) const {
  const ::onnx::AttributeProto *found = attr(name);
  if (!found)
    return std::nullopt;
  return SmallVector<int64_t>(found->ints().begin(), found->ints().end());
}

bool NodeContext::hasOutput(unsigned i) const {
  return i < static_cast<unsigned>(node.output_size()) &&
         !node.output(i).empty();
}

void NodeContext::setResult(unsigned i, Value value) {
  if (hasOutput(i))
    graph_.define(node.output(i), value);
}

void NodeContext::setConstantResult(unsigned i, DenseElementsAttr value) {
  if (hasOutput(i))
    graph_.defineConstant(node.output(i), value);
}

FailureOr<Operation *>
NodeContext::createMulti(StringRef name, ValueRange operands,
                         ArrayRef<NamedAttribute> attributes,
                         unsigned numResults) {
  return createInferred(builder, loc, name, operands, attributes, numResults);
}

FailureOr<Value> NodeContext::create(StringRef name, ValueRange operands,
                                     ArrayRef<NamedAttribute> attributes) {
  FailureOr<Operation *> op = createMulti(name, operands, attributes, 1);
  if (failed(op))
    return failure();
  return (*op)->getResult(0);
}

Value NodeContext::constant(DenseElementsAttr value) {
  return ConstantOp::create(builder, loc, value);
}

FailureOr<Value> NodeContext::compare(ComparePredicate predicate, Value lhs,
                                      Value rhs) {
  return create("kiln.compare", ValueRange{lhs, rhs},
                {named("predicate", ComparePredicateAttr::get(
                                        builder.getContext(), predicate))});
}

FailureOr<Value> NodeContext::reshape(Value x, ArrayRef<int64_t> shape) {
  return create("kiln.reshape", ValueRange{x}, {named("shape", ints(shape))});
}

Value NodeContext::scalarLike(Value like, double value) {
  Type element = getElementTypeOrSelf(like.getType());
  auto type = RankedTensorType::get({}, element);
  Attribute scalar;
  if (isa<FloatType>(element))
    scalar = FloatAttr::get(element, value);
  else if (element.isInteger(1))
    scalar = BoolAttr::get(builder.getContext(), value != 0);
  else
    scalar = IntegerAttr::get(element, static_cast<int64_t>(value));
  return constant(DenseElementsAttr::get(type, {scalar}));
}

InFlightDiagnostic NodeContext::error() { return emitError(loc); }

LogicalResult NodeContext::unsupported(const Twine &why) {
  return emitError(loc) << "this use of " << node.op_type()
                        << " is not supported: " << why;
}

//===----------------------------------------------------------------------===//
// Tensors and types
//===----------------------------------------------------------------------===//

Type kiln::onnx::detail::elementTypeOf(int32_t onnxType, MLIRContext *context) {
  Builder builder(context);
  switch (onnxType) {
  case ::onnx::TensorProto::FLOAT:
    return builder.getF32Type();
  case ::onnx::TensorProto::DOUBLE:
    return builder.getF64Type();
  case ::onnx::TensorProto::INT32:
    return builder.getI32Type();
  case ::onnx::TensorProto::INT64:
    return builder.getI64Type();
  case ::onnx::TensorProto::BOOL:
    return builder.getI1Type();
  default:
    return {};
  }
}

std::string kiln::onnx::detail::onnxTypeName(int32_t onnxType) {
  if (::onnx::TensorProto::DataType_IsValid(onnxType))
    return ::onnx::TensorProto::DataType_Name(
        static_cast<::onnx::TensorProto::DataType>(onnxType));
  return "data type " + std::to_string(onnxType);
}

namespace {
/// The elements of `tensor` as T: from raw_data (little endian) or from
/// the typed field `field`.
template <typename T, typename Field>
bool readValues(const ::onnx::TensorProto &tensor, const Field &field,
                int64_t count, std::vector<T> &values) {
  if (tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    if (raw.size() != count * sizeof(T))
      return false;
    values.resize(count);
    std::memcpy(values.data(), raw.data(), raw.size());
    return true;
  }
  if (field.size() != count)
    return false;
  values.assign(field.begin(), field.end());
  return true;
}
} // namespace

FailureOr<DenseElementsAttr>
kiln::onnx::detail::readTensor(const ::onnx::TensorProto &tensor,
                               MLIRContext *context,
                               function_ref<InFlightDiagnostic()> emitError) {
  if (tensor.data_location() == ::onnx::TensorProto::EXTERNAL)
    return emitError() << "its data is in an external file, which Kiln "
                          "does not read";
  if (tensor.has_segment())
    return emitError() << "segmented tensors are not supported";
  Type element = elementTypeOf(tensor.data_type(), context);
  if (!element)
    return emitError() << "element type " << onnxTypeName(tensor.data_type())
                       << " is not supported";
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0)
      return emitError() << "has a negative dimension";
    count *= dim;
  }
  auto type = RankedTensorType::get(shape, element);
  auto bad = [&] {
    return emitError() << "holds the wrong number of values for shape ["
                       << llvm::make_range(shape.begin(), shape.end()) << "]";
  };
  switch (tensor.data_type()) {
  case ::onnx::TensorProto::FLOAT: {
    std::vector<float> values;
    if (!readValues(tensor, tensor.float_data(), count, values))
      return bad();
    return DenseElementsAttr::get(type, llvm::ArrayRef(values));
  }
  case ::onnx::TensorProto::DOUBLE: {
    std::vector<double> values;
    if (!readValues(tensor, tensor.double_data(), count, values))
      return bad();
    return DenseElementsAttr::get(type, llvm::ArrayRef(values));
  }
  case ::onnx::TensorProto::INT32: {
    std::vector<int32_t> values;
    if (!readValues(tensor, tensor.int32_data(), count, values))
      return bad();
    return DenseElementsAttr::get(type, llvm::ArrayRef(values));
  }
  case ::onnx::TensorProto::INT64: {
    std::vector<int64_t> values;
    if (!readValues(tensor, tensor.int64_data(), count, values))
      return bad();
    return DenseElementsAttr::get(type, llvm::ArrayRef(values));
  }
  case ::onnx::TensorProto::BOOL: {
    // One byte per element in raw_data; int32_data otherwise.
    std::vector<int32_t> wide;
    if (tensor.has_raw_data()) {
      if (tensor.raw_data().size() != static_cast<size_t>(count))
        return bad();
      wide.assign(tensor.raw_data().begin(), tensor.raw_data().end());
    } else if (!readValues(tensor, tensor.int32_data(), count, wide)) {
      return bad();
    }
    SmallVector<bool> values(wide.begin(), wide.end());
    for (size_t i = 0; i < wide.size(); ++i)
      values[i] = wide[i] != 0;
    return DenseElementsAttr::get(type, llvm::ArrayRef(values));
  }
  default:
    return emitError() << "element type " << onnxTypeName(tensor.data_type())
                       << " is not supported";
  }
}
