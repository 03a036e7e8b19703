//===- DialectTest.cpp - Building kiln ops from C++ -----------------------===//
//
// Frontends build kiln ops through the generated builders, which run the
// ops' type inference. These tests check what a builder infers and that a
// bad combination is reported at the given location.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/KilnOps.h"
#include "kiln/InitAll.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {
class KilnBuilderTest : public ::testing::Test {
protected:
  KilnBuilderTest() : context(makeRegistry()), builder(&context) {
    context.loadDialect<kiln::KilnDialect, func::FuncDialect>();
    module = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
  }

  static DialectRegistry makeRegistry() {
    DialectRegistry registry;
    kiln::registerAllDialects(registry);
    return registry;
  }

  /// A function whose arguments have `types`; the builder inserts into it.
  Block *makeFunction(ArrayRef<Type> types) {
    auto func = func::FuncOp::create(builder, builder.getUnknownLoc(), "f",
                                     builder.getFunctionType(types, {}));
    Block *body = func.addEntryBlock();
    builder.setInsertionPointToStart(body);
    return body;
  }

  RankedTensorType tensor(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, builder.getF32Type());
  }

  MLIRContext context;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
};

TEST_F(KilnBuilderTest, AddInfersTheBroadcastShape) {
  Block *body = makeFunction({tensor({ShapedType::kDynamic, 10}),
                              tensor({10})});
  auto add = kiln::AddOp::create(builder, builder.getUnknownLoc(),
                                 body->getArgument(0), body->getArgument(1));
  EXPECT_EQ(add.getType(), tensor({ShapedType::kDynamic, 10}));
  func::ReturnOp::create(builder, builder.getUnknownLoc());
  EXPECT_TRUE(succeeded(verify(*module)));
}

TEST_F(KilnBuilderTest, Conv2DInfersTheOutputSize) {
  Block *body = makeFunction({tensor({ShapedType::kDynamic, 1, 28, 28}),
                              tensor({32, 1, 3, 3}), tensor({32})});
  auto conv = kiln::Conv2DOp::create(
      builder, builder.getUnknownLoc(), body->getArgument(0),
      body->getArgument(1), body->getArgument(2),
      builder.getDenseI64ArrayAttr({2, 2}), builder.getDenseI64ArrayAttr({1, 1}),
      builder.getDenseI64ArrayAttr({1, 1}), builder.getI64IntegerAttr(1));
  EXPECT_EQ(conv.getType(), tensor({ShapedType::kDynamic, 32, 14, 14}));
}

TEST_F(KilnBuilderTest, LstmInfersSequenceAndStates) {
  Block *body = makeFunction({tensor({ShapedType::kDynamic, 28, 28}),
                              tensor({2, 512, 28}), tensor({2, 512, 128}),
                              tensor({2, 512}), tensor({2, 512})});
  auto lstm = kiln::LstmOp::create(
      builder, builder.getUnknownLoc(), body->getArgument(0),
      body->getArgument(1), body->getArgument(2), body->getArgument(3),
      body->getArgument(4), /*h0=*/Value(), /*c0=*/Value(),
      /*bidirectional=*/true);
  EXPECT_EQ(lstm.getOutput().getType(),
            tensor({ShapedType::kDynamic, 28, 256}));
  EXPECT_EQ(lstm.getHN().getType(), tensor({2, ShapedType::kDynamic, 128}));
  EXPECT_EQ(lstm.getCN().getType(), tensor({2, ShapedType::kDynamic, 128}));
}

TEST_F(KilnBuilderTest, MismatchIsReportedAtTheGivenLocation) {
  Block *body = makeFunction({tensor({4, 8}), tensor({5, 3})});
  Location loc = FileLineColLoc::get(&context, "model.kiln", 7, 12);
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    EXPECT_EQ(diag.getLocation(), loc);
    return success();
  });
  SmallVector<Type> inferred;
  kiln::MatmulOp::Properties properties;
  properties.transpose_lhs = builder.getBoolAttr(false);
  properties.transpose_rhs = builder.getBoolAttr(false);
  kiln::MatmulOp::Adaptor adaptor(
      ValueRange{body->getArgument(0), body->getArgument(1)},
      builder.getDictionaryAttr({}), properties);
  EXPECT_TRUE(failed(
      kiln::MatmulOp::inferReturnTypes(&context, loc, adaptor, inferred)));
  EXPECT_NE(message.find("contraction sizes differ"), std::string::npos)
      << message;
  EXPECT_NE(message.find("[4, 8]"), std::string::npos) << message;
  EXPECT_NE(message.find("[5, 3]"), std::string::npos) << message;
}
} // namespace
