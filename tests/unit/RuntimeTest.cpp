//===- RuntimeTest.cpp - The runtime's building blocks --------------------===//

#include "../../runtime/src/Philox.h"
#include "kiln/runtime/Npy.h"
#include "kiln/runtime/Session.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

using namespace kiln::rt;

namespace {

// Known-answer values from the Random123 distribution's kat_vectors.
TEST(Philox, MatchesTheReferenceKnownAnswers) {
  auto zero = philox4x32({0, 0, 0, 0}, {0, 0});
  EXPECT_EQ(zero, (std::array<uint32_t, 4>{0x6627e8d5, 0xe169c58d,
                                           0xbc57ac4c, 0x9b00dbd8}));
  auto ones = philox4x32({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
                         {0xffffffff, 0xffffffff});
  EXPECT_EQ(ones, (std::array<uint32_t, 4>{0x408f276d, 0x41c83b0e,
                                           0xa20bc7c6, 0x6d5451fd}));
  auto pi = philox4x32({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
                       {0xa4093822, 0x299f31d0});
  EXPECT_EQ(pi, (std::array<uint32_t, 4>{0xd16cfe09, 0x94fdcceb, 0x5001e420,
                                         0x24126ea1}));
}

ParamSpec param(int init, std::vector<int64_t> shape) {
  ParamSpec spec;
  spec.name = "w";
  spec.type = {DType::F32, std::move(shape)};
  spec.init = init;
  return spec;
}

double stddev(const Tensor &tensor, double &mean) {
  int64_t n = tensor.numElements();
  mean = 0;
  for (int64_t i = 0; i < n; ++i)
    mean += tensor.data<float>()[i];
  mean /= n;
  double variance = 0;
  for (int64_t i = 0; i < n; ++i)
    variance += std::pow(tensor.data<float>()[i] - mean, 2);
  return std::sqrt(variance / n);
}

TEST(ParamInit, HeNormalHasPyTorchsScale) {
  // he_normal (InitKind 8): std = sqrt(2 / fan_in), fan_in = 128 * 3 * 3.
  Tensor tensor;
  initializeParam(param(8, {256, 128, 3, 3}), 1, 0, tensor);
  double mean;
  double std = stddev(tensor, mean);
  EXPECT_NEAR(mean, 0.0, 0.002);
  EXPECT_NEAR(std, std::sqrt(2.0 / (128 * 9)), 0.002);
}

TEST(ParamInit, GlorotUniformStaysInItsBound) {
  Tensor tensor;
  initializeParam(param(5, {64, 32}), 1, 0, tensor);
  double bound = std::sqrt(6.0 / (64 + 32));
  double mean;
  double std = stddev(tensor, mean);
  for (int64_t i = 0; i < tensor.numElements(); ++i)
    ASSERT_LE(std::fabs(tensor.data<float>()[i]), bound);
  // A uniform on [-b, b] has std b / sqrt(3).
  EXPECT_NEAR(std, bound / std::sqrt(3.0), 0.01);
}

TEST(ParamInit, RecordedFansOverrideTheShapeRule) {
  // A GRU's w_ih [2, 3*64, 28] as the compiler records it: per direction
  // and gate a [64, 28] matrix, fan_in 28 and fan_out 64.
  ParamSpec spec = param(5, {2, 192, 28});
  spec.fanIn = 28;
  spec.fanOut = 64;
  Tensor tensor;
  initializeParam(spec, 1, 0, tensor);
  double bound = std::sqrt(6.0 / (28 + 64)), mean;
  double std = stddev(tensor, mean);
  for (int64_t i = 0; i < tensor.numElements(); ++i)
    ASSERT_LE(std::fabs(tensor.data<float>()[i]), bound);
  // The shape rule's bound, sqrt(6 / (192*28 + 2*28)), is 5x smaller.
  EXPECT_NEAR(std, bound / std::sqrt(3.0), 0.01);
}

TEST(ParamInit, SameSeedSameValuesOtherSeedOthers) {
  Tensor a, b, c;
  initializeParam(param(3, {100}), 7, 2, a);
  initializeParam(param(3, {100}), 7, 2, b);
  initializeParam(param(3, {100}), 8, 2, c);
  EXPECT_EQ(a.bytes, b.bytes);
  EXPECT_NE(a.bytes, c.bytes);
}

std::string tempPath(const char *name) {
  return ::testing::TempDir() + name;
}

TEST(Npy, RoundTripsEveryDtype) {
  for (DType dtype :
       {DType::F32, DType::F64, DType::I32, DType::I64, DType::I1}) {
    Tensor tensor(dtype, {2, 3});
    for (size_t i = 0; i < tensor.bytes.size(); ++i)
      tensor.bytes[i] = static_cast<uint8_t>(dtype == DType::I1 ? i % 2 : i);
    std::string error, path = tempPath("roundtrip.npy");
    ASSERT_TRUE(writeNpy(path, tensor, error)) << error;
    Tensor back;
    ASSERT_TRUE(readNpy(path, back, error)) << error;
    EXPECT_EQ(back.dtype, dtype);
    EXPECT_EQ(back.shape, tensor.shape);
    EXPECT_EQ(back.bytes, tensor.bytes);
  }
}

void writeRaw(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string npyHeader(const std::string &dict) {
  std::string header = dict;
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY\x01";
  out += '\0';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header;
}

TEST(Npy, RefusesWhatItCannotRead) {
  std::string error, path = tempPath("bad.npy");
  Tensor tensor;
  writeRaw(path, "not numpy at all");
  EXPECT_FALSE(readNpy(path, tensor, error));
  EXPECT_NE(error.find("bad magic"), std::string::npos) << error;

  writeRaw(path, npyHeader("{'descr': '<f4', 'fortran_order': True, "
                           "'shape': (2, 2), }") +
                     std::string(16, '\0'));
  EXPECT_FALSE(readNpy(path, tensor, error));
  EXPECT_NE(error.find("Fortran order"), std::string::npos) << error;

  writeRaw(path, npyHeader("{'descr': '<c8', 'fortran_order': False, "
                           "'shape': (2,), }") +
                     std::string(16, '\0'));
  EXPECT_FALSE(readNpy(path, tensor, error));
  EXPECT_NE(error.find("dtype '<c8'"), std::string::npos) << error;

  writeRaw(path, npyHeader("{'descr': '<f4', 'fortran_order': False, "
                           "'shape': (4, 4), }") +
                     std::string(8, '\0'));
  EXPECT_FALSE(readNpy(path, tensor, error));
  EXPECT_NE(error.find("truncated"), std::string::npos) << error;

  EXPECT_FALSE(readNpy(tempPath("does-not-exist.npy"), tensor, error));
  EXPECT_NE(error.find("cannot open"), std::string::npos) << error;
}

TEST(Npy, ScalarsAndEmptyShapes) {
  std::string error, path = tempPath("scalar.npy");
  Tensor scalar(DType::F64, {});
  scalar.data<double>()[0] = 2.5;
  ASSERT_TRUE(writeNpy(path, scalar, error)) << error;
  Tensor back;
  ASSERT_TRUE(readNpy(path, back, error)) << error;
  EXPECT_TRUE(back.shape.empty());
  EXPECT_EQ(back.data<double>()[0], 2.5);
}
} // namespace
