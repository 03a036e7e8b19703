//===- ShapeRules.cpp - Shape arithmetic shared by ops and frontends ------===//

#include "kiln/Dialect/ShapeRules.h"

#include "llvm/ADT/SmallBitVector.h"

#include <algorithm>

namespace kiln::shape {

int64_t numElements(llvm::ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (isDynamic(dim))
      return kDynamic;
    count *= dim;
  }
  return count;
}

std::string format(llvm::ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (auto [i, dim] : llvm::enumerate(shape)) {
    if (i)
      text += ", ";
    text += isDynamic(dim) ? "?" : std::to_string(dim);
  }
  return text + "]";
}

std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

std::optional<Shape> broadcast(llvm::ArrayRef<int64_t> a,
                               llvm::ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  Shape result(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align from the right; a missing leading dimension acts as 1.
    int64_t x = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t y = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (x == 1)
      result[i] = y;
    else if (y == 1)
      result[i] = x;
    else if (isDynamic(x))
      result[i] = y;
    else if (isDynamic(y) || x == y)
      result[i] = x;
    else
      return std::nullopt;
  }
  return result;
}

std::optional<Shape> reduce(llvm::ArrayRef<int64_t> shape,
                            llvm::ArrayRef<int64_t> axes, bool keepDims) {
  int64_t rank = shape.size();
  llvm::SmallBitVector reduced(rank, axes.empty());
  for (int64_t axis : axes) {
    std::optional<int64_t> normalized = normalizeAxis(axis, rank);
    if (!normalized || reduced.test(*normalized))
      return std::nullopt;
    reduced.set(*normalized);
  }
  Shape result;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced.test(i))
      result.push_back(shape[i]);
    else if (keepDims)
      result.push_back(1);
  }
  return result;
}

int64_t windowOutputSize(int64_t input, int64_t kernel, int64_t stride,
                         int64_t padding, int64_t dilation) {
  if (isDynamic(input))
    return kDynamic;
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t padded = input + 2 * padding;
  if (padded < span)
    return 0;
  return (padded - span) / stride + 1;
}

int64_t transposedWindowOutputSize(int64_t input, int64_t kernel,
                                   int64_t stride, int64_t padding,
                                   int64_t outputPadding, int64_t dilation) {
  if (isDynamic(input))
    return kDynamic;
  return (input - 1) * stride - 2 * padding + dilation * (kernel - 1) +
         outputPadding + 1;
}

std::optional<Shape> reshape(llvm::ArrayRef<int64_t> input,
                             llvm::ArrayRef<int64_t> target, std::string &why) {
  std::optional<size_t> inferredAt;
  int64_t knownProduct = 1;
  for (auto [i, dim] : llvm::enumerate(target)) {
    if (dim == -1) {
      if (inferredAt) {
        why = "at most one entry of the target shape may be -1";
        return std::nullopt;
      }
      inferredAt = i;
      continue;
    }
    if (dim < 0) {
      why = "target sizes must be non-negative or -1, got " +
            std::to_string(dim);
      return std::nullopt;
    }
    knownProduct *= dim;
  }
  Shape result(target.begin(), target.end());
  int64_t count = numElements(input);
  if (inferredAt) {
    if (isDynamic(count)) {
      result[*inferredAt] = kDynamic;
    } else if (knownProduct == 0 || count % knownProduct != 0) {
      why = "cannot infer the -1 entry: " + std::to_string(count) +
            " elements are not a multiple of " + std::to_string(knownProduct);
      return std::nullopt;
    } else {
      result[*inferredAt] = count / knownProduct;
    }
    return result;
  }
  if (!isDynamic(count) && count != knownProduct) {
    why = "input has " + std::to_string(count) +
          " elements but the target shape holds " +
          std::to_string(knownProduct);
    return std::nullopt;
  }
  return result;
}

int64_t sliceLength(int64_t size, int64_t start, int64_t end, int64_t step) {
  if (isDynamic(size))
    return kDynamic;
  auto clampIndex = [size](int64_t index) {
    if (index < 0)
      index = index < -size ? 0 : index + size;
    return std::min(index, size);
  };
  int64_t first = clampIndex(start), last = clampIndex(end);
  if (last <= first)
    return 0;
  return (last - first + step - 1) / step;
}

} // namespace kiln::shape
