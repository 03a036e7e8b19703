//===- LinalgOps.cpp - Matrix products ------------------------------------===//

#include "InferenceHelpers.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::detail;

/// Formats a size for messages.
static std::string formatDim(int64_t dim) {
  return shape::isDynamic(dim) ? "?" : std::to_string(dim);
}

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  StringRef name = getOperationName();
  if (failed(requireRanked(loc, name, adaptor.getOperands())))
    return failure();
  auto lhs = getRankedType(adaptor.getLhs());
  auto rhs = getRankedType(adaptor.getRhs());
  if (lhs.getRank() < 2 || rhs.getRank() < 2)
    return emitInferenceError(loc, name, "operands need rank 2 or more: lhs "
                                         "has shape ",
                              formatShape(lhs), ", rhs has shape ",
                              formatShape(rhs));
  if (lhs.getElementType() != rhs.getElementType())
    return emitInferenceError(loc, name,
                              "operands have different element types: lhs "
                              "is ",
                              lhs.getElementType(), ", rhs is ",
                              rhs.getElementType());
  int64_t lr = lhs.getRank(), rr = rhs.getRank();
  bool tl = adaptor.getTransposeLhs(), tr = adaptor.getTransposeRhs();
  int64_t m = lhs.getDimSize(tl ? lr - 1 : lr - 2);
  int64_t kl = lhs.getDimSize(tl ? lr - 2 : lr - 1);
  int64_t kr = rhs.getDimSize(tr ? rr - 1 : rr - 2);
  int64_t n = rhs.getDimSize(tr ? rr - 2 : rr - 1);
  if (!shape::areCompatible(kl, kr))
    return emitInferenceError(
        loc, name, "contraction sizes differ: lhs has shape ",
        formatShape(lhs), " (K = ", formatDim(kl), "), rhs has shape ",
        formatShape(rhs), " (K = ", formatDim(kr), ")");
  std::optional<shape::Shape> batch = shape::broadcast(
      lhs.getShape().drop_back(2), rhs.getShape().drop_back(2));
  if (!batch)
    return emitInferenceError(loc, name,
                              "batch dimensions do not broadcast: lhs has "
                              "shape ",
                              formatShape(lhs), ", rhs has shape ",
                              formatShape(rhs));
  batch->push_back(m);
  batch->push_back(n);
  inferred.push_back(lhs.clone(*batch));
  return success();
}

LogicalResult DenseOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  StringRef name = getOperationName();
  if (failed(requireRanked(loc, name, adaptor.getOperands())))
    return failure();
  auto input = getRankedType(adaptor.getInput());
  auto weight = getRankedType(adaptor.getWeight());
  auto bias = getRankedType(adaptor.getBias());
  if (input.getRank() < 1)
    return emitInferenceError(loc, name, "input must have rank 1 or more");
  if (weight.getRank() != 2)
    return emitInferenceError(loc, name, "weight must be [out, in], got shape ",
                              formatShape(weight));
  int64_t in = input.getShape().back();
  if (!shape::areCompatible(in, weight.getDimSize(1)))
    return emitInferenceError(loc, name, "input has shape ",
                              formatShape(input), " with ", formatDim(in),
                              " features but weight has shape ",
                              formatShape(weight), " expecting ",
                              formatDim(weight.getDimSize(1)));
  for (auto type : {weight, bias})
    if (type && type.getElementType() != input.getElementType())
      return emitInferenceError(loc, name, "element types differ: input is ",
                                input.getElementType(), ", parameters are ",
                                type.getElementType());
  if (bias && (bias.getRank() != 1 ||
               !shape::areCompatible(bias.getDimSize(0), weight.getDimSize(0))))
    return emitInferenceError(loc, name, "bias has shape ", formatShape(bias),
                              " but weight has shape ", formatShape(weight),
                              ": expected [", formatDim(weight.getDimSize(0)),
                              "]");
  shape::Shape result(input.getShape());
  result.back() = weight.getDimSize(0);
  inferred.push_back(input.clone(result));
  return success();
}
