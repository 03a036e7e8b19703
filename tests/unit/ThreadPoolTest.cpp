//===- ThreadPoolTest.cpp - The runtime's parallel loops -------------------===//

#include "kiln/runtime/CodeAbi.h"
#include "kiln/runtime/Profile.h"
#include "kiln/runtime/ThreadPool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace kiln::rt;

namespace {
/// Counts how often each iteration ran and on which threads.
struct Coverage {
  std::vector<std::atomic<int>> visits;
  std::mutex mutex;
  std::set<std::thread::id> threads;
  /// Hold each chunk until a second thread has taken one (or 10 s pass),
  /// so that a loaded machine cannot finish the loop on one thread first.
  bool awaitCompany = false;
  explicit Coverage(int64_t count) : visits(count) {}

  size_t threadCount() {
    std::lock_guard<std::mutex> lock(mutex);
    return threads.size();
  }
};

void countVisits(int64_t begin, int64_t end, void *closure) {
  auto *coverage = static_cast<Coverage *>(closure);
  for (int64_t i = begin; i < end; ++i)
    coverage->visits[i].fetch_add(1);
  {
    std::lock_guard<std::mutex> lock(coverage->mutex);
    coverage->threads.insert(std::this_thread::get_id());
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (coverage->awaitCompany && coverage->threadCount() < 2 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::microseconds(50));
}

void expectEachOnce(const Coverage &coverage) {
  for (size_t i = 0; i < coverage.visits.size(); ++i)
    ASSERT_EQ(coverage.visits[i].load(), 1) << "iteration " << i;
}
/// Work per iteration that always merits threads.
constexpr int64_t kHeavy = int64_t(1) << 40;
} // namespace

TEST(ThreadPool, RunsEveryIterationExactlyOnce) {
  ThreadPool pool(2);
  EXPECT_EQ(pool.threads(), 2u);
  for (int64_t count : {1, 2, 7, 64, 1000}) {
    Coverage coverage(count);
    pool.parallelFor(count, countVisits, &coverage);
    expectEachOnce(coverage);
  }
  Coverage none(0);
  pool.parallelFor(0, countVisits, &none);
}

TEST(ThreadPool, SharesWorkBetweenThreads) {
  ThreadPool pool(2);
  Coverage coverage(16);
  coverage.awaitCompany = true;
  pool.parallelFor(16, countVisits, &coverage);
  expectEachOnce(coverage);
  EXPECT_EQ(coverage.threads.size(), 2u);
}

TEST(ThreadPool, TheCodeAbiUsesTheInstalledPoolElseRunsSerially) {
  Coverage serial(8);
  kiln_rt_parallel_for(8, countVisits, &serial, kHeavy, "serial");
  expectEachOnce(serial);
  EXPECT_EQ(serial.threads.size(), 1u);
  EXPECT_EQ(currentPool(), nullptr);

  ThreadPool pool(2);
  {
    ScopedPool scope(&pool);
    EXPECT_EQ(currentPool(), &pool);
    Coverage parallel(16);
    parallel.awaitCompany = true;
    kiln_rt_parallel_for(16, countVisits, &parallel, kHeavy, "parallel");
    expectEachOnce(parallel);
    EXPECT_EQ(parallel.threads.size(), 2u);

    // Too little work in all: the caller runs it alone.
    Coverage light(16);
    kiln_rt_parallel_for(16, countVisits, &light, 10, "light");
    expectEachOnce(light);
    EXPECT_EQ(light.threads.size(), 1u);
  }
  EXPECT_EQ(currentPool(), nullptr);
}

namespace {
struct Nested {
  Coverage inner{8 * 8};
};

void runInnerLoop(int64_t begin, int64_t end, void *closure) {
  auto *nested = static_cast<Nested *>(closure);
  for (int64_t i = begin; i < end; ++i) {
    // A loop inside a loop body: runs serially, on this thread.
    struct Row {
      Nested *nested;
      int64_t row;
    } row{nested, i};
    kiln_rt_parallel_for(
        8,
        [](int64_t b, int64_t e, void *c) {
          auto *r = static_cast<Row *>(c);
          for (int64_t j = b; j < e; ++j)
            r->nested->inner.visits[r->row * 8 + j].fetch_add(1);
        },
        &row, kHeavy, "inner");
  }
}
} // namespace

TEST(ThreadPool, NestedAndConcurrentLoopsComplete) {
  ThreadPool pool(2);
  {
    ScopedPool scope(&pool);
    Nested nested;
    kiln_rt_parallel_for(8, runInnerLoop, &nested, kHeavy, "outer");
    expectEachOnce(nested.inner);
  }
  // Two threads sharing one pool: one of them runs its loop serially.
  Coverage first(32), second(32);
  std::thread other([&] { pool.parallelFor(32, countVisits, &second); });
  pool.parallelFor(32, countVisits, &first);
  other.join();
  expectEachOnce(first);
  expectEachOnce(second);
}

TEST(ThreadPool, AnInstalledProfileTimesOutermostLoopsBySite) {
  ThreadPool pool(2);
  Profile profile;
  static const char kOuter[] = "model.kiln:3:7 contraction";
  {
    ScopedPool scope(&pool);
    ScopedProfile profiling(&profile);
    for (int run = 0; run < 3; ++run) {
      Nested nested;
      kiln_rt_parallel_for(8, runInnerLoop, &nested, kHeavy, kOuter);
      expectEachOnce(nested.inner);
    }
    EXPECT_EQ(currentProfile(), &profile);
  }
  EXPECT_EQ(currentProfile(), nullptr);
  std::vector<Profile::Site> sites = profile.sites();
  // The inner loops belong to the outer one, on every thread.
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_EQ(sites[0].name, kOuter);
  EXPECT_EQ(sites[0].calls, 3);
  EXPECT_GT(sites[0].seconds, 0.0);

  // Without a profile nothing is recorded.
  Coverage unprofiled(8);
  kiln_rt_parallel_for(8, countVisits, &unprofiled, kHeavy, kOuter);
  EXPECT_EQ(profile.sites()[0].calls, 3);
}

TEST(ThreadPool, DefaultSizeFollowsKilnNumThreads) {
  setenv("KILN_NUM_THREADS", "3", 1);
  EXPECT_EQ(ThreadPool().threads(), 3u);
  // Anything but a positive count is ignored.
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  for (const char *setting : {"0", "-2", "many", ""}) {
    setenv("KILN_NUM_THREADS", setting, 1);
    EXPECT_EQ(ThreadPool().threads(), cores) << "'" << setting << "'";
  }
  unsetenv("KILN_NUM_THREADS");
  EXPECT_EQ(ThreadPool().threads(), cores);
  EXPECT_EQ(ThreadPool(5).threads(), 5u);
}
