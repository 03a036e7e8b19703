//===- OutlineParallelLoops.cpp - The kiln-outline-parallel-loops pass ----===//
//
// Generated code runs its parallel loops on the runtime's thread pool
// without linking OpenMP or MLIR's async runtime: each outermost
// scf.parallel (collapsed into one dimension first) becomes
//   - an internal function `void body(i64 begin, i64 end, ptr closure)` that
//     runs iterations [begin, end) of the loop, reading the values the loop
//     captured from `closure`, and
//   - at the loop's place, a closure on the stack and a call
//     `kiln_rt_parallel_for(i64 count, ptr body, ptr closure, i64 work,
//     ptr site)`, which the runtime serves by splitting [0, count) over its
//     threads, or runs serially when count x work (the estimated scalar
//     operations per iteration) is too little to pay for waking them.
//     `site` names the loop for the runtime's profile: the model source
//     position it came from and what kind of code it runs.
// Captured memrefs travel as their LLVM descriptors; the casts to and from
// descriptors fold away in the LLVM conversion.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/Support/Path.h"

#include <numeric>

namespace kiln {
#define GEN_PASS_DEF_KILNOUTLINEPARALLELLOOPS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
constexpr StringLiteral kParallelForName = "kiln_rt_parallel_for";

/// `value` as `type`, through a cast the LLVM conversion folds away.
Value castTo(OpBuilder &builder, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  return UnrealizedConversionCastOp::create(builder, loc, type, value)
      .getResult(0);
}

LLVM::LLVMFuncOp getOrDeclareParallelFor(ModuleOp module) {
  if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>(kParallelForName))
    return existing;
  MLIRContext *context = module.getContext();
  auto ptrType = LLVM::LLVMPointerType::get(context);
  auto i64 = IntegerType::get(context, 64);
  auto type = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context),
                                          {i64, ptrType, ptrType, i64,
                                           ptrType});
  OpBuilder builder = OpBuilder::atBlockBegin(module.getBody());
  return LLVM::LLVMFuncOp::create(builder, module.getLoc(), kParallelForName,
                                  type);
}

/// The product of the trip counts of the loops between `op` and `loop`
/// that are known (unknown ones count once).
int64_t knownTrips(Operation *op, scf::ParallelOp loop) {
  int64_t trips = 1;
  for (Operation *parent = op->getParentOp(); parent != loop;
       parent = parent->getParentOp()) {
    auto inner = dyn_cast<scf::ForOp>(parent);
    if (!inner)
      continue;
    std::optional<int64_t> lower = getConstantIntValue(inner.getLowerBound());
    std::optional<int64_t> upper = getConstantIntValue(inner.getUpperBound());
    std::optional<int64_t> step = getConstantIntValue(inner.getStep());
    if (lower && upper && step && *step > 0 && *upper > *lower)
      trips *= llvm::divideCeil(*upper - *lower, *step);
  }
  return trips;
}

/// A rough count of the scalar operations one iteration of `loop` does:
/// arithmetic, vector ops and loads and stores, times their vector lanes
/// (or a linalg op's iteration space) and the known trip counts of the
/// loops around them.
int64_t estimateWork(scf::ParallelOp loop) {
  int64_t work = 0;
  loop.getBody()->walk<WalkOrder::PreOrder>([&](Operation *op) {
    int64_t each = 0;
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      // The body's ops, its yield standing for the store.
      each = linalgOp.getBlock()->getOperations().size();
      for (int64_t range : linalgOp.getStaticLoopRanges())
        if (!ShapedType::isDynamic(range))
          each *= range;
    } else if (!op->hasTrait<OpTrait::ConstantLike>() &&
               (isa<memref::LoadOp, memref::StoreOp>(op) ||
                isa<arith::ArithDialect, math::MathDialect,
                    vector::VectorDialect>(op->getDialect()))) {
      each = 1;
      for (Type type : op->getResultTypes())
        if (auto vector = dyn_cast<VectorType>(type))
          each = std::max(each, vector.getNumElements());
    }
    work += each * knownTrips(op, loop);
    return isa<linalg::LinalgOp>(op) ? WalkResult::skip()
                                     : WalkResult::advance();
  });
  return std::max<int64_t>(work, 1);
}

/// Builds the body function of `loop`, named `name`, that reads `captured`
/// from a closure of type `closureType` and rebuilds `constants`.
LLVM::LLVMFuncOp buildBody(scf::ParallelOp loop, StringRef name,
                           ArrayRef<Value> captured, ArrayRef<Value> constants,
                           LLVM::LLVMStructType closureType) {
  MLIRContext *context = loop.getContext();
  Location loc = loop.getLoc();
  auto i64 = IntegerType::get(context, 64);
  auto ptrType = LLVM::LLVMPointerType::get(context);
  auto type = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context),
                                          {i64, i64, ptrType});
  OpBuilder builder(context);
  builder.setInsertionPointAfter(loop->getParentOfType<FunctionOpInterface>());
  auto body = LLVM::LLVMFuncOp::create(builder, loc, name, type,
                                       LLVM::Linkage::Internal);
  Block *entry = body.addEntryBlock(builder);
  builder.setInsertionPointToStart(entry);

  Value closure =
      LLVM::LoadOp::create(builder, loc, closureType, entry->getArgument(2));
  IRMapping mapping;
  for (Value constant : constants)
    builder.clone(*constant.getDefiningOp(), mapping);
  for (auto [index, value] : llvm::enumerate(captured)) {
    Value field = LLVM::ExtractValueOp::create(builder, loc, closure, index);
    mapping.map(value, castTo(builder, loc, field, value.getType()));
  }
  Type indexType = builder.getIndexType();
  Value begin = arith::IndexCastOp::create(builder, loc, indexType,
                                           entry->getArgument(0));
  Value end = arith::IndexCastOp::create(builder, loc, indexType,
                                         entry->getArgument(1));
  Value one = arith::ConstantIndexOp::create(builder, loc, 1);
  auto iterations = scf::ForOp::create(builder, loc, begin, end, one);
  LLVM::ReturnOp::create(builder, loc, ValueRange{});

  // Iteration k of [0, count) is the original iteration lb + k * step.
  builder.setInsertionPoint(iterations.getBody()->getTerminator());
  Value offset = arith::MulIOp::create(
      builder, loc, iterations.getInductionVar(),
      mapping.lookup(loop.getStep()[0]));
  Value inductionVar = arith::AddIOp::create(
      builder, loc, mapping.lookup(loop.getLowerBound()[0]), offset);
  mapping.map(loop.getInductionVars()[0], inductionVar);
  for (Operation &op : loop.getBody()->without_terminator())
    builder.clone(op, mapping);
  return body;
}

/// What the loop's code mostly is, for a reader of the profile.
StringRef describeKind(scf::ParallelOp loop) {
  bool vectorized = false, contraction = false, pooling = false;
  loop.getBody()->walk([&](Operation *op) {
    contraction |= isa<vector::FMAOp>(op);
    vectorized |= isa<vector::VectorDialect>(op->getDialect());
    pooling |= isa<linalg::PoolingNchwMaxOp, linalg::PoolingNchwSumOp,
                   linalg::PoolingNhwcMaxOp, linalg::PoolingNhwcSumOp>(op);
  });
  if (contraction)
    return "contraction";
  if (pooling)
    return "pooling";
  return vectorized ? "vector loops" : "scalar loops";
}

/// `file:line:col kind` for the innermost source position in `loc` (the
/// file without its directories), or the function's name when there is
/// none.
std::string describeSite(scf::ParallelOp loop) {
  std::string site;
  loop.getLoc()->walk([&](Location inner) {
    auto position = dyn_cast<FileLineColLoc>(inner);
    if (!position)
      return WalkResult::advance();
    site = (llvm::sys::path::filename(position.getFilename().getValue()) +
            ":" + Twine(position.getLine()) + ":" +
            Twine(position.getColumn()))
               .str();
    return WalkResult::interrupt();
  });
  if (site.empty())
    site = loop->getParentOfType<FunctionOpInterface>().getName().str();
  return site + " " + describeKind(loop).str();
}

LogicalResult outline(scf::ParallelOp loop, StringRef name,
                      const LLVMTypeConverter &converter) {
  Location loc = loop.getLoc();
  std::string site = describeSite(loop);
  SetVector<Value> capturedSet;
  getUsedValuesDefinedAbove(loop.getRegion(), capturedSet);
  capturedSet.insert(loop.getLowerBound()[0]);
  capturedSet.insert(loop.getStep()[0]);
  // Constants are rematerialized in the body, where they keep bounds and
  // offsets static; everything else travels in the closure.
  SmallVector<Value> captured, constants;
  for (Value value : capturedSet) {
    Operation *producer = value.getDefiningOp();
    if (producer && producer->hasTrait<OpTrait::ConstantLike>())
      constants.push_back(value);
    else
      captured.push_back(value);
  }

  SmallVector<Type> fieldTypes;
  for (Value value : captured) {
    Type converted = converter.convertType(value.getType());
    if (!converted)
      return loop.emitError("cannot pass a value of type ")
             << value.getType() << " to a parallel loop body";
    fieldTypes.push_back(converted);
  }
  MLIRContext *context = loop.getContext();
  auto closureType = LLVM::LLVMStructType::getLiteral(context, fieldTypes);
  LLVM::LLVMFuncOp body =
      buildBody(loop, name, captured, constants, closureType);
  auto module = loop->getParentOfType<ModuleOp>();
  LLVM::LLVMFuncOp parallelFor = getOrDeclareParallelFor(module);

  // The closure's slot lives in the entry block, so loops around the
  // parallel loop do not grow the stack.
  auto i64 = IntegerType::get(context, 64);
  auto ptrType = LLVM::LLVMPointerType::get(context);
  Region *functionBody = loop->getParentOfType<FunctionOpInterface>()
                             .getCallableRegion();
  OpBuilder builder = OpBuilder::atBlockBegin(&functionBody->front());
  Value slotCount = LLVM::ConstantOp::create(builder, loc, i64,
                                             builder.getI64IntegerAttr(1));
  Value slot = LLVM::AllocaOp::create(builder, loc, ptrType, closureType,
                                      slotCount);

  builder.setInsertionPoint(loop);
  Value closure = LLVM::UndefOp::create(builder, loc, closureType);
  for (auto [index, value] : llvm::enumerate(captured))
    closure = LLVM::InsertValueOp::create(
        builder, loc, closure, castTo(builder, loc, value, fieldTypes[index]),
        index);
  LLVM::StoreOp::create(builder, loc, closure, slot);
  Value span = arith::SubIOp::create(builder, loc, loop.getUpperBound()[0],
                                     loop.getLowerBound()[0]);
  Value count =
      arith::CeilDivSIOp::create(builder, loc, span, loop.getStep()[0]);
  Value count64 = arith::IndexCastOp::create(builder, loc, i64, count);
  Value bodyAddress = LLVM::AddressOfOp::create(builder, loc, body);
  Value work = LLVM::ConstantOp::create(
      builder, loc, i64, builder.getI64IntegerAttr(estimateWork(loop)));
  Value siteName = LLVM::createGlobalString(
      loc, builder, (name + "_site").str(), StringRef(site.c_str(),
                                                      site.size() + 1),
      LLVM::Linkage::Internal);
  LLVM::CallOp::create(builder, loc, parallelFor,
                       ValueRange{count64, bodyAddress, slot, work, siteName});
  loop.erase();
  return success();
}

struct OutlineParallelLoopsPass
    : kiln::impl::KilnOutlineParallelLoopsBase<OutlineParallelLoopsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    LLVMTypeConverter converter(&getContext());
    // Several dimensions (a block per image and per tile of filters, whose
    // count is only known at run time) become one, split by the runtime
    // like any other.
    SmallVector<scf::ParallelOp> nests;
    module.walk<WalkOrder::PreOrder>([&](scf::ParallelOp loop) {
      if (loop.getNumLoops() > 1 && loop.getNumResults() == 0)
        nests.push_back(loop);
      return WalkResult::skip();
    });
    IRRewriter rewriter(&getContext());
    for (scf::ParallelOp nest : nests) {
      std::vector<unsigned> all(nest.getNumLoops());
      std::iota(all.begin(), all.end(), 0);
      collapseParallelLoops(rewriter, nest, {all});
    }
    SmallVector<std::pair<scf::ParallelOp, std::string>> loops;
    unsigned next = 0;
    module.walk<WalkOrder::PreOrder>([&](scf::ParallelOp loop) {
      // Nested parallel loops run inside their outer loop's iterations.
      if (loop.getNumLoops() != 1 || loop.getNumResults() != 0)
        return WalkResult::skip();
      auto function = loop->getParentOfType<FunctionOpInterface>();
      loops.emplace_back(loop, (function.getName() + "_parallel_" +
                                Twine(next++))
                                   .str());
      return WalkResult::skip();
    });
    for (auto &[loop, name] : loops)
      if (failed(outline(loop, name, converter)))
        return signalPassFailure();
  }
};
} // namespace
