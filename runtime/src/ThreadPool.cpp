//===- ThreadPool.cpp - The threads that run compiled parallel loops ------===//

#include "kiln/runtime/ThreadPool.h"

#include "kiln/runtime/FloatMode.h"
#include "kiln/runtime/CodeAbi.h"
#include "kiln/runtime/Profile.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>

using namespace kiln::rt;

namespace {
thread_local ThreadPool *installedPool = nullptr;

// Workers spin this long for the next job before sleeping: the loops of one
// entry come in quick succession, and a wake-up from sleep costs more than
// a small loop.
constexpr std::chrono::microseconds kSpinTime(200);

// Below this many scalar operations in all (a few microseconds of work), a
// loop runs serially: handing it out and collecting it costs more.
constexpr int64_t kMinParallelWork = 1 << 16;
} // namespace

/// The default size: KILN_NUM_THREADS when it is a positive number, else
/// one thread per hardware thread.
static unsigned defaultThreads() {
  if (const char *setting = std::getenv("KILN_NUM_THREADS")) {
    char *end = nullptr;
    unsigned long threads = std::strtoul(setting, &end, 10);
    if (*setting && !*end && threads > 0 && threads <= 1024)
      return static_cast<unsigned>(threads);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

ThreadPool::ThreadPool(unsigned threads) {
  if (threads == 0)
    threads = defaultThreads();
  for (unsigned i = 1; i < threads; ++i)
    workers_.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    generation_.fetch_add(1);
  }
  wake_.notify_all();
  for (std::thread &worker : workers_)
    worker.join();
}

void ThreadPool::runChunks(Job &job) {
  for (;;) {
    int64_t begin = job.next.fetch_add(job.chunk);
    if (begin >= job.count)
      return;
    job.body(begin, std::min(job.count, begin + job.chunk), job.closure);
  }
}

void ThreadPool::workerLoop() {
  // Workers only run compiled code.
  flushSubnormals();
  uint64_t seen = 0;
  for (;;) {
    auto spinUntil = std::chrono::steady_clock::now() + kSpinTime;
    while (generation_.load(std::memory_order_acquire) == seen &&
           std::chrono::steady_clock::now() < spinUntil)
      std::this_thread::yield();
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return generation_.load() != seen; });
      seen = generation_.load();
      if (stopping_)
        return;
    }
    // A loop body that itself reaches a parallel loop runs it serially.
    installedPool = nullptr;
    runChunks(job_);
    if (running_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(mutex_);
      done_.notify_one();
    }
  }
}

void ThreadPool::parallelFor(int64_t count, LoopBody body, void *closure) {
  if (count <= 0)
    return;
  std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
  if (workers_.empty() || count == 1 || !busy.owns_lock()) {
    body(0, count, closure);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_.body = body;
    job_.closure = closure;
    job_.count = count;
    // Several chunks per thread even out uneven iterations.
    job_.chunk = std::max<int64_t>(1, count / (4 * int64_t(threads())));
    job_.next.store(0);
    running_.store(unsigned(workers_.size()));
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  ThreadPool *outer = installedPool;
  installedPool = nullptr;
  runChunks(job_);
  installedPool = outer;
  // Workers leave only after their last chunk, so the job stays alive
  // until every one of them has finished with it. They are usually a few
  // microseconds behind: spin before sleeping, as they do.
  auto spinUntil = std::chrono::steady_clock::now() + kSpinTime;
  while (running_.load(std::memory_order_acquire) != 0 &&
         std::chrono::steady_clock::now() < spinUntil)
    std::this_thread::yield();
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [&] { return running_.load() == 0; });
}

ScopedPool::ScopedPool(ThreadPool *pool) : previous_(installedPool) {
  installedPool = pool;
}

ScopedPool::~ScopedPool() { installedPool = previous_; }

ThreadPool *kiln::rt::currentPool() { return installedPool; }

extern "C" void kiln_rt_parallel_for(int64_t count, LoopBody body,
                                     void *closure, int64_t work,
                                     const char *site) {
  ThreadPool *pool = installedPool;
  if (pool && count > 1 && work < kMinParallelWork / count)
    pool = nullptr;
  auto run = [&] {
    if (pool)
      pool->parallelFor(count, body, closure);
    else if (count > 0)
      body(0, count, closure);
  };
  Profile *profile = currentProfile();
  if (!profile)
    return run();
  auto start = std::chrono::steady_clock::now();
  {
    // Loops inside this one are part of it, whichever thread runs them.
    ScopedProfile outerOnly(nullptr);
    run();
  }
  profile->recordLoop(
      site, std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                          start)
                .count());
}
