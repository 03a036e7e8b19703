//===- TrainOptions.cpp - kiln-run train's command line -------------------===//

#include "TrainOptions.h"

#include "kiln/train/MetricMonitor.h"

#include <sstream>

using namespace kiln::run;
using namespace kiln::train;

namespace {

/// Comma-separated numbers; false unless there are `count` of them.
bool parseNumbers(const std::string &text, size_t count,
                  std::vector<double> &numbers) {
  std::stringstream parts(text);
  std::string part;
  numbers.clear();
  while (std::getline(parts, part, ',')) {
    char *end = nullptr;
    numbers.push_back(std::strtod(part.c_str(), &end));
    if (part.empty() || *end)
      return false;
  }
  return numbers.size() == count;
}

} // namespace

void kiln::run::addDataOptions(CLI::App &command, DataRequest &request) {
  command.add_option("--data", request.data,
                     "fashion-mnist (Debian's dataset-fashion-mnist, its own "
                     "test split),\nFILE.csv (numbers, one sample per line, "
                     "optional header),\nX.npy with --targets Y.npy, diabetes "
                     "(python3-sklearn's\nregression set), sklearn:NAME (a "
                     "CSV file python3-sklearn\nships: breast_cancer, iris, "
                     "wine_data, ...), or words[:FILE]\n(words as character "
                     "sequences; default Debian's word list)");
  command.add_option("--data-dir", request.dataDir,
                     "where Fashion-MNIST's IDX files are");
  // Read before parsing (expandSpecFiles); declared for the help.
  command.add_option("--spec")
      ->description("options from a data spec file, one 'key = value' per "
                    "line\n(data = x.csv, ...)")
      ->type_name("FILE");
  command.add_option("--target", request.targetColumn,
                     "the CSV column to predict, by name or index "
                     "(default: the last)");
  command.add_option("--targets", request.targets,
                     "the targets of .npy features [N, ...]: [N]");
  command.add_option_function<std::string>(
      "--pixel-range",
      [&request](const std::string &text) {
        std::vector<double> range;
        if (!parseNumbers(text, 2, range) || range[0] >= range[1])
          throw CLI::ValidationError("--pixel-range",
                                     "expects LOW,HIGH with LOW < HIGH");
        request.pixelLow = static_cast<float>(range[0]);
        request.pixelHigh = static_cast<float>(range[1]);
      },
      "Fashion-MNIST pixels scaled to [LOW, HIGH] (default 0,1;\na tanh "
      "generator's GAN: -1,1)")
      ->type_name("LOW,HIGH");
  command.add_option_function<std::string>(
      "--scale",
      [&request](const std::string &text) {
        if (!parseScaling(text, request.scaling))
          throw CLI::ValidationError("--scale", "is none, standard or minmax");
      },
      "scale each numeric feature, fitted on the training split:\nnone, "
      "standard or minmax (default none)");
  command.add_option_function<std::string>(
      "--one-hot",
      [&request](const std::string &text) {
        std::stringstream names(text);
        std::string name;
        while (std::getline(names, name, ','))
          request.oneHot.push_back(name);
      },
      "one-hot encode these CSV columns (columns holding text\nalways are)")
      ->type_name("COL,...");
  command.add_option_function<std::string>(
      "--split",
      [&request](const std::string &text) {
        std::vector<double> shares;
        bool ok = parseNumbers(text, 3, shares) && shares[0] > 0 &&
                  shares[1] >= 0 && shares[2] >= 0 &&
                  shares[0] + shares[1] + shares[2] <= 1 + 1e-9;
        if (!ok)
          throw CLI::ValidationError(
              "--split", "expects TRAIN,VALIDATION,TEST shares adding up to "
                         "at most 1 (e.g. 0.6,0.2,0.2)");
        std::copy(shares.begin(), shares.end(), request.split.begin());
      },
      "shares of the samples for training, validation and test\n(default "
      "0.72,0.08,0.2)")
      ->type_name("TRAIN,VAL,TEST");
  command.add_flag_function(
      "--stratify,!--no-stratify",
      [&request](int64_t count) { request.stratify = count > 0 ? 1 : 0; },
      "split each class by the shares (default: when the target\nholds at "
      "most 50 class labels)");
  command.add_option("--test-data", request.testData,
                     "CSV and .npy data: the test split from its own file");
  command.add_option("--test-targets", request.testTargets,
                     "the targets of --test-data's .npy features");
  command.add_option("--test-fraction", request.testFraction,
                     "CSV and .npy data: the test share (default 0.2)")
      ->check(realBetween(1e-12, 1 - 1e-12,
                          "expects a number between 0 and 1"));
  command.add_option("--validation", request.validation,
                     "samples held out of the training split for validation "
                     "each\nepoch (default 5000 for Fashion-MNIST, else a "
                     "tenth)")
      ->check(rule(
          [](const std::string &text) {
            char *end = nullptr;
            long long count = std::strtoll(text.c_str(), &end, 10);
            return !text.empty() && !*end && count >= 0;
          },
          "expects a number of samples", /*quote=*/false));
  command.add_option("--limit", request.limit,
                     "train on the first N samples only")
      ->check(positiveInteger());
  addSeed(command, request.seed,
          "initialization, shuffling and the split (default 0)");
}

void kiln::run::addNoiseOption(CLI::App &command,
                               std::set<std::string> &noise) {
  command.add_option_function<std::vector<std::string>>(
      "--noise",
      [&noise](const std::vector<std::string> &names) {
        noise.insert(names.begin(), names.end());
      },
      "also draw this input from N(0, 1) for every batch\n(repeatable; "
      "the model's own noise inputs always are)")
      ->type_name("NAME")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
}

bool kiln::run::checkDataOptions(const DataRequest &request, bool requireData,
                                 std::string &error) {
  if (request.data.empty()) {
    if (!requireData)
      return true;
    error = "--data is required (fashion-mnist, a .csv file or a .npy file)";
    return false;
  }
  if (!isKnownData(request.data)) {
    error = "unknown data set '" + request.data +
            "' (fashion-mnist, diabetes, sklearn:NAME, words[:FILE], a .csv "
            "file, or a .npy file with --targets)";
    return false;
  }
  if (endsWith(request.data, ".npy") && request.targets.empty()) {
    error = "--data " + request.data + " needs --targets FILE.npy";
    return false;
  }
  return true;
}

void kiln::run::addFitOptions(CLI::App &command, TrainOptions &options) {
  command.add_option("--epochs", options.epochs,
                     "passes over the training split (default 1)")
      ->check(positiveInteger());
  command.add_option_function<std::string>(
      "--batch",
      [&options](const std::string &text) {
        char *end = nullptr;
        long long size = std::strtoll(text.c_str(), &end, 10);
        options.fullBatch = text == "full";
        if (options.fullBatch)
          return;
        if (text.empty() || *end || size < 1)
          throw CLI::ValidationError(
              "--batch",
              "expects a positive number or 'full', got '" + text + "'");
        options.batch = size;
      },
      "batch size; full is batch gradient descent, 1 is\nstochastic "
      "(default 64)")
      ->type_name("N|full");
  command.add_option("--lr", options.lr,
                     "base learning rate (default: the model's)")
      ->check(positiveReal());
  command.add_option("--lr-schedule", options.schedule,
                     "cosine (from --lr to 0 over the --epochs), step (x0.1\n"
                     "every --lr-step epochs) or constant (default cosine)")
      ->check(oneOf({"constant", "step", "cosine"}))
      ->type_name("S");
  command.add_option("--lr-step", options.lrStep,
                     "epochs between step decays (default 1)")
      ->check(positiveInteger())
      ->type_name("E");
  command.add_option("--warmup", options.warmup,
                     "linear warm-up over the first N steps")
      ->check(positiveInteger());
  command.add_option("--test-limit", options.testLimit,
                     "test on the first N test samples only")
      ->check(positiveInteger());
  command.add_option("--checkpoint", options.checkpoint,
                     "written (atomically) after every epoch")
      ->type_name("FILE");
  command.add_flag("--resume", options.resume,
                   "continue from --checkpoint where it stopped");
  command.add_option("--early-stopping", options.patience,
                     "stop after N epochs without improvement of the\n"
                     "--monitor'ed validation metric")
      ->check(positiveInteger());
  command.add_option("--monitor", options.monitor,
                     "loss (the first train entry's; default), accuracy, "
                     "mse\nor r2")
      ->check(rule(MetricMonitor::isKnownMetric,
                   "is loss, accuracy, mse or r2"));
  command.add_option("--keep-best", options.keepBest,
                     "a checkpoint of the best epoch by --monitor; the final\n"
                     "test scores it")
      ->type_name("FILE");
  command.add_option("--entries", options.entries,
                     "the train entries to run on every batch, A K times\n"
                     "(default: every train entry, in order; a GAN's d_step\n"
                     "then g_step)")
      ->type_name("A[:K],B...");
  addNoiseOption(command, options.noise);
  addThreads(command, options.threads);
  command.add_option("--samples", options.samples,
                     "after every epoch, write DIR/epoch-K.png: images the\n"
                     "inference entry makes from noise (GANs)")
      ->type_name("DIR");
  command.add_option("--plot", options.plot,
                     "training curves (loss and metric per epoch)")
      ->type_name("FILE.png|FILE.svg");
  command.add_option("--log-dir", options.logDir,
                     "TensorBoard event files: loss and learning rate per\n"
                     "step, validation scores and samples/s per epoch\n"
                     "(tensorboard --logdir)")
      ->type_name("DIR");
  command.add_flag("--json", options.json,
                   "print one JSON object per epoch and one for the\n"
                   "summary, a line each");
}

bool kiln::run::checkFitOptions(const TrainOptions &options,
                                std::string &error) {
  if (!checkDataOptions(options, /*requireData=*/true, error))
    return false;
  if (options.resume && options.checkpoint.empty()) {
    error = "--resume needs --checkpoint";
    return false;
  }
  if ((options.patience || !options.keepBest.empty()) &&
      options.validation == 0) {
    error = std::string(options.patience ? "--early-stopping" : "--keep-best") +
            " watches the validation samples; --validation 0 leaves none";
    return false;
  }
  return true;
}
