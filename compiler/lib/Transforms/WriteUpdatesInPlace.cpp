//===- WriteUpdatesInPlace.cpp - The kiln-write-updates-in-place pass -----===//
//
// A train step's new parameters and optimizer state belong in the buffers
// the runtime passed in. Returning them instead would make bufferization's
// deallocation clone each one (a returned argument is not owned), and the
// runtime copy it back: three passes over every parameter per step.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/KilnDialect.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace kiln {
#define GEN_PASS_DEF_KILNWRITEUPDATESINPLACE
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
LogicalResult writeUpdatesInPlace(func::FuncOp func) {
  llvm::BitVector erased(func.getNumResults());
  for (unsigned i = 0, e = func.getNumResults(); i < e; ++i)
    if (func.getResultAttr(i, kiln::KilnDialect::kWritesArgumentAttrName))
      erased.set(i);
  if (erased.none())
    return success();
  for (Block &block : func.getBody()) {
    auto ret = dyn_cast<func::ReturnOp>(block.getTerminator());
    if (!ret)
      continue;
    OpBuilder builder(ret);
    for (unsigned i : erased.set_bits()) {
      auto index = func.getResultAttrOfType<IntegerAttr>(
          i, kiln::KilnDialect::kWritesArgumentAttrName);
      Value argument = func.getArgument(index.getInt());
      Value updated = ret.getOperand(i);
      if (!isa<MemRefType>(updated.getType()))
        return func.emitOpError("must be bufferized before its updates are "
                                "written in place");
      if (updated != argument)
        memref::CopyOp::create(builder, ret.getLoc(), updated, argument);
    }
    ret->eraseOperands(erased);
  }
  return func.eraseResults(erased);
}

struct WriteUpdatesInPlacePass
    : kiln::impl::KilnWriteUpdatesInPlaceBase<WriteUpdatesInPlacePass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (failed(writeUpdatesInPlace(func)))
        return signalPassFailure();
  }
};
} // namespace
