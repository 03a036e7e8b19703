//===- BenchCommand.cpp - kiln-run bench ----------------------------------===//

#include "Commands.h"

#include "kiln/tooling/Benchmark.h"
#include "kiln/train/Json.h"

#include <cstdio>

using namespace kiln::rt;
using namespace kiln::run;

namespace {

struct BenchOptions {
  std::string module, entry = "infer";
  int64_t batch = 64, repeat = 20;
  bool json = false, profile = false;
  unsigned threads = 0;
};

int bench(const BenchOptions &options) {
  std::string error;
  std::unique_ptr<Module> module = Module::loadFile(options.module, error);
  if (!module)
    return fail(error);
  Session session(*module, 0, options.threads);
  kiln::tooling::BenchmarkResult result;
  if (!kiln::tooling::benchmark(session, options.entry, options.batch,
                                options.repeat, options.profile, result,
                                error))
    return fail(error);
  if (options.json) {
    nlohmann::ordered_json object;
    object["entry"] = options.entry;
    object["batch"] = options.batch;
    object["median_s"] = result.medianSeconds;
    object["min_s"] = result.bestSeconds;
    object["samples_per_s"] = result.samplesPerSecond;
    if (options.profile)
      object["profile"] = kiln::tooling::profileJson(result.profile);
    std::printf("%s\n", kiln::train::formatJson(object).c_str());
    return 0;
  }
  std::printf("%s, batch %lld: median %.3f ms, min %.3f ms, %.0f samples/s\n",
              options.entry.c_str(), static_cast<long long>(options.batch),
              result.medianSeconds * 1e3, result.bestSeconds * 1e3,
              result.samplesPerSecond);
  if (options.profile)
    std::fputs(kiln::tooling::formatProfile(result.profile).c_str(), stdout);
  return 0;
}

} // namespace

Command kiln::run::addBenchCommand(CLI::App &parent) {
  auto options = std::make_shared<BenchOptions>();
  CLI::App *command =
      parent.add_subcommand("bench", "time an entry on random inputs");
  addModulePath(*command, options->module);
  command->add_option("--entry", options->entry,
                      "the entry to time (default: infer)")
      ->type_name("NAME");
  command->add_option("--batch", options->batch, "the batch size (default 64)")
      ->check(positiveInteger());
  command->add_option("--repeat", options->repeat,
                      "timed runs after warming up (3 runs and at least\n"
                      "0.2 s; default 20)")
      ->check(positiveInteger())
      ->type_name("R");
  addThreads(*command, options->threads);
  command->add_flag("--profile", options->profile,
                    "then run the entry R more times and show where its\n"
                    "time goes, by parallel loop (model source position\n"
                    "and kind of code)");
  command->add_flag("--json", options->json,
                    "print the result as one JSON object");
  return {command, [=] { return bench(*options); }};
}
