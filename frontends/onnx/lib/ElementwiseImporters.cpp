//===- ElementwiseImporters.cpp - ONNX elementwise ops onto kiln ops ------===//
//
// Unary and binary arithmetic, activations, comparisons, logic, Where,
// Clip and Cast. Integer arithmetic on constants is folded, because
// exported models compute shapes with it (Shape, Gather, Mul, Concat,
// Reshape).
//
//===----------------------------------------------------------------------===//

#include "NodeContext.h"

#include "kiln/Dialect/KilnOps.h"

#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::onnx::detail;

namespace {

FailureOr<Value> scalarLike(NodeContext &node, Value like, double value) {
  return node.scalarLike(like, value);
}

//===----------------------------------------------------------------------===//
// Unary
//===----------------------------------------------------------------------===//

/// ONNX op types that are one kiln op without attributes.
StringRef plainUnaryOp(StringRef onnxOp) {
  return llvm::StringSwitch<StringRef>(onnxOp)
      .Case("Relu", "kiln.relu")
      .Case("Sigmoid", "kiln.sigmoid")
      .Case("Tanh", "kiln.tanh")
      .Case("Exp", "kiln.exp")
      .Case("Log", "kiln.log")
      .Case("Sqrt", "kiln.sqrt")
      .Case("Abs", "kiln.abs")
      .Case("Neg", "kiln.neg")
      .Case("Erf", "kiln.erf")
      .Case("Softplus", "kiln.softplus")
      .Default("");
}

LogicalResult importPlainUnary(NodeContext &node) {
  FailureOr<Value> x = node.input(0);
  if (failed(x))
    return failure();
  FailureOr<Value> y =
      node.create(plainUnaryOp(node.node.op_type()), ValueRange{*x});
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

LogicalResult importIdentity(NodeContext &node) {
  if (std::optional<DenseElementsAttr> value = node.constantInput(0)) {
    node.setConstantResult(0, *value);
    return success();
  }
  FailureOr<Value> x = node.input(0);
  if (failed(x))
    return failure();
  node.setResult(0, *x);
  return success();
}

/// Builds `formula` from the node's first input and sets it as the result.
template <typename Formula>
LogicalResult importComposite(NodeContext &node, Formula formula) {
  FailureOr<Value> x = node.input(0);
  if (failed(x))
    return failure();
  FailureOr<Value> y = formula(*x);
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

FailureOr<Value> binary(NodeContext &node, StringRef op, Value lhs, Value rhs) {
  return node.create(op, ValueRange{lhs, rhs});
}

FailureOr<Value> withScalar(NodeContext &node, StringRef op, Value x,
                            double value, bool scalarFirst = false) {
  FailureOr<Value> scalar = scalarLike(node, x, value);
  if (failed(scalar))
    return failure();
  return scalarFirst ? binary(node, op, *scalar, x)
                     : binary(node, op, x, *scalar);
}

LogicalResult importLeakyRelu(NodeContext &node) {
  return importComposite(node, [&](Value x) {
    return node.create(
        "kiln.leaky_relu", ValueRange{x},
        {node.named("alpha", node.builder.getF64FloatAttr(
                                 node.floatAttr("alpha", 0.01)))});
  });
}

LogicalResult importElu(NodeContext &node) {
  return importComposite(node, [&](Value x) {
    return node.create(
        "kiln.elu", ValueRange{x},
        {node.named("alpha", node.builder.getF64FloatAttr(
                                 node.floatAttr("alpha", 1.0)))});
  });
}

LogicalResult importSelu(NodeContext &node) {
  double alpha = node.floatAttr("alpha", 1.67326319217681884765625);
  double gamma = node.floatAttr("gamma", 1.05070102214813232421875);
  return importComposite(node, [&](Value x) -> FailureOr<Value> {
    FailureOr<Value> elu =
        node.create("kiln.elu", ValueRange{x},
                    {node.named("alpha", node.builder.getF64FloatAttr(alpha))});
    if (failed(elu))
      return failure();
    return withScalar(node, "kiln.mul", *elu, gamma);
  });
}

/// max(0, min(1, alpha * x + beta)).
FailureOr<Value> hardSigmoid(NodeContext &node, Value x, double alpha,
                             double beta) {
  FailureOr<Value> scaled = withScalar(node, "kiln.mul", x, alpha);
  if (failed(scaled))
    return failure();
  FailureOr<Value> shifted = withScalar(node, "kiln.add", *scaled, beta);
  if (failed(shifted))
    return failure();
  return node.create("kiln.clamp", ValueRange{*shifted},
                     {node.named("min", node.builder.getF64FloatAttr(0)),
                      node.named("max", node.builder.getF64FloatAttr(1))});
}

LogicalResult importHardSigmoid(NodeContext &node) {
  return importComposite(node, [&](Value x) {
    return hardSigmoid(node, x, node.floatAttr("alpha", 0.2),
                       node.floatAttr("beta", 0.5));
  });
}

LogicalResult importHardSwish(NodeContext &node) {
  return importComposite(node, [&](Value x) -> FailureOr<Value> {
    FailureOr<Value> gate = hardSigmoid(node, x, 1.0 / 6, 0.5);
    if (failed(gate))
      return failure();
    return binary(node, "kiln.mul", x, *gate);
  });
}

LogicalResult importSoftsign(NodeContext &node) {
  return importComposite(node, [&](Value x) -> FailureOr<Value> {
    FailureOr<Value> magnitude = node.create("kiln.abs", ValueRange{x});
    if (failed(magnitude))
      return failure();
    FailureOr<Value> denominator =
        withScalar(node, "kiln.add", *magnitude, 1.0);
    if (failed(denominator))
      return failure();
    return binary(node, "kiln.div", x, *denominator);
  });
}

LogicalResult importMish(NodeContext &node) {
  return importComposite(node, [&](Value x) -> FailureOr<Value> {
    FailureOr<Value> softplus = node.create("kiln.softplus", ValueRange{x});
    if (failed(softplus))
      return failure();
    FailureOr<Value> gate = node.create("kiln.tanh", ValueRange{*softplus});
    if (failed(gate))
      return failure();
    return binary(node, "kiln.mul", x, *gate);
  });
}

LogicalResult importReciprocal(NodeContext &node) {
  return importComposite(node, [&](Value x) {
    return withScalar(node, "kiln.div", x, 1.0, /*scalarFirst=*/true);
  });
}

/// x where `predicate`(x, threshold) holds, else `otherwise`.
FailureOr<Value> selectAgainst(NodeContext &node, Value x,
                               ComparePredicate predicate, double threshold,
                               Value otherwise) {
  FailureOr<Value> limit = scalarLike(node, x, threshold);
  if (failed(limit))
    return failure();
  FailureOr<Value> condition = node.compare(predicate, x, *limit);
  if (failed(condition))
    return failure();
  return node.create("kiln.select", ValueRange{*condition, x, otherwise});
}

LogicalResult importThresholdedRelu(NodeContext &node) {
  return importComposite(node, [&](Value x) -> FailureOr<Value> {
    FailureOr<Value> zero = scalarLike(node, x, 0);
    if (failed(zero))
      return failure();
    return selectAgainst(node, x, ComparePredicate::gt,
                         node.floatAttr("alpha", 1.0), *zero);
  });
}

LogicalResult importPRelu(NodeContext &node) {
  FailureOr<Value> x = node.input(0);
  FailureOr<Value> slope = node.input(1);
  if (failed(x) || failed(slope))
    return failure();
  // A slope per channel ([C] against [N, C, ...]), as PyTorch exports it
  // and ONNX Runtime accepts, lines up with dimension 1.
  auto xType = cast<RankedTensorType>(x->getType());
  auto slopeType = cast<RankedTensorType>(slope->getType());
  if (slopeType.getRank() == 1 && xType.getRank() > 2 &&
      slopeType.getDimSize(0) == xType.getDimSize(1) &&
      slopeType.getDimSize(0) != xType.getDimSize(xType.getRank() - 1)) {
    SmallVector<int64_t> shape(xType.getRank() - 1, 1);
    shape[0] = slopeType.getDimSize(0);
    slope = node.reshape(*slope, shape);
    if (failed(slope))
      return failure();
  }
  FailureOr<Value> scaled = binary(node, "kiln.mul", *x, *slope);
  if (failed(scaled))
    return failure();
  FailureOr<Value> y =
      selectAgainst(node, *x, ComparePredicate::ge, 0, *scaled);
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

LogicalResult importGelu(NodeContext &node) {
  std::string approximate = node.stringAttr("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    return node.unsupported("approximate='" + approximate + "'");
  return importComposite(node, [&](Value x) {
    return node.create(
        "kiln.gelu", ValueRange{x},
        {node.named("approximation",
                    GeluApproximationAttr::get(
                        node.builder.getContext(),
                        approximate == "tanh" ? GeluApproximation::tanh
                                              : GeluApproximation::exact))});
  });
}

LogicalResult importSign(NodeContext &node) {
  return importComposite(node, [&](Value x) -> FailureOr<Value> {
    Value zero = node.scalarLike(x, 0);
    FailureOr<Value> below = node.compare(ComparePredicate::lt, x, zero);
    FailureOr<Value> above = node.compare(ComparePredicate::gt, x, zero);
    if (failed(below) || failed(above))
      return failure();
    FailureOr<Value> minusOrZero = node.create(
        "kiln.select", ValueRange{*below, node.scalarLike(x, -1), zero});
    if (failed(minusOrZero))
      return failure();
    return node.create("kiln.select",
                       ValueRange{*above, node.scalarLike(x, 1), *minusOrZero});
  });
}

/// Floor (or, with `up`, Ceil) of a float tensor, exactly: the value
/// truncated through i64, moved by one where truncation went the other
/// way; magnitudes of 2^52 and more are whole numbers already.
FailureOr<Value> roundToWhole(NodeContext &node, Value x, bool up) {
  Type element = getElementTypeOrSelf(x.getType());
  FailureOr<Value> truncated =
      node.create("kiln.cast", ValueRange{x},
                  {node.named("to", TypeAttr::get(node.builder.getI64Type()))});
  if (failed(truncated))
    return failure();
  FailureOr<Value> back =
      node.create("kiln.cast", ValueRange{*truncated},
                  {node.named("to", TypeAttr::get(element))});
  if (failed(back))
    return failure();
  FailureOr<Value> overshot =
      node.compare(up ? ComparePredicate::lt : ComparePredicate::gt, *back, x);
  FailureOr<Value> stepped = node.create(
      up ? "kiln.add" : "kiln.sub", ValueRange{*back, node.scalarLike(x, 1)});
  if (failed(overshot) || failed(stepped))
    return failure();
  FailureOr<Value> whole =
      node.create("kiln.select", ValueRange{*overshot, *stepped, *back});
  FailureOr<Value> magnitude = node.create("kiln.abs", ValueRange{x});
  if (failed(whole) || failed(magnitude))
    return failure();
  FailureOr<Value> huge = node.compare(ComparePredicate::ge, *magnitude,
                                       node.scalarLike(x, 4503599627370496.0));
  if (failed(huge))
    return failure();
  // NaN and infinities compare false everywhere: passed through as well.
  FailureOr<Value> finite = node.compare(ComparePredicate::eq, x, x);
  if (failed(finite))
    return failure();
  FailureOr<Value> keep = node.create(
      "kiln.select", ValueRange{*finite, *huge, node.scalarLike(*huge, 1)});
  if (failed(keep))
    return failure();
  return node.create("kiln.select", ValueRange{*keep, x, *whole});
}

/// Round half to even: floor(x + 0.5), less one where that rounded a tie
/// up to an odd number.
LogicalResult importRound(NodeContext &node) {
  return importComposite(node, [&](Value x) -> FailureOr<Value> {
    FailureOr<Value> shifted = withScalar(node, "kiln.add", x, 0.5);
    if (failed(shifted))
      return failure();
    FailureOr<Value> rounded = roundToWhole(node, *shifted, false);
    if (failed(rounded))
      return failure();
    FailureOr<Value> half = withScalar(node, "kiln.mul", *rounded, 0.5);
    if (failed(half))
      return failure();
    FailureOr<Value> halfDown = roundToWhole(node, *half, false);
    FailureOr<Value> excess = binary(node, "kiln.sub", *rounded, x);
    if (failed(halfDown) || failed(excess))
      return failure();
    FailureOr<Value> tie =
        node.compare(ComparePredicate::eq, *excess, node.scalarLike(x, 0.5));
    FailureOr<Value> odd = node.compare(ComparePredicate::ne, *halfDown, *half);
    if (failed(tie) || failed(odd))
      return failure();
    FailureOr<Value> oddTie = node.create(
        "kiln.select", ValueRange{*tie, *odd, node.scalarLike(*tie, 0)});
    FailureOr<Value> lowered = withScalar(node, "kiln.sub", *rounded, 1.0);
    if (failed(oddTie) || failed(lowered))
      return failure();
    return node.create("kiln.select", ValueRange{*oddTie, *lowered, *rounded});
  });
}

/// Mod: with fmod, the remainder of truncated division (C's fmod, the
/// dividend's sign); without it (integers only), of floored division
/// (Python's %, the divisor's sign).
LogicalResult importMod(NodeContext &node) {
  FailureOr<Value> a = node.input(0), b = node.input(1);
  if (failed(a) || failed(b))
    return failure();
  bool fmod = node.intAttr("fmod", 0) != 0;
  Type element = getElementTypeOrSelf(a->getType());
  bool isFloat = isa<FloatType>(element);
  if (isFloat && !fmod)
    return node.error() << "fmod must be 1 for floating-point inputs";
  FailureOr<Value> quotient = binary(node, "kiln.div", *a, *b);
  if (failed(quotient))
    return failure();
  Value whole = *quotient;
  if (isFloat) {
    // Truncation toward zero: floor of |q|, with q's sign.
    FailureOr<Value> magnitude = node.create("kiln.abs", ValueRange{whole});
    if (failed(magnitude))
      return failure();
    FailureOr<Value> floored = roundToWhole(node, *magnitude, false);
    if (failed(floored))
      return failure();
    FailureOr<Value> negative =
        node.compare(ComparePredicate::lt, whole, node.scalarLike(whole, 0));
    FailureOr<Value> negated = node.create("kiln.neg", ValueRange{*floored});
    if (failed(negative) || failed(negated))
      return failure();
    FailureOr<Value> truncated =
        node.create("kiln.select", ValueRange{*negative, *negated, *floored});
    if (failed(truncated))
      return failure();
    whole = *truncated;
  }
  FailureOr<Value> product = binary(node, "kiln.mul", whole, *b);
  if (failed(product))
    return failure();
  FailureOr<Value> remainder = binary(node, "kiln.sub", *a, *product);
  if (failed(remainder))
    return failure();
  if (!fmod) {
    // Integer division truncates: a remainder whose sign differs from the
    // divisor's moves by one divisor.
    Value zero = node.scalarLike(*remainder, 0);
    FailureOr<Value> nonzero =
        node.compare(ComparePredicate::ne, *remainder, zero);
    FailureOr<Value> remainderNegative =
        node.compare(ComparePredicate::lt, *remainder, zero);
    FailureOr<Value> divisorNegative =
        node.compare(ComparePredicate::lt, *b, zero);
    if (failed(nonzero) || failed(remainderNegative) || failed(divisorNegative))
      return failure();
    FailureOr<Value> signsDiffer = node.compare(
        ComparePredicate::ne, *remainderNegative, *divisorNegative);
    if (failed(signsDiffer))
      return failure();
    FailureOr<Value> adjust =
        node.create("kiln.select", ValueRange{*nonzero, *signsDiffer,
                                              node.scalarLike(*nonzero, 0)});
    FailureOr<Value> moved = binary(node, "kiln.add", *remainder, *b);
    if (failed(adjust) || failed(moved))
      return failure();
    remainder =
        node.create("kiln.select", ValueRange{*adjust, *moved, *remainder});
    if (failed(remainder))
      return failure();
  }
  node.setResult(0, *remainder);
  return success();
}

LogicalResult importFloorOrCeil(NodeContext &node) {
  bool up = node.node.op_type() == "Ceil";
  return importComposite(node,
                         [&](Value x) { return roundToWhole(node, x, up); });
}

/// max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).
LogicalResult importCelu(NodeContext &node) {
  double alpha = node.floatAttr("alpha", 1.0);
  return importComposite(node, [&](Value x) -> FailureOr<Value> {
    FailureOr<Value> scaled = withScalar(node, "kiln.div", x, alpha);
    if (failed(scaled))
      return failure();
    FailureOr<Value> elu =
        node.create("kiln.elu", ValueRange{*scaled},
                    {node.named("alpha", node.builder.getF64FloatAttr(1.0))});
    if (failed(elu))
      return failure();
    return withScalar(node, "kiln.mul", *elu, alpha);
  });
}

/// x + bias below -lambd, x - bias above lambd, 0 between.
LogicalResult importShrink(NodeContext &node) {
  double bias = node.floatAttr("bias", 0.0),
         lambd = node.floatAttr("lambd", 0.5);
  return importComposite(node, [&](Value x) -> FailureOr<Value> {
    FailureOr<Value> raised = withScalar(node, "kiln.add", x, bias);
    FailureOr<Value> lowered = withScalar(node, "kiln.sub", x, bias);
    if (failed(raised) || failed(lowered))
      return failure();
    FailureOr<Value> belowMask =
        node.compare(ComparePredicate::lt, x, node.scalarLike(x, -lambd));
    FailureOr<Value> aboveMask =
        node.compare(ComparePredicate::gt, x, node.scalarLike(x, lambd));
    if (failed(belowMask) || failed(aboveMask))
      return failure();
    FailureOr<Value> outside = node.create(
        "kiln.select", ValueRange{*aboveMask, *lowered, node.scalarLike(x, 0)});
    if (failed(outside))
      return failure();
    return node.create("kiln.select",
                       ValueRange{*belowMask, *raised, *outside});
  });
}

LogicalResult importClip(NodeContext &node) {
  FailureOr<Value> x = node.input(0);
  if (failed(x))
    return failure();
  SmallVector<NamedAttribute> bounds;
  if (node.opset < 11) {
    if (node.hasAttr("min"))
      bounds.push_back(node.named(
          "min", node.builder.getF64FloatAttr(node.floatAttr("min", 0))));
    if (node.hasAttr("max"))
      bounds.push_back(node.named(
          "max", node.builder.getF64FloatAttr(node.floatAttr("max", 0))));
  } else {
    Value y = *x;
    for (auto [index, name] : {std::pair{1u, "min"}, {2u, "max"}}) {
      if (!node.hasInput(index))
        continue;
      if (std::optional<DenseElementsAttr> bound = node.constantInput(index);
          bound && bound->getNumElements() == 1) {
        FailureOr<double> value = node.constantScalar(index, name);
        if (failed(value))
          return failure();
        bounds.push_back(
            node.named(name, node.builder.getF64FloatAttr(*value)));
        continue;
      }
      // A bound computed at run time: maximum/minimum with it.
      FailureOr<Value> limit = node.input(index);
      if (failed(limit))
        return failure();
      FailureOr<Value> limited =
          binary(node, index == 1 ? "kiln.maximum" : "kiln.minimum", y, *limit);
      if (failed(limited))
        return failure();
      y = *limited;
    }
    if (y != *x && !bounds.empty()) {
      FailureOr<Value> clamped =
          node.create("kiln.clamp", ValueRange{y}, bounds);
      if (failed(clamped))
        return failure();
      y = *clamped;
      bounds.clear();
    }
    if (y != *x) {
      node.setResult(0, y);
      return success();
    }
  }
  Value y = *x;
  if (!bounds.empty()) {
    FailureOr<Value> clamped =
        node.create("kiln.clamp", ValueRange{*x}, bounds);
    if (failed(clamped))
      return failure();
    y = *clamped;
  }
  node.setResult(0, y);
  return success();
}

LogicalResult importCast(NodeContext &node) {
  // CastLike casts to its second input's element type.
  Type to =
      node.node.op_type() == "CastLike"
          ? (node.inputType(1) ? node.inputType(1).getElementType() : Type())
          : elementTypeOf(node.intAttr("to", 0), node.builder.getContext());
  if (!to)
    return node.unsupported("a cast to " + onnxTypeName(node.intAttr("to", 0)));
  if (std::optional<DenseElementsAttr> value = node.constantInput(0);
      value && !holdsRunTimeSize(*value)) {
    // Shape arithmetic: fold integer to integer casts.
    Type from = value->getElementType();
    if (isa<IntegerType>(from) && isa<IntegerType>(to) && !from.isInteger(1) &&
        !to.isInteger(1)) {
      SmallVector<APInt> converted;
      for (const APInt &v : value->getValues<APInt>())
        converted.push_back(v.sextOrTrunc(to.getIntOrFloatBitWidth()));
      node.setConstantResult(
          0, DenseElementsAttr::get(
                 RankedTensorType::get(value->getType().getShape(), to),
                 converted));
      return success();
    }
  }
  FailureOr<Value> x = node.input(0);
  if (failed(x))
    return failure();
  FailureOr<Value> y = node.create("kiln.cast", ValueRange{*x},
                                   {node.named("to", TypeAttr::get(to))});
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

//===----------------------------------------------------------------------===//
// Binary and variadic
//===----------------------------------------------------------------------===//

StringRef arithmeticOp(StringRef onnxOp) {
  return llvm::StringSwitch<StringRef>(onnxOp)
      .Case("Add", "kiln.add")
      .Case("Sub", "kiln.sub")
      .Case("Mul", "kiln.mul")
      .Case("Div", "kiln.div")
      .Case("Pow", "kiln.pow")
      .Default("");
}

/// `lhs op rhs` on integer constants broadcast the numpy way, or nullopt.
std::optional<DenseElementsAttr>
foldIntegers(StringRef op, DenseElementsAttr lhs, DenseElementsAttr rhs) {
  Type element = lhs.getElementType();
  if (!isa<IntegerType>(element) || element != rhs.getElementType() ||
      element.isInteger(1))
    return std::nullopt;
  ArrayRef<int64_t> lhsShape = lhs.getType().getShape(),
                    rhsShape = rhs.getType().getShape();
  // Same shapes, or one of them a single value.
  bool lhsOne = lhs.getNumElements() == 1, rhsOne = rhs.getNumElements() == 1;
  if (lhsShape != rhsShape && !lhsOne && !rhsOne)
    return std::nullopt;
  auto type = lhsShape.size() >= rhsShape.size() && !lhsOne ? lhs.getType()
                                                            : rhs.getType();
  SmallVector<APInt> left(lhs.getValues<APInt>()),
      right(rhs.getValues<APInt>()), result;
  int64_t count = type.getNumElements();
  for (int64_t i = 0; i < count; ++i) {
    int64_t a = left[lhsOne ? 0 : i].getSExtValue();
    int64_t b = right[rhsOne ? 0 : i].getSExtValue();
    int64_t value;
    if (op == "kiln.add")
      value = a + b;
    else if (op == "kiln.sub")
      value = a - b;
    else if (op == "kiln.mul")
      value = a * b;
    else if (op == "kiln.div" && b != 0)
      value = a / b;
    else
      return std::nullopt;
    result.push_back(APInt(element.getIntOrFloatBitWidth(), value, true));
  }
  return DenseElementsAttr::get(cast<ShapedType>(type), result);
}

LogicalResult importArithmetic(NodeContext &node) {
  StringRef op = arithmeticOp(node.node.op_type());
  std::optional<DenseElementsAttr> lhsConstant = node.constantInput(0),
                                   rhsConstant = node.constantInput(1);
  if (lhsConstant && rhsConstant && !holdsRunTimeSize(*lhsConstant) &&
      !holdsRunTimeSize(*rhsConstant))
    if (auto folded = foldIntegers(op, *lhsConstant, *rhsConstant)) {
      node.setConstantResult(0, *folded);
      return success();
    }
  FailureOr<Value> lhs = node.input(0);
  FailureOr<Value> rhs = node.input(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  // Pow's exponent may have another type than its base, and an integer
  // base is raised in f64 and converted back.
  Type base = getElementTypeOrSelf(lhs->getType());
  Type computed = isa<FloatType>(base) ? base : node.builder.getF64Type();
  auto castTo = [&](Value v, Type to) -> FailureOr<Value> {
    if (getElementTypeOrSelf(v.getType()) == to)
      return v;
    return node.create("kiln.cast", ValueRange{v},
                       {node.named("to", TypeAttr::get(to))});
  };
  if (op == "kiln.pow") {
    lhs = castTo(*lhs, computed);
    rhs = castTo(*rhs, computed);
    if (failed(lhs) || failed(rhs))
      return failure();
  }
  FailureOr<Value> y = binary(node, op, *lhs, *rhs);
  if (succeeded(y) && op == "kiln.pow")
    y = castTo(*y, base);
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

/// Max, Min, Sum, Mean: folded pairwise over any number of inputs.
LogicalResult importVariadic(NodeContext &node) {
  StringRef type = node.node.op_type();
  StringRef op = llvm::StringSwitch<StringRef>(type)
                     .Case("Max", "kiln.maximum")
                     .Case("Min", "kiln.minimum")
                     .Default("kiln.add");
  FailureOr<Value> result = node.input(0);
  if (failed(result))
    return failure();
  for (unsigned i = 1; i < node.numInputs(); ++i) {
    FailureOr<Value> next = node.input(i);
    if (failed(next))
      return failure();
    result = binary(node, op, *result, *next);
    if (failed(result))
      return failure();
  }
  if (type == "Mean" && node.numInputs() > 1) {
    result = withScalar(node, "kiln.div", *result, node.numInputs());
    if (failed(result))
      return failure();
  }
  node.setResult(0, *result);
  return success();
}

LogicalResult importComparison(NodeContext &node) {
  StringRef type = node.node.op_type();
  ComparePredicate predicate = llvm::StringSwitch<ComparePredicate>(type)
                                   .Case("Equal", ComparePredicate::eq)
                                   .Case("Less", ComparePredicate::lt)
                                   .Case("LessOrEqual", ComparePredicate::le)
                                   .Case("Greater", ComparePredicate::gt)
                                   .Default(ComparePredicate::ge);
  FailureOr<Value> lhs = node.input(0);
  FailureOr<Value> rhs = node.input(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  FailureOr<Value> y = node.compare(predicate, *lhs, *rhs);
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

/// Not, And, Or, Xor on booleans, through compare and select.
LogicalResult importLogic(NodeContext &node) {
  StringRef type = node.node.op_type();
  FailureOr<Value> a = node.input(0);
  if (failed(a))
    return failure();
  FailureOr<Value> y;
  if (type == "Not") {
    FailureOr<Value> no = scalarLike(node, *a, 0);
    if (failed(no))
      return failure();
    y = node.compare(ComparePredicate::eq, *a, *no);
  } else {
    FailureOr<Value> b = node.input(1);
    if (failed(b))
      return failure();
    if (type == "Xor") {
      y = node.compare(ComparePredicate::ne, *a, *b);
    } else {
      FailureOr<Value> constant = scalarLike(node, *a, type == "Or" ? 1 : 0);
      if (failed(constant))
        return failure();
      // And: a ? b : false. Or: a ? true : b.
      y = type == "And"
              ? node.create("kiln.select", ValueRange{*a, *b, *constant})
              : node.create("kiln.select", ValueRange{*a, *constant, *b});
    }
  }
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

LogicalResult importWhere(NodeContext &node) {
  FailureOr<Value> condition = node.input(0);
  FailureOr<Value> onTrue = node.input(1);
  FailureOr<Value> onFalse = node.input(2);
  if (failed(condition) || failed(onTrue) || failed(onFalse))
    return failure();
  FailureOr<Value> y =
      node.create("kiln.select", ValueRange{*condition, *onTrue, *onFalse});
  if (failed(y))
    return failure();
  node.setResult(0, *y);
  return success();
}

} // namespace

void kiln::onnx::detail::addElementwiseImporters(OpTable &table) {
  for (StringRef op : {"Relu", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Abs",
                       "Neg", "Erf", "Softplus"})
    table[op] = importPlainUnary;
  table["Identity"] = importIdentity;
  table["LeakyRelu"] = importLeakyRelu;
  table["Elu"] = importElu;
  table["Selu"] = importSelu;
  table["HardSigmoid"] = importHardSigmoid;
  table["HardSwish"] = importHardSwish;
  table["Softsign"] = importSoftsign;
  table["Mish"] = importMish;
  table["Reciprocal"] = importReciprocal;
  table["ThresholdedRelu"] = importThresholdedRelu;
  table["PRelu"] = importPRelu;
  table["Gelu"] = importGelu;
  table["Clip"] = importClip;
  table["Sign"] = importSign;
  table["Floor"] = importFloorOrCeil;
  table["Ceil"] = importFloorOrCeil;
  table["Celu"] = importCelu;
  table["Shrink"] = importShrink;
  table["Cast"] = importCast;
  table["CastLike"] = importCast;
  table["Mod"] = importMod;
  table["Round"] = importRound;
  for (StringRef op : {"Add", "Sub", "Mul", "Div", "Pow"})
    table[op] = importArithmetic;
  for (StringRef op : {"Max", "Min", "Sum", "Mean"})
    table[op] = importVariadic;
  for (StringRef op :
       {"Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual"})
    table[op] = importComparison;
  for (StringRef op : {"Not", "And", "Or", "Xor"})
    table[op] = importLogic;
  table["Where"] = importWhere;
}
