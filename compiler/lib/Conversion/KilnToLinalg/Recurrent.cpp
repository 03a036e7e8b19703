//===- Recurrent.cpp - The kiln-lower-recurrent pass ----------------------===//
//
// A recurrent layer becomes, per direction: one large contraction that
// projects every time step's input at once (x · w_ihᵀ + biases, hoisted out
// of the loop), then an scf.for over time whose body multiplies the hidden
// state by w_hhᵀ and applies the gate arithmetic in one linalg.generic.
// Each step's hidden state is inserted into the output sequence carried
// through the loop. Gate order and the GRU's reset gate follow PyTorch.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "RecurrentUtils.h"

#include "kiln/Dialect/KilnOps.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Transforms/DialectConversion.h"

namespace kiln {
#define GEN_PASS_DEF_KILNLOWERRECURRENT
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;
using namespace kiln::lowering;

namespace {

/// One time step's gate arithmetic over [N, H]: the new hidden state (and,
/// for an LSTM, the new cell state).
SmallVector<Value> cellStep(OpBuilder &b, Location loc, Cell cell,
                            Value inputGates, Value hiddenGates, Value h,
                            Value c, int64_t hidden) {
  MLIRContext *context = b.getContext();
  auto stateType = cast<RankedTensorType>(h.getType());
  int64_t gates = cell == Cell::Lstm ? 4 : cell == Cell::Gru ? 3 : 1;
  AffineMap identity = AffineMap::getMultiDimIdentityMap(2, context);
  SmallVector<Value> inputs = {cell == Cell::Lstm ? c : h};
  SmallVector<AffineMap> maps = {identity};
  // Gate g of a [N, gates * H] tensor is read as a slice of it.
  for (Value source : {inputGates, hiddenGates})
    for (int64_t g = 0; g < gates; ++g) {
      inputs.push_back(gateSlice(b, loc, source, g, hidden));
      maps.push_back(identity);
    }
  // The new states are written over the old ones: the loop then carries
  // one buffer per state instead of allocating every step.
  SmallVector<Value> inits = {h};
  SmallVector<Type> types = {stateType};
  if (cell == Cell::Lstm) {
    inits.push_back(c);
    types.push_back(stateType);
  }
  for (size_t i = 0; i < inits.size(); ++i)
    maps.push_back(identity);
  auto generic = linalg::GenericOp::create(
      b, loc, types, inputs, inits, maps,
      SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value previous = args[0];
        auto x = [&](int64_t g) { return args[1 + g]; };
        auto hg = [&](int64_t g) { return args[1 + gates + g]; };
        auto add = [&](Value p, Value q) {
          return arith::AddFOp::create(nb, l, p, q).getResult();
        };
        auto mul = [&](Value p, Value q) {
          return arith::MulFOp::create(nb, l, p, q).getResult();
        };
        auto tanh = [&](Value v) {
          return math::TanhOp::create(nb, l, v).getResult();
        };
        switch (cell) {
        case Cell::Rnn:
          linalg::YieldOp::create(nb, l, tanh(add(x(0), hg(0))));
          return;
        case Cell::Gru: {
          Value r = sigmoid(nb, l, add(x(0), hg(0)));
          Value z = sigmoid(nb, l, add(x(1), hg(1)));
          Value n = tanh(add(x(2), mul(r, hg(2))));
          Value one = scalarConstant(nb, l, n.getType(), 1);
          Value keep = mul(z, previous);
          linalg::YieldOp::create(
              nb, l,
              add(mul(arith::SubFOp::create(nb, l, one, z), n), keep));
          return;
        }
        case Cell::Lstm: {
          Value i = sigmoid(nb, l, add(x(0), hg(0)));
          Value f = sigmoid(nb, l, add(x(1), hg(1)));
          Value g = tanh(add(x(2), hg(2)));
          Value o = sigmoid(nb, l, add(x(3), hg(3)));
          Value cNew = add(mul(f, previous), mul(i, g));
          Value hNew = mul(o, tanh(cNew));
          linalg::YieldOp::create(nb, l, ValueRange{hNew, cNew});
          return;
        }
        }
      });
  return SmallVector<Value>(generic.getResults());
}

template <typename OpTy, Cell Kind>
struct RecurrentPattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    auto xType = cast<RankedTensorType>(x.getType());
    Type element = xType.getElementType();
    auto wIhType = cast<RankedTensorType>(op.getWIh().getType());
    int64_t directions = wIhType.getDimSize(0);
    int64_t gateWidth = wIhType.getDimSize(1);
    int64_t hidden = gateWidth / OpTy::kGateCount;
    auto outputType = cast<RankedTensorType>(op.getOutput().getType());
    auto stateType = cast<RankedTensorType>(op.getHN().getType());

    Value batch = dimOf(rewriter, loc, x, 0);
    Value steps = dimOf(rewriter, loc, x, 1);
    Value zero = scalarConstant(rewriter, loc, element, 0);
    Value c0 = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value c1 = arith::ConstantIndexOp::create(rewriter, loc, 1);

    // All time steps' inputs projected at once: [N * T, gates * H].
    Value rows = arith::MulIOp::create(rewriter, loc, batch, steps);
    Value flatX = collapse(rewriter, loc, x, {{0, 1}, {2}});
    auto gatesType =
        RankedTensorType::get({ShapedType::kDynamic, gateWidth}, element);
    auto hType = RankedTensorType::get({ShapedType::kDynamic, hidden}, element);

    Value output = emptyTensor(rewriter, loc, outputType,
                               {batch, steps, Value()});
    Value hN = emptyTensor(rewriter, loc, stateType, {Value(), batch, Value()});
    Value cN = hN;
    for (int64_t dir = 0; dir < directions; ++dir) {
      OpFoldResult dirIndex = rewriter.getIndexAttr(dir);
      Value wIh = sliceLeading(rewriter, loc, op.getWIh(), dirIndex);
      Value wHhT = transposeMatrix(
          rewriter, loc, sliceLeading(rewriter, loc, op.getWHh(), dirIndex));
      Value bIh = sliceLeading(rewriter, loc, op.getBIh(), dirIndex);
      Value bHh = sliceLeading(rewriter, loc, op.getBHh(), dirIndex);
      Value projected =
          projectInputs(rewriter, loc, Kind, flatX, wIh, bIh, bHh, rows);
      Value sequence = expandToSteps(rewriter, loc, projected, x, gateWidth);

      // The loop overwrites its states in place, so each starts in a buffer
      // of its own: a copy of the caller's initial state, or zeros.
      auto initialState = [&](Value given) -> Value {
        if (!given)
          return filledTensor(rewriter, loc, hType, {batch, Value()}, zero);
        Value slice = tensor::CastOp::create(
            rewriter, loc, hType, sliceLeading(rewriter, loc, given, dirIndex));
        return linalg::CopyOp::create(
                   rewriter, loc, slice,
                   emptyTensor(rewriter, loc, hType, {batch, Value()}))
            .getResult(0);
      };
      Value h = initialState(op.getH0());
      Value c;
      if constexpr (Kind == Cell::Lstm)
        c = initialState(op.getC0());
      else
        c = h;

      auto loop = scf::ForOp::create(
          rewriter, loc, c0, steps, c1, ValueRange{h, c, output},
          [&](OpBuilder &b, Location l, Value t, ValueRange carried) {
            // Direction 1 reads the sequence from the end.
            Value time = t;
            if (dir == 1)
              time = arith::SubIOp::create(
                  b, l, arith::SubIOp::create(b, l, steps, c1), t);
            SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), time,
                                                 b.getIndexAttr(0)};
            SmallVector<OpFoldResult> sizes = {batch, b.getIndexAttr(1),
                                               b.getIndexAttr(gateWidth)};
            SmallVector<OpFoldResult> unit(3, b.getIndexAttr(1));
            Value inputGates = tensor::ExtractSliceOp::create(
                b, l, gatesType, sequence, offsets, sizes, unit);
            Value hiddenInit =
                Kind == Cell::Gru
                    ? broadcastRows(b, l, bHh, batch, gatesType)
                    : filledTensor(b, l, gatesType, {batch, Value()}, zero);
            Value hiddenGates = matmul(b, l, carried[0], wHhT, hiddenInit);
            SmallVector<Value> next =
                cellStep(b, l, Kind, inputGates, hiddenGates, carried[0],
                         carried[1], hidden);
            Value newC = Kind == Cell::Lstm ? next[1] : next[0];
            SmallVector<OpFoldResult> outOffsets = {
                b.getIndexAttr(0), time, b.getIndexAttr(dir * hidden)};
            SmallVector<OpFoldResult> outSizes = {batch, b.getIndexAttr(1),
                                                  b.getIndexAttr(hidden)};
            Value updated = tensor::InsertSliceOp::create(
                b, l, next[0], carried[2], outOffsets, outSizes, unit);
            scf::YieldOp::create(b, l, ValueRange{next[0], newC, updated});
          });
      output = loop.getResult(2);
      SmallVector<OpFoldResult> stateOffsets = {dirIndex, rewriter.getIndexAttr(0),
                                                rewriter.getIndexAttr(0)};
      SmallVector<OpFoldResult> stateSizes = {rewriter.getIndexAttr(1), batch,
                                              rewriter.getIndexAttr(hidden)};
      SmallVector<OpFoldResult> unit(3, rewriter.getIndexAttr(1));
      hN = tensor::InsertSliceOp::create(rewriter, loc, loop.getResult(0), hN,
                                         stateOffsets, stateSizes, unit);
      if constexpr (Kind == Cell::Lstm) {
        if (dir == 0)
          cN = emptyTensor(rewriter, loc, stateType, {Value(), batch, Value()});
        cN = tensor::InsertSliceOp::create(rewriter, loc, loop.getResult(1),
                                           cN, stateOffsets, stateSizes, unit);
      }
    }
    SmallVector<Value> results = {output, hN};
    if constexpr (Kind == Cell::Lstm)
      results.push_back(cN);
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct LowerRecurrentPass
    : kiln::impl::KilnLowerRecurrentBase<LowerRecurrentPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<RecurrentPattern<RnnOp, Cell::Rnn>,
                 RecurrentPattern<GruOp, Cell::Gru>,
                 RecurrentPattern<LstmOp, Cell::Lstm>>(context);
    ConversionTarget target(*context);
    target.addIllegalOp<RnnOp, GruOp, LstmOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
