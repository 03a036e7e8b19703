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

#include "kiln/runtime/Checkpoint.h"
#include "kiln/runtime/Session.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>

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
    "  --checkpoint FILE         written (atomically) after every epoch\n"
    "  --resume                  continue from --checkpoint where it stopped\n"
    "  --seed S                  initialization and shuffling (default 0)\n"
    "  --entry NAME              the train entry (default: the first)\n"
    "  --threads N               threads (default: KILN_NUM_THREADS, else\n"
    "                            one per core)\n"
    "  --json                    print the summary as one JSON object\n";

namespace {

struct Options {
  std::string data, dataDir = kFashionMnistDir, checkpoint, entry, targets,
      targetColumn;
  int64_t epochs = 1, batch = 64, validation = -1, limit = 0, warmup = 0,
          lrStep = 1;
  double testFraction = 0.2;
  bool fullBatch = false, resume = false, json = false;
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
    else if (flag == "--targets")
      ok = next() && (options.targets = value, true);
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
    else if (flag == "--entry")
      ok = next() && (options.entry = value, true);
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
      double images;
      ok = next() && parseNumber(value, images) && images >= 0 &&
           images == std::floor(images);
      options.validation = static_cast<int64_t>(images);
      if (!ok)
        error = "--validation expects a number of images";
    } else if (flag == "--limit")
      ok = positive(options.limit);
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
      double seed;
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
  if (options.data != "fashion-mnist" && !endsWith(options.data, ".csv") &&
      !endsWith(options.data, ".npy")) {
    error = "unknown data set '" + options.data +
            "' (fashion-mnist, a .csv file, or a .npy file with --targets)";
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
/// How the model's inputs are fed from samples: the features, and a class
/// label (an integer input [N]) or a regression target (a float input of
/// one value per sample).
struct Feed {
  const ArgumentSpec *features = nullptr;
  const ArgumentSpec *label = nullptr;
  const ArgumentSpec *target = nullptr;
};

int64_t perSample(const TensorSpec &type) {
  int64_t count = 1;
  for (size_t i = 1; i < type.shape.size(); ++i)
    count *= type.shape[i];
  return count;
}

bool bindInputs(const EntrySpec &entry, const Samples &data, Feed &feed,
                std::string &error) {
  for (const ArgumentSpec &argument : entry.arguments) {
    if (argument.role != ArgumentSpec::Role::Input)
      continue;
    bool batched = !argument.type.shape.empty() && argument.type.shape[0] < 0;
    bool isFloat = argument.type.dtype == DType::F32;
    bool isInteger = argument.type.dtype == DType::I32 ||
                     argument.type.dtype == DType::I64;
    if (isFloat && batched && !feed.features &&
        perSample(argument.type) == data.width)
      feed.features = &argument;
    else if (isInteger && batched && argument.type.shape.size() == 1 &&
             !feed.label && !data.labels.empty())
      feed.label = &argument;
    else if (isFloat && batched && perSample(argument.type) == 1 &&
             !feed.target)
      feed.target = &argument;
    else {
      error = "entry '" + entry.name + "' takes input '" + argument.name +
              "' " + dtypeName(argument.type.dtype) +
              formatShape(argument.type.shape) +
              ", which this data set cannot feed (it gives " +
              std::to_string(data.width) + " features per sample and " +
              (data.labels.empty() ? "a numeric target" : "a class label") +
              ")";
      return false;
    }
  }
  if (!feed.features) {
    error = "entry '" + entry.name + "' takes no f32 input of " +
            std::to_string(data.width) + " values per sample";
    return false;
  }
  return true;
}

/// The batch of `indices[begin, end)` as the entry's inputs.
std::map<std::string, Tensor> makeBatch(const Feed &feed, const Samples &data,
                                        const std::vector<int64_t> &indices,
                                        int64_t begin, int64_t end) {
  int64_t n = end - begin;
  auto shaped = [&](const ArgumentSpec &argument) {
    std::vector<int64_t> shape = argument.type.shape;
    shape[0] = n;
    return Tensor(argument.type.dtype, shape);
  };
  std::map<std::string, Tensor> batch;
  Tensor features = shaped(*feed.features);
  for (int64_t i = 0; i < n; ++i)
    std::memcpy(features.data<float>() + i * data.width,
                data.features.data() + indices[begin + i] * data.width,
                data.width * sizeof(float));
  batch.emplace(feed.features->name, std::move(features));
  if (feed.label) {
    Tensor labels = shaped(*feed.label);
    for (int64_t i = 0; i < n; ++i) {
      int32_t label = data.labels[indices[begin + i]];
      if (labels.dtype == DType::I32)
        labels.data<int32_t>()[i] = label;
      else
        labels.data<int64_t>()[i] = label;
    }
    batch.emplace(feed.label->name, std::move(labels));
  }
  if (feed.target) {
    Tensor targets = shaped(*feed.target);
    for (int64_t i = 0; i < n; ++i)
      targets.data<float>()[i] = data.targets[indices[begin + i]];
    batch.emplace(feed.target->name, std::move(targets));
  }
  return batch;
}

/// Classification: cross-entropy of the predicted probabilities and
/// accuracy. Regression: mean squared error and R².
struct Evaluation {
  bool regression = false;
  double loss = 0, accuracy = 0, r2 = 0;

  std::string describe() const {
    char text[96];
    if (regression)
      std::snprintf(text, sizeof text, "MSE %.4f, R^2 %.4f", loss, r2);
    else
      std::snprintf(text, sizeof text, "loss %.4f, accuracy %.2f%%", loss,
                    100 * accuracy);
    return text;
  }
};

/// Runs the inference entry over `indices` and scores its first output:
/// class probabilities [N, C] against the labels, or predictions [N, 1]
/// against the targets.
bool evaluate(Session &session, const Feed &feed, const Samples &data,
              const std::vector<int64_t> &indices, Evaluation &result,
              std::string &error) {
  const EntrySpec *infer = session.module().findEntry("infer");
  if (!infer) {
    error = "the module has no 'infer' entry to evaluate with";
    return false;
  }
  Feed inferFeed;
  for (const ArgumentSpec &argument : infer->arguments)
    if (argument.role == ArgumentSpec::Role::Input &&
        argument.name == feed.features->name)
      inferFeed.features = &argument;
  if (!inferFeed.features) {
    error = "the 'infer' entry does not take '" + feed.features->name + "'";
    return false;
  }
  result = Evaluation();
  result.regression = feed.target != nullptr;
  double loss = 0, sum = 0, sumSquares = 0;
  int64_t correct = 0;
  const int64_t chunk = 1000;
  for (int64_t begin = 0; begin < static_cast<int64_t>(indices.size());
       begin += chunk) {
    int64_t end = std::min<int64_t>(begin + chunk, indices.size());
    std::vector<Tensor> outputs;
    if (!session.run("infer", makeBatch(inferFeed, data, indices, begin, end),
                     outputs, error))
      return false;
    const Tensor &out = outputs.front();
    int64_t n = end - begin;
    if (result.regression) {
      if (out.dtype != DType::F32 || out.numElements() != n) {
        error = "the 'infer' entry's first output must be one prediction "
                "per sample";
        return false;
      }
      for (int64_t i = 0; i < n; ++i) {
        double target = data.targets[indices[begin + i]];
        double residual = out.data<float>()[i] - target;
        loss += residual * residual;
        sum += target;
        sumSquares += target * target;
      }
      continue;
    }
    if (out.dtype != DType::F32 || out.shape.size() != 2 ||
        out.shape[1] < data.classes) {
      error = "the 'infer' entry's first output must be class probabilities "
              "[N, " + std::to_string(data.classes) + "]";
      return false;
    }
    int64_t classes = out.shape[1];
    for (int64_t i = 0; i < n; ++i) {
      const float *row = out.data<float>() + i * classes;
      int32_t label = data.labels[indices[begin + i]];
      loss -= std::log(std::max(row[label], 1e-12f));
      correct += std::max_element(row, row + classes) - row == label;
    }
  }
  double count = static_cast<double>(indices.size());
  result.loss = loss / count;
  result.accuracy = static_cast<double>(correct) / count;
  if (result.regression) {
    double variance = sumSquares / count - (sum / count) * (sum / count);
    result.r2 = variance > 0 ? 1 - result.loss / variance : 0;
  }
  return true;
}

/// The training and test samples: Fashion-MNIST's own splits, or the user's
/// file shuffled with the seed and split by --test-fraction.
bool loadData(const Options &options, Samples &train, Samples &test,
              std::string &error) {
  if (options.data == "fashion-mnist")
    return readFashionMnist(options.dataDir, true, train, error) &&
           readFashionMnist(options.dataDir, false, test, error);
  Samples all;
  bool read = options.targets.empty()
                  ? readCsv(options.data, options.targetColumn, all, error)
                  : readNpyPair(options.data, options.targets, all, error);
  if (!read)
    return false;
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

int kiln::run::train(const Module &module,
                     const std::vector<std::string> &args) {
  Options options;
  std::string error;
  if (!parseOptions(args, options, error))
    return fail(error);
  const EntrySpec *entry = nullptr;
  for (const EntrySpec &candidate : module.entries())
    if (candidate.isTrain &&
        (options.entry.empty() || candidate.name == options.entry)) {
      entry = &candidate;
      break;
    }
  if (!entry)
    return fail(options.entry.empty()
                    ? "the module has no train entry"
                    : "the module has no train entry '" + options.entry + "'");

  Samples trainSet, testSet;
  if (!loadData(options, trainSet, testSet, error))
    return fail(error);
  Feed feed;
  if (!bindInputs(*entry, trainSet, feed, error))
    return fail(error);

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
  std::vector<int64_t> test(testSet.count);
  std::iota(test.begin(), test.end(), 0);

  int64_t batch = options.fullBatch ? trainCount : options.batch;
  int64_t stepsPerEpoch = (trainCount + batch - 1) / batch;
  int64_t totalSteps = stepsPerEpoch * options.epochs;
  double baseRate =
      std::isnan(options.lr) ? entry->learningRate : options.lr;

  Session session(module, options.seed, options.threads);
  int64_t firstEpoch = 0;
  if (options.resume) {
    if (!loadCheckpoint(session, options.checkpoint, error))
      return fail(error);
    int64_t done = session.stepCount(entry->name);
    if (done % stepsPerEpoch != 0)
      return fail("checkpoint '" + options.checkpoint + "' stopped after " +
                  std::to_string(done) + " steps, not at the end of an epoch "
                  "of " + std::to_string(stepsPerEpoch) +
                  " steps: resume with the --batch and --limit it was "
                  "trained with");
    firstEpoch = done / stepsPerEpoch;
  }

  bool terminal = isatty(fileno(stderr));
  auto started = std::chrono::steady_clock::now();
  double trainSeconds = 0;
  int64_t trainedImages = 0;
  std::vector<int64_t> order(trainCount);
  for (int64_t epoch = firstEpoch; epoch < options.epochs; ++epoch) {
    // Each epoch's order depends only on the seed and the epoch, so a
    // resumed run sees the batches an uninterrupted one would.
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 shuffle(options.seed * 1000003 + epoch);
    std::shuffle(order.begin(), order.end(), shuffle);
    auto epochStart = std::chrono::steady_clock::now();
    double lossSum = 0;
    for (int64_t step = 0; step < stepsPerEpoch; ++step) {
      int64_t begin = step * batch, end = std::min(begin + batch, trainCount);
      RunOptions run;
      run.learningRate = static_cast<float>(
          scheduledRate(options, baseRate, epoch * stepsPerEpoch + step,
                        totalSteps, stepsPerEpoch));
      std::vector<Tensor> outputs;
      if (!session.run(entry->name, makeBatch(feed, trainSet, order, begin, end),
                       outputs, error, run))
        return fail(error);
      double loss = outputs.front().data<float>()[0];
      if (!std::isfinite(loss))
        return fail("the loss became " + std::to_string(loss) + " at epoch " +
                    std::to_string(epoch + 1) + ", step " +
                    std::to_string(step + 1) + "; try a smaller --lr");
      lossSum += loss;
      std::chrono::duration<double> elapsed =
          std::chrono::steady_clock::now() - epochStart;
      if (terminal && (step % 20 == 0 || step + 1 == stepsPerEpoch)) {
        double rate = static_cast<double>(end) / elapsed.count();
        int width = 24, filled = static_cast<int>(width * (step + 1) /
                                                  stepsPerEpoch);
        std::fprintf(stderr,
                     "\repoch %lld/%lld [%s%s] loss %.4f  %.0f samples/s  ETA %s ",
                     static_cast<long long>(epoch + 1),
                     static_cast<long long>(options.epochs),
                     std::string(filled, '#').c_str(),
                     std::string(width - filled, '.').c_str(),
                     lossSum / (step + 1), rate,
                     formatDuration((trainCount - end) / rate).c_str());
      }
    }
    std::chrono::duration<double> epochSeconds =
        std::chrono::steady_clock::now() - epochStart;
    trainSeconds += epochSeconds.count();
    trainedImages += trainCount;
    Evaluation validated;
    if (!validation.empty() &&
        !evaluate(session, feed, trainSet, validation, validated, error))
      return fail(error);
    if (!options.checkpoint.empty() &&
        !saveCheckpoint(session, options.checkpoint, error))
      return fail(error);
    if (terminal)
      std::fputc('\r', stderr);
    std::fprintf(stderr, "epoch %lld/%lld: train loss %.4f, %s%.0f samples/s, %.1f s\n",
                 static_cast<long long>(epoch + 1),
                 static_cast<long long>(options.epochs),
                 lossSum / stepsPerEpoch,
                 validation.empty()
                     ? ""
                     : ("validation " + validated.describe() + ", ").c_str(),
                 trainCount / epochSeconds.count(), epochSeconds.count());
  }

  Evaluation tested;
  if (!evaluate(session, feed, testSet, test, tested, error))
    return fail(error);
  std::chrono::duration<double> total =
      std::chrono::steady_clock::now() - started;
  double imagesPerSecond =
      trainSeconds > 0 ? trainedImages / trainSeconds : 0.0;
  if (options.json)
    std::printf("{\"model\": \"%s\", \"entry\": \"%s\", \"epochs\": %lld, "
                "\"batch\": %lld, \"steps\": %lld, \"test_%s\": %.6f, "
                "\"test_%s\": %.6f, \"train_samples_per_s\": %.1f, "
                "\"seconds\": %.2f}\n",
                module.name().c_str(), entry->name.c_str(),
                static_cast<long long>(options.epochs),
                static_cast<long long>(batch),
                static_cast<long long>(session.stepCount(entry->name)),
                tested.regression ? "mse" : "loss", tested.loss,
                tested.regression ? "r2" : "accuracy",
                tested.regression ? tested.r2 : tested.accuracy,
                imagesPerSecond, total.count());
  else
    std::printf("%s: test %s (%lld samples), %.0f training samples/s, %.1f s\n",
                module.name().c_str(), tested.describe().c_str(),
                static_cast<long long>(testSet.count), imagesPerSecond,
                total.count());
  return 0;
}
