//===- AST.h - Syntax tree of the .kiln model language ----------*- C++ -*-===//
//
// What the parser produces: a model is a list of declarations, each with the
// source location of what it names, so later stages can point at the user's
// text.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_TEXT_AST_H
#define KILN_FRONTEND_TEXT_AST_H

#include "llvm/Support/SMLoc.h"

#include <memory>
#include <string>
#include <vector>

namespace kiln::text {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

/// A call argument: positional when `keyword` is empty.
struct Argument {
  std::string keyword;
  llvm::SMLoc keywordLoc;
  ExprPtr value;
};

struct Expr {
  enum class Kind { Number, Name, Call, Binary, Negate, List, String };
  enum class BinaryOp { Add, Sub, Mul, Div, Lt, Le, Gt, Ge, Eq, Ne };

  Kind kind;
  llvm::SMLoc loc;
  /// Number: its value and whether it was written as an integer.
  double number = 0;
  bool isInteger = false;
  /// Name: the (possibly dotted) name; Call: the callee; String: the text.
  std::string name;
  BinaryOp binaryOp = BinaryOp::Add;
  /// Binary: lhs, rhs; Negate: the operand; List: the elements.
  std::vector<ExprPtr> operands;
  /// Call: the arguments.
  std::vector<Argument> arguments;

  Expr(Kind kind, llvm::SMLoc loc) : kind(kind), loc(loc) {}
};

/// `f32[N, 1, 28, 28]`. A null dimension is the dynamic batch `N`.
struct TypeSpec {
  llvm::SMLoc loc;
  std::string dtype;
  llvm::SMLoc dtypeLoc;
  std::vector<ExprPtr> dims;
  std::vector<llvm::SMLoc> dimLocs;
};

struct ConfigDecl {
  std::string name;
  llvm::SMLoc loc;
  ExprPtr value;
};

/// `input image : f32[N, 784]`; `input z : f32[N, 64] = normal(std=0.5)`
/// for noise, which a trainer draws from the distribution for every batch.
struct InputDecl {
  std::string name;
  llvm::SMLoc loc;
  TypeSpec type;
  std::string noise; ///< empty: data
  llvm::SMLoc noiseLoc;
  std::vector<Argument> noiseArgs;
};

/// `param w : f32[4, 4] = normal(std=0.1)`, or `buffer` for state that
/// no optimizer trains.
struct ParamDecl {
  std::string name;
  llvm::SMLoc loc;
  TypeSpec type;
  std::string init;
  llvm::SMLoc initLoc;
  std::vector<Argument> initArgs;
  bool isBuffer = false;
};

/// `a, b = expr`; with `isOutput`, `output a = expr` or `output a` (then
/// `value` is null and the name refers to an earlier binding).
struct Binding {
  std::vector<std::string> names;
  std::vector<llvm::SMLoc> nameLocs;
  ExprPtr value;
  llvm::SMLoc loc;
  bool isOutput = false;
};

/// `def name(args) { params, bindings, return exprs }`.
struct DefDecl {
  std::string name;
  llvm::SMLoc loc;
  std::vector<std::string> args;
  std::vector<llvm::SMLoc> argLocs;
  std::vector<ParamDecl> params;
  std::vector<Binding> bindings;
  std::vector<ExprPtr> results;
  llvm::SMLoc returnLoc;
};

/// `train name minimize loss [over group] using optimizer(options)`.
struct TrainDecl {
  std::string name;
  llvm::SMLoc loc;
  std::string loss;
  llvm::SMLoc lossLoc;
  std::string group;
  llvm::SMLoc groupLoc;
  std::string optimizer;
  llvm::SMLoc optimizerLoc;
  std::vector<Argument> options;
};

struct Model {
  std::string name;
  llvm::SMLoc loc;
  std::vector<ConfigDecl> configs;
  std::vector<InputDecl> inputs;
  std::vector<ParamDecl> params;
  std::vector<DefDecl> defs;
  /// Top-level bindings and outputs, in source order.
  std::vector<Binding> bindings;
  std::vector<TrainDecl> trains;
};

} // namespace kiln::text

#endif // KILN_FRONTEND_TEXT_AST_H
