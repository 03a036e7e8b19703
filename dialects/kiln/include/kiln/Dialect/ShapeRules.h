//===- ShapeRules.h - Shape arithmetic shared by ops and frontends -*- C++ -*-===//
//
// The shape rules of kiln ops as plain functions over dimension lists, so
// the op verifiers, the model-language frontend and unit tests share one
// definition. A dimension is a size >= 0 or kDynamic (unknown until run
// time, the same sentinel as mlir::ShapedType::kDynamic).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_SHAPERULES_H
#define KILN_DIALECT_SHAPERULES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace kiln::shape {

inline constexpr int64_t kDynamic = std::numeric_limits<int64_t>::min();
using Shape = llvm::SmallVector<int64_t, 6>;

inline bool isDynamic(int64_t dim) { return dim == kDynamic; }

/// Two sizes can describe the same dimension: equal, or one is unknown.
inline bool areCompatible(int64_t a, int64_t b) {
  return a == b || isDynamic(a) || isDynamic(b);
}

/// The product of the sizes, or kDynamic when any size is unknown.
int64_t numElements(llvm::ArrayRef<int64_t> shape);

/// `[?, 10]`-style text for diagnostics.
std::string format(llvm::ArrayRef<int64_t> shape);

/// Maps an axis in [-rank, rank) to [0, rank); nullopt when out of range.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// Numpy broadcasting: shapes aligned from the right, 1 stretches to any
/// size. An unknown size against 1 or another unknown stays unknown; against
/// a known size n > 1 it must be n at run time, so the result is n. Returns
/// nullopt for two different known sizes, neither 1.
std::optional<Shape> broadcast(llvm::ArrayRef<int64_t> a,
                               llvm::ArrayRef<int64_t> b);

/// The shape after reducing `axes` (all axes when empty), dropping them or
/// keeping size 1. Nullopt when an axis is out of range or repeated.
std::optional<Shape> reduce(llvm::ArrayRef<int64_t> shape,
                            llvm::ArrayRef<int64_t> axes, bool keepDims);

/// Output size of a sliding window (convolution, pooling); kDynamic for an
/// unknown input. A result below 1 means the window does not fit.
int64_t windowOutputSize(int64_t input, int64_t kernel, int64_t stride,
                         int64_t padding, int64_t dilation);

/// Output size of a transposed convolution; kDynamic for an unknown input.
int64_t transposedWindowOutputSize(int64_t input, int64_t kernel,
                                   int64_t stride, int64_t padding,
                                   int64_t outputPadding, int64_t dilation);

/// Resolves a reshape target with at most one -1 entry. On failure returns
/// nullopt and says why in `why`.
std::optional<Shape> reshape(llvm::ArrayRef<int64_t> input,
                             llvm::ArrayRef<int64_t> target, std::string &why);

/// Number of elements that a slice with `step > 0` keeps of a dimension of
/// `size` (kDynamic when the size is unknown), clamping start and end the
/// way ONNX and Python do.
int64_t sliceLength(int64_t size, int64_t start, int64_t end, int64_t step);

} // namespace kiln::shape

#endif // KILN_DIALECT_SHAPERULES_H
