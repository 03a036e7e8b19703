//===- ApproximateMath.cpp - The kiln-approximate-math pass ---------------===//
//
// Replaces f32 transcendental functions by MLIR's polynomial
// approximations (a few ULP from the C library): they vectorize, and the
// compiled module needs no libm for them.
//
// `math.rsqrt` is left to LLVM (a vector square root and division): MLIR's
// rsqrt approximation rewrites 8-lane vectors into x86vector AVX intrinsics,
// which would tie the module to AVX and need that dialect's own lowering.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNAPPROXIMATEMATH
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
struct ApproximateMathPass
    : kiln::impl::KilnApproximateMathBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef name) {
          return llvm::is_contained({"math.exp", "math.expm1", "math.log",
                                     "math.log1p", "math.log2", "math.tanh",
                                     "math.erf", "math.sin", "math.cos"},
                                    name);
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
