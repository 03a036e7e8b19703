//===- TrainCommand.cpp - kiln-run train ----------------------------------===//
//
// The training loop around a compiled train entry: data loading, per-epoch
// shuffling, batching, the learning-rate schedule (the entry takes the rate
// as an input), validation, checkpoints and resumption, and the final test.
// Everything that depends on the model's numerics runs in the compiled code.
//
//===----------------------------------------------------------------------===//

#include "TrainCommand.h"
#include "TrainOptions.h"

#include "CommandLine.h"
#include "kiln/train/Datasets.h"
#include "kiln/train/Evaluate.h"
#include "kiln/train/Feed.h"
#include "kiln/train/PrepareData.h"
#include "kiln/plot/TrainingCurves.h"
#include "ImageCommands.h"
#include "kiln/train/MetricMonitor.h"

#include "kiln/runtime/Checkpoint.h"
#include "kiln/runtime/Session.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <sstream>

using namespace kiln::rt;
using namespace kiln::run;
using namespace kiln::train;
using namespace kiln::plot;

namespace {

/// The learning rate of step `step` (0-based) of `total`.
double scheduledRate(const TrainOptions &options, double base, int64_t step,
                     int64_t total, int64_t stepsPerEpoch) {
  double rate = base;
  if (options.schedule == "step")
    rate *= std::pow(0.1, (step / stepsPerEpoch) / options.lrStep);
  else if (options.schedule == "cosine")
    rate *= 0.5 * (1 + std::cos(M_PI * static_cast<double>(step) /
                                static_cast<double>(total)));
  if (step < options.warmup)
    rate *= static_cast<double>(step + 1) / static_cast<double>(options.warmup);
  return rate;
}

/// How the model's inputs are fed from a labelled image set.
/// The number of classes the model scores: the last dimension of its
/// inference entry's first float output of rank 2 or more (0 if none).
int64_t modelClasses(const Module &module) {
  const EntrySpec *infer = module.findEntry("infer");
  if (!infer)
    return 0;
  for (const ResultSpec &result : infer->results)
    if (result.role == ResultSpec::Role::Output &&
        result.type.dtype == DType::F32 && result.type.shape.size() >= 2)
      return result.type.shape.back();
  return 0;
}

std::string formatDuration(double seconds) {
  char text[32];
  int64_t s = static_cast<int64_t>(seconds + 0.5);
  std::snprintf(text, sizeof text, "%lld:%02lld",
                static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  return text;
}
} // namespace

namespace {
/// One train entry of the schedule, run `repeat` times per batch.
struct Phase {
  const EntrySpec *entry = nullptr;
  int64_t repeat = 1;
  Feed feed;
  double base = 0; ///< learning rate
  double lossSum = 0;
  int64_t lossCount = 0;
};

/// The train entries to run per batch: --entries "a:2,b", or every train
/// entry of the module in order.
bool planPhases(const Module &module, const std::string &spec,
                std::vector<Phase> &phases, std::string &error) {
  if (spec.empty()) {
    for (const EntrySpec &entry : module.entries())
      if (entry.isTrain) {
        Phase phase;
        phase.entry = &entry;
        phases.push_back(phase);
      }
    if (phases.empty())
      error = "the module has no train entry";
    return !phases.empty();
  }
  std::stringstream list(spec);
  std::string item;
  while (std::getline(list, item, ',')) {
    Phase phase;
    size_t colon = item.find(':');
    std::string name = item.substr(0, colon);
    if (colon != std::string::npos &&
        !parsePositive(item.substr(colon + 1), phase.repeat)) {
      error = "--entries expects NAME[:TIMES],..., got '" + item + "'";
      return false;
    }
    phase.entry = module.findEntry(name);
    if (!phase.entry || !phase.entry->isTrain) {
      error = "the module has no train entry '" + name + "'";
      return false;
    }
    phases.push_back(phase);
  }
  return !phases.empty();
}
} // namespace

int kiln::run::train(const Module &module,
                     const std::vector<std::string> &args) {
  TrainOptions options;
  std::string error;
  if (!parseOptions(args, options, error))
    return fail(error);
  std::vector<Phase> phases;
  if (!planPhases(module, options.entry, phases, error))
    return fail(error);

  // Sequences are as long as the model's integer [N, T] input says.
  for (const ArgumentSpec &argument : phases.front().entry->arguments)
    if (argument.role == ArgumentSpec::Role::Input &&
        argument.type.dtype != DType::F32 && argument.type.shape.size() == 2)
      options.sequenceSteps = argument.type.shape[1];
  PreparedData data;
  if (!prepareData(options, nullptr, data, error))
    return fail(error);
  printHints(data.hints);
  Samples &trainSet = data.train, &testSet = data.test;
  for (Phase &phase : phases) {
    if (!bindInputs(*phase.entry, trainSet, options.noise, phase.feed, error))
      return fail(error);
    phase.base =
        std::isnan(options.lr) ? phase.entry->learningRate : options.lr;
  }
  std::vector<std::string> entryNames;
  for (const Phase &phase : phases)
    entryNames.push_back(phase.entry->name);
  // A label beyond the model's classes would index past its scores.
  if (phases.front().feed.label) {
    int64_t classes = modelClasses(module);
    if (classes > 0 && std::max(trainSet.classes, testSet.classes) > classes)
      return fail("the data has " +
                  std::to_string(std::max(trainSet.classes, testSet.classes)) +
                  " classes but the model scores " + std::to_string(classes) +
                  " (its config may set them: kilnc --set classes=N)");
  }

  // The held-out validation samples are the last of the training split.
  int64_t validationCount = data.validationCount;
  int64_t available = trainSet.count - validationCount;
  int64_t trainCount =
      options.limit ? std::min(options.limit, available) : available;
  std::vector<int64_t> validation(validationCount);
  std::iota(validation.begin(), validation.end(), available);
  std::vector<int64_t> test(
      options.testLimit ? std::min(options.testLimit, testSet.count)
                        : testSet.count);
  std::iota(test.begin(), test.end(), 0);

  int64_t batch = options.fullBatch ? trainCount : options.batch;
  int64_t stepsPerEpoch = (trainCount + batch - 1) / batch;
  int64_t totalSteps = stepsPerEpoch * options.epochs;

  Session session(module, options.seed, options.threads);
  int64_t firstEpoch = 0;
  MetricMonitor monitor(options.monitor, options.patience);
  bool monitoring = options.patience || !options.keepBest.empty();
  if (monitoring && validation.empty())
    return fail(std::string(options.patience ? "--early-stopping"
                                             : "--keep-best") +
                " watches the validation samples, and this split has none");
  if (options.resume) {
    CheckpointMetadata saved;
    if (!loadCheckpoint(session, options.checkpoint, error, &saved))
      return fail(error);
    auto state = saved.find(MetricMonitor::kMetadataKey);
    if (monitoring && state != saved.end() &&
        !monitor.parse(state->second, error))
      return fail(error);
    const Phase &first = phases.front();
    int64_t done = session.stepCount(first.entry->name);
    int64_t perEpoch = stepsPerEpoch * first.repeat;
    if (done % perEpoch != 0)
      return fail("checkpoint '" + options.checkpoint + "' stopped after " +
                  std::to_string(done) + " steps, not at the end of an epoch "
                  "of " + std::to_string(perEpoch) +
                  " steps: resume with the --batch and --limit it was "
                  "trained with");
    firstEpoch = done / perEpoch;
  }

  // The fitted preprocessing travels with the parameters.
  CheckpointMetadata metadata = {
      {kPreprocessingKey, data.preprocessing.serialize()}};
  TrainingCurves curves;
  bool terminal = isatty(fileno(stderr));
  auto started = std::chrono::steady_clock::now();
  double trainSeconds = 0;
  int64_t trainedSamples = 0;
  std::vector<int64_t> order(trainCount);
  auto runningLosses = [&]() {
    std::string text;
    char part[64];
    for (Phase &phase : phases) {
      std::snprintf(part, sizeof part, "%s%s %.4f", text.empty() ? "" : ", ",
                    phase.entry->results.front().name.c_str(),
                    phase.lossCount ? phase.lossSum / phase.lossCount : 0.0);
      text += part;
    }
    return text;
  };
  int64_t epoch = firstEpoch;
  for (; epoch < options.epochs && !monitor.exhausted(); ++epoch) {
    // Each epoch's order and noise depend only on the seed and the epoch,
    // so a resumed run sees the batches an uninterrupted one would.
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 shuffle(options.seed * 1000003 + epoch);
    std::shuffle(order.begin(), order.end(), shuffle);
    std::mt19937_64 noise(options.seed * 1000033 + epoch);
    for (Phase &phase : phases)
      phase.lossSum = phase.lossCount = 0;
    auto epochStart = std::chrono::steady_clock::now();
    for (int64_t step = 0; step < stepsPerEpoch; ++step) {
      int64_t begin = step * batch, end = std::min(begin + batch, trainCount);
      for (Phase &phase : phases) {
        RunOptions run;
        run.learningRate = static_cast<float>(
            scheduledRate(options, phase.base, epoch * stepsPerEpoch + step,
                          totalSteps, stepsPerEpoch));
        for (int64_t k = 0; k < phase.repeat; ++k) {
          std::vector<Tensor> outputs;
          if (!session.run(phase.entry->name,
                           makeBatch(phase.feed, trainSet, order, begin, end,
                                     noise),
                           outputs, error, run))
            return fail(error);
          double loss = outputs.front().data<float>()[0];
          if (!std::isfinite(loss))
            return fail("the loss of '" + phase.entry->name + "' became " +
                        std::to_string(loss) + " at epoch " +
                        std::to_string(epoch + 1) + ", step " +
                        std::to_string(step + 1) + "; try a smaller --lr");
          phase.lossSum += loss;
          ++phase.lossCount;
        }
      }
      std::chrono::duration<double> elapsed =
          std::chrono::steady_clock::now() - epochStart;
      if (terminal && (step % 20 == 0 || step + 1 == stepsPerEpoch)) {
        double rate = static_cast<double>(end) / elapsed.count();
        int width = 24, filled = static_cast<int>(width * (step + 1) /
                                                  stepsPerEpoch);
        std::fprintf(stderr, "\repoch %lld/%lld [%s%s] %s  %.0f samples/s  ETA %s ",
                     static_cast<long long>(epoch + 1),
                     static_cast<long long>(options.epochs),
                     std::string(filled, '#').c_str(),
                     std::string(width - filled, '.').c_str(),
                     runningLosses().c_str(), rate,
                     formatDuration((trainCount - end) / rate).c_str());
      }
    }
    std::chrono::duration<double> epochSeconds =
        std::chrono::steady_clock::now() - epochStart;
    trainSeconds += epochSeconds.count();
    trainedSamples += trainCount;
    Evaluation validated;
    if (!validation.empty() &&
        !evaluate(session, entryNames, phases.front().feed, options.noise,
                  trainSet, validation, validated, error))
      return fail(error);
    bool improved = false;
    if (monitoring) {
      if (!monitor.record(epoch + 1, validated, improved, error))
        return fail(error);
      metadata[MetricMonitor::kMetadataKey] = monitor.serialize();
    }
    if (!options.checkpoint.empty() &&
        !saveCheckpoint(session, options.checkpoint, error, metadata))
      return fail(error);
    if (improved && !options.keepBest.empty() &&
        !saveCheckpoint(session, options.keepBest, error, metadata))
      return fail(error);
    // The same noise every epoch shows how the generator develops.
    if (!options.samples.empty()) {
      mkdir(options.samples.c_str(), 0755);
      if (!writeSamples(session,
                        options.samples + "/epoch-" +
                            std::to_string(epoch + 1) + ".png",
                        64, options.seed, error))
        return fail(error);
    }
    if (!options.plot.empty()) {
      std::vector<std::pair<std::string, double>> trainLosses;
      for (const Phase &phase : phases)
        trainLosses.push_back({phase.entry->results.front().name,
                               phase.lossSum / double(phase.lossCount)});
      curves.record(epoch + 1, trainLosses, validated);
      if (!curves.write(options.plot, module.name(), error))
        return fail(error);
    }
    if (options.json) {
      std::string losses;
      for (Phase &phase : phases)
        losses += (losses.empty() ? "\"" : ", \"") +
                  phase.entry->results.front().name + "\": " +
                  std::to_string(phase.lossSum / phase.lossCount);
      std::string scores = validated.json("");
      std::printf("{\"epoch\": %lld, \"train\": {%s}, \"validation\": {%s}}\n",
                  static_cast<long long>(epoch + 1), losses.c_str(),
                  scores.c_str());
      std::fflush(stdout);
    }
    if (terminal)
      std::fputc('\r', stderr);
    std::fprintf(stderr, "epoch %lld/%lld: train %s, %s%.0f samples/s, %.1f s\n",
                 static_cast<long long>(epoch + 1),
                 static_cast<long long>(options.epochs),
                 runningLosses().c_str(),
                 validation.empty()
                     ? ""
                     : ("validation " + validated.describe() + ", ").c_str(),
                 trainCount / epochSeconds.count(), epochSeconds.count());
  }
  if (epoch < options.epochs)
    std::fprintf(stderr,
                 "early stopping after epoch %lld: no better validation %s "
                 "for %lld epochs (best: %s)\n",
                 static_cast<long long>(epoch), options.monitor.c_str(),
                 static_cast<long long>(options.patience),
                 monitor.describeBest().c_str());
  // The best epoch's parameters are the model kept; score those.
  if (!options.keepBest.empty() && monitor.bestEpoch() > 0) {
    if (!loadCheckpoint(session, options.keepBest, error))
      return fail(error);
    std::fprintf(stderr, "kept the best epoch in %s: %s\n",
                 options.keepBest.c_str(), monitor.describeBest().c_str());
  }

  Evaluation tested;
  if (!evaluate(session, entryNames, phases.front().feed, options.noise,
                testSet, test, tested, error))
    return fail(error);
  std::chrono::duration<double> total =
      std::chrono::steady_clock::now() - started;
  double samplesPerSecond =
      trainSeconds > 0 ? trainedSamples / trainSeconds : 0.0;
  if (options.json) {
    std::string entries;
    for (const std::string &name : entryNames)
      entries += (entries.empty() ? "\"" : ", \"") + name + "\"";
    std::printf("{\"model\": \"%s\", \"entries\": [%s], \"epochs\": %lld, "
                "\"batch\": %lld, \"steps\": %lld, %s, "
                "\"train_samples_per_s\": %.1f, \"seconds\": %.2f}\n",
                module.name().c_str(), entries.c_str(),
                static_cast<long long>(options.epochs),
                static_cast<long long>(batch),
                static_cast<long long>(session.stepCount(entryNames.front())),
                tested.json("test_").c_str(), samplesPerSecond, total.count());
  } else {
    std::printf("%s: test %s (%lld samples), %.0f training samples/s, %.1f s\n",
                module.name().c_str(), tested.describe().c_str(),
                static_cast<long long>(test.size()), samplesPerSecond,
                total.count());
  }
  return 0;
}
