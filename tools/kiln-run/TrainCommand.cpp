//===- TrainCommand.cpp - kiln-run train ----------------------------------===//
//
// The training loop around a compiled train entry: data loading, per-epoch
// shuffling, batching, the learning-rate schedule (the entry takes the rate
// as an input), validation, checkpoints and resumption, and the final test.
// Everything that depends on the model's numerics runs in the compiled code.
//
//===----------------------------------------------------------------------===//

#include "TrainCommand.h"

#include "CommandLine.h"
#include "Datasets.h"
#include "Evaluate.h"
#include "Feed.h"
#include "ImageCommands.h"

#include "kiln/runtime/Checkpoint.h"
#include "kiln/runtime/Session.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <sstream>

using namespace kiln::rt;
using namespace kiln::run;

const char kiln::run::kTrainUsage[] =
    "usage: kiln-run train model.kmod --data fashion-mnist|FILE.csv|X.npy\n"
    "                          [options]\n"
    "  --data fashion-mnist      Debian's dataset-fashion-mnist (its own test\n"
    "                            split; --data-dir if elsewhere)\n"
    "  --data FILE.csv           numbers, one sample per line, optional header;\n"
    "                            --target names the target column (default:\n"
    "                            the last)\n"
    "  --data X.npy --targets Y.npy  features [N, ...] and targets [N]\n"
    "  --data diabetes           python3-sklearn's diabetes regression set\n"
    "  --data words[:FILE]       words, one per line (default Debian's\n"
    "                            /usr/share/dict/words), as character\n"
    "                            sequences for a next-character model\n"
    "  --pixel-range LOW,HIGH    Fashion-MNIST pixels scaled to [LOW, HIGH]\n"
    "                            (default 0,1; a tanh generator's GAN: -1,1)\n"
    "  --standardize             scale each feature to mean 0, deviation 1 with\n"
    "                            the training split's statistics\n"
    "  --test-data FILE          CSV and .npy data: the test split from its own\n"
    "                            file (with --test-targets for .npy)\n"
    "  --test-fraction F         CSV and .npy data: the share held out for the\n"
    "                            final test, after a seeded shuffle (0.2)\n"
    "  --epochs E                passes over the training split (default 1)\n"
    "  --batch N|full            batch size; full is batch gradient descent,\n"
    "                            1 is stochastic (default 64)\n"
    "  --lr X                    base learning rate (default: the model's)\n"
    "  --lr-schedule S           cosine (from --lr to 0 over the --epochs),\n"
    "                            step (x0.1 every --lr-step epochs) or\n"
    "                            constant (default cosine)\n"
    "  --lr-step E               epochs between step decays (default 1)\n"
    "  --warmup N                linear warm-up over the first N steps\n"
    "  --validation N            samples held out of the training split for\n"
    "                            validation each epoch (default 5000 for\n"
    "                            Fashion-MNIST, else a tenth)\n"
    "  --limit N                 train on the first N samples only\n"
    "  --test-limit N            test on the first N test samples only\n"
    "  --checkpoint FILE         written (atomically) after every epoch\n"
    "  --resume                  continue from --checkpoint where it stopped\n"
    "  --seed S                  initialization and shuffling (default 0)\n"
    "  --entries A[:K],B...      the train entries to run on every batch, A\n"
    "                            K times (default: every train entry, in\n"
    "                            order; a GAN's d_step then g_step)\n"
    "  --noise NAME              an input drawn from N(0, 1) for every batch\n"
    "                            (default: inputs named z or noise)\n"
    "  --threads N               threads (default: KILN_NUM_THREADS, else\n"
    "                            one per core)\n"
    "  --samples DIR             after every epoch, write DIR/epoch-K.png: images\n"
    "                            the inference entry makes from noise (GANs)\n"
    "  --json                    print one JSON object per epoch and one for\n"
    "                            the summary, a line each\n";

namespace {

struct Options {
  std::string data, dataDir = kFashionMnistDir, checkpoint, entry, targets,
      targetColumn, samples, testData, testTargets;
  int64_t epochs = 1, batch = 64, validation = -1, limit = 0, warmup = 0,
          lrStep = 1, testLimit = 0;
  double testFraction = 0.2;
  float pixelLow = 0, pixelHigh = 1;
  /// Words data: the length of the model's token sequences.
  int64_t sequenceSteps = 16;
  /// Inputs drawn from N(0, 1) for every batch instead of read from data.
  std::set<std::string> noise = {"z", "noise"};
  bool fullBatch = false, resume = false, json = false, standardize = false;
  double lr = NAN;
  std::string schedule = "cosine";
  uint64_t seed = 0;
  unsigned threads = 0;
};

bool parseOptions(const std::vector<std::string> &args, Options &options,
                  std::string &error) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &flag = args[i];
    std::string value;
    auto next = [&]() {
      if (i + 1 >= args.size()) {
        error = flag + " expects a value";
        return false;
      }
      value = args[++i];
      return true;
    };
    auto positive = [&](int64_t &out) {
      if (!next())
        return false;
      if (!parsePositive(value, out)) {
        error = flag + " expects a positive number, got '" + value + "'";
        return false;
      }
      return true;
    };
    bool ok = true;
    if (flag == "--data")
      ok = next() && (options.data = value, true);
    else if (flag == "--data-dir")
      ok = next() && (options.dataDir = value, true);
    else if (flag == "--pixel-range") {
      ok = next();
      size_t comma = value.find(',');
      double low = 0, high = 0;
      ok = ok && comma != std::string::npos &&
           parseNumber(value.substr(0, comma), low) &&
           parseNumber(value.substr(comma + 1), high) && low < high;
      options.pixelLow = static_cast<float>(low);
      options.pixelHigh = static_cast<float>(high);
      if (!ok)
        error = "--pixel-range expects LOW,HIGH with LOW < HIGH";
    } else if (flag == "--samples")
      ok = next() && (options.samples = value, true);
    else if (flag == "--targets")
      ok = next() && (options.targets = value, true);
    else if (flag == "--test-data")
      ok = next() && (options.testData = value, true);
    else if (flag == "--test-targets")
      ok = next() && (options.testTargets = value, true);
    else if (flag == "--target")
      ok = next() && (options.targetColumn = value, true);
    else if (flag == "--test-fraction") {
      ok = next() && parseNumber(value, options.testFraction) &&
           options.testFraction > 0 && options.testFraction < 1;
      if (!ok)
        error = "--test-fraction expects a number between 0 and 1";
    }
    else if (flag == "--checkpoint")
      ok = next() && (options.checkpoint = value, true);
    else if (flag == "--entry" || flag == "--entries")
      ok = next() && (options.entry = value, true);
    else if (flag == "--noise")
      ok = next() && (options.noise.insert(value), true);
    else if (flag == "--epochs")
      ok = positive(options.epochs);
    else if (flag == "--batch") {
      ok = next();
      if (ok && value == "full")
        options.fullBatch = true;
      else if (ok && !parsePositive(value, options.batch)) {
        error = "--batch expects a positive number or 'full', got '" + value +
                "'";
        ok = false;
      }
    } else if (flag == "--validation") {
      double images = 0;
      ok = next() && parseNumber(value, images) && images >= 0 &&
           images == std::floor(images);
      options.validation = static_cast<int64_t>(images);
      if (!ok)
        error = "--validation expects a number of images";
    } else if (flag == "--limit")
      ok = positive(options.limit);
    else if (flag == "--test-limit")
      ok = positive(options.testLimit);
    else if (flag == "--warmup")
      ok = positive(options.warmup);
    else if (flag == "--lr-step")
      ok = positive(options.lrStep);
    else if (flag == "--lr") {
      ok = next() && parseNumber(value, options.lr) && options.lr > 0;
      if (!ok)
        error = "--lr expects a positive number";
    } else if (flag == "--lr-schedule") {
      ok = next();
      if (ok && value != "constant" && value != "step" && value != "cosine") {
        error = "--lr-schedule is constant, step or cosine, got '" + value +
                "'";
        ok = false;
      }
      options.schedule = value;
    } else if (flag == "--seed") {
      double seed = 0;
      ok = next() && parseNumber(value, seed) && seed >= 0;
      options.seed = static_cast<uint64_t>(seed);
      if (!ok)
        error = "--seed expects a non-negative number";
    } else if (flag == "--threads") {
      ok = next() && parseThreads(value, options.threads);
      if (!ok)
        error = "--threads expects a number of threads";
    } else if (flag == "--resume")
      options.resume = true;
    else if (flag == "--json")
      options.json = true;
    else if (flag == "--standardize")
      options.standardize = true;
    else {
      error = "unknown option '" + flag + "' (see kiln-run train --help)";
      ok = false;
    }
    if (!ok) {
      if (error.empty())
        error = flag + " expects a value";
      return false;
    }
  }
  if (options.data.empty()) {
    error = "--data is required (fashion-mnist, a .csv file or a .npy file)";
    return false;
  }
  auto endsWith = [](const std::string &text, const std::string &suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (options.data != "fashion-mnist" && options.data != "diabetes" &&
      options.data.rfind("words", 0) != 0 &&
      !endsWith(options.data, ".csv") && !endsWith(options.data, ".npy")) {
    error = "unknown data set '" + options.data +
            "' (fashion-mnist, diabetes, words[:FILE], a .csv file, or a "
            ".npy file with --targets)";
    return false;
  }
  if (endsWith(options.data, ".npy") && options.targets.empty()) {
    error = "--data " + options.data + " needs --targets FILE.npy";
    return false;
  }
  if (options.resume && options.checkpoint.empty()) {
    error = "--resume needs --checkpoint";
    return false;
  }
  return true;
}

/// The learning rate of step `step` (0-based) of `total`.
double scheduledRate(const Options &options, double base, int64_t step,
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

/// The training and test samples: Fashion-MNIST's own splits, or the user's
/// file shuffled with the seed and split by --test-fraction.
bool loadData(const Options &options, Samples &train, Samples &test,
              std::string &error) {
  if (options.data == "fashion-mnist") {
    if (!readFashionMnist(options.dataDir, true, train, error) ||
        !readFashionMnist(options.dataDir, false, test, error))
      return false;
    for (Samples *split : {&train, &test})
      for (float &pixel : split->features)
        pixel = options.pixelLow + (options.pixelHigh - options.pixelLow) * pixel;
    return true;
  }
  Samples all;
  bool read;
  if (options.data == "diabetes") {
    read = readDiabetes(kSklearnDataDir, all, error);
  } else if (options.data.rfind("words", 0) == 0) {
    std::string path = options.data.size() > 6 ? options.data.substr(6)
                                               : "/usr/share/dict/words";
    read = readWords(path, options.sequenceSteps, all, error);
    if (!read && path == "/usr/share/dict/words")
      error += " (Debian's wamerican package has it: make deps installs it)";
  } else {
    read = options.targets.empty()
               ? readCsv(options.data, options.targetColumn, all, error)
               : readNpyPair(options.data, options.targets, all, error);
  }
  if (!read)
    return false;
  if (!options.testData.empty()) {
    train = std::move(all);
    return options.testTargets.empty()
               ? readCsv(options.testData, options.targetColumn, test, error)
               : readNpyPair(options.testData, options.testTargets, test,
                             error);
  }
  std::vector<int64_t> order(all.count);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 shuffle(options.seed);
  std::shuffle(order.begin(), order.end(), shuffle);
  auto testCount = static_cast<int64_t>(
      std::llround(options.testFraction * static_cast<double>(all.count)));
  if (testCount < 1 || testCount >= all.count) {
    error = "'" + options.data + "' has too few samples (" +
            std::to_string(all.count) + ") to hold out a test split";
    return false;
  }
  test = all.select(std::vector<int64_t>(order.begin(), order.begin() + testCount));
  train = all.select(std::vector<int64_t>(order.begin() + testCount, order.end()));
  return true;
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
  Options options;
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
  Samples trainSet, testSet;
  if (!loadData(options, trainSet, testSet, error))
    return fail(error);
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
  int64_t validationCount =
      options.validation >= 0 ? options.validation
      : options.data == "fashion-mnist" ? 5000
                                        : trainSet.count / 10;
  int64_t available = trainSet.count - validationCount;
  if (available < 1)
    return fail("--validation leaves no training samples");
  int64_t trainCount =
      options.limit ? std::min(options.limit, available) : available;
  std::vector<int64_t> validation(validationCount);
  std::iota(validation.begin(), validation.end(), available);
  // Statistics of the samples trained on only: nothing of the validation
  // and test samples leaks into training.
  if (options.standardize) {
    std::vector<int64_t> fitted(trainCount);
    std::iota(fitted.begin(), fitted.end(), 0);
    standardize(trainSet.select(fitted), {&trainSet, &testSet});
  }
  std::vector<int64_t> test(
      options.testLimit ? std::min(options.testLimit, testSet.count)
                        : testSet.count);
  std::iota(test.begin(), test.end(), 0);

  int64_t batch = options.fullBatch ? trainCount : options.batch;
  int64_t stepsPerEpoch = (trainCount + batch - 1) / batch;
  int64_t totalSteps = stepsPerEpoch * options.epochs;

  Session session(module, options.seed, options.threads);
  int64_t firstEpoch = 0;
  if (options.resume) {
    if (!loadCheckpoint(session, options.checkpoint, error))
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
  for (int64_t epoch = firstEpoch; epoch < options.epochs; ++epoch) {
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
    if (!options.checkpoint.empty() &&
        !saveCheckpoint(session, options.checkpoint, error))
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
