//===- ShapeRulesTest.cpp - Shape arithmetic of kiln ops ------------------===//

#include "kiln/Dialect/ShapeRules.h"

#include <gtest/gtest.h>

using namespace kiln::shape;

namespace {
constexpr int64_t D = kDynamic;

TEST(Broadcast, AlignsFromTheRightAndStretchesOnes) {
  EXPECT_EQ(broadcast({4, 1, 3}, {5, 1}), Shape({4, 5, 3}));
  EXPECT_EQ(broadcast({}, {2, 3}), Shape({2, 3}));
  EXPECT_EQ(broadcast({7}, {7}), Shape({7}));
}

TEST(Broadcast, RejectsDifferentSizes) {
  EXPECT_FALSE(broadcast({3}, {4}).has_value());
  EXPECT_FALSE(broadcast({2, 3}, {3, 3}).has_value());
}

TEST(Broadcast, DynamicSizes) {
  // An unknown size meets a known one: it must be that size at run time.
  EXPECT_EQ(broadcast({D, 10}, {5, 10}), Shape({5, 10}));
  // Against 1 or another unknown it stays unknown.
  EXPECT_EQ(broadcast({D, 10}, {1, 10}), Shape({D, 10}));
  EXPECT_EQ(broadcast({D}, {D}), Shape({D}));
  EXPECT_EQ(broadcast({D, 1}, {10}), Shape({D, 10}));
}

TEST(NormalizeAxis, NegativeAxesCountFromTheEnd) {
  EXPECT_EQ(normalizeAxis(-1, 3), 2);
  EXPECT_EQ(normalizeAxis(0, 3), 0);
  EXPECT_FALSE(normalizeAxis(3, 3).has_value());
  EXPECT_FALSE(normalizeAxis(-4, 3).has_value());
  EXPECT_FALSE(normalizeAxis(0, 0).has_value());
}

TEST(Reduce, DropsOrKeepsAxes) {
  EXPECT_EQ(reduce({D, 3, 4}, {1}, false), Shape({D, 4}));
  EXPECT_EQ(reduce({D, 3, 4}, {-1, 1}, true), Shape({D, 1, 1}));
  EXPECT_EQ(reduce({2, 3}, {}, false), Shape({}));
  EXPECT_EQ(reduce({2, 3}, {}, true), Shape({1, 1}));
}

TEST(Reduce, RejectsRepeatedOrOutOfRangeAxes) {
  EXPECT_FALSE(reduce({2, 3}, {1, -1}, false).has_value());
  EXPECT_FALSE(reduce({2, 3}, {2}, false).has_value());
}

TEST(Window, MatchesPyTorchConvolutionArithmetic) {
  // Conv2d(k=3, s=1, p=1) keeps 28; max_pool2d(2) halves it.
  EXPECT_EQ(windowOutputSize(28, 3, 1, 1, 1), 28);
  EXPECT_EQ(windowOutputSize(28, 2, 2, 0, 1), 14);
  // Odd sizes round down; dilation widens the window.
  EXPECT_EQ(windowOutputSize(7, 2, 2, 0, 1), 3);
  EXPECT_EQ(windowOutputSize(10, 3, 1, 0, 2), 6);
  EXPECT_EQ(windowOutputSize(D, 3, 1, 1, 1), D);
  EXPECT_LT(windowOutputSize(2, 5, 1, 0, 1), 1);
}

TEST(Window, TransposedConvolutionInvertsTheForwardSize) {
  // DCGAN-style upsampling 7 -> 14 with k=4, s=2, p=1.
  EXPECT_EQ(transposedWindowOutputSize(7, 4, 2, 1, 0, 1), 14);
  EXPECT_EQ(transposedWindowOutputSize(14, 3, 2, 1, 1, 1), 28);
  EXPECT_EQ(transposedWindowOutputSize(D, 4, 2, 1, 0, 1), D);
}

TEST(Reshape, InfersOneEntry) {
  std::string why;
  EXPECT_EQ(reshape({2, 3, 4}, {-1, 4}, why), Shape({6, 4}));
  EXPECT_EQ(reshape({D, 64, 7, 7}, {-1, 3136}, why), Shape({D, 3136}));
  EXPECT_EQ(reshape({2, 3}, {3, 2}, why), Shape({3, 2}));
}

TEST(Reshape, ExplainsFailures) {
  std::string why;
  EXPECT_FALSE(reshape({2, 3}, {4, 2}, why).has_value());
  EXPECT_NE(why.find("6 elements"), std::string::npos) << why;
  EXPECT_FALSE(reshape({2, 3}, {-1, -1}, why).has_value());
  EXPECT_NE(why.find("at most one"), std::string::npos) << why;
  EXPECT_FALSE(reshape({2, 3}, {-1, 4}, why).has_value());
  EXPECT_FALSE(reshape({2, 3}, {-2, 3}, why).has_value());
}

TEST(Slice, ClampsLikePython) {
  EXPECT_EQ(sliceLength(10, 0, 5, 1), 5);
  EXPECT_EQ(sliceLength(10, 1, 10, 3), 3); // 1, 4, 7
  EXPECT_EQ(sliceLength(10, -3, INT64_MAX, 1), 3);
  EXPECT_EQ(sliceLength(10, 8, 2, 1), 0);
  EXPECT_EQ(sliceLength(10, -100, 100, 2), 5);
  EXPECT_EQ(sliceLength(D, 0, 5, 1), D);
}

TEST(Format, ShowsUnknownSizesAsQuestionMarks) {
  EXPECT_EQ(format({D, 10}), "[?, 10]");
  EXPECT_EQ(format({}), "[]");
  EXPECT_EQ(numElements({2, 3, 4}), 24);
  EXPECT_EQ(numElements({2, D}), D);
}
} // namespace
