//===- RandomOps.cpp - Counter-based random number ops --------------------===//

#include "InferenceHelpers.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::detail;

LogicalResult kiln::detail::inferRandomTensor(
    MLIRContext *context, std::optional<Location> loc, StringRef opName, Value like,
    std::optional<ArrayRef<int64_t>> shape, std::optional<Type> dtype,
    SmallVectorImpl<Type> &inferred) {
  if (like) {
    auto likeType = getRankedType(like);
    if (!likeType)
      return emitInferenceError(loc, opName, "like must be a ranked tensor");
    if (shape || dtype)
      return emitInferenceError(loc, opName,
                                "takes its shape either from 'like' or from "
                                "'shape' and 'dtype', not both");
    inferred.push_back(likeType);
    return success();
  }
  if (!shape)
    return emitInferenceError(loc, opName,
                              "needs a 'like' operand or a 'shape'");
  if (llvm::any_of(*shape, [](int64_t dim) { return dim < 0; }))
    return emitInferenceError(loc, opName,
                              "shape must be static and non-negative, got ",
                              shape::format(*shape));
  Type element = dtype ? *dtype : Float32Type::get(context);
  inferred.push_back(RankedTensorType::get(*shape, element));
  return success();
}

LogicalResult BernoulliOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto probs = getRankedType(adaptor.getProbs());
  if (!probs)
    return emitInferenceError(loc, getOperationName(),
                              "probs must be a ranked tensor");
  inferred.push_back(probs);
  return success();
}
