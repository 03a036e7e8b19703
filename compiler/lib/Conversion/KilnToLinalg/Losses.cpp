//===- Losses.cpp - The kiln-lower-losses pass ----------------------------===//
//
// Losses become an elementwise linalg.generic for the per-element (or
// per-sample) terms, followed by the reduction. The formulas match
// PyTorch's, including its numerically stable forms: logsumexp for
// cross-entropy, max(x, 0) - x t + log1p(exp(-|x|)) for BCE on logits, and
// log clamped at -100 for BCE on probabilities.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Dialect/KilnOps.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Transforms/DialectConversion.h"

#include "llvm/ADT/TypeSwitch.h"

namespace kiln {
#define GEN_PASS_DEF_KILNLOWERLOSSES
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;
using namespace kiln::lowering;

namespace {

/// Applies `reduction` to the per-element losses.
Value applyReduction(OpBuilder &b, Location loc, Value terms,
                     Reduction reduction) {
  if (reduction == Reduction::none)
    return terms;
  auto type = cast<RankedTensorType>(terms.getType());
  SmallVector<int64_t> all = normalizeAxes({}, type.getRank());
  Value sum = reduce(b, loc, terms, all, ReduceKind::Sum);
  if (reduction == Reduction::sum)
    return sum;
  Value count = countOver(b, loc, terms, all, type.getElementType());
  return broadcastGeneric(b, loc, cast<RankedTensorType>(sum.getType()),
                          ValueRange{sum},
                          [&](OpBuilder &nb, Location l, ValueRange args) {
                            return arith::DivFOp::create(nb, l, args[0], count)
                                .getResult();
                          });
}

Value pointwiseTerm(OpBuilder &b, Location loc, Operation *op, Value x,
                    Value t) {
  auto c = [&](double v) { return scalarConstant(b, loc, x.getType(), v); };
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case([&](MseLossOp) -> Value {
        Value d = arith::SubFOp::create(b, loc, x, t);
        return arith::MulFOp::create(b, loc, d, d);
      })
      .Case([&](L1LossOp) -> Value {
        return math::AbsFOp::create(b, loc,
                                    arith::SubFOp::create(b, loc, x, t));
      })
      .Case([&](BceLossOp) -> Value {
        auto clampedLog = [&](Value v) {
          return arith::MaximumFOp::create(b, loc, math::LogOp::create(b, loc, v),
                                           c(-100));
        };
        Value oneMinusX = arith::SubFOp::create(b, loc, c(1), x);
        Value oneMinusT = arith::SubFOp::create(b, loc, c(1), t);
        Value sum = arith::AddFOp::create(
            b, loc, arith::MulFOp::create(b, loc, t, clampedLog(x)),
            arith::MulFOp::create(b, loc, oneMinusT, clampedLog(oneMinusX)));
        return arith::NegFOp::create(b, loc, sum);
      })
      .Case([&](BceWithLogitsLossOp) -> Value {
        Value negAbs =
            arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, x));
        Value softplus =
            math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, negAbs));
        Value relu = arith::MaximumFOp::create(b, loc, x, c(0));
        return arith::AddFOp::create(
            b, loc,
            arith::SubFOp::create(b, loc, relu,
                                  arith::MulFOp::create(b, loc, x, t)),
            softplus);
      })
      .Default([](Operation *) -> Value { return nullptr; });
}

template <typename OpTy>
struct PointwiseLossPattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    Value terms = broadcastGeneric(
        rewriter, loc, inputType, ValueRange{op.getInput(), op.getTarget()},
        [&](OpBuilder &b, Location l, ValueRange args) {
          return pointwiseTerm(b, l, op, args[0], args[1]);
        });
    Value result = applyReduction(rewriter, loc, terms, op.getReduction());
    if (result.getType() != op.getType())
      result = tensor::CastOp::create(rewriter, loc, op.getType(), result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// input[n, labels[n]] for every sample n.
Value pickLabelled(OpBuilder &b, Location loc, Value input, Value labels) {
  auto inputType = cast<RankedTensorType>(input.getType());
  auto pickedType = RankedTensorType::get({inputType.getDimSize(0)},
                                          inputType.getElementType());
  return broadcastGeneric(
      b, loc, pickedType, ValueRange{labels},
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value n = linalg::IndexOp::create(nb, l, 0);
        Value c = arith::IndexCastOp::create(nb, l, nb.getIndexType(), args[0]);
        return tensor::ExtractOp::create(nb, l, input, ValueRange{n, c})
            .getResult();
      });
}

template <typename OpTy>
struct ClassLossPattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    Type element = inputType.getElementType();
    Value picked = pickLabelled(rewriter, loc, input, op.getLabels());
    auto pickedType = cast<RankedTensorType>(picked.getType());
    SmallVector<int64_t> classes = {1};
    Value terms;
    if constexpr (std::is_same_v<OpTy, NllLossOp>) {
      terms = broadcastGeneric(rewriter, loc, pickedType, ValueRange{picked},
                               [](OpBuilder &b, Location l, ValueRange args) {
                                 return arith::NegFOp::create(b, l, args[0])
                                     .getResult();
                               });
    } else if constexpr (std::is_same_v<OpTy, SoftmaxCrossEntropyLossOp>) {
      Value max = reduce(rewriter, loc, input, classes, ReduceKind::Max);
      Value shiftedExp = combineWithReduced(
          rewriter, loc, input, max, classes, inputType,
          [](OpBuilder &b, Location l, ValueRange args) {
            return math::ExpOp::create(
                       b, l, arith::SubFOp::create(b, l, args[0], args[1]))
                .getResult();
          });
      Value sum = reduce(rewriter, loc, shiftedExp, classes, ReduceKind::Sum);
      terms = broadcastGeneric(
          rewriter, loc, pickedType, ValueRange{sum, max, picked},
          [](OpBuilder &b, Location l, ValueRange args) {
            Value lse = arith::AddFOp::create(
                b, l, math::LogOp::create(b, l, args[0]), args[1]);
            return arith::SubFOp::create(b, l, lse, args[2]).getResult();
          });
    } else {
      // Multiclass hinge: the mean over classes c != y of
      // max(0, margin - x[y] + x[c]).
      double margin = op.getMargin().convertToDouble();
      Value labels = op.getLabels();
      Value perClass = combineWithReduced(
          rewriter, loc, input, picked, classes, inputType,
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value c = arith::IndexCastOp::create(
                b, l, b.getI64Type(), linalg::IndexOp::create(b, l, 1));
            Value n = linalg::IndexOp::create(b, l, 0);
            Value label =
                tensor::ExtractOp::create(b, l, labels, ValueRange{n});
            if (!label.getType().isInteger(64))
              label = arith::ExtSIOp::create(b, l, b.getI64Type(), label);
            Value term = arith::MaximumFOp::create(
                b, l, scalarConstant(b, l, element, 0),
                arith::AddFOp::create(
                    b, l,
                    arith::SubFOp::create(
                        b, l, scalarConstant(b, l, element, margin), args[1]),
                    args[0]));
            Value isLabel =
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, c, label);
            return arith::SelectOp::create(b, l, isLabel,
                                           scalarConstant(b, l, element, 0),
                                           term)
                .getResult();
          });
      Value sum = reduce(rewriter, loc, perClass, classes, ReduceKind::Sum);
      Value count = countOver(rewriter, loc, input, classes, element);
      terms = broadcastGeneric(
          rewriter, loc, pickedType, ValueRange{sum},
          [&](OpBuilder &b, Location l, ValueRange args) {
            return arith::DivFOp::create(b, l, args[0], count).getResult();
          });
    }
    Value result = applyReduction(rewriter, loc, terms, op.getReduction());
    if (result.getType() != op.getType())
      result = tensor::CastOp::create(rewriter, loc, op.getType(), result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LowerLossesPass : kiln::impl::KilnLowerLossesBase<LowerLossesPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<PointwiseLossPattern<MseLossOp>,
                 PointwiseLossPattern<L1LossOp>,
                 PointwiseLossPattern<BceLossOp>,
                 PointwiseLossPattern<BceWithLogitsLossOp>,
                 ClassLossPattern<SoftmaxCrossEntropyLossOp>,
                 ClassLossPattern<NllLossOp>, ClassLossPattern<HingeLossOp>>(
        context);
    ConversionTarget target(*context);
    target.addIllegalOp<MseLossOp, L1LossOp, BceLossOp, BceWithLogitsLossOp,
                        SoftmaxCrossEntropyLossOp, NllLossOp, HingeLossOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
