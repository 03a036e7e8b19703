//===- MathToLibm.cpp - The kiln-math-to-libm pass ------------------------===//
//
// The math functions that neither kiln-approximate-math (f32 only) nor
// LLVM's intrinsics cover become calls into the C library: f64 `erf` and
// `erfc`, which the exact GELU and `erf` itself need in f64 models. Every
// other math op is left for convert-to-llvm, whose intrinsics stay vector
// instructions (upstream's convert-math-to-libm would also turn floor,
// round and the like into scalar calls).
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"

namespace kiln {
#define GEN_PASS_DEF_KILNMATHTOLIBM
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
/// Whether `op` computes on f64 elements (scalars or vectors).
bool isF64(Operation *op) {
  return getElementTypeOrSelf(op->getResultTypes().front()).isF64();
}

struct MathToLibmPass : kiln::impl::KilnMathToLibmBase<MathToLibmPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    ConversionTarget target(*context);
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    target.addDynamicallyLegalOp<math::ErfOp, math::ErfcOp>(
        [](Operation *op) { return !isF64(op); });
    RewritePatternSet patterns(context);
    populateMathToLibmConversionPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
