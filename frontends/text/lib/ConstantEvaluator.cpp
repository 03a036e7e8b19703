//===- ConstantEvaluator.cpp - Arithmetic on numbers and configs ----------===//

#include "ConstantEvaluator.h"

#include <cmath>

using namespace kiln::text;
using namespace kiln::text::detail;

bool ConstantEvaluator::isConstant(
    const Expr &expr, const llvm::StringMap<mlir::Value> *shadowing) const {
  switch (expr.kind) {
  case Expr::Kind::Number:
    return true;
  case Expr::Kind::Name:
    return (!shadowing || !shadowing->count(expr.name)) &&
           configs.count(expr.name);
  case Expr::Kind::Negate:
    return isConstant(*expr.operands[0], shadowing);
  case Expr::Kind::Binary:
    return expr.binaryOp <= Expr::BinaryOp::Div &&
           isConstant(*expr.operands[0], shadowing) &&
           isConstant(*expr.operands[1], shadowing);
  default:
    return false;
  }
}

std::optional<Constant> ConstantEvaluator::evaluate(const Expr &expr) const {
  switch (expr.kind) {
  case Expr::Kind::Number:
    return Constant{expr.number, expr.isInteger};
  case Expr::Kind::Name: {
    auto it = configs.find(expr.name);
    if (it != configs.end())
      return it->second;
    context.error(expr.loc, "'" + expr.name +
                                "' is not a config or a number; only "
                                "numbers and configs can be used here");
    return std::nullopt;
  }
  case Expr::Kind::Negate: {
    std::optional<Constant> operand = evaluate(*expr.operands[0]);
    if (operand)
      operand->value = -operand->value;
    return operand;
  }
  case Expr::Kind::Binary: {
    if (expr.binaryOp > Expr::BinaryOp::Div) {
      context.error(expr.loc, "a comparison is not a number");
      return std::nullopt;
    }
    std::optional<Constant> lhs = evaluate(*expr.operands[0]);
    std::optional<Constant> rhs = evaluate(*expr.operands[1]);
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
        context.error(expr.loc, "division by zero");
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
      context.error(expr.loc, "number out of range");
      return std::nullopt;
    }
    return result;
  }
  case Expr::Kind::List:
    context.error(expr.loc, "expected a number, found a list");
    return std::nullopt;
  case Expr::Kind::String:
    context.error(expr.loc, "expected a number, found a string");
    return std::nullopt;
  case Expr::Kind::Call:
    context.error(expr.loc,
                  "expected a number, found a call to '" + expr.name + "'");
    return std::nullopt;
  }
  return std::nullopt;
}
