//===- Parser.cpp - Recursive-descent parser for .kiln files --------------===//
//
// One statement per line. On a syntax error the parser reports it, skips to
// the end of the statement and carries on, so one run shows every error.
//
//===----------------------------------------------------------------------===//

#include "kiln/Frontend/Text/Parser.h"

#include "kiln/Frontend/Text/Lexer.h"

#include "llvm/ADT/StringSwitch.h"

using namespace kiln::text;
using llvm::SMLoc;

namespace {

/// A deeper expression tree is reported instead of built, so hostile input
/// cannot overflow the stack here or in the stages that walk the tree
/// recursively. Brackets, calls, unary minus and each operator of a chain
/// `a + b + c` add a level.
constexpr unsigned kMaxDepth = 1000;

/// Thrown-free error propagation: a parse function returns false after
/// reporting, and the statement loop recovers.
class Parser {
public:
  Parser(llvm::StringRef buffer, SourceDiagnostics &diagnostics)
      : lexer(buffer), diagnostics(diagnostics) {
    advance();
  }

  std::optional<Model> parse();

private:
  void advance() { tok = lexer.next(); }
  /// The token after `tok`, without consuming anything.
  Token peek() const {
    Lexer ahead = lexer;
    return ahead.next();
  }
  bool consumeIf(TokenKind kind) {
    if (!tok.is(kind))
      return false;
    advance();
    return true;
  }
  /// Consumes an opening bracket. The lexer learns of it before reading the
  /// next token, so a newline straight after the bracket is a space.
  bool consumeOpen(TokenKind kind) {
    if (!tok.is(kind))
      return false;
    lexer.enterBracket();
    advance();
    return true;
  }
  /// Consumes a closing bracket, which must be there (`what` says why).
  bool expectClose(TokenKind kind, llvm::StringRef what) {
    if (!tok.is(kind))
      return expected(what);
    lexer.exitBracket();
    advance();
    return true;
  }
  bool fail(SMLoc loc, const llvm::Twine &message) {
    diagnostics.error(loc, message);
    return false;
  }
  bool expected(llvm::StringRef what) {
    return fail(tok.loc, "expected " + what + ", found " + tok.spelling());
  }
  bool expect(TokenKind kind, llvm::StringRef what = "") {
    if (consumeIf(kind))
      return true;
    return expected(what.empty() ? describe(kind) : what);
  }
  bool expectKeyword(llvm::StringRef word) {
    if (tok.isKeyword(word)) {
      advance();
      return true;
    }
    return expected(("'" + word + "'").str());
  }
  bool expectEndOfStatement() {
    if (tok.is(TokenKind::Newline) || tok.is(TokenKind::Eof) ||
        tok.is(TokenKind::RBrace)) {
      consumeIf(TokenKind::Newline);
      return true;
    }
    return expected("the end of the line");
  }
  /// After an error: forget open brackets and skip to the next line.
  void recover() {
    lexer.resetBrackets();
    while (!tok.is(TokenKind::Newline) && !tok.is(TokenKind::Eof))
      advance();
    consumeIf(TokenKind::Newline);
  }
  void skipNewlines() {
    while (consumeIf(TokenKind::Newline)) {
    }
  }

  bool parseName(std::string &name, SMLoc &loc, llvm::StringRef what);
  bool parseDottedName(std::string &name, SMLoc &loc, llvm::StringRef what);
  bool parseStatement(Model &model);
  bool parseConfig(Model &model);
  bool parseInput(Model &model);
  bool parseParam(ParamDecl &param);
  bool parseType(TypeSpec &type);
  bool parseDef(Model &model);
  bool parseBinding(Binding &binding);
  bool parseOutput(Model &model);
  bool parseTrain(Model &model);
  bool parseArguments(std::vector<Argument> &arguments, unsigned depth);

  ExprPtr parseExpr(unsigned depth);
  ExprPtr tooDeep(SMLoc loc) {
    fail(loc, "expression nested too deeply (more than " +
                  llvm::Twine(kMaxDepth) +
                  " levels); split it into several bindings");
    return nullptr;
  }
  ExprPtr parseComparison(unsigned depth);
  ExprPtr parseAdditive(unsigned depth);
  ExprPtr parseMultiplicative(unsigned depth);
  ExprPtr parseUnary(unsigned depth);
  ExprPtr parsePrimary(unsigned depth);

  Lexer lexer;
  SourceDiagnostics &diagnostics;
  Token tok;
};

} // namespace

bool Parser::parseName(std::string &name, SMLoc &loc, llvm::StringRef what) {
  if (!tok.is(TokenKind::Identifier))
    return expected(what);
  name = tok.text.str();
  loc = tok.loc;
  advance();
  return true;
}

bool Parser::parseDottedName(std::string &name, SMLoc &loc,
                             llvm::StringRef what) {
  if (!parseName(name, loc, what))
    return false;
  while (consumeIf(TokenKind::Dot)) {
    if (!tok.is(TokenKind::Identifier))
      return expected("a name after '.'");
    name += "." + tok.text.str();
    advance();
  }
  return true;
}

std::optional<Model> Parser::parse() {
  Model model;
  skipNewlines();
  if (!tok.isKeyword("model")) {
    fail(tok.loc, "expected 'model NAME' as the first line, found " +
                      tok.spelling());
    return std::nullopt;
  }
  model.loc = tok.loc;
  advance();
  if (!parseName(model.name, model.loc, "the model's name") ||
      !expectEndOfStatement())
    recover();
  while (!tok.is(TokenKind::Eof) && !diagnostics.atLimit()) {
    if (consumeIf(TokenKind::Newline))
      continue;
    if (!parseStatement(model))
      recover();
  }
  if (diagnostics.hasErrors())
    return std::nullopt;
  return model;
}

bool Parser::parseStatement(Model &model) {
  if (tok.isKeyword("config"))
    return parseConfig(model);
  if (tok.isKeyword("input"))
    return parseInput(model);
  if (tok.isKeyword("param") || tok.isKeyword("buffer")) {
    model.params.emplace_back();
    return parseParam(model.params.back());
  }
  if (tok.isKeyword("def"))
    return parseDef(model);
  if (tok.isKeyword("output"))
    return parseOutput(model);
  if (tok.isKeyword("train"))
    return parseTrain(model);
  if (tok.isKeyword("model"))
    return fail(tok.loc, "a file holds one model; 'model' may appear only on "
                         "the first line");
  if (tok.isKeyword("return"))
    return fail(tok.loc, "'return' is only allowed inside a 'def'");
  if (tok.is(TokenKind::RBrace))
    return fail(tok.loc, "'}' without a matching 'def ... {'");
  model.bindings.emplace_back();
  return parseBinding(model.bindings.back());
}

bool Parser::parseConfig(Model &model) {
  advance();
  ConfigDecl config;
  if (!parseName(config.name, config.loc, "the config's name") ||
      !expect(TokenKind::Assign, "'=' and the config's value"))
    return false;
  config.value = parseExpr(0);
  if (!config.value || !expectEndOfStatement())
    return false;
  model.configs.push_back(std::move(config));
  return true;
}

bool Parser::parseInput(Model &model) {
  advance();
  InputDecl input;
  if (!parseName(input.name, input.loc, "the input's name") ||
      !expect(TokenKind::Colon, "':' and the input's type") ||
      !parseType(input.type))
    return false;
  if (consumeIf(TokenKind::Assign)) {
    if (!parseName(input.noise, input.noiseLoc,
                   "a noise distribution, 'normal' or 'uniform'"))
      return false;
    if (consumeOpen(TokenKind::LParen) &&
        !parseArguments(input.noiseArgs, 0))
      return false;
  }
  if (!expectEndOfStatement())
    return false;
  model.inputs.push_back(std::move(input));
  return true;
}

bool Parser::parseParam(ParamDecl &param) {
  param.isBuffer = tok.isKeyword("buffer");
  advance();
  if (!parseDottedName(param.name, param.loc, "the parameter's name") ||
      !expect(TokenKind::Colon, "':' and the parameter's type") ||
      !parseType(param.type) ||
      !expect(TokenKind::Assign, "'=' and an initializer") ||
      !parseName(param.init, param.initLoc, "an initializer such as "
                                            "'zeros' or 'he_normal'"))
    return false;
  if (consumeOpen(TokenKind::LParen) && !parseArguments(param.initArgs, 0))
    return false;
  return expectEndOfStatement();
}

bool Parser::parseType(TypeSpec &type) {
  type.loc = tok.loc;
  if (!parseName(type.dtype, type.dtypeLoc,
                 "an element type (f32, f64, i32, i64 or i1)"))
    return false;
  if (!consumeOpen(TokenKind::LBracket))
    return true;
  if (tok.is(TokenKind::RBracket))
    return expectClose(TokenKind::RBracket, "']'");
  do {
    type.dimLocs.push_back(tok.loc);
    if (tok.isKeyword("N")) {
      advance();
      type.dims.push_back(nullptr);
      continue;
    }
    ExprPtr dim = parseExpr(0);
    if (!dim)
      return false;
    type.dims.push_back(std::move(dim));
  } while (consumeIf(TokenKind::Comma));
  return expectClose(TokenKind::RBracket, "',' or ']' in the shape");
}

bool Parser::parseDef(Model &model) {
  SMLoc defLoc = tok.loc;
  advance();
  DefDecl def;
  if (!parseName(def.name, def.loc, "the def's name"))
    return false;
  if (!consumeOpen(TokenKind::LParen))
    return expected("'(' and the def's arguments");
  if (!tok.is(TokenKind::RParen)) {
    do {
      std::string arg;
      SMLoc argLoc;
      if (!parseName(arg, argLoc, "an argument name"))
        return false;
      def.args.push_back(arg);
      def.argLocs.push_back(argLoc);
    } while (consumeIf(TokenKind::Comma));
  }
  if (!expectClose(TokenKind::RParen, "',' or ')' after the arguments") ||
      !expect(TokenKind::LBrace, "'{' to open the def's body"))
    return false;
  bool returned = false;
  while (!diagnostics.atLimit()) {
    if (consumeIf(TokenKind::Newline))
      continue;
    if (tok.is(TokenKind::Eof)) {
      fail(tok.loc, "unterminated block: expected '}' to close 'def " +
                        def.name + "'");
      diagnostics.note(defLoc, "the block opened here");
      return false;
    }
    if (consumeIf(TokenKind::RBrace))
      break;
    bool ok;
    if (tok.isKeyword("param") || tok.isKeyword("buffer")) {
      def.params.emplace_back();
      ok = parseParam(def.params.back());
    } else if (tok.isKeyword("return")) {
      def.returnLoc = tok.loc;
      advance();
      returned = true;
      ok = true;
      do {
        ExprPtr result = parseExpr(0);
        if (!result) {
          ok = false;
          break;
        }
        def.results.push_back(std::move(result));
      } while (consumeIf(TokenKind::Comma));
      ok = ok && expectEndOfStatement();
    } else if (tok.isKeyword("def") || tok.isKeyword("input") ||
               tok.isKeyword("config") || tok.isKeyword("train") ||
               tok.isKeyword("output") || tok.isKeyword("model")) {
      ok = fail(tok.loc, "'" + tok.text + "' is not allowed inside a 'def'");
    } else {
      def.bindings.emplace_back();
      ok = parseBinding(def.bindings.back());
    }
    if (!ok)
      recover();
  }
  if (!returned)
    return fail(def.loc, "def '" + def.name + "' has no 'return'");
  model.defs.push_back(std::move(def));
  return expectEndOfStatement();
}

bool Parser::parseBinding(Binding &binding) {
  binding.loc = tok.loc;
  do {
    std::string name;
    SMLoc loc;
    if (!parseName(name, loc, "a statement or a name to bind"))
      return false;
    if (tok.is(TokenKind::Dot))
      return fail(tok.loc, "a bound name cannot contain '.'; dotted names "
                           "are for parameters");
    binding.names.push_back(name);
    binding.nameLocs.push_back(loc);
  } while (consumeIf(TokenKind::Comma));
  if (!expect(TokenKind::Assign, "'=' after the name"))
    return false;
  binding.value = parseExpr(0);
  return binding.value && expectEndOfStatement();
}

bool Parser::parseOutput(Model &model) {
  advance();
  Binding binding;
  binding.isOutput = true;
  binding.loc = tok.loc;
  std::string name;
  SMLoc loc;
  if (!parseName(name, loc, "the output's name"))
    return false;
  binding.names.push_back(name);
  binding.nameLocs.push_back(loc);
  if (consumeIf(TokenKind::Assign)) {
    binding.value = parseExpr(0);
    if (!binding.value)
      return false;
  }
  if (!expectEndOfStatement())
    return false;
  model.bindings.push_back(std::move(binding));
  return true;
}

bool Parser::parseTrain(Model &model) {
  advance();
  TrainDecl train;
  if (!parseName(train.name, train.loc, "the train entry's name") ||
      !expectKeyword("minimize") ||
      !parseName(train.loss, train.lossLoc, "the loss to minimize"))
    return false;
  if (tok.isKeyword("over")) {
    advance();
    if (!parseName(train.group, train.groupLoc, "a parameter group (a def)"))
      return false;
  }
  if (!expectKeyword("using") ||
      !parseName(train.optimizer, train.optimizerLoc,
                 "an optimizer (sgd, adam, adamw or rmsprop)"))
    return false;
  if (consumeOpen(TokenKind::LParen) && !parseArguments(train.options, 0))
    return false;
  if (!expectEndOfStatement())
    return false;
  model.trains.push_back(std::move(train));
  return true;
}

/// After '(': `expr` or `name = expr`, comma separated, then ')'.
bool Parser::parseArguments(std::vector<Argument> &arguments,
                            unsigned depth) {
  if (!tok.is(TokenKind::RParen)) {
    do {
      Argument argument;
      if (tok.is(TokenKind::Identifier) && peek().is(TokenKind::Assign)) {
        argument.keyword = tok.text.str();
        argument.keywordLoc = tok.loc;
        advance();
        advance();
      }
      argument.value = parseExpr(depth + 1);
      if (!argument.value)
        return false;
      arguments.push_back(std::move(argument));
    } while (consumeIf(TokenKind::Comma));
  }
  return expectClose(TokenKind::RParen, "',' or ')' in the argument list");
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

ExprPtr Parser::parseExpr(unsigned depth) {
  if (depth > kMaxDepth)
    return tooDeep(tok.loc);
  return parseComparison(depth + 1);
}

static std::optional<Expr::BinaryOp> comparisonOp(TokenKind kind) {
  switch (kind) {
  case TokenKind::Less:
    return Expr::BinaryOp::Lt;
  case TokenKind::LessEqual:
    return Expr::BinaryOp::Le;
  case TokenKind::Greater:
    return Expr::BinaryOp::Gt;
  case TokenKind::GreaterEqual:
    return Expr::BinaryOp::Ge;
  case TokenKind::EqualEqual:
    return Expr::BinaryOp::Eq;
  case TokenKind::NotEqual:
    return Expr::BinaryOp::Ne;
  default:
    return std::nullopt;
  }
}

static ExprPtr makeBinary(Expr::BinaryOp op, SMLoc loc, ExprPtr lhs,
                          ExprPtr rhs) {
  auto expr = std::make_unique<Expr>(Expr::Kind::Binary, loc);
  expr->binaryOp = op;
  expr->operands.push_back(std::move(lhs));
  expr->operands.push_back(std::move(rhs));
  return expr;
}

ExprPtr Parser::parseComparison(unsigned depth) {
  ExprPtr lhs = parseAdditive(depth);
  if (!lhs)
    return nullptr;
  if (std::optional<Expr::BinaryOp> op = comparisonOp(tok.kind)) {
    SMLoc loc = tok.loc;
    advance();
    ExprPtr rhs = parseAdditive(depth);
    if (!rhs)
      return nullptr;
    if (comparisonOp(tok.kind)) {
      fail(tok.loc, "comparisons do not chain; use parentheses");
      return nullptr;
    }
    return makeBinary(*op, loc, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

ExprPtr Parser::parseAdditive(unsigned depth) {
  ExprPtr lhs = parseMultiplicative(depth);
  unsigned chain = 0;
  while (lhs && (tok.is(TokenKind::Plus) || tok.is(TokenKind::Minus))) {
    auto op = tok.is(TokenKind::Plus) ? Expr::BinaryOp::Add
                                      : Expr::BinaryOp::Sub;
    SMLoc loc = tok.loc;
    if (depth + ++chain > kMaxDepth)
      return tooDeep(loc);
    advance();
    ExprPtr rhs = parseMultiplicative(depth + chain);
    if (!rhs)
      return nullptr;
    lhs = makeBinary(op, loc, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

ExprPtr Parser::parseMultiplicative(unsigned depth) {
  ExprPtr lhs = parseUnary(depth);
  unsigned chain = 0;
  while (lhs && (tok.is(TokenKind::Star) || tok.is(TokenKind::Slash))) {
    auto op = tok.is(TokenKind::Star) ? Expr::BinaryOp::Mul
                                      : Expr::BinaryOp::Div;
    SMLoc loc = tok.loc;
    if (depth + ++chain > kMaxDepth)
      return tooDeep(loc);
    advance();
    ExprPtr rhs = parseUnary(depth + chain);
    if (!rhs)
      return nullptr;
    lhs = makeBinary(op, loc, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

ExprPtr Parser::parseUnary(unsigned depth) {
  if (!tok.is(TokenKind::Minus))
    return parsePrimary(depth);
  SMLoc loc = tok.loc;
  advance();
  if (depth > kMaxDepth)
    return tooDeep(loc);
  ExprPtr operand = parseUnary(depth + 1);
  if (!operand)
    return nullptr;
  // Fold the sign into a literal so `-1` stays a number (for shapes).
  if (operand->kind == Expr::Kind::Number) {
    operand->number = -operand->number;
    operand->loc = loc;
    return operand;
  }
  auto expr = std::make_unique<Expr>(Expr::Kind::Negate, loc);
  expr->operands.push_back(std::move(operand));
  return expr;
}

ExprPtr Parser::parsePrimary(unsigned depth) {
  SMLoc loc = tok.loc;
  switch (tok.kind) {
  case TokenKind::Integer:
  case TokenKind::Float: {
    auto expr = std::make_unique<Expr>(Expr::Kind::Number, loc);
    expr->isInteger = tok.is(TokenKind::Integer);
    if (tok.text.getAsDouble(expr->number) ||
        (expr->isInteger && tok.text.size() > 18)) {
      fail(loc, "number " + tok.text + " is out of range");
      return nullptr;
    }
    advance();
    return expr;
  }
  case TokenKind::String: {
    auto expr = std::make_unique<Expr>(Expr::Kind::String, loc);
    expr->name = tok.text.str();
    advance();
    return expr;
  }
  case TokenKind::LParen: {
    consumeOpen(TokenKind::LParen);
    ExprPtr inner = parseExpr(depth + 1);
    if (!inner || !expectClose(TokenKind::RParen, "')'"))
      return nullptr;
    return inner;
  }
  case TokenKind::LBracket: {
    consumeOpen(TokenKind::LBracket);
    auto list = std::make_unique<Expr>(Expr::Kind::List, loc);
    if (!tok.is(TokenKind::RBracket)) {
      do {
        ExprPtr element = parseExpr(depth + 1);
        if (!element)
          return nullptr;
        list->operands.push_back(std::move(element));
      } while (consumeIf(TokenKind::Comma));
    }
    if (!expectClose(TokenKind::RBracket, "',' or ']' in the list"))
      return nullptr;
    return list;
  }
  case TokenKind::Identifier: {
    std::string name;
    if (!parseDottedName(name, loc, "a name"))
      return nullptr;
    if (!tok.is(TokenKind::LParen)) {
      auto expr = std::make_unique<Expr>(Expr::Kind::Name, loc);
      expr->name = name;
      return expr;
    }
    consumeOpen(TokenKind::LParen);
    auto call = std::make_unique<Expr>(Expr::Kind::Call, loc);
    call->name = name;
    if (!parseArguments(call->arguments, depth))
      return nullptr;
    return call;
  }
  default:
    expected("an expression");
    return nullptr;
  }
}

std::optional<Model> kiln::text::parseModel(llvm::SourceMgr &sourceMgr,
                                            SourceDiagnostics &diagnostics) {
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  return Parser(buffer->getBuffer(), diagnostics).parse();
}
