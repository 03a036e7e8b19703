//===- TrainOptions.h - kiln-run train's command line -----------*- C++ -*-===//

#ifndef KILN_RUN_TRAINOPTIONS_H
#define KILN_RUN_TRAINOPTIONS_H

#include "Commands.h"

#include "kiln/train/PrepareData.h"

#include <cmath>
#include <set>
#include <string>

namespace kiln::run {

/// kiln-run train's options: the data (DataRequest), the training, and
/// what to print or draw.
struct TrainOptions : kiln::train::DataRequest {
  std::string checkpoint, entries, samples;
  int64_t epochs = 1, batch = 64, warmup = 0, lrStep = 1, testLimit = 0;
  /// Inputs drawn from N(0, 1) for every batch instead of read from data.
  std::set<std::string> noise;
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

/// The data options train, eval and export share (--data, --split,
/// --scale, --seed, ...).
void addDataOptions(CLI::App &command, kiln::train::DataRequest &request);
/// --noise NAME: inputs drawn from N(0, 1) rather than read, besides those
/// the model declares as noise.
void addNoiseOption(CLI::App &command, std::set<std::string> &noise);
/// What the data options cannot say alone: --data is known, .npy data has
/// targets. Without `requireData` the data may come from a checkpoint.
bool checkDataOptions(const kiln::train::DataRequest &request,
                      bool requireData, std::string &error);

/// kiln-run train's own options (epochs, batch, schedule, checkpoints,
/// loggers), and the checks that need several of them.
void addFitOptions(CLI::App &command, TrainOptions &options);
bool checkFitOptions(const TrainOptions &options, std::string &error);

} // namespace kiln::run

#endif // KILN_RUN_TRAINOPTIONS_H
