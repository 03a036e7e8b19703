//===- Benchmark.h - Timing an entry on random inputs -----------*- C++ -*-===//
//
// What `kiln-run bench` and `make bench` measure: an entry's median and
// best time over repeated runs after a warm-up, and optionally where its
// time goes by parallel loop.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLING_BENCHMARK_H
#define KILN_TOOLING_BENCHMARK_H

#include "kiln/runtime/Profile.h"
#include "kiln/runtime/Session.h"

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace kiln::tooling {

/// Random inputs for every input of `entry`, the batch (dynamic
/// dimensions) set to `batch`: uniform [0, 1) floats, integers 0 or 1
/// (valid labels and token ids).
std::map<std::string, rt::Tensor> randomInputs(const rt::EntrySpec &entry,
                                               int64_t batch);

struct BenchmarkResult {
  double medianSeconds = 0, bestSeconds = 0;
  double samplesPerSecond = 0;
  /// Filled when a profile was asked for: `repeat` more runs.
  rt::Profile profile;
};

/// Warms up (at least 3 runs and 0.2 s, so idle cores have woken and
/// clocked up), then times `repeat` runs of `entry` at `batch`.
bool benchmark(rt::Session &session, const std::string &entry, int64_t batch,
               int64_t repeat, bool profile, BenchmarkResult &result,
               std::string &error);

/// The profile as a table: time per run of each parallel loop site, and
/// what the loops leave (code between them).
std::string formatProfile(const rt::Profile &profile);
nlohmann::ordered_json profileJson(const rt::Profile &profile);

} // namespace kiln::tooling

#endif // KILN_TOOLING_BENCHMARK_H
