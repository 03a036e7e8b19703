//===- Constants.cpp - Compile-time arithmetic on numbers and configs -----===//
//
// Shapes, attribute values and config values are numbers known while
// compiling: literals, configs, and + - * / on them.
//
//===----------------------------------------------------------------------===//

#include "EmitterImpl.h"

#include <cmath>

using namespace kiln::text;
using namespace kiln::text::detail;

bool ModelEmitter::isConstantExpr(const Expr &expr) const {
  switch (expr.kind) {
  case Expr::Kind::Number:
    return true;
  case Expr::Kind::Name:
    return (!scope || !scope->values.count(expr.name)) &&
           configs.count(expr.name);
  case Expr::Kind::Negate:
    return isConstantExpr(*expr.operands[0]);
  case Expr::Kind::Binary:
    return expr.binaryOp <= Expr::BinaryOp::Div &&
           isConstantExpr(*expr.operands[0]) &&
           isConstantExpr(*expr.operands[1]);
  default:
    return false;
  }
}

std::optional<Constant> ModelEmitter::evaluateConstant(const Expr &expr) {
  switch (expr.kind) {
  case Expr::Kind::Number:
    return Constant{expr.number, expr.isInteger};
  case Expr::Kind::Name: {
    auto it = configs.find(expr.name);
    if (it != configs.end())
      return it->second;
    error(expr.loc, "'" + expr.name + "' is not a config or a number; " +
                        "only numbers and configs can be used here");
    return std::nullopt;
  }
  case Expr::Kind::Negate: {
    std::optional<Constant> operand = evaluateConstant(*expr.operands[0]);
    if (operand)
      operand->value = -operand->value;
    return operand;
  }
  case Expr::Kind::Binary: {
    if (expr.binaryOp > Expr::BinaryOp::Div) {
      error(expr.loc, "a comparison is not a number");
      return std::nullopt;
    }
    std::optional<Constant> lhs = evaluateConstant(*expr.operands[0]);
    std::optional<Constant> rhs = evaluateConstant(*expr.operands[1]);
    if (!lhs || !rhs)
      return std::nullopt;
    Constant result{0, lhs->isInteger && rhs->isInteger};
    switch (expr.binaryOp) {
    case Expr::BinaryOp::Add:
      result.value = lhs->value + rhs->value;
      break;
    case Expr::BinaryOp::Sub:
      result.value = lhs->value - rhs->value;
      break;
    case Expr::BinaryOp::Mul:
      result.value = lhs->value * rhs->value;
      break;
    default:
      if (rhs->value == 0) {
        error(expr.loc, "division by zero");
        return std::nullopt;
      }
      result.value = lhs->value / rhs->value;
      // Integer division stays integral only when it is exact.
      result.isInteger =
          result.isInteger && std::fmod(lhs->value, rhs->value) == 0;
      break;
    }
    if (!std::isfinite(result.value) ||
        (result.isInteger && std::fabs(result.value) > 9.0e15)) {
      error(expr.loc, "number out of range");
      return std::nullopt;
    }
    return result;
  }
  case Expr::Kind::List:
    error(expr.loc, "expected a number, found a list");
    return std::nullopt;
  case Expr::Kind::String:
    error(expr.loc, "expected a number, found a string");
    return std::nullopt;
  case Expr::Kind::Call:
    error(expr.loc, "expected a number, found a call to '" + expr.name + "'");
    return std::nullopt;
  }
  return std::nullopt;
}
