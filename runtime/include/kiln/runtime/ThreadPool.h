//===- ThreadPool.h - The threads that run compiled parallel loops -*- C++ -*-===//
//
// Compiled code calls `kiln_rt_parallel_for` (kiln/runtime/CodeAbi.h) for
// its outermost parallel loops; the call is served by the pool installed on
// the calling thread with ScopedPool, or runs serially when there is none.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_THREADPOOL_H
#define KILN_RUNTIME_THREADPOOL_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace kiln::rt {

/// The body of a parallel loop: runs iterations [begin, end).
using LoopBody = void (*)(int64_t begin, int64_t end, void *closure);

class ThreadPool {
public:
  /// A pool of `threads` threads in all, the caller of parallelFor being
  /// one of them; 0 means KILN_NUM_THREADS if set, else one per hardware
  /// thread.
  explicit ThreadPool(unsigned threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  unsigned threads() const { return unsigned(workers_.size()) + 1; }

  /// Runs `body` over [0, count), split over the pool; returns when every
  /// iteration is done. Calls made while the pool is busy (nested loops,
  /// another thread's call) run serially on the caller.
  void parallelFor(int64_t count, LoopBody body, void *closure);

private:
  struct Job {
    LoopBody body = nullptr;
    void *closure = nullptr;
    int64_t count = 0;
    int64_t chunk = 1;
    std::atomic<int64_t> next{0};
  };

  void workerLoop();
  static void runChunks(Job &job);

  std::vector<std::thread> workers_;
  std::mutex busy_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  Job job_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<unsigned> running_{0};
  bool stopping_ = false;
};

/// Installs `pool` for the compiled code this thread runs, for the scope's
/// lifetime.
class ScopedPool {
public:
  explicit ScopedPool(ThreadPool *pool);
  ~ScopedPool();
  ScopedPool(const ScopedPool &) = delete;
  ScopedPool &operator=(const ScopedPool &) = delete;

private:
  ThreadPool *previous_;
};

/// The pool installed on this thread, or null.
ThreadPool *currentPool();

} // namespace kiln::rt

#endif // KILN_RUNTIME_THREADPOOL_H
