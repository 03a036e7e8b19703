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
    "usage: kiln-run train model.kmod --data fashion-mnist [options]\n"
    "  --data NAME               the data set: fashion-mnist\n"
    "  --data-dir DIR            where its files are (default: Debian's\n"
    "                            /usr/share/datasets/fashion-mnist)\n"
    "  --epochs E                passes over the training split (default 1)\n"
    "  --batch N|full            batch size; full is batch gradient descent,\n"
    "                            1 is stochastic (default 64)\n"
    "  --lr X                    base learning rate (default: the model's)\n"
    "  --lr-schedule S           cosine (from --lr to 0 over the --epochs),\n"
    "                            step (x0.1 every --lr-step epochs) or\n"
    "                            constant (default cosine)\n"
    "  --lr-step E               epochs between step decays (default 1)\n"
    "  --warmup N                linear warm-up over the first N steps\n"
    "  --validation N            images held out of the training split for\n"
    "                            validation each epoch (default 5000)\n"
    "  --limit N                 train on the first N images only\n"
    "  --checkpoint FILE         written (atomically) after every epoch\n"
    "  --resume                  continue from --checkpoint where it stopped\n"
    "  --seed S                  initialization and shuffling (default 0)\n"
    "  --entry NAME              the train entry (default: the first)\n"
    "  --threads N               threads (default: KILN_NUM_THREADS, else\n"
    "                            one per core)\n"
    "  --json                    print the summary as one JSON object\n";

namespace {

struct Options {
  std::string data, dataDir = kFashionMnistDir, checkpoint, entry;
  int64_t epochs = 1, batch = 64, validation = 5000, limit = 0, warmup = 0,
          lrStep = 1;
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
    error = "--data is required (fashion-mnist)";
    return false;
  }
  if (options.data != "fashion-mnist") {
    error = "unknown data set '" + options.data + "' (known: fashion-mnist)";
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
struct Feed {
  const ArgumentSpec *image = nullptr;
  const ArgumentSpec *label = nullptr;
};

int64_t perSample(const TensorSpec &type) {
  int64_t count = 1;
  for (size_t i = 1; i < type.shape.size(); ++i)
    count *= type.shape[i];
  return count;
}

bool bindInputs(const EntrySpec &entry, const LabelledImages &data,
                Feed &feed, std::string &error) {
  for (const ArgumentSpec &argument : entry.arguments) {
    if (argument.role != ArgumentSpec::Role::Input)
      continue;
    bool batched = !argument.type.shape.empty() && argument.type.shape[0] < 0;
    if (argument.type.dtype == DType::F32 && batched && !feed.image &&
        perSample(argument.type) == data.pixelsPerImage)
      feed.image = &argument;
    else if ((argument.type.dtype == DType::I32 ||
              argument.type.dtype == DType::I64) &&
             batched && argument.type.shape.size() == 1 && !feed.label)
      feed.label = &argument;
    else {
      error = "entry '" + entry.name + "' takes input '" + argument.name +
              "', which this data set cannot feed (it gives images of " +
              std::to_string(data.pixelsPerImage) + " pixels and labels)";
      return false;
    }
  }
  if (!feed.image) {
    error = "entry '" + entry.name + "' takes no f32 input of " +
            std::to_string(data.pixelsPerImage) + " values per sample";
    return false;
  }
  return true;
}

/// The batch of `indices[begin, end)` as the entry's inputs.
std::map<std::string, Tensor> makeBatch(const Feed &feed,
                                        const LabelledImages &data,
                                        const std::vector<int64_t> &indices,
                                        int64_t begin, int64_t end) {
  int64_t n = end - begin;
  std::vector<int64_t> shape = feed.image->type.shape;
  shape[0] = n;
  Tensor images(DType::F32, shape);
  float *pixels = images.data<float>();
  for (int64_t i = 0; i < n; ++i)
    std::memcpy(pixels + i * data.pixelsPerImage,
                data.pixels.data() + indices[begin + i] * data.pixelsPerImage,
                data.pixelsPerImage * sizeof(float));
  std::map<std::string, Tensor> batch;
  batch.emplace(feed.image->name, std::move(images));
  if (feed.label) {
    Tensor labels(feed.label->type.dtype, {n});
    for (int64_t i = 0; i < n; ++i) {
      int32_t label = data.labels[indices[begin + i]];
      if (labels.dtype == DType::I32)
        labels.data<int32_t>()[i] = label;
      else
        labels.data<int64_t>()[i] = label;
    }
    batch.emplace(feed.label->name, std::move(labels));
  }
  return batch;
}

struct Evaluation {
  double loss = 0, accuracy = 0;
};

/// Loss (cross-entropy of the predicted probabilities) and accuracy of the
/// inference entry's class probabilities over `indices`.
bool evaluate(Session &session, const Feed &feed, const LabelledImages &data,
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
        argument.name == feed.image->name)
      inferFeed.image = &argument;
  if (!inferFeed.image) {
    error = "the 'infer' entry does not take '" + feed.image->name + "'";
    return false;
  }
  double loss = 0;
  int64_t correct = 0;
  const int64_t chunk = 1000;
  for (int64_t begin = 0; begin < static_cast<int64_t>(indices.size());
       begin += chunk) {
    int64_t end = std::min<int64_t>(begin + chunk, indices.size());
    std::vector<Tensor> outputs;
    if (!session.run("infer", makeBatch(inferFeed, data, indices, begin, end),
                     outputs, error))
      return false;
    const Tensor &probs = outputs.front();
    if (probs.dtype != DType::F32 || probs.shape.size() != 2 ||
        probs.shape[1] < data.classes) {
      error = "the 'infer' entry's first output must be class probabilities "
              "[N, " + std::to_string(data.classes) + "]";
      return false;
    }
    int64_t classes = probs.shape[1];
    for (int64_t i = 0; i < end - begin; ++i) {
      const float *row = probs.data<float>() + i * classes;
      int32_t label = data.labels[indices[begin + i]];
      loss -= std::log(std::max(row[label], 1e-12f));
      correct += std::max_element(row, row + classes) - row == label;
    }
  }
  result.loss = loss / static_cast<double>(indices.size());
  result.accuracy =
      static_cast<double>(correct) / static_cast<double>(indices.size());
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

  LabelledImages trainSet, testSet;
  if (!readFashionMnist(options.dataDir, true, trainSet, error) ||
      !readFashionMnist(options.dataDir, false, testSet, error))
    return fail(error);
  Feed feed;
  if (!bindInputs(*entry, trainSet, feed, error))
    return fail(error);

  // The held-out validation images are the last of the training split.
  int64_t available = trainSet.count - options.validation;
  if (available < 1)
    return fail("--validation leaves no training images");
  int64_t trainCount =
      options.limit ? std::min(options.limit, available) : available;
  std::vector<int64_t> validation(options.validation);
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
                     "\repoch %lld/%lld [%s%s] loss %.4f  %.0f img/s  ETA %s ",
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
    std::fprintf(stderr,
                 "epoch %lld/%lld: train loss %.4f, %s%.0f img/s, %.1f s\n",
                 static_cast<long long>(epoch + 1),
                 static_cast<long long>(options.epochs),
                 lossSum / stepsPerEpoch,
                 validation.empty()
                     ? ""
                     : ("validation loss " + std::to_string(validated.loss)
                            .substr(0, 6) + ", accuracy " +
                        std::to_string(100 * validated.accuracy).substr(0, 5) +
                        "%, ")
                           .c_str(),
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
                "\"batch\": %lld, \"steps\": %lld, \"test_loss\": %.6f, "
                "\"test_accuracy\": %.6f, \"train_images_per_s\": %.1f, "
                "\"seconds\": %.2f}\n",
                module.name().c_str(), entry->name.c_str(),
                static_cast<long long>(options.epochs),
                static_cast<long long>(batch),
                static_cast<long long>(session.stepCount(entry->name)),
                tested.loss, tested.accuracy, imagesPerSecond, total.count());
  else
    std::printf("%s: test loss %.4f, test accuracy %.2f%% (%lld images), "
                "%.0f training images/s, %.1f s\n",
                module.name().c_str(), tested.loss, 100 * tested.accuracy,
                static_cast<long long>(testSet.count), imagesPerSecond,
                total.count());
  return 0;
}
