//===- Trainer.cpp - The fit loop around compiled train entries -----------===//

#include "kiln/train/Trainer.h"

#include "kiln/train/Feed.h"
#include "kiln/train/MetricMonitor.h"

#include "kiln/runtime/Checkpoint.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <random>
#include <sstream>

#include <unistd.h>

using namespace kiln::rt;
using namespace kiln::train;

bool kiln::train::parseSchedule(const std::string &text, Schedule &schedule) {
  if (text == "constant")
    schedule = Schedule::Constant;
  else if (text == "step")
    schedule = Schedule::Step;
  else if (text == "cosine")
    schedule = Schedule::Cosine;
  else
    return false;
  return true;
}

namespace {

/// Whether a file can be created in `path`'s folder (checkpoints are
/// written to a temporary file there, then renamed).
bool canCreateBeside(const std::string &path, std::string &error) {
  std::filesystem::path folder = std::filesystem::path(path).parent_path();
  if (folder.empty())
    folder = ".";
  if (::access(folder.c_str(), W_OK) == 0)
    return true;
  error = "cannot write checkpoint '" + path + "': " +
          (std::filesystem::is_directory(folder)
               ? "its folder is not writable"
               : "its folder '" + folder.string() + "' does not exist");
  return false;
}

/// The learning rate of step `step` (0-based) of `total`.
double scheduledRate(const FitOptions &options, double base, int64_t step,
                     int64_t total, int64_t stepsPerEpoch) {
  double rate = base;
  if (options.schedule == Schedule::Step)
    rate *= std::pow(0.1, (step / stepsPerEpoch) / options.stepDecayEpochs);
  else if (options.schedule == Schedule::Cosine)
    rate *= 0.5 * (1 + std::cos(M_PI * static_cast<double>(step) /
                                static_cast<double>(total)));
  if (step < options.warmupSteps)
    rate *= static_cast<double>(step + 1) /
            static_cast<double>(options.warmupSteps);
  return rate;
}

/// The number of classes the model scores: the last dimension of its
/// inference entry's first float output of rank 2 or more (0 if none).
int64_t modelClasses(const Module &module) {
  const EntrySpec *infer = module.inferenceEntry();
  if (!infer)
    return 0;
  for (const ResultSpec &result : infer->results)
    if (result.role == ResultSpec::Role::Output &&
        result.type.dtype == DType::F32 && result.type.shape.size() >= 2)
      return result.type.shape.back();
  return 0;
}

/// One train entry of the schedule, run `repeat` times per batch.
struct Phase {
  const EntrySpec *entry = nullptr;
  int64_t repeat = 1;
  Feed feed;
  double base = 0; ///< learning rate
  double lossSum = 0, lastLoss = 0;
  int64_t lossCount = 0;

  const std::string &lossName() const { return entry->results.front().name; }
  double meanLoss() const { return lossCount ? lossSum / lossCount : 0.0; }
};

/// The train entries to run per batch: "a:2,b", or every train entry of
/// the module in order.
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
  list.exceptions(std::ios::badbit); // an allocation failure gets through
  std::string item;
  while (std::getline(list, item, ',')) {
    Phase phase;
    size_t colon = item.find(':');
    std::string name = item.substr(0, colon);
    if (colon != std::string::npos) {
      std::string times = item.substr(colon + 1);
      char *end = nullptr;
      phase.repeat = std::strtoll(times.c_str(), &end, 10);
      if (times.empty() || *end || phase.repeat < 1) {
        error = "--entries expects NAME[:TIMES],..., got '" + item + "'";
        return false;
      }
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

NamedValues meanLosses(const std::vector<Phase> &phases) {
  NamedValues losses;
  for (const Phase &phase : phases)
    losses.push_back({phase.lossName(), phase.meanLoss()});
  return losses;
}

} // namespace

Trainer::Trainer(Session &session, FitOptions options)
    : session_(session), options_(std::move(options)) {}

int64_t Trainer::sequenceSteps(const Module &module,
                               const std::string &entries) {
  std::vector<Phase> phases;
  std::string ignored;
  if (!planPhases(module, entries, phases, ignored))
    return 0;
  for (const ArgumentSpec &argument : phases.front().entry->arguments)
    if (argument.role == ArgumentSpec::Role::Input &&
        argument.type.dtype != DType::F32 && argument.type.shape.size() == 2)
      return argument.type.shape[1];
  return 0;
}

bool Trainer::fit(const PreparedData &data, FitResult &result,
                  std::string &error) {
  int64_t trainCount = data.train.count - data.validationCount;
  DatasetRange train(data.train, 0, trainCount);
  DatasetRange validation(data.train, trainCount, data.validationCount);
  return fit({&train, &validation, &data.test, &data.preprocessing}, result,
             error);
}

namespace {
/// Checks that `data`, which `what` names, is laid out as `train` is.
bool checkLayout(const Dataset *data, const SampleLayout &train,
                 const char *what, std::string &error) {
  if (!data)
    return true;
  SampleLayout layout = data->layout();
  if (layout.width == train.width && layout.targetWidth == train.targetWidth &&
      layout.integerFeatures == train.integerFeatures)
    return true;
  auto describe = [](const SampleLayout &layout) {
    return "(width " + std::to_string(layout.width) + ", target width " +
           std::to_string(layout.targetWidth) +
           (layout.integerFeatures ? ", tokens)" : ")");
  };
  error = std::string("the ") + what + " samples " + describe(layout) +
          " are not laid out as the training samples " + describe(train);
  return false;
}
} // namespace

bool Trainer::fit(const FitData &data, FitResult &result,
                  std::string &error) {
  const Module &module = session_.module();
  const FitOptions &options = options_;
  result = FitResult();
  if (!data.train) {
    error = "no training samples";
    return false;
  }
  const Dataset &trainSet = *data.train;
  SampleLayout layout = trainSet.layout();
  if (!checkLayout(data.validation, layout, "validation", error) ||
      !checkLayout(data.test, layout, "test", error))
    return false;
  std::vector<Phase> phases;
  if (!planPhases(module, options.entries, phases, error))
    return false;
  for (Phase &phase : phases) {
    if (!bindInputs(*phase.entry, trainSet, options.noise, phase.feed, error))
      return false;
    phase.base = std::isnan(options.learningRate) ? phase.entry->learningRate
                                                  : options.learningRate;
    result.entries.push_back(phase.entry->name);
  }
  // A label beyond the model's classes would index past its scores.
  if (phases.front().feed.label) {
    int64_t classes = modelClasses(module);
    int32_t dataClasses = layout.classes;
    for (const Dataset *other : {data.validation, data.test})
      if (other)
        dataClasses = std::max(dataClasses, other->layout().classes);
    if (classes > 0 && dataClasses > classes) {
      error = "the data has " + std::to_string(dataClasses) +
              " classes but the model scores " + std::to_string(classes) +
              " (its config may set them: kilnc --set classes=N)";
      return false;
    }
  }

  int64_t available = trainSet.size();
  int64_t trainCount =
      options.limit ? std::min(options.limit, available) : available;
  if (trainCount <= 0) {
    error = "no training samples";
    return false;
  }
  std::vector<int64_t> validation(data.validation ? data.validation->size()
                                                  : 0);
  std::iota(validation.begin(), validation.end(), 0);
  int64_t testCount = data.test ? data.test->size() : 0;
  std::vector<int64_t> test(
      options.testLimit ? std::min(options.testLimit, testCount) : testCount);
  std::iota(test.begin(), test.end(), 0);

  int64_t batch = options.batch > 0 ? options.batch : trainCount;
  int64_t stepsPerEpoch = (trainCount + batch - 1) / batch;
  int64_t totalSteps = stepsPerEpoch * options.epochs;
  result.batch = batch;

  int64_t firstEpoch = 0;
  MetricMonitor monitor(options.monitor, options.patience);
  bool monitoring = options.patience || !options.keepBest.empty();
  if (monitoring && validation.empty()) {
    error = std::string(options.patience ? "--early-stopping"
                                         : "--keep-best") +
            " watches the validation samples, and this split has none";
    return false;
  }
  // A checkpoint that cannot be written is found now, not after an epoch
  // of training.
  for (const std::string *path : {&options.checkpoint, &options.keepBest})
    if (!path->empty() && !canCreateBeside(*path, error))
      return false;
  if (options.resume) {
    CheckpointMetadata saved;
    if (!loadCheckpoint(session_, options.checkpoint, error, &saved))
      return false;
    auto state = saved.find(MetricMonitor::kMetadataKey);
    if (monitoring && state != saved.end() &&
        !monitor.parse(state->second, error))
      return false;
    const Phase &first = phases.front();
    int64_t done = session_.stepCount(first.entry->name);
    int64_t perEpoch = stepsPerEpoch * first.repeat;
    if (done % perEpoch != 0) {
      error = "checkpoint '" + options.checkpoint + "' stopped after " +
              std::to_string(done) +
              " steps, not at the end of an epoch of " +
              std::to_string(perEpoch) +
              " steps: resume with the --batch and --limit it was trained "
              "with";
      return false;
    }
    firstEpoch = done / perEpoch;
  }

  // The fitted preprocessing travels with the parameters.
  CheckpointMetadata metadata = {
      {kPreprocessingKey, data.preprocessing
                              ? data.preprocessing->serialize()
                              : Preprocessing().serialize()}};
  auto started = std::chrono::steady_clock::now();
  double trainSeconds = 0;
  int64_t trainedSamples = 0;
  std::vector<int64_t> order(trainCount);
  stopRequested_ = false;
  int64_t epoch = firstEpoch;
  for (; epoch < options.epochs && !monitor.exhausted() && !stopRequested_;
       ++epoch) {
    // Each epoch's order and noise depend only on the seed and the epoch,
    // so a resumed run sees the batches an uninterrupted one would.
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 shuffle(options.seed * 1000003 + epoch);
    std::shuffle(order.begin(), order.end(), shuffle);
    std::mt19937_64 noise(options.seed * 1000033 + epoch);
    for (Phase &phase : phases)
      phase.lossSum = phase.lossCount = 0;
    auto epochStart = std::chrono::steady_clock::now();
    double firstRate = 0;
    for (int64_t step = 0; step < stepsPerEpoch; ++step) {
      int64_t begin = step * batch, end = std::min(begin + batch, trainCount);
      for (Phase &phase : phases) {
        RunOptions run;
        run.learningRate = static_cast<float>(
            rateFactor_ * scheduledRate(options, phase.base,
                                        epoch * stepsPerEpoch + step,
                                        totalSteps, stepsPerEpoch));
        if (&phase == &phases.front())
          firstRate = *run.learningRate;
        for (int64_t k = 0; k < phase.repeat; ++k) {
          std::vector<Tensor> outputs;
          if (!session_.run(phase.entry->name,
                            makeBatch(phase.feed, trainSet, order, begin, end,
                                      noise),
                            outputs, error, run))
            return false;
          double loss = outputs.front().data<float>()[0];
          if (!std::isfinite(loss)) {
            error = "the loss of '" + phase.entry->name + "' became " +
                    std::to_string(loss) + " at epoch " +
                    std::to_string(epoch + 1) + ", step " +
                    std::to_string(step + 1) + "; try a smaller --lr";
            return false;
          }
          phase.lossSum += loss;
          phase.lastLoss = loss;
          ++phase.lossCount;
        }
      }
      StepReport report;
      report.epoch = epoch + 1;
      report.epochs = options.epochs;
      report.step = step + 1;
      report.stepsPerEpoch = stepsPerEpoch;
      report.samplesDone = end;
      report.trainSamples = trainCount;
      report.epochSeconds = std::chrono::duration<double>(
                                std::chrono::steady_clock::now() - epochStart)
                                .count();
      report.learningRate = firstRate;
      report.runningLosses = meanLosses(phases);
      for (const Phase &phase : phases)
        report.stepLosses.push_back({phase.lossName(), phase.lastLoss});
      report.globalStep = session_.stepCount(phases.front().entry->name);
      for (FitObserver *observer : observers_)
        observer->onStep(*this, report);
      if (interruption_) {
        error = *interruption_;
        interruption_.reset();
        return false;
      }
    }
    std::chrono::duration<double> epochSeconds =
        std::chrono::steady_clock::now() - epochStart;
    trainSeconds += epochSeconds.count();
    trainedSamples += trainCount;
    EpochReport report;
    report.epoch = epoch + 1;
    report.epochs = options.epochs;
    report.trainLosses = meanLosses(phases);
    report.seconds = epochSeconds.count();
    report.trainSamples = trainCount;
    report.learningRate = firstRate;
    report.step = session_.stepCount(phases.front().entry->name);
    report.validated = !validation.empty();
    if (report.validated &&
        !evaluate(session_, result.entries, phases.front().feed,
                  options.noise, *data.validation, validation,
                  report.validation, error))
      return false;
    if (monitoring) {
      if (!monitor.record(epoch + 1, report.validation, report.improved,
                          error))
        return false;
      metadata[MetricMonitor::kMetadataKey] = monitor.serialize();
    }
    if (!options.checkpoint.empty() &&
        !saveCheckpoint(session_, options.checkpoint, error, metadata))
      return false;
    if (report.improved && !options.keepBest.empty() &&
        !saveCheckpoint(session_, options.keepBest, error, metadata))
      return false;
    for (FitObserver *observer : observers_)
      if (!observer->onEpoch(*this, report, error))
        return false;
  }
  result.epochsRun = epoch;
  result.stoppedEarly = epoch < options.epochs && monitor.exhausted();
  result.bestEpoch = monitor.bestEpoch();
  if (monitoring)
    result.best = monitor.describeBest();
  // The best epoch's parameters are the model kept; score those.
  if (!options.keepBest.empty() && monitor.bestEpoch() > 0 &&
      !loadCheckpoint(session_, options.keepBest, error))
    return false;

  if (!test.empty() &&
      !evaluate(session_, result.entries, phases.front().feed, options.noise,
                *data.test, test, result.test, error))
    return false;
  result.testSamples = static_cast<int64_t>(test.size());
  result.steps = session_.stepCount(result.entries.front());
  result.seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - started)
                       .count();
  result.trainSamplesPerSecond =
      trainSeconds > 0 ? trainedSamples / trainSeconds : 0.0;
  for (FitObserver *observer : observers_)
    observer->onEnd(*this, result);
  return true;
}
