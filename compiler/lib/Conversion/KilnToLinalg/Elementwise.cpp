//===- Elementwise.cpp - The kiln-lower-elementwise pass ------------------===//
//
// Elementwise kiln ops become linalg.generic ops over arith and math, with
// broadcasting expressed in the indexing maps; constants and fills become
// arith.constant and linalg.fill.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Dialect/KilnOps.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Transforms/DialectConversion.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

namespace kiln {
#define GEN_PASS_DEF_KILNLOWERELEMENTWISE
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;
using namespace kiln::lowering;

namespace {

bool isFloat(Value v) { return isa<FloatType>(v.getType()); }

Value constantLike(OpBuilder &b, Location loc, Value like, double value) {
  return scalarConstant(b, loc, like.getType(), value);
}

/// The scalar computation of elementwise op `op` on `args`.
Value buildScalar(OpBuilder &b, Location loc, Operation *op, ValueRange args,
                  Type resultElement) {
  Value x = args.empty() ? Value() : args[0];
  auto select = [&](Value cond, Value a, Value c) {
    return arith::SelectOp::create(b, loc, cond, a, c).getResult();
  };
  auto positive = [&](Value v) {
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, v,
                                 constantLike(b, loc, v, 0));
  };
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case([&](NegOp) -> Value {
        if (isFloat(x))
          return arith::NegFOp::create(b, loc, x);
        return arith::SubIOp::create(b, loc, constantLike(b, loc, x, 0), x);
      })
      .Case([&](AbsOp) -> Value {
        if (isFloat(x))
          return math::AbsFOp::create(b, loc, x);
        return math::AbsIOp::create(b, loc, x);
      })
      .Case([&](ExpOp) -> Value { return math::ExpOp::create(b, loc, x); })
      .Case([&](LogOp) -> Value { return math::LogOp::create(b, loc, x); })
      .Case([&](SqrtOp) -> Value { return math::SqrtOp::create(b, loc, x); })
      .Case([&](RsqrtOp) -> Value { return math::RsqrtOp::create(b, loc, x); })
      .Case([&](TanhOp) -> Value { return math::TanhOp::create(b, loc, x); })
      .Case([&](ErfOp) -> Value { return math::ErfOp::create(b, loc, x); })
      .Case([&](ReluOp) -> Value {
        return arith::MaximumFOp::create(b, loc, x, constantLike(b, loc, x, 0));
      })
      .Case([&](SigmoidOp) -> Value {
        Value one = constantLike(b, loc, x, 1);
        Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
        return arith::DivFOp::create(b, loc, one,
                                     arith::AddFOp::create(b, loc, one, e));
      })
      .Case([&](SoftplusOp) -> Value {
        // max(x, 0) + log1p(exp(-|x|)): exact, and no overflow.
        Value negAbs =
            arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, x));
        Value tail =
            math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, negAbs));
        return arith::AddFOp::create(
            b, loc,
            arith::MaximumFOp::create(b, loc, x, constantLike(b, loc, x, 0)),
            tail);
      })
      .Case([&](LeakyReluOp op) -> Value {
        Value scaled = arith::MulFOp::create(
            b, loc, x,
            constantLike(b, loc, x, op.getAlpha().convertToDouble()));
        return select(positive(x), x, scaled);
      })
      .Case([&](EluOp op) -> Value {
        Value negative = arith::MulFOp::create(
            b, loc, math::ExpM1Op::create(b, loc, x),
            constantLike(b, loc, x, op.getAlpha().convertToDouble()));
        return select(positive(x), x, negative);
      })
      .Case([&](GeluOp op) -> Value {
        Value half = constantLike(b, loc, x, 0.5);
        Value one = constantLike(b, loc, x, 1);
        Value inner;
        if (op.getApproximation() == GeluApproximation::exact) {
          Value scaled = arith::MulFOp::create(
              b, loc, x, constantLike(b, loc, x, M_SQRT1_2));
          inner = math::ErfOp::create(b, loc, scaled);
        } else {
          Value cube = arith::MulFOp::create(
              b, loc, x, arith::MulFOp::create(b, loc, x, x));
          Value poly = arith::AddFOp::create(
              b, loc, x,
              arith::MulFOp::create(b, loc, cube,
                                    constantLike(b, loc, x, 0.044715)));
          inner = math::TanhOp::create(
              b, loc,
              arith::MulFOp::create(
                  b, loc, poly,
                  constantLike(b, loc, x, std::sqrt(2.0 / M_PI))));
        }
        return arith::MulFOp::create(
            b, loc, arith::MulFOp::create(b, loc, half, x),
            arith::AddFOp::create(b, loc, one, inner));
      })
      .Case([&](ClampOp op) -> Value {
        Value v = x;
        if (auto min = op.getMinAttr()) {
          Value bound = constantLike(b, loc, x, min.getValueAsDouble());
          v = isFloat(x) ? Value(arith::MaximumFOp::create(b, loc, v, bound))
                         : Value(arith::MaxSIOp::create(b, loc, v, bound));
        }
        if (auto max = op.getMaxAttr()) {
          Value bound = constantLike(b, loc, x, max.getValueAsDouble());
          v = isFloat(x) ? Value(arith::MinimumFOp::create(b, loc, v, bound))
                         : Value(arith::MinSIOp::create(b, loc, v, bound));
        }
        return v;
      })
      .Case([&](AddOp) -> Value {
        return isFloat(x) ? Value(arith::AddFOp::create(b, loc, x, args[1]))
                          : Value(arith::AddIOp::create(b, loc, x, args[1]));
      })
      .Case([&](SubOp) -> Value {
        return isFloat(x) ? Value(arith::SubFOp::create(b, loc, x, args[1]))
                          : Value(arith::SubIOp::create(b, loc, x, args[1]));
      })
      .Case([&](MulOp) -> Value {
        return isFloat(x) ? Value(arith::MulFOp::create(b, loc, x, args[1]))
                          : Value(arith::MulIOp::create(b, loc, x, args[1]));
      })
      .Case([&](DivOp) -> Value {
        return isFloat(x) ? Value(arith::DivFOp::create(b, loc, x, args[1]))
                          : Value(arith::DivSIOp::create(b, loc, x, args[1]));
      })
      .Case([&](PowOp) -> Value {
        return math::PowFOp::create(b, loc, x, args[1]);
      })
      .Case([&](MinimumOp) -> Value {
        return isFloat(x)
                   ? Value(arith::MinimumFOp::create(b, loc, x, args[1]))
                   : Value(arith::MinSIOp::create(b, loc, x, args[1]));
      })
      .Case([&](MaximumOp) -> Value {
        return isFloat(x)
                   ? Value(arith::MaximumFOp::create(b, loc, x, args[1]))
                   : Value(arith::MaxSIOp::create(b, loc, x, args[1]));
      })
      .Case([&](CompareOp op) -> Value {
        if (isFloat(x)) {
          // Ordered comparisons, except "not equal", which holds for NaN.
          arith::CmpFPredicate predicate;
          switch (op.getPredicate()) {
          case ComparePredicate::eq:
            predicate = arith::CmpFPredicate::OEQ;
            break;
          case ComparePredicate::ne:
            predicate = arith::CmpFPredicate::UNE;
            break;
          case ComparePredicate::lt:
            predicate = arith::CmpFPredicate::OLT;
            break;
          case ComparePredicate::le:
            predicate = arith::CmpFPredicate::OLE;
            break;
          case ComparePredicate::gt:
            predicate = arith::CmpFPredicate::OGT;
            break;
          case ComparePredicate::ge:
            predicate = arith::CmpFPredicate::OGE;
            break;
          }
          return arith::CmpFOp::create(b, loc, predicate, x, args[1]);
        }
        arith::CmpIPredicate predicate;
        switch (op.getPredicate()) {
        case ComparePredicate::eq:
          predicate = arith::CmpIPredicate::eq;
          break;
        case ComparePredicate::ne:
          predicate = arith::CmpIPredicate::ne;
          break;
        case ComparePredicate::lt:
          predicate = arith::CmpIPredicate::slt;
          break;
        case ComparePredicate::le:
          predicate = arith::CmpIPredicate::sle;
          break;
        case ComparePredicate::gt:
          predicate = arith::CmpIPredicate::sgt;
          break;
        case ComparePredicate::ge:
          predicate = arith::CmpIPredicate::sge;
          break;
        }
        return arith::CmpIOp::create(b, loc, predicate, x, args[1]);
      })
      .Case([&](SelectOp) -> Value { return select(x, args[1], args[2]); })
      .Case([&](CastOp) -> Value {
        Type from = x.getType(), to = resultElement;
        if (from == to)
          return x;
        bool fromFloat = isa<FloatType>(from), toFloat = isa<FloatType>(to);
        if (to.isInteger(1)) {
          // Non-zero is true.
          if (fromFloat)
            return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x,
                                         constantLike(b, loc, x, 0));
          return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x,
                                       constantLike(b, loc, x, 0));
        }
        if (from.isInteger(1))
          return toFloat ? Value(arith::UIToFPOp::create(b, loc, to, x))
                         : Value(arith::ExtUIOp::create(b, loc, to, x));
        if (fromFloat && toFloat)
          return from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth()
                     ? Value(arith::ExtFOp::create(b, loc, to, x))
                     : Value(arith::TruncFOp::create(b, loc, to, x));
        if (fromFloat)
          return arith::FPToSIOp::create(b, loc, to, x);
        if (toFloat)
          return arith::SIToFPOp::create(b, loc, to, x);
        return from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth()
                   ? Value(arith::ExtSIOp::create(b, loc, to, x))
                   : Value(arith::TruncIOp::create(b, loc, to, x));
      })
      .Default([](Operation *) -> Value { return nullptr; });
}

template <typename OpTy>
struct ElementwisePattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    Value result = broadcastGeneric(
        rewriter, op.getLoc(), resultType, op->getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return buildScalar(b, loc, op, args, resultType.getElementType());
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// zeros_like, ones_like, full_like: a fill shaped like the operand.
template <typename OpTy>
struct FillLikePattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    double value = 0;
    if constexpr (std::is_same_v<OpTy, OnesLikeOp>)
      value = 1;
    if constexpr (std::is_same_v<OpTy, FullLikeOp>)
      value = op.getValue().convertToDouble();
    Location loc = op.getLoc();
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < type.getRank(); ++d)
      sizes.push_back(type.isDynamicDim(d)
                          ? dimOf(rewriter, loc, op.getInput(), d)
                          : Value());
    rewriter.replaceOp(
        op, filledTensor(rewriter, loc, type, sizes,
                         scalarConstant(rewriter, loc, type.getElementType(),
                                        value)));
    return success();
  }
};

struct FullPattern : OpRewritePattern<FullOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FullOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Location loc = op.getLoc();
    rewriter.replaceOp(
        op, filledTensor(rewriter, loc, type, {},
                         scalarConstant(rewriter, loc, type.getElementType(),
                                        op.getValue().convertToDouble())));
    return success();
  }
};

struct ConstantPattern : OpRewritePattern<ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConstantOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, cast<TypedAttr>(op.getValue()));
    return success();
  }
};

struct StopGradientPattern : OpRewritePattern<StopGradientOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(StopGradientOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, op.getInput());
    return success();
  }
};

struct LowerElementwisePass
    : kiln::impl::KilnLowerElementwiseBase<LowerElementwisePass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<ElementwisePattern<NegOp>, ElementwisePattern<AbsOp>,
                 ElementwisePattern<ExpOp>, ElementwisePattern<LogOp>,
                 ElementwisePattern<SqrtOp>, ElementwisePattern<RsqrtOp>,
                 ElementwisePattern<ReluOp>, ElementwisePattern<SigmoidOp>,
                 ElementwisePattern<TanhOp>, ElementwisePattern<SoftplusOp>,
                 ElementwisePattern<ErfOp>,
                 ElementwisePattern<LeakyReluOp>, ElementwisePattern<EluOp>,
                 ElementwisePattern<GeluOp>, ElementwisePattern<ClampOp>,
                 ElementwisePattern<AddOp>, ElementwisePattern<SubOp>,
                 ElementwisePattern<MulOp>, ElementwisePattern<DivOp>,
                 ElementwisePattern<PowOp>, ElementwisePattern<MinimumOp>,
                 ElementwisePattern<MaximumOp>, ElementwisePattern<CompareOp>,
                 ElementwisePattern<SelectOp>, ElementwisePattern<CastOp>,
                 FillLikePattern<ZerosLikeOp>, FillLikePattern<OnesLikeOp>,
                 FillLikePattern<FullLikeOp>, FullPattern, ConstantPattern,
                 StopGradientPattern>(context);
    ConversionTarget target(*context);
    target.addIllegalOp<
        NegOp, AbsOp, ExpOp, LogOp, SqrtOp, RsqrtOp, ReluOp, SigmoidOp, TanhOp,
        SoftplusOp, ErfOp, LeakyReluOp, EluOp, GeluOp, ClampOp, AddOp, SubOp, MulOp,
        DivOp, PowOp, MinimumOp, MaximumOp, CompareOp, SelectOp, CastOp,
        ZerosLikeOp, OnesLikeOp, FullLikeOp, FullOp, ConstantOp,
        StopGradientOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
