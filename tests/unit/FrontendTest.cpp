//===- FrontendTest.cpp - Lexer, parser and emitter of .kiln files --------===//

#include "kiln/Frontend/Text/Emitter.h"
#include "kiln/Frontend/Text/Lexer.h"
#include "kiln/Frontend/Text/Parser.h"
#include "kiln/InitAll.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace kiln::text;

namespace {
std::vector<TokenKind> lexAll(llvm::StringRef text) {
  Lexer lexer(text);
  std::vector<TokenKind> kinds;
  for (Token token = lexer.next(); !token.is(TokenKind::Eof);
       token = lexer.next())
    kinds.push_back(token.kind);
  return kinds;
}

TEST(Lexer, SplitsOperatorsNumbersAndNames) {
  using K = TokenKind;
  EXPECT_EQ(lexAll("h = conv1.w * 1.5e-3 <= -2 # note\n"),
            (std::vector<K>{K::Identifier, K::Assign, K::Identifier, K::Dot,
                            K::Identifier, K::Star, K::Float, K::LessEqual,
                            K::Minus, K::Integer, K::Newline}));
}

TEST(Lexer, NewlinesInsideBracketsAreSpace) {
  Lexer lexer("f(\n  a)\n");
  EXPECT_TRUE(lexer.next().is(TokenKind::Identifier));
  lexer.enterBracket();
  EXPECT_TRUE(lexer.next().is(TokenKind::LParen));
  EXPECT_TRUE(lexer.next().is(TokenKind::Identifier));
  lexer.exitBracket();
  EXPECT_TRUE(lexer.next().is(TokenKind::RParen));
  EXPECT_TRUE(lexer.next().is(TokenKind::Newline));
}

TEST(Lexer, ReportsWhatItCannotRead) {
  Lexer lexer("3x \xff \"open");
  Token number = lexer.next();
  EXPECT_TRUE(number.is(TokenKind::Error));
  EXPECT_EQ(number.spelling(), "malformed number '3x'");
  EXPECT_EQ(lexer.next().spelling(), "unexpected byte 0xff");
  EXPECT_EQ(lexer.next().spelling(), "unterminated string");
}

/// Parses `text` as a model; errors go to `errors`.
std::optional<Model> parse(llvm::StringRef text, std::string &errors,
                           llvm::SourceMgr &sourceMgr) {
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(text, "test.kiln"), llvm::SMLoc());
  llvm::raw_string_ostream os(errors);
  SourceDiagnostics diagnostics(sourceMgr, os);
  return parseModel(sourceMgr, diagnostics);
}

TEST(Parser, BuildsDeclarationsInOrder) {
  std::string errors;
  llvm::SourceMgr sourceMgr;
  std::optional<Model> model = parse(R"(model tiny
config width = 8
input x : f32[N, width]
param w : f32[width, width] = normal(std=0.5)
def block(a) {
  param b : f32[width] = zeros
  return relu(a + b)
}
h = block(x)
output y = dense(h, w) * 2 - 1
train step minimize y using sgd(lr=0.1)
)",
                                     errors, sourceMgr);
  ASSERT_TRUE(model.has_value()) << errors;
  EXPECT_EQ(model->name, "tiny");
  ASSERT_EQ(model->configs.size(), 1u);
  ASSERT_EQ(model->inputs.size(), 1u);
  EXPECT_EQ(model->inputs[0].type.dims[0], nullptr) << "N is the batch";
  ASSERT_EQ(model->params.size(), 1u);
  EXPECT_EQ(model->params[0].init, "normal");
  EXPECT_EQ(model->params[0].initArgs[0].keyword, "std");
  ASSERT_EQ(model->defs.size(), 1u);
  EXPECT_EQ(model->defs[0].params.size(), 1u);
  EXPECT_EQ(model->defs[0].results.size(), 1u);
  ASSERT_EQ(model->bindings.size(), 2u);
  EXPECT_TRUE(model->bindings[1].isOutput);
  ASSERT_EQ(model->trains.size(), 1u);
  EXPECT_EQ(model->trains[0].optimizer, "sgd");
}

TEST(Parser, TrailingCommaBindsNoName) {
  std::string errors;
  llvm::SourceMgr sourceMgr;
  EXPECT_FALSE(parse("model m\nh, = relu(x)\n", errors, sourceMgr));
  EXPECT_NE(errors.find("test.kiln:2:4: error: expected a statement or a "
                        "name to bind, found '='"),
            std::string::npos)
      << errors;
}

TEST(Parser, ExpressionPrecedence) {
  std::string errors;
  llvm::SourceMgr sourceMgr;
  std::optional<Model> model =
      parse("model m\ny = a + b * -c < d\n", errors, sourceMgr);
  ASSERT_TRUE(model.has_value()) << errors;
  const Expr &root = *model->bindings.front().value;
  // (a + (b * (-c))) < d
  ASSERT_EQ(root.kind, Expr::Kind::Binary);
  EXPECT_EQ(root.binaryOp, Expr::BinaryOp::Lt);
  const Expr &sum = *root.operands[0];
  EXPECT_EQ(sum.binaryOp, Expr::BinaryOp::Add);
  const Expr &product = *sum.operands[1];
  EXPECT_EQ(product.binaryOp, Expr::BinaryOp::Mul);
  EXPECT_EQ(product.operands[1]->kind, Expr::Kind::Negate);
}

TEST(Parser, KeywordAndListArguments) {
  std::string errors;
  llvm::SourceMgr sourceMgr;
  std::optional<Model> model = parse(
      "model m\ny = reshape(x, shape=[-1, 3 * 4])\n", errors, sourceMgr);
  ASSERT_TRUE(model.has_value()) << errors;
  const Expr &call = *model->bindings.front().value;
  ASSERT_EQ(call.arguments.size(), 2u);
  EXPECT_EQ(call.arguments[1].keyword, "shape");
  const Expr &list = *call.arguments[1].value;
  ASSERT_EQ(list.kind, Expr::Kind::List);
  EXPECT_EQ(list.operands[0]->number, -1);
  EXPECT_EQ(list.operands[1]->kind, Expr::Kind::Binary);
}

TEST(Emitter, EntriesTakeOnlyWhatTheyNeed) {
  std::string errors;
  llvm::SourceMgr sourceMgr;
  std::optional<Model> model = parse(R"(model pick
input a : f32[N, 4]
input b : f32[N, 4]
param w : f32[2, 4] = he_normal
y = dense(a, w)
z = mean(b * b)
output y
train t minimize z using sgd
)",
                                     errors, sourceMgr);
  ASSERT_TRUE(model.has_value()) << errors;
  mlir::DialectRegistry registry;
  kiln::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  llvm::raw_string_ostream os(errors);
  SourceDiagnostics diagnostics(sourceMgr, os);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      emitModule(*model, context, sourceMgr, diagnostics, {});
  // `t` minimizes a loss that reads no parameter: nothing to train.
  EXPECT_FALSE(module);
  EXPECT_NE(errors.find("the loss 'z' does not depend on any trainable "
                        "parameter"),
            std::string::npos)
      << errors;
}
} // namespace
