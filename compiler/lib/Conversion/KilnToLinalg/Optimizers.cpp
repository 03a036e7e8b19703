//===- Optimizers.cpp - The kiln-lower-optimizers pass --------------------===//
//
// One optimizer step for one parameter is one pass over its elements: a
// linalg.generic reading the parameter, its gradient and its state, and
// writing the new parameter and state. Per-step scalars (learning rate,
// Adam's bias corrections) are computed once, outside the loop. Formulas
// and their order follow torch.optim so results agree to rounding.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "kiln/Dialect/KilnOps.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Transforms/DialectConversion.h"

namespace kiln {
#define GEN_PASS_DEF_KILNLOWEROPTIMIZERS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;
using namespace kiln::lowering;

namespace {

/// Scalar arithmetic in the parameter's element type.
struct Arith {
  OpBuilder &b;
  Location loc;
  Type type;

  Value constant(double v) { return scalarConstant(b, loc, type, v); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value sqrt(Value x) { return math::SqrtOp::create(b, loc, x); }
  /// x * a + y * c for constants a and c.
  Value blend(double a, Value x, double c, Value y) {
    return add(mul(constant(a), x), mul(constant(c), y));
  }
  Value toType(Value value) {
    Type from = value.getType();
    if (from == type)
      return value;
    if (isa<IntegerType>(from))
      return arith::SIToFPOp::create(b, loc, type, value);
    if (from.getIntOrFloatBitWidth() < type.getIntOrFloatBitWidth())
      return arith::ExtFOp::create(b, loc, type, value);
    return arith::TruncFOp::create(b, loc, type, value);
  }
};

struct OptimizerUpdatePattern : OpRewritePattern<OptimizerUpdateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(OptimizerUpdateOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    auto type = cast<RankedTensorType>(op.getParam().getType());
    if (!type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "parameters have static shapes");
    OptimizerAttr optimizer = op.getOptimizer();
    auto hyper = [&](StringRef name) {
      return optimizer.getHyperparameter(name);
    };
    double weightDecay = hyper("weight_decay"), momentum = hyper("momentum");
    OptimizerKind kind = optimizer.getKind();

    // Per-step scalars.
    Arith outside{rewriter, loc, type.getElementType()};
    Value lr = outside.toType(
        tensor::ExtractOp::create(rewriter, loc, op.getLr(), ValueRange{}));
    Value step = outside.toType(
        tensor::ExtractOp::create(rewriter, loc, op.getStep(), ValueRange{}));
    Value stepSize = lr, sqrtCorrection2, decayFactor;
    if (kind == OptimizerKind::adam || kind == OptimizerKind::adamw) {
      auto correction = [&](double beta) {
        return outside.sub(outside.constant(1),
                           math::PowFOp::create(rewriter, loc,
                                                outside.constant(beta), step));
      };
      stepSize = outside.div(lr, correction(hyper("beta1")));
      sqrtCorrection2 = outside.sqrt(correction(hyper("beta2")));
    }
    if (kind == OptimizerKind::adamw)
      decayFactor = outside.sub(outside.constant(1),
                                outside.mul(lr, outside.constant(weightDecay)));

    // The parameter and state are read through the outputs they are
    // written to, so that they can be updated in place: one buffer each,
    // read and written element by element.
    SmallVector<Value> inputs = {op.getGrad()};
    SmallVector<Value> outputs = {op.getParam()};
    llvm::append_range(outputs, op.getState());
    SmallVector<Type> resultTypes(outputs.size(), type);
    unsigned rank = type.getRank();
    SmallVector<AffineMap> maps(inputs.size() + outputs.size(),
                                AffineMap::getMultiDimIdentityMap(rank, context));
    bool nesterov = optimizer.isNesterov();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultTypes, inputs, outputs, maps,
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Arith a{b, l, type.getElementType()};
          // args: the gradient, then the parameter and each state slot.
          Value grad = args[0], param = args[1];
          ValueRange old = args.drop_front(2);
          SmallVector<Value> yields;
          if (weightDecay != 0 && kind != OptimizerKind::adamw)
            grad = a.add(grad, a.mul(a.constant(weightDecay), param));
          switch (kind) {
          case OptimizerKind::sgd: {
            SmallVector<Value> updated;
            if (momentum != 0) {
              Value buffer = a.add(a.mul(a.constant(momentum), old[0]), grad);
              updated.push_back(buffer);
              grad = nesterov ? a.add(grad, a.mul(a.constant(momentum), buffer))
                              : buffer;
            }
            yields.push_back(a.sub(param, a.mul(lr, grad)));
            yields.append(updated);
            break;
          }
          case OptimizerKind::adam:
          case OptimizerKind::adamw: {
            if (kind == OptimizerKind::adamw)
              param = a.mul(param, decayFactor);
            double beta1 = hyper("beta1"), beta2 = hyper("beta2");
            Value m = a.blend(beta1, old[0], 1 - beta1, grad);
            Value v = a.blend(beta2, old[1], 1 - beta2, a.mul(grad, grad));
            Value denominator =
                a.add(a.div(a.sqrt(v), sqrtCorrection2), a.constant(hyper("eps")));
            yields.push_back(a.sub(param, a.mul(stepSize, a.div(m, denominator))));
            yields.push_back(m);
            yields.push_back(v);
            break;
          }
          case OptimizerKind::rmsprop: {
            double alpha = hyper("alpha");
            Value v = a.blend(alpha, old[0], 1 - alpha, a.mul(grad, grad));
            Value average = a.add(a.sqrt(v), a.constant(hyper("eps")));
            Value direction = a.div(grad, average);
            SmallVector<Value> updated = {v};
            if (momentum != 0) {
              direction =
                  a.add(a.mul(a.constant(momentum), old[1]), direction);
              updated.push_back(direction);
            }
            yields.push_back(a.sub(param, a.mul(lr, direction)));
            yields.append(updated);
            break;
          }
          }
          linalg::YieldOp::create(b, l, yields);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

struct LowerOptimizersPass
    : kiln::impl::KilnLowerOptimizersBase<LowerOptimizersPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<OptimizerUpdatePattern>(context);
    ConversionTarget target(*context);
    target.addIllegalOp<OptimizerUpdateOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
