//===- ModuleFormatTest.cpp - Well-checksummed but malformed modules ------===//
//
// A module can pass the checksum and the FlatBuffer verifier and still
// describe something the runtime must not allocate (a buggy or hostile
// producer): such modules are refused with a message, not a crash.
//
//===----------------------------------------------------------------------===//

#include "kiln/kmod_format.h"
#include "kiln/kmod_generated.h"
#include "kiln/runtime/Module.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

using namespace kiln;

namespace {
/// A module with one parameter of `shape` and a code blob that is never
/// reached.
std::vector<uint8_t> moduleWithParamShape(std::vector<int64_t> shape) {
  flatbuffers::FlatBufferBuilder builder;
  auto type = kmod::CreateTensorTypeDirect(builder, kmod::DType::F32, &shape);
  std::vector<flatbuffers::Offset<kmod::Param>> params = {
      kmod::CreateParamDirect(builder, "w", type)};
  std::vector<uint8_t> code(16, 0);
  auto module = kmod::CreateModuleDirect(builder, "m", "test", "", "",
                                         nullptr, nullptr, &params, &code);
  kmod::FinishModuleBuffer(builder, module);
  kmod::Header header =
      kmod::makeHeader(builder.GetBufferPointer(), builder.GetSize());
  std::vector<uint8_t> bytes(sizeof(header) + builder.GetSize());
  std::memcpy(bytes.data(), &header, sizeof(header));
  std::memcpy(bytes.data() + sizeof(header), builder.GetBufferPointer(),
              builder.GetSize());
  return bytes;
}

std::string loadError(const std::vector<uint8_t> &bytes) {
  std::string error;
  std::unique_ptr<rt::Module> module =
      rt::Module::loadMemory(bytes.data(), bytes.size(), error);
  EXPECT_EQ(module, nullptr);
  return error;
}
} // namespace

TEST(ModuleFormat, RefusesParametersWithoutStaticShapes) {
  std::string error = loadError(moduleWithParamShape({-1, 3}));
  EXPECT_NE(error.find("parameter 'w' has shape [N, 3]"), std::string::npos)
      << error;
  error = loadError(moduleWithParamShape({1 << 30, 1 << 30, 1 << 30}));
  EXPECT_NE(error.find("parameter 'w'"), std::string::npos) << error;
}

TEST(ModuleFormat, AcceptableShapesGetAsFarAsTheCode) {
  // The same module with a sane shape passes the checks and fails only
  // when its (garbage) code is loaded.
  std::string error = loadError(moduleWithParamShape({4, 3}));
  EXPECT_NE(error.find("cannot load the module's code"), std::string::npos)
      << error;
}
