//===- CApiSessionTest.cpp - Training and inspecting through kiln.h -------===//
//
// A compiled logistic regression (4 features, 3 classes; KILN_TEST_KMOD)
// driven through the C API alone, as a C embedder or a binding would: the
// error codes of each kind of failure, out of memory, outputs and
// parameters by name, learning rates per step, step counts, options
// structs of an older, shorter size, and tensors over the caller's memory.
//
//===----------------------------------------------------------------------===//

#include "kiln/kiln.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace {

/// The code of `error`, which is then freed.
kiln_status takeCode(kiln_error *error) {
  kiln_status code = kiln_error_code(error);
  kiln_error_free(error);
  return code;
}

class CApiSession : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_EQ(takeCode(kiln_module_load_file(KILN_TEST_KMOD, &module)),
              KILN_STATUS_OK);
    ASSERT_EQ(takeCode(kiln_session_create(module, 0, 1, &session)),
              KILN_STATUS_OK);
    const int64_t xShape[] = {2, 4}, labelShape[] = {2};
    const float x[] = {1, 2, 3, 4, -1, 0, 1, 2};
    const int32_t labels[] = {2, 0};
    ASSERT_EQ(takeCode(kiln_tensor_create(KILN_F32, xShape, 2, x, &features)),
              KILN_STATUS_OK);
    ASSERT_EQ(
        takeCode(kiln_tensor_create(KILN_I32, labelShape, 1, labels, &label)),
        KILN_STATUS_OK);
  }
  void TearDown() override {
    kiln_tensor_free(features);
    kiln_tensor_free(label);
    kiln_session_free(session);
    kiln_module_free(module);
  }

  /// One train step at `rate`; its loss.
  float step(const kiln_run_options *options) {
    const char *names[] = {"x", "label"};
    const kiln_tensor *inputs[] = {features, label};
    kiln_tensor *outputs[4] = {};
    size_t count = 0;
    EXPECT_EQ(takeCode(kiln_session_run_with_options(
                  session, "step", options, names, inputs, 2, outputs, 4,
                  &count)),
              KILN_STATUS_OK);
    float loss = count ? *static_cast<float *>(kiln_tensor_data(outputs[0]))
                       : -1;
    for (size_t i = 0; i < count; ++i)
      kiln_tensor_free(outputs[i]);
    return loss;
  }

  std::vector<float> param(const char *name) {
    kiln_tensor *value = nullptr;
    EXPECT_EQ(takeCode(kiln_session_get_param(session, name, &value)),
              KILN_STATUS_OK);
    if (!value)
      return {};
    const float *data = static_cast<float *>(kiln_tensor_data(value));
    std::vector<float> copy(data,
                            data + kiln_tensor_byte_size(value) / sizeof(float));
    kiln_tensor_free(value);
    return copy;
  }

  kiln_module *module = nullptr;
  kiln_session *session = nullptr;
  kiln_tensor *features = nullptr, *label = nullptr;
};

} // namespace

TEST_F(CApiSession, EachKindOfFailureHasItsCode) {
  kiln_module *other = nullptr;
  EXPECT_EQ(takeCode(kiln_module_load_file(nullptr, &other)),
            KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(takeCode(kiln_module_load_file("/nonexistent.kmod", &other)),
            KILN_STATUS_NOT_FOUND);
  std::vector<unsigned char> garbage(100, 0xAB);
  EXPECT_EQ(takeCode(kiln_module_load_memory(garbage.data(), garbage.size(),
                                             &other)),
            KILN_STATUS_CORRUPT);
  size_t count = 0;
  EXPECT_EQ(takeCode(kiln_session_run(session, "nope", nullptr, nullptr, 0,
                                      nullptr, 0, &count)),
            KILN_STATUS_NOT_FOUND);
  // An input of the wrong shape.
  const char *names[] = {"x"};
  const kiln_tensor *inputs[] = {label};
  kiln_tensor *outputs[2] = {};
  EXPECT_EQ(takeCode(kiln_session_run(session, "infer", names, inputs, 1,
                                      outputs, 2, &count)),
            KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(takeCode(kiln_session_load_checkpoint(session, "/nonexistent")),
            KILN_STATUS_NOT_FOUND);
  std::string path = ::testing::TempDir() + "/capi-session.ckpt";
  std::ofstream(path) << "not a checkpoint, but long enough to have a header";
  EXPECT_EQ(takeCode(kiln_session_load_checkpoint(session, path.c_str())),
            KILN_STATUS_CORRUPT);
  EXPECT_EQ(takeCode(kiln_session_save_checkpoint(session, "/nonexistent/x")),
            KILN_STATUS_FAILED_PRECONDITION);
  EXPECT_EQ(kiln_error_code(nullptr), KILN_STATUS_OK);
}

TEST_F(CApiSession, OutOfMemoryIsItsOwnCode) {
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
  // AddressSanitizer's operator new reports a failed allocation and aborts
  // instead of throwing std::bad_alloc.
  GTEST_SKIP() << "operator new does not throw under AddressSanitizer";
#endif
#endif
  // 2^44 floats: no machine here has 64 TiB.
  const int64_t shape[] = {int64_t(1) << 22, int64_t(1) << 22};
  kiln_tensor *huge = nullptr;
  kiln_error *error = kiln_tensor_create(KILN_F32, shape, 2, nullptr, &huge);
  EXPECT_EQ(kiln_error_code(error), KILN_STATUS_OUT_OF_MEMORY);
  EXPECT_STREQ(kiln_error_message(error), "out of memory");
  EXPECT_EQ(huge, nullptr);
  // The preallocated error survives being freed, twice.
  kiln_error_free(error);
  kiln_error_free(error);
}

TEST_F(CApiSession, OutputsAndParametersByName) {
  size_t count = 0;
  ASSERT_EQ(takeCode(kiln_module_output_count(module, "step", &count)),
            KILN_STATUS_OK);
  ASSERT_EQ(count, 1u);
  const char *name = nullptr;
  kiln_dtype dtype;
  size_t rank = 9;
  const int64_t *shape = nullptr;
  ASSERT_EQ(takeCode(kiln_module_output(module, "step", 0, &name, &dtype,
                                        &rank, &shape)),
            KILN_STATUS_OK);
  EXPECT_STREQ(name, "loss");
  EXPECT_EQ(rank, 0u);
  ASSERT_EQ(takeCode(kiln_module_output(module, "infer", 0, &name, &dtype,
                                        &rank, &shape)),
            KILN_STATUS_OK);
  EXPECT_STREQ(name, "probs");
  ASSERT_EQ(rank, 2u);
  EXPECT_EQ(shape[0], -1);
  EXPECT_EQ(shape[1], 3);
  EXPECT_EQ(takeCode(kiln_module_output(module, "infer", 1, &name, &dtype,
                                        &rank, &shape)),
            KILN_STATUS_INVALID_ARGUMENT);

  ASSERT_EQ(kiln_module_param_count(module), 2u);
  EXPECT_STREQ(kiln_module_param_name(module, 0), "w");
  EXPECT_STREQ(kiln_module_param_name(module, 1), "b");
  EXPECT_EQ(kiln_module_param_name(module, 2), nullptr);

  const int64_t bShape[] = {3};
  const float b[] = {0.5f, -1, 2};
  kiln_tensor *value = nullptr;
  ASSERT_EQ(takeCode(kiln_tensor_create(KILN_F32, bShape, 1, b, &value)),
            KILN_STATUS_OK);
  EXPECT_EQ(takeCode(kiln_session_set_param(session, "b", value)),
            KILN_STATUS_OK);
  EXPECT_EQ(param("b"), std::vector<float>(b, b + 3));
  EXPECT_EQ(takeCode(kiln_session_set_param(session, "w", value)),
            KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(takeCode(kiln_session_set_param(session, "nope", value)),
            KILN_STATUS_NOT_FOUND);
  kiln_tensor *got = nullptr;
  EXPECT_EQ(takeCode(kiln_session_get_param(session, "nope", &got)),
            KILN_STATUS_NOT_FOUND);
  kiln_tensor_free(value);
}

TEST_F(CApiSession, TrainsAtTheRateEachStepIsGiven) {
  int64_t steps = -1;
  ASSERT_EQ(takeCode(kiln_session_step_count(session, "step", &steps)),
            KILN_STATUS_OK);
  EXPECT_EQ(steps, 0);
  EXPECT_EQ(takeCode(kiln_session_step_count(session, "infer", &steps)),
            KILN_STATUS_INVALID_ARGUMENT);

  // Rate 0 leaves the (zero) weights where they are; the loss is ln 3.
  kiln_run_options frozen{sizeof(frozen), 1, 0.0f, 0};
  EXPECT_NEAR(step(&frozen), std::log(3.0f), 1e-6);
  EXPECT_EQ(param("w"), std::vector<float>(12, 0.0f));
  // The model's rate (0.1), then one given: both move the weights.
  float first = step(nullptr);
  EXPECT_NEAR(first, std::log(3.0f), 1e-6);
  std::vector<float> afterDefault = param("w");
  EXPECT_NE(afterDefault, std::vector<float>(12, 0.0f));
  kiln_run_options fast{sizeof(fast), 1, 0.5f, 0};
  EXPECT_LT(step(&fast), first);
  ASSERT_EQ(takeCode(kiln_session_step_count(session, "step", &steps)),
            KILN_STATUS_OK);
  EXPECT_EQ(steps, 3);
}

TEST_F(CApiSession, OptionsOfAnOlderShorterSizeGetDefaults) {
  // A caller compiled when the struct ended after `seed`.
  kiln_session_options old{};
  old.struct_size = offsetof(kiln_session_options, threads);
  old.seed = 7;
  old.threads = 12345; // past the caller's struct: must not be read
  kiln_session *other = nullptr;
  ASSERT_EQ(
      takeCode(kiln_session_create_with_options(module, &old, &other)),
      KILN_STATUS_OK);
  kiln_session_free(other);
  // A run options struct that ends before the learning rate sets none.
  kiln_run_options shorter{};
  shorter.struct_size = offsetof(kiln_run_options, learning_rate);
  shorter.has_learning_rate = 1;
  shorter.learning_rate = 0;
  step(&shorter);
  EXPECT_NE(param("w"), std::vector<float>(12, 0.0f));
}

TEST_F(CApiSession, CheckpointsCarryMetadata) {
  kiln_metadata *saved = nullptr, *loaded = nullptr;
  ASSERT_EQ(takeCode(kiln_metadata_create(&saved)), KILN_STATUS_OK);
  ASSERT_EQ(takeCode(kiln_metadata_create(&loaded)), KILN_STATUS_OK);
  EXPECT_EQ(takeCode(kiln_metadata_set(saved, "app.epoch", "3")),
            KILN_STATUS_OK);
  EXPECT_EQ(takeCode(kiln_metadata_set(saved, "app.data", "x.csv")),
            KILN_STATUS_OK);
  EXPECT_EQ(takeCode(kiln_metadata_set(saved, "app.epoch", "4")),
            KILN_STATUS_OK);
  EXPECT_EQ(takeCode(kiln_metadata_set(saved, nullptr, "x")),
            KILN_STATUS_INVALID_ARGUMENT);
  std::string path = ::testing::TempDir() + "/capi-metadata.ckpt";
  ASSERT_EQ(takeCode(kiln_session_save_checkpoint_with_metadata(
                session, path.c_str(), saved)),
            KILN_STATUS_OK);
  ASSERT_EQ(takeCode(kiln_session_load_checkpoint_with_metadata(
                session, path.c_str(), loaded)),
            KILN_STATUS_OK);
  ASSERT_EQ(kiln_metadata_count(loaded), 2u);
  EXPECT_STREQ(kiln_metadata_key(loaded, 0), "app.data");
  EXPECT_STREQ(kiln_metadata_key(loaded, 1), "app.epoch");
  EXPECT_EQ(kiln_metadata_key(loaded, 2), nullptr);
  EXPECT_STREQ(kiln_metadata_get(loaded, "app.epoch"), "4");
  EXPECT_EQ(kiln_metadata_get(loaded, "missing"), nullptr);
  // A checkpoint saved without metadata loads as none.
  ASSERT_EQ(takeCode(kiln_session_save_checkpoint(session, path.c_str())),
            KILN_STATUS_OK);
  ASSERT_EQ(takeCode(kiln_session_load_checkpoint_with_metadata(
                session, path.c_str(), loaded)),
            KILN_STATUS_OK);
  EXPECT_EQ(kiln_metadata_count(loaded), 0u);
  kiln_metadata_free(saved);
  kiln_metadata_free(loaded);
}

/// Runs entry "infer" on `x`; its first output's values.
static std::vector<float> inferOn(kiln_session *session, const kiln_tensor *x) {
  const char *names[] = {"x"};
  const kiln_tensor *inputs[] = {x};
  kiln_tensor *outputs[2] = {};
  size_t count = 0;
  EXPECT_EQ(takeCode(kiln_session_run(session, "infer", names, inputs, 1,
                                      outputs, 2, &count)),
            KILN_STATUS_OK);
  std::vector<float> values;
  if (count) {
    const float *data = static_cast<float *>(kiln_tensor_data(outputs[0]));
    values.assign(data,
                  data + kiln_tensor_byte_size(outputs[0]) / sizeof(float));
  }
  for (size_t i = 0; i < count; ++i)
    kiln_tensor_free(outputs[i]);
  return values;
}

TEST_F(CApiSession, WrappedInputsAreReadInPlace) {
  // Parameters set from wrapped tensors (copied into the session, as from
  // any tensor), so that outputs depend on the inputs.
  const int64_t weightShape[] = {3, 4}, biasShape[] = {3};
  float weights[] = {1, 0, -1, 2, 0.5f, 1, 0, -1, -2, 1, 1, 0};
  float bias[] = {0.5f, -1, 2};
  kiln_tensor *wrappedWeights = nullptr, *wrappedBias = nullptr;
  ASSERT_EQ(takeCode(kiln_tensor_wrap(KILN_F32, weightShape, 2, weights,
                                      &wrappedWeights)),
            KILN_STATUS_OK);
  ASSERT_EQ(
      takeCode(kiln_tensor_wrap(KILN_F32, biasShape, 1, bias, &wrappedBias)),
      KILN_STATUS_OK);
  EXPECT_EQ(takeCode(kiln_session_set_param(session, "w", wrappedWeights)),
            KILN_STATUS_OK);
  EXPECT_EQ(takeCode(kiln_session_set_param(session, "b", wrappedBias)),
            KILN_STATUS_OK);
  EXPECT_EQ(param("w"), std::vector<float>(weights, weights + 12));
  EXPECT_EQ(param("b"), std::vector<float>(bias, bias + 3));

  const int64_t shape[] = {2, 4};
  float buffer[] = {1, 2, 3, 4, -1, 0, 1, 2};
  kiln_tensor *wrapped = nullptr;
  ASSERT_EQ(takeCode(kiln_tensor_wrap(KILN_F32, shape, 2, buffer, &wrapped)),
            KILN_STATUS_OK);
  EXPECT_EQ(kiln_tensor_data(wrapped), static_cast<void *>(buffer));
  EXPECT_EQ(kiln_tensor_byte_size(wrapped), sizeof buffer);
  // The same results as a copy of the same values...
  EXPECT_EQ(inferOn(session, wrapped), inferOn(session, features));
  // ...and the caller's later writes are what the next run reads: nothing
  // was copied when the tensor was made.
  const float changed[] = {4, 3, 2, 1, 0, 0, 0, 9};
  std::copy(std::begin(changed), std::end(changed), buffer);
  kiln_tensor *copy = nullptr;
  ASSERT_EQ(takeCode(kiln_tensor_create(KILN_F32, shape, 2, changed, &copy)),
            KILN_STATUS_OK);
  std::vector<float> fromWrapped = inferOn(session, wrapped);
  EXPECT_EQ(fromWrapped, inferOn(session, copy));
  EXPECT_NE(fromWrapped, inferOn(session, features));
  // Wrapping nothing, or with a bad shape, is refused.
  kiln_tensor *bad = nullptr;
  EXPECT_EQ(takeCode(kiln_tensor_wrap(KILN_F32, shape, 2, nullptr, &bad)),
            KILN_STATUS_INVALID_ARGUMENT);
  const int64_t negative[] = {-2, 4};
  EXPECT_EQ(takeCode(kiln_tensor_wrap(KILN_F32, negative, 2, buffer, &bad)),
            KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(bad, nullptr);
  kiln_tensor_free(wrapped);
  kiln_tensor_free(copy);
  kiln_tensor_free(wrappedWeights);
  kiln_tensor_free(wrappedBias);
}
