//===- OutOfMemoryTest.cpp - The C APIs when allocation fails -------------===//
//
// Replaces the global operator new so that, once armed, the N-th
// allocation throws std::bad_alloc (once: the allocations after it
// succeed, so code that swallows the failure and goes on shows), and sweeps
// N over training runs through kiln_train_fit and kiln_train_fit_samples,
// and an inference run through kiln_session_run: a call that met the
// failure returns KILN_STATUS_OUT_OF_MEMORY with its message; never
// success, another status, a crash or a leak of the preallocated error.
//
//===----------------------------------------------------------------------===//

#include "kiln/kiln.h"
#include "kiln/kiln_train.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <new>
#include <string>
#include <vector>

namespace {

/// Allocations left before they fail; negative: disarmed.
std::atomic<long> allocationsLeft{-1};

void *allocate(std::size_t size) {
  if (allocationsLeft.load() >= 0 && allocationsLeft.fetch_sub(1) <= 0)
    throw std::bad_alloc();
  if (void *memory = std::malloc(size ? size : 1))
    return memory;
  throw std::bad_alloc();
}

/// Fails allocations from the `n`-th on while in scope.
struct FailingAllocations {
  explicit FailingAllocations(long n) { allocationsLeft = n; }
  ~FailingAllocations() { allocationsLeft = -1; }
  /// The armed allocation has failed.
  bool triggered() const { return allocationsLeft.load() < 0; }
};

} // namespace

void *operator new(std::size_t size) { return allocate(size); }
void *operator new[](std::size_t size) { return allocate(size); }
void operator delete(void *memory) noexcept { std::free(memory); }
void operator delete[](void *memory) noexcept { std::free(memory); }
void operator delete(void *memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void *memory, std::size_t) noexcept {
  std::free(memory);
}

namespace {

/// Three separable blobs in 4 dimensions, the class in the last column.
std::string writeBlobs() {
  std::string path = ::testing::TempDir() + "kiln-oom-blobs.csv";
  std::ofstream out(path);
  out << "a,b,c,d,class\n";
  for (int i = 0; i < 240; ++i) {
    int label = i % 3;
    for (int f = 0; f < 4; ++f)
      out << (f == label ? 2.0 : 0.0) + 0.01 * (i % 7) << ",";
    out << label << "\n";
  }
  return path;
}

kiln_module *loadFixture() {
  kiln_module *module = nullptr;
  kiln_error *error = kiln_module_load_file(KILN_TEST_KMOD, &module);
  EXPECT_EQ(error, nullptr) << kiln_error_message(error);
  return module;
}

/// The status of `error` (freed), KILN_STATUS_OK for none.
kiln_status consume(kiln_error *error, std::string &message) {
  kiln_status status = error ? kiln_error_code(error) : KILN_STATUS_OK;
  message = error ? kiln_error_message(error) : "";
  kiln_error_free(error);
  return status;
}

/// Trains a fresh session with `fit` under ever later allocation failures
/// until a run finishes: every earlier run must end out of memory.
void sweepTraining(
    const std::function<kiln_error *(kiln_session *,
                                     const kiln_fit_options *)> &fit) {
  kiln_module *module = loadFixture();
  ASSERT_NE(module, nullptr);
  kiln_fit_options options;
  kiln_fit_options_init(&options);
  options.epochs = 2;
  options.batch = 16;
  int outOfMemory = 0, finished = 0;
  for (long n = 0; n < 1000000 && finished < 1; n += n / 8 + 1) {
    kiln_session *session = nullptr;
    ASSERT_EQ(kiln_session_create(module, 0, /*threads=*/1, &session),
              nullptr);
    kiln_error *error;
    bool failed;
    {
      FailingAllocations failing(n);
      error = fit(session, &options);
      failed = failing.triggered();
    }
    std::string message;
    kiln_status status = consume(error, message);
    kiln_session_free(session);
    ASSERT_TRUE(status == KILN_STATUS_OK ||
                status == KILN_STATUS_OUT_OF_MEMORY)
        << "allocation " << n << ": status " << status << ": " << message;
    ASSERT_TRUE(status == KILN_STATUS_OUT_OF_MEMORY || !failed)
        << "allocation " << n << " failed and the call reported success";
    if (status == KILN_STATUS_OUT_OF_MEMORY) {
      EXPECT_EQ(message, "out of memory");
      ++outOfMemory;
    }
    finished += status == KILN_STATUS_OK;
  }
  // Failures early and late in the run, then a run that fits in budget.
  EXPECT_GT(outOfMemory, 10);
  EXPECT_EQ(finished, 1);
  kiln_module_free(module);
}

TEST(OutOfMemoryTest, TrainFitReturnsTheOutOfMemoryCode) {
  std::string data = writeBlobs();
  sweepTraining([&](kiln_session *session, const kiln_fit_options *options) {
    return kiln_train_fit(session, data.c_str(), options, nullptr, nullptr,
                          nullptr);
  });
}

TEST(OutOfMemoryTest, TrainFitSamplesReturnsTheOutOfMemoryCode) {
  std::vector<float> features, targets;
  for (int i = 0; i < 240; ++i) {
    for (int f = 0; f < 4; ++f)
      features.push_back(f == i % 3 ? 2.0f : 0.0f);
    targets.push_back(float(i % 3));
  }
  kiln_samples samples = {features.data(), targets.data(), 240, 4, 1, 0};
  sweepTraining([&](kiln_session *session, const kiln_fit_options *options) {
    return kiln_train_fit_samples(session, &samples, 40, &samples, options,
                                  nullptr, nullptr, nullptr);
  });
}

TEST(OutOfMemoryTest, SessionRunReturnsTheOutOfMemoryCode) {
  kiln_module *module = loadFixture();
  ASSERT_NE(module, nullptr);
  kiln_session *session = nullptr;
  ASSERT_EQ(kiln_session_create(module, 0, /*threads=*/1, &session), nullptr);
  int64_t shape[] = {8, 4};
  kiln_tensor *input = nullptr;
  ASSERT_EQ(kiln_tensor_create(KILN_F32, shape, 2, nullptr, &input), nullptr);
  const char *names[] = {"x"};
  const kiln_tensor *inputs[] = {input};
  int outOfMemory = 0, finished = 0;
  for (long n = 0; finished < 1; ++n) {
    kiln_tensor *outputs[4] = {};
    size_t count = 0;
    kiln_error *error;
    bool failed;
    {
      FailingAllocations failing(n);
      error = kiln_session_run(session, "infer", names, inputs, 1, outputs, 4,
                               &count);
      failed = failing.triggered();
    }
    std::string message;
    kiln_status status = consume(error, message);
    ASSERT_TRUE(status == KILN_STATUS_OK ||
                status == KILN_STATUS_OUT_OF_MEMORY)
        << "allocation " << n << ": status " << status << ": " << message;
    ASSERT_TRUE(status == KILN_STATUS_OUT_OF_MEMORY || !failed)
        << "allocation " << n << " failed and the call reported success";
    outOfMemory += status == KILN_STATUS_OUT_OF_MEMORY;
    finished += status == KILN_STATUS_OK;
    for (size_t i = 0; i < count; ++i)
      kiln_tensor_free(outputs[i]);
  }
  EXPECT_GT(outOfMemory, 0);
  kiln_tensor_free(input);
  kiln_session_free(session);
  kiln_module_free(module);
}

} // namespace
