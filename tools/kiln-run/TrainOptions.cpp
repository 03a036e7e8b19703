//===- TrainOptions.cpp - kiln-run train's command line -------------------===//

#include "TrainOptions.h"

#include "CommandLine.h"
#include "kiln/train/MetricMonitor.h"
#include "TrainCommand.h"

#include <fstream>
#include <sstream>

using namespace kiln::run;
using namespace kiln::train;

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
    "                            wamerican word list), as character\n"
    "                            sequences for a next-character model\n"
    "  --pixel-range LOW,HIGH    Fashion-MNIST pixels scaled to [LOW, HIGH]\n"
    "                            (default 0,1; a tanh generator's GAN: -1,1)\n"
    "  --data sklearn:NAME       a CSV file python3-sklearn ships (breast_cancer,\n"
    "                            iris, wine_data, ...)\n"
    "  --spec FILE               options from a data spec file, one\n"
    "                            'key = value' per line (data = x.csv, ...)\n"
    "preprocessing (fitted on the training split, saved in the checkpoint):\n"
    "  --scale none|standard|minmax  scale each numeric feature (default none;\n"
    "                            --standardize is --scale standard)\n"
    "  --one-hot COL,...         one-hot encode these CSV columns (columns\n"
    "                            holding text always are)\n"
    "  --split TRAIN,VAL,TEST    shares of the samples for training,\n"
    "                            validation and test (default 0.72,0.08,0.2)\n"
    "  --stratify, --no-stratify split each class by the shares (default: when\n"
    "                            the target holds at most 50 class labels)\n"
    "  --test-data FILE          CSV and .npy data: the test split from its own\n"
    "                            file (with --test-targets for .npy)\n"
    "  --test-fraction F         CSV and .npy data: the test share (0.2)\n"
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
    "  --early-stopping N        stop after N epochs without improvement of\n"
    "                            the --monitor'ed validation metric\n"
    "  --monitor M               loss (the first train entry's; default),\n"
    "                            accuracy, mse or r2\n"
    "  --keep-best FILE          a checkpoint of the best epoch by --monitor;\n"
    "                            the final test scores it\n"
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
    "  --plot FILE.png|FILE.svg  training curves (loss and metric per epoch)\n"
    "  --log-dir DIR             TensorBoard event files: loss and learning\n"
    "                            rate per step, validation scores and\n"
    "                            samples/s per epoch (tensorboard --logdir)\n"
    "  --json                    print one JSON object per epoch and one for\n"
    "                            the summary, a line each\n";

namespace {
std::string trimmed(const std::string &text) {
  size_t begin = text.find_first_not_of(" \t\r");
  size_t end = text.find_last_not_of(" \t\r");
  return begin == std::string::npos ? "" : text.substr(begin, end - begin + 1);
}
} // namespace

bool kiln::run::readSpecFile(const std::string &path,
                             std::vector<std::string> &args,
                             std::string &error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot open data spec '" + path + "'";
    return false;
  }
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    line = trimmed(line.substr(0, line.find('#')));
    if (line.empty())
      continue;
    size_t equals = line.find('=');
    if (equals == std::string::npos || trimmed(line.substr(0, equals)).empty()) {
      error = path + ":" + std::to_string(number) +
              ": expected 'key = value', got '" + line + "'";
      return false;
    }
    std::string key = trimmed(line.substr(0, equals));
    std::string value = trimmed(line.substr(equals + 1));
    // Files the spec names are beside it.
    bool isFile = key == "data" || key == "test-data" || key == "targets" ||
                  key == "test-targets";
    size_t slash = path.rfind('/');
    if (isFile && slash != std::string::npos && !value.empty() &&
        value[0] != '/' &&
        (value.find(".csv") != std::string::npos ||
         value.find(".npy") != std::string::npos))
      value = path.substr(0, slash + 1) + value;
    if (value == "yes" || value == "true")
      args.push_back("--" + key);
    else if (value == "no" || value == "false")
      args.push_back("--no-" + key);
    else {
      args.push_back("--" + key);
      args.push_back(value);
    }
  }
  return true;
}

bool kiln::run::parseOptions(const std::vector<std::string> &args,
                             TrainOptions &options, std::string &error,
                             bool requireData) {
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
    else if (flag == "--early-stopping")
      ok = positive(options.patience);
    else if (flag == "--monitor") {
      ok = next() && MetricMonitor::isKnownMetric(value);
      if (ok)
        options.monitor = value;
      else if (!value.empty())
        error = "--monitor is loss, accuracy, mse or r2, got '" + value + "'";
    } else if (flag == "--keep-best")
      ok = next() && (options.keepBest = value, true);
    else if (flag == "--json")
      options.json = true;
    else if (flag == "--standardize")
      options.scaling = Scaling::Standard;
    else if (flag == "--scale") {
      ok = next() && parseScaling(value, options.scaling);
      if (!ok)
        error = "--scale is none, standard or minmax";
    } else if (flag == "--one-hot") {
      ok = next();
      std::stringstream names(value);
      std::string name;
      while (ok && std::getline(names, name, ','))
        options.oneHot.push_back(trimmed(name));
    } else if (flag == "--split") {
      ok = next();
      std::stringstream shares(value);
      std::string share;
      int count = 0;
      while (ok && std::getline(shares, share, ','))
        ok = count < 3 && parseNumber(trimmed(share), options.split[count++]) &&
             options.split[count - 1] >= 0;
      ok = ok && count == 3 && options.split[0] > 0 &&
           options.split[0] + options.split[1] + options.split[2] <= 1 + 1e-9;
      if (!ok)
        error = "--split expects TRAIN,VALIDATION,TEST shares adding up to at "
                "most 1 (e.g. 0.6,0.2,0.2)";
    } else if (flag == "--stratify")
      options.stratify = 1;
    else if (flag == "--no-stratify")
      options.stratify = 0;
    else if (flag == "--plot")
      ok = next() && (options.plot = value, true);
    else if (flag == "--log-dir")
      ok = next() && (options.logDir = value, true);
    else if (flag == "--spec") {
      std::vector<std::string> specArgs;
      ok = next() && readSpecFile(value, specArgs, error) &&
           parseOptions(specArgs, options, error, false);
      if (!ok && error.rfind(value, 0) != 0)
        error = value + ": " + error;
    } else {
      error = unknownOption(flag, kTrainUsage, "train");
      ok = false;
    }
    if (!ok) {
      if (error.empty())
        error = flag + " expects a value";
      return false;
    }
  }
  if (options.data.empty()) {
    if (!requireData)
      return true;
    error = "--data is required (fashion-mnist, a .csv file or a .npy file)";
    return false;
  }
  if (options.data != "fashion-mnist" && options.data != "diabetes" &&
      options.data.rfind("words", 0) != 0 &&
      options.data.rfind("sklearn:", 0) != 0 &&
      !endsWith(options.data, ".csv") && !endsWith(options.data, ".npy")) {
    error = "unknown data set '" + options.data +
            "' (fashion-mnist, diabetes, sklearn:NAME, words[:FILE], a .csv "
            "file, or a .npy file with --targets)";
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
  if ((options.patience || !options.keepBest.empty()) &&
      options.validation == 0) {
    error = std::string(options.patience ? "--early-stopping" : "--keep-best") +
            " watches the validation samples; --validation 0 leaves none";
    return false;
  }
  return true;
}

