//===- TrainOptions.h - kiln-run train's command line -----------*- C++ -*-===//

#ifndef KILN_RUN_TRAINOPTIONS_H
#define KILN_RUN_TRAINOPTIONS_H

#include "Datasets.h"
#include "Preprocessing.h"

#include <array>
#include <cmath>
#include <set>
#include <string>
#include <vector>

namespace kiln::run {

struct TrainOptions {
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
  bool fullBatch = false, resume = false, json = false;
  /// Preprocessing of the features, fitted on the training split.
  Scaling scaling = Scaling::None;
  std::vector<std::string> oneHot;
  /// Shares of training, validation and test samples (all zero: the
  /// defaults, from --test-fraction and --validation).
  std::array<double, 3> split = {0, 0, 0};
  /// Split each class by the shares: 1 yes, 0 no, -1 when the target
  /// looks like class labels.
  int stratify = -1;
  /// Training curves, written after every epoch (PNG or SVG).
  std::string plot;
  double lr = NAN;
  std::string schedule = "cosine";
  /// Early stopping: epochs without improvement of the monitored
  /// validation metric before training stops (0: never).
  int64_t patience = 0;
  std::string monitor = "loss";
  /// A checkpoint of the best epoch by the monitored metric.
  std::string keepBest;
  uint64_t seed = 0;
  unsigned threads = 0;
};

/// Parses kiln-run train's options (after the module path); on a bad one
/// sets `error` to a one-line message. `--spec FILE` reads options from a
/// data spec file, one `key = value` per line. Without `requireData`
/// (kiln-run eval), --data may come from the checkpoint instead.
bool parseOptions(const std::vector<std::string> &args, TrainOptions &options,
                  std::string &error, bool requireData = true);

/// The options in a data spec file as command-line arguments: `key =
/// value` becomes `--key value`, `key = yes` `--key`; `#` starts a comment.
bool readSpecFile(const std::string &path, std::vector<std::string> &args,
                  std::string &error);

} // namespace kiln::run

#endif // KILN_RUN_TRAINOPTIONS_H
