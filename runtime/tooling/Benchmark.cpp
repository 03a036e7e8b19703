//===- Benchmark.cpp - Timing an entry on random inputs -------------------===//

#include "kiln/tooling/Benchmark.h"

#include <algorithm>
#include <chrono>
#include <random>

using namespace kiln::rt;
using namespace kiln::tooling;

std::map<std::string, Tensor>
kiln::tooling::randomInputs(const EntrySpec &entry, int64_t batch) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::map<std::string, Tensor> inputs;
  for (const ArgumentSpec &argument : entry.arguments) {
    if (argument.role != ArgumentSpec::Role::Input)
      continue;
    Tensor tensor(argument.type.dtype, argument.type.shapeWithBatch(batch));
    for (int64_t i = 0, n = tensor.numElements(); i < n; ++i) {
      switch (tensor.dtype) {
      case DType::F32:
        tensor.data<float>()[i] = unit(rng);
        break;
      case DType::F64:
        tensor.data<double>()[i] = unit(rng);
        break;
      case DType::I32:
        tensor.data<int32_t>()[i] = static_cast<int32_t>(rng() % 2);
        break;
      case DType::I64:
        tensor.data<int64_t>()[i] = static_cast<int64_t>(rng() % 2);
        break;
      case DType::I1:
        tensor.data<uint8_t>()[i] = rng() % 2;
        break;
      }
    }
    inputs[argument.name] = std::move(tensor);
  }
  return inputs;
}

bool kiln::tooling::benchmark(Session &session, const std::string &entryName,
                              int64_t batch, int64_t repeat, bool profile,
                              BenchmarkResult &result, std::string &error) {
  const EntrySpec *entry = session.module().findEntry(entryName);
  if (!entry) {
    error = "the module has no entry '" + entryName + "'";
    return false;
  }
  std::map<std::string, Tensor> inputs = randomInputs(*entry, batch);
  std::vector<Tensor> outputs;
  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  constexpr double kWarmUpSeconds = 0.2;
  auto warmUpStart = Clock::now();
  for (int64_t i = 0; i < 3 || since(warmUpStart) < kWarmUpSeconds; ++i)
    if (!session.run(entryName, inputs, outputs, error))
      return false;
  std::vector<double> seconds;
  for (int64_t i = 0; i < repeat; ++i) {
    auto start = Clock::now();
    if (!session.run(entryName, inputs, outputs, error))
      return false;
    seconds.push_back(since(start));
  }
  std::sort(seconds.begin(), seconds.end());
  result.medianSeconds = seconds[seconds.size() / 2];
  result.bestSeconds = seconds.front();
  result.samplesPerSecond = double(batch) / result.medianSeconds;
  if (profile) {
    RunOptions options;
    options.profile = &result.profile;
    for (int64_t i = 0; i < repeat; ++i)
      if (!session.run(entryName, inputs, outputs, error, options))
        return false;
  }
  return true;
}

std::string kiln::tooling::formatProfile(const Profile &profile) {
  double runs = double(std::max<int64_t>(profile.runs(), 1));
  double perRun = profile.runSeconds() / runs, covered = 0;
  char line[512];
  std::snprintf(line, sizeof line,
                "\nprofile over %lld runs, %.3f ms per run:\n",
                static_cast<long long>(profile.runs()), perRun * 1e3);
  std::string out = line;
  std::snprintf(line, sizeof line, "%10s %7s %6s  %s\n", "ms/run", "share",
                "calls", "site");
  out += line;
  auto row = [&](double seconds, double calls, const std::string &site) {
    std::snprintf(line, sizeof line, "%10.3f %6.1f%% %6.0f  %s\n",
                  seconds / runs * 1e3,
                  100 * seconds / std::max(profile.runSeconds(), 1e-12),
                  calls / runs, site.c_str());
    out += line;
  };
  for (const Profile::Site &site : profile.sites()) {
    row(site.seconds, double(site.calls), site.name);
    covered += site.seconds;
  }
  row(std::max(profile.runSeconds() - covered, 0.0), 0,
      "(outside parallel loops: serial code, allocation)");
  return out;
}

nlohmann::ordered_json kiln::tooling::profileJson(const Profile &profile) {
  double runs = double(std::max<int64_t>(profile.runs(), 1));
  nlohmann::ordered_json object;
  object["run_s"] = profile.runSeconds() / runs;
  object["sites"] = nlohmann::ordered_json::array();
  for (const Profile::Site &site : profile.sites())
    object["sites"].push_back({{"site", site.name},
                               {"calls", double(site.calls) / runs},
                               {"s", site.seconds / runs}});
  return object;
}
