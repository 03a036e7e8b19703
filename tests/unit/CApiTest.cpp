//===- CApiTest.cpp - The C API refuses bad arguments ---------------------===//

#include "kiln/kiln.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {
/// The message of `error`, which must be one; frees it.
std::string takeMessage(kiln_error *error) {
  EXPECT_NE(error, nullptr);
  std::string message = error ? kiln_error_message(error) : "";
  kiln_error_free(error);
  return message;
}
} // namespace

TEST(CApi, MissingArgumentsAreErrorsNotCrashes) {
  kiln_module *module = nullptr;
  EXPECT_NE(takeMessage(kiln_module_load_file(nullptr, &module))
                .find("missing argument"),
            std::string::npos);
  EXPECT_NE(takeMessage(kiln_module_load_memory(nullptr, 0, &module))
                .find("missing argument"),
            std::string::npos);
  kiln_session *session = nullptr;
  EXPECT_FALSE(takeMessage(kiln_session_create(nullptr, 0, 1, &session))
                   .empty());
  size_t count = 0;
  EXPECT_FALSE(takeMessage(kiln_session_run(nullptr, "infer", nullptr,
                                            nullptr, 0, nullptr, 0, &count))
                   .empty());
  EXPECT_FALSE(
      takeMessage(kiln_session_save_checkpoint(nullptr, "x")).empty());
  EXPECT_FALSE(
      takeMessage(kiln_session_load_checkpoint(nullptr, "x")).empty());
  // Freeing nothing is allowed.
  kiln_module_free(nullptr);
  kiln_session_free(nullptr);
  kiln_tensor_free(nullptr);
  kiln_error_free(nullptr);
}

TEST(CApi, GarbageIsNotAModule) {
  std::vector<unsigned char> garbage(100, 0xAB);
  kiln_module *module = nullptr;
  std::string message = takeMessage(
      kiln_module_load_memory(garbage.data(), garbage.size(), &module));
  EXPECT_EQ(module, nullptr);
  EXPECT_NE(message.find("not a Kiln module"), std::string::npos) << message;
  message = takeMessage(kiln_module_load_file("/nonexistent.kmod", &module));
  EXPECT_NE(message.find("/nonexistent.kmod"), std::string::npos) << message;
}

TEST(CApi, TensorsCopyTheirDataAndRefuseBadShapes) {
  const int64_t shape[] = {2, 3};
  const float values[] = {1, 2, 3, 4, 5, 6};
  kiln_tensor *tensor = nullptr;
  ASSERT_EQ(kiln_tensor_create(KILN_F32, shape, 2, values, &tensor), nullptr);
  EXPECT_EQ(kiln_tensor_dtype(tensor), KILN_F32);
  ASSERT_EQ(kiln_tensor_rank(tensor), 2u);
  EXPECT_EQ(kiln_tensor_shape(tensor)[1], 3);
  ASSERT_EQ(kiln_tensor_byte_size(tensor), sizeof(values));
  EXPECT_EQ(static_cast<float *>(kiln_tensor_data(tensor))[5], 6.0f);
  kiln_tensor_free(tensor);

  ASSERT_EQ(kiln_tensor_create(KILN_I64, shape, 2, nullptr, &tensor), nullptr);
  EXPECT_EQ(static_cast<int64_t *>(kiln_tensor_data(tensor))[4], 0);
  kiln_tensor_free(tensor);

  const int64_t negative[] = {2, -1};
  EXPECT_NE(takeMessage(kiln_tensor_create(KILN_F32, negative, 2, nullptr,
                                           &tensor))
                .find("negative dimension"),
            std::string::npos);
  EXPECT_NE(takeMessage(kiln_tensor_create(static_cast<kiln_dtype>(9), shape,
                                           2, nullptr, &tensor))
                .find("unknown dtype"),
            std::string::npos);
}
