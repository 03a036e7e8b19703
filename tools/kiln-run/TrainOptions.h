//===- TrainOptions.h - kiln-run train's command line -----------*- C++ -*-===//

#ifndef KILN_RUN_TRAINOPTIONS_H
#define KILN_RUN_TRAINOPTIONS_H

#include "kiln/train/PrepareData.h"

#include <array>
#include <cmath>
#include <set>
#include <string>
#include <vector>

namespace kiln::run {

/// kiln-run train's options: the data (DataRequest), the training, and
/// what to print or draw.
struct TrainOptions : kiln::train::DataRequest {
  std::string checkpoint, entry, samples;
  int64_t epochs = 1, batch = 64, warmup = 0, lrStep = 1, testLimit = 0;
  /// Inputs drawn from N(0, 1) for every batch instead of read from data.
  std::set<std::string> noise = {"z", "noise"};
  bool fullBatch = false, resume = false, json = false;
  /// Training curves, written after every epoch (PNG or SVG).
  std::string plot;
  /// TensorBoard event files.
  std::string logDir;
  double lr = NAN;
  std::string schedule = "cosine";
  /// Early stopping: epochs without improvement of the monitored
  /// validation metric before training stops (0: never).
  int64_t patience = 0;
  std::string monitor = "loss";
  /// A checkpoint of the best epoch by the monitored metric.
  std::string keepBest;
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
