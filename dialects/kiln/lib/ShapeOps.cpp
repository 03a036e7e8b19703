//===- ShapeOps.cpp - Shape and data-movement ops -------------------------===//

#include "InferenceHelpers.h"

#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::detail;

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto input = getRankedType(adaptor.getInput());
  if (!input)
    return emitInferenceError(loc, getOperationName(),
                              "input must be a ranked tensor");
  std::string why;
  std::optional<shape::Shape> result =
      shape::reshape(input.getShape(), adaptor.getShape(), why);
  if (!result)
    return emitInferenceError(loc, getOperationName(), "cannot reshape ",
                              formatShape(input), " to ",
                              shape::format(adaptor.getShape()), ": ", why);
  inferred.push_back(input.clone(*result));
  return success();
}

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto input = getRankedType(adaptor.getInput());
  if (!input)
    return emitInferenceError(loc, getOperationName(),
                              "input must be a ranked tensor");
  // A scalar flattens like a one-element vector, as in PyTorch.
  int64_t rank = std::max<int64_t>(input.getRank(), 1);
  std::optional<int64_t> start =
      shape::normalizeAxis(adaptor.getStartDim(), rank);
  std::optional<int64_t> end = shape::normalizeAxis(adaptor.getEndDim(), rank);
  if (!start || !end || *start > *end)
    return emitInferenceError(
        loc, getOperationName(), "cannot flatten dimensions ",
        static_cast<int64_t>(adaptor.getStartDim()), " to ",
        static_cast<int64_t>(adaptor.getEndDim()), " of input shape ",
        formatShape(input));
  ArrayRef<int64_t> dims = input.getShape();
  shape::Shape result(dims.begin(), dims.begin() + *start);
  result.push_back(input.getRank() == 0
                       ? 1
                       : shape::numElements(dims.slice(*start,
                                                       *end - *start + 1)));
  result.append(dims.begin() + std::min<int64_t>(*end + 1, dims.size()),
                dims.end());
  inferred.push_back(input.clone(result));
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto input = getRankedType(adaptor.getInput());
  if (!input)
    return emitInferenceError(loc, getOperationName(),
                              "input must be a ranked tensor");
  ArrayRef<int64_t> perm = adaptor.getPerm();
  int64_t rank = input.getRank();
  llvm::SmallBitVector seen(rank);
  bool valid = static_cast<int64_t>(perm.size()) == rank;
  for (int64_t dim : perm) {
    if (!valid || dim < 0 || dim >= rank || seen.test(dim)) {
      valid = false;
      break;
    }
    seen.set(dim);
  }
  if (!valid)
    return emitInferenceError(loc, getOperationName(), "perm ",
                              shape::format(perm),
                              " is not a permutation of the dimensions of "
                              "input shape ",
                              formatShape(input));
  shape::Shape result;
  for (int64_t dim : perm)
    result.push_back(input.getDimSize(dim));
  inferred.push_back(input.clone(result));
  return success();
}

LogicalResult BroadcastToOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &inferred) {
  auto input = getRankedType(adaptor.getInput());
  if (!input)
    return emitInferenceError(loc, getOperationName(),
                              "input must be a ranked tensor");
  ArrayRef<int64_t> target = adaptor.getShape();
  ArrayRef<int64_t> dims = input.getShape();
  int64_t offset = target.size() - dims.size();
  auto fail = [&](const Twine &why) {
    return emitInferenceError(loc, getOperationName(), "cannot broadcast ",
                              formatShape(input), " to ",
                              shape::format(target), ": ", why.str());
  };
  if (offset < 0)
    return fail("the target has fewer dimensions than the input");
  shape::Shape result;
  for (auto [i, want] : llvm::enumerate(target)) {
    int64_t have = static_cast<int64_t>(i) < offset ? 1 : dims[i - offset];
    if (want == -1) {
      if (static_cast<int64_t>(i) < offset)
        return fail("-1 is only allowed where the input has a dimension");
      result.push_back(have);
      continue;
    }
    if (want < 0)
      return fail("sizes must be non-negative or -1");
    if (have != 1 && !shape::areCompatible(have, want))
      return fail("dimension " + Twine(i) + " of size " +
                  (shape::isDynamic(have) ? "?" : Twine(have).str()) +
                  " cannot stretch to " + Twine(want));
    result.push_back(want);
  }
  inferred.push_back(input.clone(result));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitInferenceError(loc, getOperationName(),
                              "needs at least one input");
  if (failed(requireRanked(loc, getOperationName(), inputs)))
    return failure();
  auto first = getRankedType(inputs[0]);
  std::optional<int64_t> axis =
      shape::normalizeAxis(adaptor.getAxis(), first.getRank());
  if (!axis)
    return emitInferenceError(loc, getOperationName(), "axis ",
                              static_cast<int64_t>(adaptor.getAxis()),
                              " is out of range for input #0 of shape ",
                              formatShape(first));
  shape::Shape result(first.getShape());
  for (auto [i, value] : llvm::enumerate(inputs.drop_front())) {
    auto type = getRankedType(value);
    size_t index = i + 1;
    if (type.getElementType() != first.getElementType())
      return emitInferenceError(loc, getOperationName(), "input #", index,
                                " has element type ", type.getElementType(),
                                " but input #0 has ", first.getElementType());
    if (type.getRank() != first.getRank())
      return emitInferenceError(loc, getOperationName(), "input #", index,
                                " has shape ", formatShape(type),
                                " of another rank than input #0 ",
                                formatShape(first));
    for (int64_t d = 0; d < first.getRank(); ++d) {
      int64_t size = type.getDimSize(d);
      if (d == *axis) {
        result[d] = shape::isDynamic(result[d]) || shape::isDynamic(size)
                        ? shape::kDynamic
                        : result[d] + size;
      } else if (!shape::areCompatible(result[d], size)) {
        return emitInferenceError(
            loc, getOperationName(), "input #", index, " has shape ",
            formatShape(type), " but input #0 has shape ", formatShape(first),
            ": they differ in dimension ", d, ", which is not the axis");
      } else if (shape::isDynamic(result[d])) {
        result[d] = size;
      }
    }
  }
  inferred.push_back(first.clone(result));
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  auto input = getRankedType(adaptor.getInput());
  if (!input)
    return emitInferenceError(loc, getOperationName(),
                              "input must be a ranked tensor");
  ArrayRef<int64_t> axes = adaptor.getAxes();
  ArrayRef<int64_t> starts = adaptor.getStarts();
  ArrayRef<int64_t> ends = adaptor.getEnds();
  SmallVector<int64_t> steps(axes.size(), 1);
  if (auto given = adaptor.getSteps())
    steps.assign(given->begin(), given->end());
  if (starts.size() != axes.size() || ends.size() != axes.size() ||
      steps.size() != axes.size())
    return emitInferenceError(loc, getOperationName(),
                              "axes, starts, ends and steps must have the "
                              "same length, got ",
                              axes.size(), ", ", starts.size(), ", ",
                              ends.size(), " and ", steps.size());
  shape::Shape result(input.getShape());
  llvm::SmallBitVector seen(input.getRank());
  for (size_t i = 0; i < axes.size(); ++i) {
    std::optional<int64_t> axis =
        shape::normalizeAxis(axes[i], input.getRank());
    if (!axis || seen.test(*axis))
      return emitInferenceError(loc, getOperationName(), "axis ", axes[i],
                                " is out of range or repeated for input "
                                "shape ",
                                formatShape(input));
    seen.set(*axis);
    if (steps[i] <= 0)
      return emitInferenceError(loc, getOperationName(), "step ", steps[i],
                                " along axis ", axes[i], " must be positive");
    result[*axis] =
        shape::sliceLength(result[*axis], starts[i], ends[i], steps[i]);
  }
  inferred.push_back(input.clone(result));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  auto input = getRankedType(adaptor.getInput());
  if (!input)
    return emitInferenceError(loc, getOperationName(),
                              "input must be a ranked tensor");
  ArrayRef<int64_t> low = adaptor.getLow(), high = adaptor.getHigh();
  int64_t rank = input.getRank();
  if (static_cast<int64_t>(low.size()) != rank ||
      static_cast<int64_t>(high.size()) != rank)
    return emitInferenceError(loc, getOperationName(),
                              "low and high need one entry per dimension of "
                              "input shape ",
                              formatShape(input), ", got ", low.size(),
                              " and ", high.size());
  shape::Shape result;
  for (int64_t d = 0; d < rank; ++d) {
    if (low[d] < 0 || high[d] < 0)
      return emitInferenceError(loc, getOperationName(),
                                "padding must be non-negative, got low ",
                                shape::format(low), " and high ",
                                shape::format(high));
    int64_t size = input.getDimSize(d);
    result.push_back(shape::isDynamic(size) ? size : size + low[d] + high[d]);
  }
  inferred.push_back(input.clone(result));
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  if (failed(requireRanked(loc, getOperationName(), adaptor.getOperands())))
    return failure();
  auto table = getRankedType(adaptor.getTable());
  auto indices = getRankedType(adaptor.getIndices());
  std::optional<int64_t> axis =
      shape::normalizeAxis(adaptor.getAxis(), table.getRank());
  if (!axis)
    return emitInferenceError(loc, getOperationName(), "axis ",
                              static_cast<int64_t>(adaptor.getAxis()),
                              " is out of range for table of shape ",
                              formatShape(table));
  ArrayRef<int64_t> dims = table.getShape();
  shape::Shape result(dims.begin(), dims.begin() + *axis);
  llvm::append_range(result, indices.getShape());
  result.append(dims.begin() + *axis + 1, dims.end());
  inferred.push_back(table.clone(result));
  return success();
}

LogicalResult OneHotOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto indices = getRankedType(adaptor.getIndices());
  if (!indices)
    return emitInferenceError(loc, getOperationName(),
                              "indices must be a ranked tensor");
  // I64Attr getters return uint64_t; depth is signed in the IR.
  auto depth = static_cast<int64_t>(adaptor.getDepth());
  if (depth <= 0)
    return emitInferenceError(loc, getOperationName(),
                              "depth must be positive, got ", depth);
  shape::Shape result(indices.getShape());
  result.push_back(depth);
  Type element = Float32Type::get(context);
  if (auto dtype = adaptor.getDtypeAttr())
    element = dtype.getValue();
  inferred.push_back(RankedTensorType::get(result, element));
  return success();
}

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &inferred) {
  auto value = adaptor.getValueAttr();
  auto type = value ? dyn_cast<RankedTensorType>(value.getType()) : nullptr;
  if (!type)
    return emitInferenceError(loc, getOperationName(),
                              "value must be a ranked tensor constant");
  inferred.push_back(type);
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

LogicalResult FullOp::inferReturnTypes(MLIRContext *context,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  ArrayRef<int64_t> shape = adaptor.getShape();
  if (llvm::any_of(shape, [](int64_t dim) { return dim < 0; }))
    return emitInferenceError(loc, getOperationName(),
                              "shape must be static and non-negative, got ",
                              shape::format(shape));
  Type element = adaptor.getDtype() ? *adaptor.getDtype()
                                    : Float32Type::get(context);
  inferred.push_back(RankedTensorType::get(shape, element));
  return success();
}
