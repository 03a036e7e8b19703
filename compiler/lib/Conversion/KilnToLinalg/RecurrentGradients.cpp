//===- RecurrentGradients.cpp - The kiln-lower-recurrent-gradients pass ---===//
//
// Backpropagation through time, per direction:
//  1. Each step's previous hidden state is the forward output shifted by
//     one step (the initial state first), so the gate pre-activations of
//     all steps are two large products, as in the forward lowering. An
//     LSTM's cell states are recomputed by an elementwise scan.
//  2. A reverse loop over time carries the gradient of the hidden (and
//     cell) state: one linalg.generic turns it into the step's gate
//     gradients, a product with w_hh carries it to the previous step, and
//     the gate gradients are stored for all steps.
//  3. The input, weight and bias gradients are then single contractions and
//     sums over all steps at once.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "RecurrentUtils.h"

#include "kiln/Dialect/KilnOps.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Transforms/DialectConversion.h"

namespace kiln {
#define GEN_PASS_DEF_KILNLOWERRECURRENTGRADIENTS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;
using namespace kiln::lowering;

namespace {

/// Slices and products over [N, T, W] sequences and [N, W] steps.
struct Sequences {
  OpBuilder &b;
  Location loc;
  Value batch, steps;
  Type element;

  RankedTensorType stepType(int64_t width) {
    return RankedTensorType::get({ShapedType::kDynamic, width}, element);
  }
  SmallVector<OpFoldResult> unit3() { return SmallVector<OpFoldResult>(3, b.getIndexAttr(1)); }

  /// sequence[:, time, offset : offset + width] as [N, width].
  Value at(Value sequence, Value time, int64_t offset, int64_t width) {
    return tensor::ExtractSliceOp::create(
        b, loc, stepType(width), sequence,
        ArrayRef<OpFoldResult>{b.getIndexAttr(0), time, b.getIndexAttr(offset)},
        ArrayRef<OpFoldResult>{batch, b.getIndexAttr(1), b.getIndexAttr(width)},
        unit3());
  }
  /// `step` [N, width] written into sequence[:, time, offset:].
  Value put(Value step, Value sequence, Value time, int64_t offset,
            int64_t width) {
    return tensor::InsertSliceOp::create(
        b, loc, step, sequence,
        ArrayRef<OpFoldResult>{b.getIndexAttr(0), time, b.getIndexAttr(offset)},
        ArrayRef<OpFoldResult>{batch, b.getIndexAttr(1), b.getIndexAttr(width)},
        unit3());
  }
  /// `value` [N, W] written into the stacked [D, N, W] at `dir`.
  Value putDirection(Value value, Value stacked, int64_t dir, int64_t width) {
    return tensor::InsertSliceOp::create(
        b, loc, value, stacked,
        ArrayRef<OpFoldResult>{b.getIndexAttr(dir), b.getIndexAttr(0),
                               b.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), batch, b.getIndexAttr(width)},
        unit3());
  }
  Value zeros(RankedTensorType type, ArrayRef<Value> sizes) {
    return filledTensor(b, loc, type, sizes, scalarConstant(b, loc, element, 0));
  }
  /// lhs [M, K] · rhs [K, N] into `init` [M, N].
  Value matmul(Value lhs, Value rhs, Value init) {
    return lowering::matmul(b, loc, lhs, rhs, init);
  }
  /// lhsᵀ [K, M]ᵀ · rhs [K, N] as [M, N]. Vector registers run along the
  /// columns; when N is narrow and ragged (28 input features) and M is not,
  /// the product is computed as [N, M] and transposed, which is cheap for
  /// a weight-sized result.
  Value matmulLhsTransposed(Value lhs, Value rhs, int64_t m, int64_t n) {
    constexpr int64_t kLanes = 16;
    bool swap = n % kLanes != 0 && m % kLanes == 0;
    if (swap)
      std::swap(lhs, rhs), std::swap(m, n);
    MLIRContext *context = b.getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, context); };
    Value product =
        contract(b, loc, lhs, rhs,
                 zeros(RankedTensorType::get({m, n}, element), {}),
                 {AffineMap::get(3, 0, {d(2), d(0)}, context),
                  AffineMap::get(3, 0, {d(2), d(1)}, context),
                  AffineMap::get(3, 0, {d(0), d(1)}, context)},
                 3);
    return swap ? transposeMatrix(b, loc, product) : product;
  }
};

/// A generic over [N, H] reading [N, H] `inputs` (gates sliced out of
/// [N, G*H] operands) and producing [N, H] outputs.
struct StepKernel {
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;

  void add(Value value, MLIRContext *context) {
    inputs.push_back(value);
    maps.push_back(AffineMap::getMultiDimIdentityMap(2, context));
  }
  void addGates(OpBuilder &b, Location loc, Value value, int64_t gates,
                int64_t hidden) {
    for (int64_t g = 0; g < gates; ++g)
      add(gateSlice(b, loc, value, g, hidden), b.getContext());
  }
  /// `reuse` gives the tensors that the last outputs overwrite (the loop's
  /// carried state, so that it stays in one buffer); the others are fresh.
  SmallVector<Value>
  build(Sequences &s, int64_t hidden, unsigned outputs, ArrayRef<Value> reuse,
        function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>
            body) {
    MLIRContext *context = s.b.getContext();
    RankedTensorType type = s.stepType(hidden);
    SmallVector<Value> inits;
    SmallVector<AffineMap> allMaps = maps;
    for (unsigned i = 0; i < outputs; ++i) {
      unsigned fresh = outputs - reuse.size();
      inits.push_back(i < fresh ? emptyTensor(s.b, s.loc, type, {s.batch, Value()})
                                : reuse[i - fresh]);
      allMaps.push_back(AffineMap::getMultiDimIdentityMap(2, context));
    }
    auto generic = linalg::GenericOp::create(
        s.b, s.loc, SmallVector<Type>(outputs, type), inputs, inits, allMaps,
        SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l, body(b, l, args));
        });
    return SmallVector<Value>(generic.getResults());
  }
};

/// Scalar arithmetic for gate gradients.
struct Scalar {
  OpBuilder &b;
  Location l;
  Value add(Value x, Value y) { return arith::AddFOp::create(b, l, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, l, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, l, x, y); }
  Value one(Value like) { return scalarConstant(b, l, like.getType(), 1); }
  Value tanh(Value x) { return math::TanhOp::create(b, l, x); }
  Value sigmoid(Value x) { return kiln::lowering::sigmoid(b, l, x); }
  /// The derivative of sigmoid at its output y: y (1 - y).
  Value dsigmoid(Value y) { return mul(y, sub(one(y), y)); }
  /// The derivative of tanh at its output y: 1 - y^2.
  Value dtanh(Value y) { return sub(one(y), mul(y, y)); }
};

struct RecurrentGradPattern : OpRewritePattern<RecurrentGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RecurrentGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    Cell cell = op.getCell() == RecurrentCell::lstm  ? Cell::Lstm
                : op.getCell() == RecurrentCell::gru ? Cell::Gru
                                                     : Cell::Rnn;
    int64_t gates = cell == Cell::Lstm ? 4 : cell == Cell::Gru ? 3 : 1;
    Value x = op.getInput();
    auto xType = cast<RankedTensorType>(x.getType());
    Type element = xType.getElementType();
    auto wIhType = cast<RankedTensorType>(op.getWIh().getType());
    int64_t directions = wIhType.getDimSize(0);
    int64_t gateWidth = wIhType.getDimSize(1);
    int64_t features = wIhType.getDimSize(2);
    int64_t hidden = gateWidth / gates;

    Sequences s{rewriter, loc, dimOf(rewriter, loc, x, 0),
                dimOf(rewriter, loc, x, 1), element};
    Value c0 = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value c1 = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value last = arith::SubIOp::create(rewriter, loc, s.steps, c1);
    Value rows = arith::MulIOp::create(rewriter, loc, s.batch, s.steps);
    auto flat = [&](int64_t width) {
      return RankedTensorType::get({ShapedType::kDynamic, width}, element);
    };
    auto sequenceType = [&](int64_t width) {
      return RankedTensorType::get(
          {xType.getDimSize(0), xType.getDimSize(1), width}, element);
    };
    auto expand = [&](Value flatValue, int64_t width) -> Value {
      return expandToSteps(rewriter, loc, flatValue, x, width);
    };
    SmallVector<Value> sequenceSizes = {s.batch, s.steps, Value()};
    Value xFlat = collapse(rewriter, loc, x, {{0, 1}, {2}});
    RankedTensorType stepH = s.stepType(hidden);
    auto stateSlice = [&](Value stacked, int64_t dir) -> Value {
      return tensor::CastOp::create(
          rewriter, loc, stepH,
          sliceLeading(rewriter, loc, stacked, rewriter.getIndexAttr(dir)));
    };

    auto stackedType = cast<RankedTensorType>(op.getGradH0().getType());
    Value dX = s.zeros(flat(features), {rows, Value()});
    Value dWIh = tensor::EmptyOp::create(rewriter, loc, wIhType.getShape(), element);
    Value dWHh = tensor::EmptyOp::create(
        rewriter, loc, cast<RankedTensorType>(op.getWHh().getType()).getShape(),
        element);
    auto biasShape = cast<RankedTensorType>(op.getBIh().getType()).getShape();
    Value dBIh = tensor::EmptyOp::create(rewriter, loc, biasShape, element);
    Value dBHh = tensor::EmptyOp::create(rewriter, loc, biasShape, element);
    SmallVector<Value> stackedSizes = {Value(), s.batch, Value()};
    Value dH0 = emptyTensor(rewriter, loc, stackedType, stackedSizes);
    Value dC0 = s.zeros(stackedType, stackedSizes);

    for (int64_t dir = 0; dir < directions; ++dir) {
      OpFoldResult dirIndex = rewriter.getIndexAttr(dir);
      Value wIh = sliceLeading(rewriter, loc, op.getWIh(), dirIndex);
      Value wHh = sliceLeading(rewriter, loc, op.getWHh(), dirIndex);
      Value bIh = sliceLeading(rewriter, loc, op.getBIh(), dirIndex);
      Value bHh = sliceLeading(rewriter, loc, op.getBHh(), dirIndex);
      Value h0 = op.getH0() ? stateSlice(op.getH0(), dir)
                            : s.zeros(stepH, {s.batch, Value()});
      Value cInit = op.getC0() ? stateSlice(op.getC0(), dir)
                               : s.zeros(stepH, {s.batch, Value()});

      // 1. Each step's previous hidden state: the output one step earlier
      //    in this direction's order, the initial state at its first step.
      Value outputs = tensor::ExtractSliceOp::create(
          rewriter, loc, RankedTensorType::get(
                             {ShapedType::kDynamic, ShapedType::kDynamic, hidden},
                             element),
          op.getOutput(),
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
                                 rewriter.getIndexAttr(dir * hidden)},
          ArrayRef<OpFoldResult>{s.batch, s.steps, rewriter.getIndexAttr(hidden)},
          s.unit3());
      auto shifted = [&](Value from, Value to) {
        return std::pair<Value, Value>(from, to);
      };
      auto [copyFrom, copyTo] = dir == 0 ? shifted(c0, c1) : shifted(c1, c0);
      Value firstStep = dir == 0 ? c0 : last;
      auto partType = RankedTensorType::get(
          {ShapedType::kDynamic, ShapedType::kDynamic, hidden}, element);
      Value part = tensor::ExtractSliceOp::create(
          rewriter, loc, partType, outputs,
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0), copyFrom,
                                 rewriter.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{s.batch, last, rewriter.getIndexAttr(hidden)},
          s.unit3());
      Value hPrev = emptyTensor(rewriter, loc, sequenceType(hidden), sequenceSizes);
      hPrev = tensor::InsertSliceOp::create(
          rewriter, loc, part, hPrev,
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0), copyTo,
                                 rewriter.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{s.batch, last, rewriter.getIndexAttr(hidden)},
          s.unit3());
      hPrev = s.put(h0, hPrev, firstStep, 0, hidden);
      Value hPrevFlat = collapse(rewriter, loc, hPrev, {{0, 1}, {2}});

      // Gate pre-activations of every step, as in the forward lowering.
      Value gx = expand(
          projectInputs(rewriter, loc, cell, xFlat, wIh, bIh, bHh, rows),
          gateWidth);
      Value hiddenInit = cell == Cell::Gru
                             ? broadcastRows(rewriter, loc, bHh, rows,
                                             flat(gateWidth))
                             : s.zeros(flat(gateWidth), {rows, Value()});
      Value gh = expand(matmulTransposed(rewriter, loc, hPrevFlat, wHh,
                                         hiddenInit),
                        gateWidth);
      // The step order of this direction, and its reverse.
      auto timeOf = [&](OpBuilder &b, Location l, Value i, bool reverse) {
        bool fromEnd = (dir == 1) != reverse;
        return fromEnd ? Value(arith::SubIOp::create(b, l, last, i)) : i;
      };

      // An LSTM's cell state before and after every step.
      Value cells, cellsBefore;
      if (cell == Cell::Lstm) {
        Value empty = emptyTensor(rewriter, loc, sequenceType(hidden),
                                  sequenceSizes);
        auto scan = scf::ForOp::create(
            rewriter, loc, c0, s.steps, c1, ValueRange{cInit, empty, empty},
            [&](OpBuilder &b, Location l, Value i, ValueRange carried) {
              Sequences at{b, l, s.batch, s.steps, element};
              Value time = timeOf(b, l, i, false);
              // The old state is stored before the kernel overwrites it.
              Value before = at.put(carried[0], carried[2], time, 0, hidden);
              // The kernel overwrites carried[0] in place, so it reads the
              // old state from the stored copy.
              StepKernel kernel;
              kernel.add(at.at(before, time, 0, hidden), context);
              kernel.addGates(b, l, at.at(gx, time, 0, gateWidth), 4, hidden);
              kernel.addGates(b, l, at.at(gh, time, 0, gateWidth), 4, hidden);
              Value next = kernel.build(at, hidden, 1, {carried[0]},
                                        [&](OpBuilder &nb, Location nl,
                                            ValueRange a) -> SmallVector<Value> {
                Scalar m{nb, nl};
                Value in = m.sigmoid(m.add(a[1], a[5]));
                Value f = m.sigmoid(m.add(a[2], a[6]));
                Value g = m.tanh(m.add(a[3], a[7]));
                return {m.add(m.mul(f, a[0]), m.mul(in, g))};
              })[0];
              Value after = at.put(next, carried[1], time, 0, hidden);
              scf::YieldOp::create(b, l, ValueRange{next, after, before});
            });
        cells = scan.getResult(1);
        cellsBefore = scan.getResult(2);
      }

      // 2. The reverse loop.
      Value dh = linalg::CopyOp::create(
                     rewriter, loc, stateSlice(op.getGradHN(), dir),
                     emptyTensor(rewriter, loc, stepH, {s.batch, Value()}))
                     .getResult(0);
      Value dc = cell == Cell::Lstm
                     ? linalg::CopyOp::create(
                           rewriter, loc, stateSlice(op.getGradCN(), dir),
                           emptyTensor(rewriter, loc, stepH, {s.batch, Value()}))
                           .getResult(0)
                     : dh;
      Value gateGrads = emptyTensor(rewriter, loc, sequenceType(gateWidth),
                                    sequenceSizes);
      Value hiddenGateGrads =
          cell == Cell::Gru ? emptyTensor(rewriter, loc, sequenceType(gateWidth),
                                          sequenceSizes)
                            : gateGrads;
      auto loop = scf::ForOp::create(
          rewriter, loc, c0, s.steps, c1,
          ValueRange{dh, dc, gateGrads, hiddenGateGrads},
          [&](OpBuilder &b, Location l, Value i, ValueRange carried) {
            Sequences at{b, l, s.batch, s.steps, element};
            Value time = timeOf(b, l, i, true);
            // The incoming state gradients, read into fresh tensors first:
            // the kernel below writes over the carried ones in place.
            StepKernel incoming;
            incoming.add(carried[0], context);
            incoming.add(at.at(op.getGradOutput(), time, dir * hidden, hidden),
                         context);
            if (cell == Cell::Lstm)
              incoming.add(carried[1], context);
            SmallVector<Value> state = incoming.build(
                at, hidden, cell == Cell::Lstm ? 2 : 1, {},
                [&](OpBuilder &nb, Location nl,
                    ValueRange a) -> SmallVector<Value> {
                  Value dhTotal = arith::AddFOp::create(nb, nl, a[0], a[1]);
                  if (cell == Cell::Lstm)
                    return {dhTotal, a[2]};
                  return {dhTotal};
                });
            StepKernel kernel;
            kernel.add(state[0], context);
            kernel.addGates(b, l, at.at(gx, time, 0, gateWidth), gates, hidden);
            kernel.addGates(b, l, at.at(gh, time, 0, gateWidth), gates, hidden);
            unsigned extra = 1 + 2 * gates;
            if (cell == Cell::Lstm) {
              kernel.add(state[1], context);
              kernel.add(at.at(cells, time, 0, hidden), context);
              kernel.add(at.at(cellsBefore, time, 0, hidden), context);
            } else if (cell == Cell::Gru) {
              kernel.add(at.at(hPrev, time, 0, hidden), context);
            }
            // Outputs: the gate gradients (input side), then for a GRU the
            // hidden side's n gate and the direct path to h_prev, for an
            // LSTM the cell state's gradient at the previous step.
            unsigned outputs = gates + (cell == Cell::Gru   ? 2
                                        : cell == Cell::Lstm ? 1
                                                             : 0);
            // The state gradients stay in the loop's buffers: an LSTM's
            // cell-state gradient overwrites carried[1], a GRU's direct
            // path to h_prev carried[0], which the product then adds to.
            SmallVector<Value> reuse;
            if (cell == Cell::Lstm)
              reuse.push_back(carried[1]);
            if (cell == Cell::Gru)
              reuse.push_back(carried[0]);
            SmallVector<Value> pieces = kernel.build(
                at, hidden, outputs, reuse,
                [&](OpBuilder &nb, Location nl,
                    ValueRange a) -> SmallVector<Value> {
                  Scalar m{nb, nl};
                  Value dhTotal = a[0];
                  auto pre = [&](int64_t g) {
                    return m.add(a[1 + g], a[1 + gates + g]);
                  };
                  switch (cell) {
                  case Cell::Rnn: {
                    Value h = m.tanh(pre(0));
                    return {m.mul(dhTotal, m.dtanh(h))};
                  }
                  case Cell::Lstm: {
                    Value in = m.sigmoid(pre(0)), f = m.sigmoid(pre(1));
                    Value g = m.tanh(pre(2)), o = m.sigmoid(pre(3));
                    Value dcIn = a[extra], c = a[extra + 1], cPrev = a[extra + 2];
                    Value tc = m.tanh(c);
                    Value dcTotal = m.add(dcIn, m.mul(m.mul(dhTotal, o), m.dtanh(tc)));
                    return {m.mul(m.mul(dcTotal, g), m.dsigmoid(in)),
                            m.mul(m.mul(dcTotal, cPrev), m.dsigmoid(f)),
                            m.mul(m.mul(dcTotal, in), m.dtanh(g)),
                            m.mul(m.mul(dhTotal, tc), m.dsigmoid(o)),
                            m.mul(dcTotal, f)};
                  }
                  case Cell::Gru: {
                    Value r = m.sigmoid(pre(0)), z = m.sigmoid(pre(1));
                    Value hn = a[1 + gates + 2];
                    Value n = m.tanh(m.add(a[1 + 2], m.mul(r, hn)));
                    Value hPrevValue = a[extra];
                    Value dn = m.mul(dhTotal, m.sub(m.one(z), z));
                    Value dz = m.mul(dhTotal, m.sub(hPrevValue, n));
                    Value dan = m.mul(dn, m.dtanh(n));
                    Value dar = m.mul(m.mul(dan, hn), m.dsigmoid(r));
                    Value daz = m.mul(dz, m.dsigmoid(z));
                    return {dar, daz, dan, m.mul(dan, r), m.mul(dhTotal, z)};
                  }
                  }
                  return {};
                });
            Value empty = emptyTensor(b, l, at.stepType(gateWidth), {s.batch, Value()});
            auto assemble = [&](ArrayRef<Value> parts) {
              Value whole = empty;
              for (auto [g, piece] : llvm::enumerate(parts))
                whole = tensor::InsertSliceOp::create(
                    b, l, piece, whole,
                    ArrayRef<OpFoldResult>{b.getIndexAttr(0),
                                           b.getIndexAttr(g * hidden)},
                    ArrayRef<OpFoldResult>{s.batch, b.getIndexAttr(hidden)},
                    ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
              return whole;
            };
            Value inputSide = assemble(ArrayRef<Value>(pieces).take_front(gates));
            Value hiddenSide = inputSide, dhInit;
            if (cell == Cell::Gru) {
              hiddenSide = assemble({pieces[0], pieces[1], pieces[3]});
              dhInit = pieces[4];
            } else {
              dhInit = linalg::FillOp::create(
                           b, l, scalarConstant(b, l, element, 0), carried[0])
                           .getResult(0);
            }
            Value dhPrev = at.matmul(hiddenSide, wHh, dhInit);
            Value dcPrev = cell == Cell::Lstm ? pieces[4] : carried[1];
            Value inputGrads = at.put(inputSide, carried[2], time, 0, gateWidth);
            // Only a GRU's hidden-side gate gradients differ from the input
            // side's; the others leave that buffer untouched.
            Value hiddenGrads =
                cell == Cell::Gru
                    ? at.put(hiddenSide, carried[3], time, 0, gateWidth)
                    : carried[3];
            scf::YieldOp::create(
                b, l, ValueRange{dhPrev, dcPrev, inputGrads, hiddenGrads});
          });

      // 3. Input, weight and bias gradients over all steps at once.
      Value inputGrads = collapse(rewriter, loc, loop.getResult(2), {{0, 1}, {2}});
      Value hiddenGrads =
          cell == Cell::Gru
              ? collapse(rewriter, loc, loop.getResult(3), {{0, 1}, {2}})
              : inputGrads;
      dX = s.matmul(inputGrads, wIh, dX);
      auto putLeading = [&](Value value, Value stacked) -> Value {
        auto type = cast<RankedTensorType>(value.getType());
        int64_t rank = type.getRank() + 1;
        SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
        SmallVector<OpFoldResult> sizes = {rewriter.getIndexAttr(1)};
        for (int64_t size : type.getShape())
          sizes.push_back(rewriter.getIndexAttr(size));
        offsets[0] = dirIndex;
        return tensor::InsertSliceOp::create(
            rewriter, loc, value, stacked, offsets, sizes,
            SmallVector<OpFoldResult>(rank, rewriter.getIndexAttr(1)));
      };
      dWIh = putLeading(s.matmulLhsTransposed(inputGrads, xFlat, gateWidth,
                                              features),
                        dWIh);
      dWHh = putLeading(s.matmulLhsTransposed(hiddenGrads, hPrevFlat, gateWidth,
                                              hidden),
                        dWHh);
      dBIh = putLeading(reduce(rewriter, loc, inputGrads, {0}, ReduceKind::Sum),
                        dBIh);
      dBHh = putLeading(reduce(rewriter, loc, hiddenGrads, {0}, ReduceKind::Sum),
                        dBHh);
      dH0 = s.putDirection(loop.getResult(0), dH0, dir, hidden);
      if (cell == Cell::Lstm)
        dC0 = s.putDirection(loop.getResult(1), dC0, dir, hidden);
    }
    rewriter.replaceOp(op, {expand(dX, features), dWIh, dWHh, dBIh, dBHh,
                            dH0, dC0});
    return success();
  }
};

struct LowerRecurrentGradientsPass
    : kiln::impl::KilnLowerRecurrentGradientsBase<LowerRecurrentGradientsPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<RecurrentGradPattern>(context);
    ConversionTarget target(*context);
    target.addIllegalOp<RecurrentGradOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
