//===- ConcurrencyTest.cpp - The runtime's thread-safety contract ---------===//
//
// What kiln.h promises threads (docs/runtime.md, "Threads"): one module is
// shared by any number of sessions on any number of threads; sessions are
// independent, each running on its own thread pool; a session is used by
// one thread at a time. Many threads here each train and run their own
// sessions of one module at once, and every result must be what the same
// work gives on one thread. Built also under ThreadSanitizer
// (kiln-concurrency-tests-tsan), which reports any data race between them.
//
//===----------------------------------------------------------------------===//

#include "kiln/kiln.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace {

/// The loss after `steps` train steps of a session seeded `seed`, then the
/// inference output's first value: deterministic for a seed.
std::pair<float, float> work(kiln_module *module, uint64_t seed, int steps,
                             unsigned threads) {
  kiln_session *session = nullptr;
  kiln_error *error = kiln_session_create(module, seed, threads, &session);
  EXPECT_EQ(error, nullptr) << kiln_error_message(error);
  const int64_t xShape[] = {3, 4}, labelShape[] = {3};
  const float x[] = {1, 2, 3, 4, -1, 0, 1, 2, 0.5f, 0.5f, -2, 1};
  const int32_t labels[] = {2, 0, 1};
  kiln_tensor *features = nullptr, *label = nullptr;
  kiln_tensor_create(KILN_F32, xShape, 2, x, &features);
  kiln_tensor_create(KILN_I32, labelShape, 1, labels, &label);
  const char *names[] = {"x", "label"};
  const kiln_tensor *inputs[] = {features, label};
  float loss = 0;
  for (int i = 0; i < steps; ++i) {
    kiln_tensor *outputs[8] = {};
    size_t count = 0;
    error = kiln_session_run(session, "step", names, inputs, 2, outputs, 8,
                             &count);
    EXPECT_EQ(error, nullptr) << kiln_error_message(error);
    loss = static_cast<const float *>(kiln_tensor_data(outputs[0]))[0];
    for (size_t k = 0; k < count; ++k)
      kiln_tensor_free(outputs[k]);
  }
  kiln_tensor *outputs[4] = {};
  size_t count = 0;
  error = kiln_session_run(session, "infer", names, inputs, 1, outputs, 4,
                           &count);
  EXPECT_EQ(error, nullptr) << kiln_error_message(error);
  float first = static_cast<const float *>(kiln_tensor_data(outputs[0]))[0];
  for (size_t k = 0; k < count; ++k)
    kiln_tensor_free(outputs[k]);
  kiln_tensor_free(features);
  kiln_tensor_free(label);
  kiln_session_free(session);
  return {loss, first};
}

TEST(Concurrency, SessionsOfOneModuleRunOnManyThreadsAtOnce) {
  kiln_module *module = nullptr;
  ASSERT_EQ(kiln_module_load_file(KILN_TEST_KMOD, &module), nullptr);
  const int kThreads = 8, kSessionsPerThread = 3, kSteps = 20;
  // What each seed gives with nothing else running.
  std::vector<std::pair<float, float>> expected;
  for (int t = 0; t < kThreads; ++t)
    expected.push_back(work(module, t, kSteps, 2));

  std::vector<std::vector<std::pair<float, float>>> got(kThreads);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      // Start together, so that the sessions overlap.
      ++ready;
      while (ready.load() < kThreads)
        std::this_thread::yield();
      for (int s = 0; s < kSessionsPerThread; ++s)
        // Each session with a pool of its own (2 threads) as well.
        got[t].push_back(work(module, t, kSteps, 2));
    });
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < kThreads; ++t)
    for (const auto &result : got[t]) {
      EXPECT_EQ(result.first, expected[t].first) << "thread " << t;
      EXPECT_EQ(result.second, expected[t].second) << "thread " << t;
    }
  kiln_module_free(module);
}

TEST(Concurrency, ModulesLoadAndFreeOnManyThreads) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        kiln_module *module = nullptr;
        kiln_error *error = kiln_module_load_file(KILN_TEST_KMOD, &module);
        failures += error != nullptr;
        kiln_error_free(error);
        kiln_module_free(module);
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_EQ(failures.load(), 0);
}

} // namespace
