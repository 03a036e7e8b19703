//===- KilnDialect.cpp - The kiln dialect ---------------------------------===//

#include "kiln/Dialect/KilnDialect.h"
#include "kiln/Dialect/KilnOps.h"
#include "kiln/Dialect/ShapeRules.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/IR/DialectImplementation.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace kiln;

static_assert(shape::kDynamic == ShapedType::kDynamic,
              "ShapeRules must use MLIR's dynamic-size sentinel");

#include "kiln/Dialect/KilnDialect.cpp.inc"
#include "kiln/Dialect/KilnEnums.cpp.inc"

#include "kiln/Dialect/DifferentiableOpInterface.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "kiln/Dialect/KilnAttrs.cpp.inc"

void KilnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "kiln/Dialect/KilnOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "kiln/Dialect/KilnAttrs.cpp.inc"
      >();
  attachGradientRules(*getContext());
}

LogicalResult kiln::OpTrait::verifyInference(Operation *op) {
  SmallVector<Type> inferred;
  if (failed(cast<InferTypeOpInterface>(op).inferReturnTypes(
          op->getContext(), op->getLoc(), op->getOperands(),
          op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
          op->getRegions(), inferred)))
    return failure();
  for (auto [i, result] : llvm::enumerate(op->getResults()))
    if (!areRefinableTypes(inferred[i], result.getType()))
      return op->emitOpError("result #")
             << i << " is declared " << result.getType()
             << " but its operands and attributes give " << inferred[i];
  return success();
}

FailureOr<Operation *> kiln::createInferred(OpBuilder &builder, Location loc,
                                          StringRef name, ValueRange operands,
                                          ArrayRef<NamedAttribute> attributes,
                                          unsigned numResults) {
  // Built with placeholder result types first, then given the inferred
  // ones.
  OperationState state(loc, name);
  state.addOperands(operands);
  state.addAttributes(attributes);
  state.addTypes(SmallVector<Type>(numResults, builder.getNoneType()));
  Operation *op = builder.create(state);
  SmallVector<Type> inferred;
  auto inferable = dyn_cast<InferTypeOpInterface>(op);
  if (!inferable) {
    op->erase();
    return emitError(loc, "'") << name << "' does not infer its types";
  }
  if (failed(inferable.inferReturnTypes(
          op->getContext(), loc, op->getOperands(),
          op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
          op->getRegions(), inferred))) {
    op->erase();
    return failure();
  }
  for (auto [result, type] : llvm::zip_equal(op->getResults(), inferred))
    result.setType(type);
  if (failed(verify(op))) {
    op->erase();
    return failure();
  }
  return op;
}

std::string kiln::formatNumber(double value) {
  SmallString<16> text;
  APFloat(value).toString(text);
  return text.str().str();
}

bool kiln::isRngKeyType(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.getRank() == 1 && tensor.getDimSize(0) == 2 &&
         tensor.getElementType().isSignlessInteger(64);
}

bool kiln::areRefinableTypes(TypeRange inferred, TypeRange actual) {
  if (inferred.size() != actual.size())
    return false;
  for (auto [want, have] : llvm::zip_equal(inferred, actual)) {
    auto wantTensor = dyn_cast<RankedTensorType>(want);
    auto haveTensor = dyn_cast<RankedTensorType>(have);
    if (!wantTensor || !haveTensor) {
      if (want != have)
        return false;
      continue;
    }
    if (wantTensor.getElementType() != haveTensor.getElementType() ||
        wantTensor.getRank() != haveTensor.getRank())
      return false;
    for (auto [a, b] :
         llvm::zip_equal(wantTensor.getShape(), haveTensor.getShape()))
      if (!shape::areCompatible(a, b))
        return false;
  }
  return true;
}
