//===- TrainOptions.h - kiln-run train's command line -----------*- C++ -*-===//

#ifndef KILN_RUN_TRAINOPTIONS_H
#define KILN_RUN_TRAINOPTIONS_H

#include "Datasets.h"

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
  bool fullBatch = false, resume = false, json = false, standardize = false;
  double lr = NAN;
  std::string schedule = "cosine";
  uint64_t seed = 0;
  unsigned threads = 0;
};

/// Parses kiln-run train's options (after the module path); on a bad one
/// sets `error` to a one-line message.
bool parseOptions(const std::vector<std::string> &args, TrainOptions &options,
                  std::string &error);

} // namespace kiln::run

#endif // KILN_RUN_TRAINOPTIONS_H
