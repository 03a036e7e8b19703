//===- Contractions.cpp - The kiln-lower-contractions pass ----------------===//
//
// kiln.matmul and kiln.dense become linalg contractions. A dense layer
// accumulates into its broadcast bias, so the bias add costs no extra pass,
// and takes one of two forms by its number of rows (see denseAsProduct and
// denseAsDots).
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Dialect/KilnOps.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Transforms/DialectConversion.h"

namespace kiln {
#define GEN_PASS_DEF_KILNLOWERCONTRACTIONS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;
using namespace kiln::lowering;

namespace {

struct MatmulPattern : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
    auto rhsType = cast<RankedTensorType>(op.getRhs().getType());
    int64_t rank = resultType.getRank();
    int64_t batch = rank - 2;
    // Loops: batch..., m, n, k.
    unsigned numLoops = rank + 1;
    auto d = [&](int64_t i) { return getAffineDimExpr(i, context); };
    AffineExpr m = d(batch), n = d(batch + 1), k = d(batch + 2);
    auto operandMap = [&](RankedTensorType type, AffineExpr row,
                          AffineExpr col) {
      SmallVector<AffineExpr> exprs;
      int64_t offset = batch - (type.getRank() - 2);
      for (int64_t i = 0; i < type.getRank() - 2; ++i) {
        bool stretched = type.getDimSize(i) == 1 &&
                         resultType.getDimSize(i + offset) != 1;
        exprs.push_back(stretched ? getAffineConstantExpr(0, context)
                                  : d(i + offset));
      }
      exprs.push_back(row);
      exprs.push_back(col);
      return AffineMap::get(numLoops, 0, exprs, context);
    };
    AffineMap lhsMap = op.getTransposeLhs() ? operandMap(lhsType, k, m)
                                            : operandMap(lhsType, m, k);
    AffineMap rhsMap = op.getTransposeRhs() ? operandMap(rhsType, n, k)
                                            : operandMap(rhsType, k, n);
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < rank; ++i)
      outExprs.push_back(d(i));
    AffineMap outMap = AffineMap::get(numLoops, 0, outExprs, context);

    // Dynamic result sizes: batch dims broadcast from the operands, M from
    // lhs, N from rhs.
    SmallVector<Value> sizes(rank);
    for (int64_t i = 0; i < rank; ++i) {
      if (!resultType.isDynamicDim(i))
        continue;
      auto fromOperand = [&](Value operand, RankedTensorType type,
                             int64_t dim) -> Value {
        return type.isDynamicDim(dim)
                   ? dimOf(rewriter, loc, operand, dim)
                   : Value(arith::ConstantIndexOp::create(
                         rewriter, loc, type.getDimSize(dim)));
      };
      if (i == batch) {
        int64_t dim = lhsType.getRank() - (op.getTransposeLhs() ? 1 : 2);
        sizes[i] = fromOperand(op.getLhs(), lhsType, dim);
      } else if (i == batch + 1) {
        int64_t dim = rhsType.getRank() - (op.getTransposeRhs() ? 2 : 1);
        sizes[i] = fromOperand(op.getRhs(), rhsType, dim);
      } else {
        int64_t lhsDim = i - (batch - (lhsType.getRank() - 2));
        int64_t rhsDim = i - (batch - (rhsType.getRank() - 2));
        if (lhsDim >= 0 && lhsType.getDimSize(lhsDim) != 1)
          sizes[i] = fromOperand(op.getLhs(), lhsType, lhsDim);
        else
          sizes[i] = fromOperand(op.getRhs(), rhsType, rhsDim);
      }
    }
    Value init = filledTensor(
        rewriter, loc, resultType, sizes,
        scalarConstant(rewriter, loc, resultType.getElementType(), 0));
    rewriter.replaceOp(op, contract(rewriter, loc, op.getLhs(), op.getRhs(),
                                    init, {lhsMap, rhsMap, outMap}, numLoops));
    return success();
  }
};

/// Below this many rows a dense layer reads its weight once per row as
/// dot products instead of transposing it for a matrix product.
constexpr int64_t kFewRows = 8;
/// The vector lanes of a dot product's partial sums.
constexpr int64_t kDotLanes = 16;

/// input [M, K] x weight [N, K]ᵀ accumulated into init [M, N] as a matrix
/// product: the weight is transposed to [K, N] first, so the product reads
/// contiguous rows of both operands, which is what register tiling wants.
Value denseAsProduct(OpBuilder &b, Location loc, Value input, Value weight,
                     Value init) {
  MLIRContext *context = b.getContext();
  auto weightType = cast<RankedTensorType>(weight.getType());
  Value transposed =
      linalg::TransposeOp::create(
          b, loc, weight,
          tensor::EmptyOp::create(b, loc,
                                  ArrayRef<int64_t>{weightType.getDimSize(1),
                                                    weightType.getDimSize(0)},
                                  weightType.getElementType()),
          ArrayRef<int64_t>{1, 0})
          .getResult()
          .front();
  // (m, n, k): input(m, k) * weightᵀ(k, n).
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
  SmallVector<AffineMap> maps = {AffineMap::get(3, 0, {d(0), d(2)}, context),
                                 AffineMap::get(3, 0, {d(2), d(1)}, context),
                                 AffineMap::get(3, 0, {d(0), d(1)}, context)};
  return contract(b, loc, input, transposed, init, maps, 3);
}

/// The same for a few rows, as dot products that read the weight where it
/// lies: K is split into [K / L, L] and each (row, output) pair keeps L
/// partial sums, so the inner loop is whole-vector multiply-adds (a
/// contraction with L as its vector dimension); the L sums are added into
/// init at the end.
Value denseAsDots(OpBuilder &b, Location loc, Value input, Value weight,
                  Value init) {
  MLIRContext *context = b.getContext();
  auto inputType = cast<RankedTensorType>(input.getType());
  auto weightType = cast<RankedTensorType>(weight.getType());
  Type element = weightType.getElementType();
  int64_t outputs = weightType.getDimSize(0), depth = weightType.getDimSize(1);
  int64_t steps = depth / kDotLanes, rows = inputType.getDimSize(0);
  Value rowCount =
      ShapedType::isDynamic(rows) ? dimOf(b, loc, input, 0) : Value();
  auto split = [&](Value value, int64_t leading, Value leadingSize) {
    return tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({leading, steps, kDotLanes}, element),
        value, ArrayRef<ReassociationIndices>{{0}, {1, 2}},
        ArrayRef<OpFoldResult>{leadingSize ? OpFoldResult(leadingSize)
                                           : OpFoldResult(b.getIndexAttr(leading)),
                               b.getIndexAttr(steps),
                               b.getIndexAttr(kDotLanes)});
  };
  Value inputSplit = split(input, rows, rowCount);
  Value weightSplit = split(weight, outputs, Value());
  auto partialType =
      RankedTensorType::get({rows, outputs, kDotLanes}, element);
  Value partialInit = filledTensor(b, loc, partialType,
                                   {rowCount, Value(), Value()},
                                   scalarConstant(b, loc, element, 0));
  // (m, n, l, s): input(m, s, l) * weight(n, s, l) into partial(m, n, l).
  auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
  Value partial = contract(
      b, loc, inputSplit, weightSplit, partialInit,
      {AffineMap::get(4, 0, {d(0), d(3), d(2)}, context),
       AffineMap::get(4, 0, {d(1), d(3), d(2)}, context),
       AffineMap::get(4, 0, {d(0), d(1), d(2)}, context)},
      4);
  // (m, n, l): init(m, n) + partial(m, n, l).
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{partial},
             ValueRange{init},
             {AffineMap::getMultiDimIdentityMap(3, context),
              AffineMap::get(3, 0, {d(0), d(1)}, context)},
             {utils::IteratorType::parallel, utils::IteratorType::parallel,
              utils::IteratorType::reduction},
             [](OpBuilder &nb, Location l, ValueRange args) {
               Value sum = arith::AddFOp::create(nb, l, args[1], args[0]);
               linalg::YieldOp::create(nb, l, sum);
             })
      .getResult(0);
}

struct DensePattern : OpRewritePattern<DenseOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DenseOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    auto resultType = cast<RankedTensorType>(op.getType());
    Value input = op.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t rank = inputType.getRank();
    Type element = resultType.getElementType();

    // [..., K] is computed as [P, K] with the leading dimensions collapsed.
    if (rank > 2) {
      ReassociationIndices leading;
      for (int64_t i = 0; i < rank - 1; ++i)
        leading.push_back(i);
      input = collapse(rewriter, loc, input, {leading, {rank - 1}});
    } else if (rank == 1) {
      input = tensor::ExpandShapeOp::create(
          rewriter, loc,
          RankedTensorType::get({1, inputType.getDimSize(0)},
                                inputType.getElementType()),
          input, ArrayRef<ReassociationIndices>{{0, 1}});
    }
    auto flatInputType = cast<RankedTensorType>(input.getType());
    int64_t outFeatures = resultType.getShape().back();
    auto flatType = RankedTensorType::get(
        {flatInputType.getDimSize(0), outFeatures}, element);
    SmallVector<Value> sizes = {
        flatType.isDynamicDim(0) ? dimOf(rewriter, loc, input, 0) : Value(),
        Value()};

    Value init;
    if (Value bias = op.getBias()) {
      SmallVector<AffineMap> maps = {
          AffineMap::get(2, 0, {getAffineDimExpr(1, context)}, context),
          AffineMap::getMultiDimIdentityMap(2, context)};
      Value empty = emptyTensor(rewriter, loc, flatType, sizes);
      init = linalg::GenericOp::create(
                 rewriter, loc, TypeRange{flatType}, ValueRange{bias},
                 ValueRange{empty}, maps,
                 SmallVector<utils::IteratorType>(
                     2, utils::IteratorType::parallel),
                 [](OpBuilder &nb, Location nloc, ValueRange args) {
                   linalg::YieldOp::create(nb, nloc, args[0]);
                 })
                 .getResult(0);
    } else {
      init = filledTensor(rewriter, loc, flatType, sizes,
                          scalarConstant(rewriter, loc, element, 0));
    }
    Value flat;
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    int64_t depth = weightType.getDimSize(1);
    int64_t rows = flatType.getDimSize(0);
    bool dotForm = isa<FloatType>(element) && depth % kDotLanes == 0;
    if (dotForm && ShapedType::isDynamic(rows)) {
      // The batch is known only when the entry runs: pick the form then.
      Value few = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::ult, sizes[0],
          arith::ConstantIndexOp::create(rewriter, loc, kFewRows));
      auto choice = scf::IfOp::create(
          rewriter, loc, few,
          [&](OpBuilder &b, Location l) {
            scf::YieldOp::create(
                b, l, denseAsDots(b, l, input, op.getWeight(), init));
          },
          [&](OpBuilder &b, Location l) {
            scf::YieldOp::create(
                b, l, denseAsProduct(b, l, input, op.getWeight(), init));
          });
      flat = choice.getResult(0);
    } else if (dotForm && rows < kFewRows) {
      flat = denseAsDots(rewriter, loc, input, op.getWeight(), init);
    } else {
      flat = denseAsProduct(rewriter, loc, input, op.getWeight(), init);
    }

    if (rank == 2) {
      rewriter.replaceOp(op, flat);
      return success();
    }
    SmallVector<ReassociationIndices> groups;
    SmallVector<OpFoldResult> outputShape;
    ReassociationIndices leading;
    for (int64_t i = 0; i < resultType.getRank() - 1; ++i) {
      leading.push_back(i);
      outputShape.push_back(
          resultType.isDynamicDim(i)
              ? OpFoldResult(dimOf(rewriter, loc, op.getInput(), i))
              : OpFoldResult(rewriter.getIndexAttr(resultType.getDimSize(i))));
    }
    if (rank == 1)
      groups = {{0, 1}};
    else
      groups = {leading, {resultType.getRank() - 1}};
    outputShape.push_back(rewriter.getIndexAttr(outFeatures));
    if (rank == 1) {
      rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
          op, resultType, flat, ArrayRef<ReassociationIndices>{{0, 1}});
      return success();
    }
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, resultType, flat,
                                                       groups, outputShape);
    return success();
  }
};

struct LowerContractionsPass
    : kiln::impl::KilnLowerContractionsBase<LowerContractionsPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<MatmulPattern, DensePattern>(context);
    ConversionTarget target(*context);
    target.addIllegalOp<MatmulOp, DenseOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
