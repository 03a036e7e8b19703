//===- AccumulatorHoisting.cpp - Accumulators in registers ----------------===//

#include "kiln/Transforms/AccumulatorHoisting.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;

namespace {

/// The read and the write of one loop-carried accumulator tile.
struct AccumulatorTile {
  Operation *read;
  Operation *write;
  Value stored; ///< what the write writes
};

bool definedOutside(Value value, scf::ForOp loop) {
  return !loop->isAncestor(value.getParentRegion()->getParentOp());
}

/// Whether `read` and `write` access the same part of the tile (as the
/// vectorizer emits them: the very same index values and attributes).
bool sameSubset(Operation *read, Operation *write) {
  if (auto r = dyn_cast<vector::TransferReadOp>(read)) {
    auto w = dyn_cast<vector::TransferWriteOp>(write);
    return w && !r.getMask() && !w.getMask() &&
           r.getVectorType() == w.getVectorType() &&
           r.getPermutationMap() == w.getPermutationMap() &&
           r.getInBoundsAttr() == w.getInBoundsAttr() &&
           r.getIndices() == w.getIndices();
  }
  auto r = dyn_cast<tensor::ExtractSliceOp>(read);
  auto w = dyn_cast<tensor::InsertSliceOp>(write);
  return r && w && r.getType() == w.getSourceType() &&
         r.getMixedOffsets() == w.getMixedOffsets() &&
         r.getMixedSizes() == w.getMixedSizes() &&
         r.getMixedStrides() == w.getMixedStrides();
}

/// Matches `%v = read %acc[i]; ...; %w = write %x into %acc[i]; yield %w`
/// for the iteration argument `%acc`, with `i` invariant in the loop.
std::optional<AccumulatorTile> matchTile(scf::ForOp loop, unsigned index) {
  BlockArgument carried = loop.getRegionIterArgs()[index];
  Operation *read = nullptr, *write = nullptr;
  Value stored;
  for (OpOperand &use : carried.getUses()) {
    Operation *user = use.getOwner();
    bool isRead = isa<vector::TransferReadOp, tensor::ExtractSliceOp>(user) &&
                  use.getOperandNumber() == 0;
    bool isWrite = (isa<vector::TransferWriteOp>(user) &&
                    use.getOperandNumber() == 1) ||
                   (isa<tensor::InsertSliceOp>(user) &&
                    use.getOperandNumber() == 1);
    if (isRead && !read)
      read = user;
    else if (isWrite && !write)
      write = user;
    else
      return std::nullopt;
  }
  if (!read || !write || read->getBlock() != loop.getBody() ||
      write->getBlock() != loop.getBody() || !read->isBeforeInBlock(write) ||
      !sameSubset(read, write) || !write->getResult(0).hasOneUse() ||
      loop.getBody()->getTerminator()->getOperand(index) !=
          write->getResult(0))
    return std::nullopt;
  stored = write->getOperand(0);
  for (Value operand : read->getOperands().drop_front())
    if (!definedOutside(operand, loop))
      return std::nullopt;
  return AccumulatorTile{read, write, stored};
}

/// Drops the iteration arguments that `loop` passes through unchanged, as
/// hoisting leaves the tensor of an accumulator: then a loop around `loop`
/// (a direct convolution's window loops nest three deep) sees the tile's
/// read and write directly and can hoist them in turn.
scf::ForOp dropPassThroughIterArgs(RewriterBase &rewriter, scf::ForOp loop) {
  Operation *yield = loop.getBody()->getTerminator();
  SmallVector<Value> inits, replacements = {Value()};
  SmallVector<unsigned> dropped;
  for (auto [index, carried] : llvm::enumerate(loop.getRegionIterArgs())) {
    if (yield->getOperand(index) == carried) {
      dropped.push_back(index);
      replacements.push_back(loop.getInitArgs()[index]);
      continue;
    }
    inits.push_back(loop.getInitArgs()[index]);
    replacements.push_back(Value());
  }
  if (dropped.empty())
    return loop;
  rewriter.setInsertionPoint(loop);
  auto newLoop = scf::ForOp::create(
      rewriter, loop.getLoc(), loop.getLowerBound(), loop.getUpperBound(),
      loop.getStep(), inits, [](OpBuilder &, Location, Value, ValueRange) {},
      loop.getUnsignedCmp());
  Block *body = newLoop.getBody();
  replacements[0] = newLoop.getInductionVar();
  for (unsigned index = 0, kept = 0; index < loop.getNumRegionIterArgs();
       ++index)
    if (!replacements[index + 1])
      replacements[index + 1] = newLoop.getRegionIterArgs()[kept++];
  rewriter.mergeBlocks(loop.getBody(), body, replacements);
  Operation *newYield = body->getTerminator();
  for (unsigned index : llvm::reverse(dropped))
    newYield->eraseOperand(index);
  SmallVector<Value> results;
  for (unsigned index = 0, kept = 0; index < loop.getNumResults(); ++index)
    results.push_back(llvm::is_contained(dropped, index)
                          ? loop.getInitArgs()[index]
                          : newLoop.getResult(kept++));
  rewriter.replaceOp(loop, results);
  return newLoop;
}

} // namespace

scf::ForOp kiln::hoistAccumulatorTiles(RewriterBase &rewriter,
                                       scf::ForOp loop) {
  for (unsigned index = 0; index < loop.getNumRegionIterArgs(); ++index) {
    std::optional<AccumulatorTile> tile = matchTile(loop, index);
    if (!tile)
      continue;
    // The tile's value before the loop, read from the initial tensor.
    rewriter.setInsertionPoint(loop);
    IRMapping before;
    before.map(loop.getRegionIterArgs()[index], loop.getInitArgs()[index]);
    Operation *initial = rewriter.clone(*tile->read, before);
    auto newLoop = cast<scf::ForOp>(*loop.replaceWithAdditionalYields(
        rewriter, initial->getResult(0),
        /*replaceInitOperandUsesInLoop=*/false,
        [&](OpBuilder &, Location, ArrayRef<BlockArgument>) {
          return SmallVector<Value>{tile->stored};
        }));
    // Inside, the carried tile stands for the read, and the tensor is
    // passed through unchanged.
    BlockArgument carriedTensor = newLoop.getRegionIterArgs()[index];
    rewriter.replaceAllUsesWith(tile->read->getResult(0),
                                newLoop.getRegionIterArgs().back());
    rewriter.replaceAllUsesWith(tile->write->getResult(0), carriedTensor);
    // After the loop, the final tile is written once.
    rewriter.setInsertionPointAfter(newLoop);
    Value result = newLoop.getResult(index);
    IRMapping after;
    after.map(carriedTensor, result);
    after.map(tile->stored, newLoop.getResults().back());
    Operation *written = rewriter.clone(*tile->write, after);
    rewriter.replaceAllUsesExcept(result, written->getResult(0), written);
    rewriter.eraseOp(tile->write);
    rewriter.eraseOp(tile->read);
    loop = newLoop;
  }
  return dropPassThroughIterArgs(rewriter, loop);
}
