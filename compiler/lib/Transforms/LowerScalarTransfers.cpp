//===- LowerScalarTransfers.cpp - The kiln-lower-scalar-transfers pass ----===//
//
// A vector of one element (0-d, or 1 x ... x 1) read or written through a
// memref whose innermost stride is not 1 (a cropped or strided view) is
// lowered neither by convert-vector-to-scf, which unrolls ranks of one and
// more, nor by convert-vector-to-llvm, which needs a unit stride for
// vector loads: it reached LLVM translation as an unrealized cast. It is a
// scalar load or store, and upstream's scalar transfer patterns say so.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNLOWERSCALARTRANSFERS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
struct LowerScalarTransfersPass
    : kiln::impl::KilnLowerScalarTransfersBase<LowerScalarTransfersPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    vector::populateScalarVectorTransferLoweringPatterns(
        patterns, /*benefit=*/1, /*allowMultipleUses=*/true);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
