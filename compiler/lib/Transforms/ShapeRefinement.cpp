//===- ShapeRefinement.cpp - Propagating inferred shapes ------------------===//

#include "kiln/Transforms/ShapeRefinement.h"

#include "kiln/Dialect/KilnDialect.h"
#include "kiln/Dialect/ShapeRules.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

using namespace mlir;

/// The most static type that agrees with both `current` and `inferred`;
/// null when they are not both ranked tensors.
static RankedTensorType meet(Type current, Type inferred) {
  auto a = dyn_cast<RankedTensorType>(current);
  auto b = dyn_cast<RankedTensorType>(inferred);
  if (!a || !b || a.getRank() != b.getRank())
    return nullptr;
  SmallVector<int64_t> dims(a.getShape());
  for (auto [dim, other] : llvm::zip_equal(dims, b.getShape()))
    if (kiln::shape::isDynamic(dim))
      dim = other;
  return a.clone(dims);
}

/// Gives `result` its refined type; users that cannot follow (ops of other
/// dialects, whose own typing rules we do not know, and returns when the
/// signature stays) see the old type through a cast.
static void retype(OpResult result, RankedTensorType refined,
                   bool returnsFollow) {
  Type old = result.getType();
  result.setType(refined);
  Operation *producer = result.getOwner();
  tensor::CastOp cast;
  for (OpOperand &use : llvm::make_early_inc_range(result.getUses())) {
    Operation *user = use.getOwner();
    bool follows = isa<kiln::KilnDialect>(user->getDialect()) ||
                   (returnsFollow && user->hasTrait<OpTrait::ReturnLike>());
    if (follows)
      continue;
    if (!cast) {
      OpBuilder builder(producer->getContext());
      builder.setInsertionPointAfter(producer);
      cast = tensor::CastOp::create(builder, producer->getLoc(), old, result);
    }
    use.set(cast);
  }
}

LogicalResult kiln::refineShapes(FunctionOpInterface func,
                                 bool updateSignature) {
  WalkResult walk = func.walk([&](Operation *op) {
    auto inferable = dyn_cast<InferTypeOpInterface>(op);
    if (!inferable || !isa<KilnDialect>(op->getDialect()))
      return WalkResult::advance();
    SmallVector<Type> inferred;
    if (failed(inferable.inferReturnTypes(
            op->getContext(), op->getLoc(), op->getOperands(),
            op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
            op->getRegions(), inferred)))
      return WalkResult::interrupt();
    for (auto [result, type] : llvm::zip_equal(op->getResults(), inferred)) {
      RankedTensorType refined = meet(result.getType(), type);
      if (refined && refined != result.getType())
        retype(cast<OpResult>(result), refined, updateSignature);
    }
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();

  if (updateSignature && !func.isExternal()) {
    Operation *terminator = func.getFunctionBody().back().getTerminator();
    if (terminator && terminator->hasTrait<OpTrait::ReturnLike>())
      func.setType(FunctionType::get(func->getContext(),
                                     func.getArgumentTypes(),
                                     terminator->getOperandTypes()));
  }
  return success();
}
