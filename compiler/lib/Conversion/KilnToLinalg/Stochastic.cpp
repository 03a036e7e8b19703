//===- Stochastic.cpp - The kiln-lower-random pass ------------------------===//
//
// Random tensors and dropout draw from Philox 4x32-10 inside a
// linalg.generic: element i's bits are Philox((i, stream, step), seed) with
// the seed and step read from the entry's key. Every value is a pure
// function of (seed, step, stream, i), whatever the tiling or threading.
// The generator is the runtime's (runtime/src/Philox.h), so both agree.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Dialect/KilnOps.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Transforms/DialectConversion.h"

#include <cmath>

namespace kiln {
#define GEN_PASS_DEF_KILNLOWERRANDOM
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;
using namespace kiln::lowering;

namespace {

Value i32Constant(OpBuilder &b, Location loc, uint32_t value) {
  return arith::ConstantOp::create(
      b, loc, b.getI32IntegerAttr(static_cast<int32_t>(value)));
}

/// The seed and step of a key, each split into (low, high) 32-bit words.
struct KeyWords {
  Value seedLo, seedHi, stepLo;
};

KeyWords readKey(OpBuilder &b, Location loc, Value key) {
  auto word = [&](int64_t i) {
    return tensor::ExtractOp::create(
        b, loc, key, ValueRange{arith::ConstantIndexOp::create(b, loc, i)});
  };
  Value seed = word(0), step = word(1);
  Value shift = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(32));
  return {arith::TruncIOp::create(b, loc, b.getI32Type(), seed),
          arith::TruncIOp::create(b, loc, b.getI32Type(),
                                  arith::ShRUIOp::create(b, loc, seed, shift)),
          arith::TruncIOp::create(b, loc, b.getI32Type(), step)};
}

/// Philox 4x32-10 of the counter under the key.
SmallVector<Value, 4> philox(OpBuilder &b, Location loc,
                             SmallVector<Value, 4> counter, Value key0,
                             Value key1) {
  Value mul0 = i32Constant(b, loc, 0xD2511F53u);
  Value mul1 = i32Constant(b, loc, 0xCD9E8D57u);
  Value weyl0 = i32Constant(b, loc, 0x9E3779B9u);
  Value weyl1 = i32Constant(b, loc, 0xBB67AE85u);
  for (int round = 0; round < 10; ++round) {
    auto p0 = arith::MulUIExtendedOp::create(b, loc, mul0, counter[0]);
    auto p1 = arith::MulUIExtendedOp::create(b, loc, mul1, counter[2]);
    auto xor3 = [&](Value x, Value y, Value z) {
      return arith::XOrIOp::create(b, loc, arith::XOrIOp::create(b, loc, x, y),
                                   z);
    };
    counter = {xor3(p1.getHigh(), counter[1], key0), p1.getLow(),
               xor3(p0.getHigh(), counter[3], key1), p0.getLow()};
    key0 = arith::AddIOp::create(b, loc, key0, weyl0);
    key1 = arith::AddIOp::create(b, loc, key1, weyl1);
  }
  return counter;
}

/// 32 random bits as a float in [0, 1) (24 significant bits).
Value toUnit(OpBuilder &b, Location loc, Value bits, Type element) {
  Value top = arith::ShRUIOp::create(b, loc, bits, i32Constant(b, loc, 8));
  Value asFloat = arith::UIToFPOp::create(b, loc, element, top);
  return arith::MulFOp::create(b, loc, asFloat,
                               scalarConstant(b, loc, element, 0x1.0p-24));
}

/// A standard normal from two words (Box-Muller), as the runtime draws.
Value toNormal(OpBuilder &b, Location loc, Value bits0, Value bits1,
               Type element) {
  Value one = scalarConstant(b, loc, element, 1);
  Value u1 = arith::MulFOp::create(
      b, loc,
      arith::AddFOp::create(b, loc,
                            arith::UIToFPOp::create(b, loc, element, bits0),
                            one),
      scalarConstant(b, loc, element, 0x1.0p-32));
  Value u2 = arith::MulFOp::create(
      b, loc, arith::UIToFPOp::create(b, loc, element, bits1),
      scalarConstant(b, loc, element, 0x1.0p-32));
  Value radius = math::SqrtOp::create(
      b, loc,
      arith::MulFOp::create(b, loc, scalarConstant(b, loc, element, -2),
                            math::LogOp::create(b, loc, u1)));
  Value angle = arith::MulFOp::create(
      b, loc, scalarConstant(b, loc, element, 2 * M_PI), u2);
  return arith::MulFOp::create(b, loc, radius,
                               math::CosOp::create(b, loc, angle));
}

/// A generic over `resultType` whose body receives the Philox bits of each
/// element (and the scalars of `inputs`, read elementwise).
Value randomGeneric(
    OpBuilder &b, Location loc, RankedTensorType resultType, Value key,
    int64_t stream, ValueRange inputs, ArrayRef<Value> sizes,
    function_ref<Value(OpBuilder &, Location, ArrayRef<Value>, ValueRange)>
        body) {
  MLIRContext *context = b.getContext();
  int64_t rank = resultType.getRank();
  KeyWords words = readKey(b, loc, key);
  // Row-major strides of the result, for the element's linear index.
  SmallVector<Value> dims;
  for (int64_t d = 0; d < rank; ++d)
    dims.push_back(resultType.isDynamicDim(d)
                       ? sizes[d]
                       : Value(arith::ConstantIndexOp::create(
                             b, loc, resultType.getDimSize(d))));
  SmallVector<AffineMap> maps(inputs.size() + 1,
                              AffineMap::getMultiDimIdentityMap(rank, context));
  Value init = emptyTensor(b, loc, resultType, sizes);
  return linalg::GenericOp::create(
             b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps,
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               Value linear = arith::ConstantIndexOp::create(nb, l, 0);
               for (int64_t d = 0; d < rank; ++d)
                 linear = arith::AddIOp::create(
                     nb, l, arith::MulIOp::create(nb, l, linear, dims[d]),
                     linalg::IndexOp::create(nb, l, d));
               Value wide =
                   arith::IndexCastOp::create(nb, l, nb.getI64Type(), linear);
               Value lo = arith::TruncIOp::create(nb, l, nb.getI32Type(), wide);
               Value hi = arith::TruncIOp::create(
                   nb, l, nb.getI32Type(),
                   arith::ShRUIOp::create(
                       nb, l, wide,
                       arith::ConstantOp::create(nb, l,
                                                 nb.getI64IntegerAttr(32))));
               SmallVector<Value, 4> bits = philox(
                   nb, l,
                   {lo, hi, i32Constant(nb, l, static_cast<uint32_t>(stream)),
                    words.stepLo},
                   words.seedLo, words.seedHi);
               linalg::YieldOp::create(nb, l,
                                       body(nb, l, bits, args.drop_back()));
             })
      .getResult(0);
}

SmallVector<Value> sizesLike(OpBuilder &b, Location loc,
                             RankedTensorType type, Value like) {
  SmallVector<Value> sizes(type.getRank());
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      sizes[d] = dimOf(b, loc, like, d);
  return sizes;
}

template <typename OpTy, bool IsNormal>
struct RandomTensorPattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    SmallVector<Value> sizes =
        op.getLike() ? sizesLike(rewriter, loc, type, op.getLike())
                     : SmallVector<Value>(type.getRank());
    double a, b2;
    if constexpr (IsNormal) {
      a = op.getMean().convertToDouble();
      b2 = op.getStd().convertToDouble();
    } else {
      a = op.getLow().convertToDouble();
      b2 = op.getHigh().convertToDouble() - a;
    }
    Value result = randomGeneric(
        rewriter, loc, type, op.getKey(),
        static_cast<int64_t>(op.getStream()), {}, sizes,
        [&](OpBuilder &b, Location l, ArrayRef<Value> bits, ValueRange) {
          Value sample = IsNormal ? toNormal(b, l, bits[0], bits[1], element)
                                  : toUnit(b, l, bits[0], element);
          // offset + scale * sample: (mean, std) or (low, high - low).
          return arith::AddFOp::create(
                     b, l, scalarConstant(b, l, element, a),
                     arith::MulFOp::create(b, l, scalarConstant(b, l, element, b2),
                                           sample))
              .getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct BernoulliPattern : OpRewritePattern<BernoulliOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BernoulliOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    Value result = randomGeneric(
        rewriter, loc, type, op.getKey(),
        static_cast<int64_t>(op.getStream()), ValueRange{op.getProbs()},
        sizesLike(rewriter, loc, type, op.getProbs()),
        [&](OpBuilder &b, Location l, ArrayRef<Value> bits, ValueRange args) {
          Value hit = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT,
                                            toUnit(b, l, bits[0], element),
                                            args[0]);
          return arith::SelectOp::create(b, l, hit,
                                         scalarConstant(b, l, element, 1),
                                         scalarConstant(b, l, element, 0))
              .getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct DropoutPattern : OpRewritePattern<DropoutOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DropoutOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    double rate = op.getRate().convertToDouble();
    Value result = randomGeneric(
        rewriter, loc, type, op.getKey(),
        static_cast<int64_t>(op.getStream()), ValueRange{op.getInput()},
        sizesLike(rewriter, loc, type, op.getInput()),
        [&](OpBuilder &b, Location l, ArrayRef<Value> bits, ValueRange args) {
          Value keep = arith::CmpFOp::create(
              b, l, arith::CmpFPredicate::OGE, toUnit(b, l, bits[0], element),
              scalarConstant(b, l, element, rate));
          Value scaled = arith::MulFOp::create(
              b, l, args[0], scalarConstant(b, l, element, 1.0 / (1.0 - rate)));
          return arith::SelectOp::create(b, l, keep, scaled,
                                         scalarConstant(b, l, element, 0))
              .getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LowerRandomPass : kiln::impl::KilnLowerRandomBase<LowerRandomPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<RandomTensorPattern<RandomNormalOp, true>,
                 RandomTensorPattern<RandomUniformOp, false>, BernoulliPattern,
                 DropoutPattern>(context);
    ConversionTarget target(*context);
    target.addIllegalOp<RandomNormalOp, RandomUniformOp, BernoulliOp,
                        DropoutOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
