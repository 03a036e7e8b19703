//===- MetricMonitor.h - Early stopping and the best epoch ------*- C++ -*-===//
//
// Tracks one validation metric across epochs, as Keras' EarlyStopping and
// ModelCheckpoint(save_best_only=True) do: whether an epoch improved it,
// and whether it has gone `patience` epochs without improving. Its state
// travels in the checkpoint's metadata, so a resumed run stops where an
// uninterrupted one would.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAIN_METRICMONITOR_H
#define KILN_TRAIN_METRICMONITOR_H

#include "kiln/train/Evaluate.h"

#include <string>

namespace kiln::train {

class MetricMonitor {
public:
  /// `metric` is "loss" (the first train entry's), "accuracy", "mse" or
  /// "r2"; `patience` 0 never stops.
  MetricMonitor(std::string metric, int64_t patience);

  /// Whether `metric` is a name the monitor knows.
  static bool isKnownMetric(const std::string &metric);

  /// Reads the metric from this epoch's validation; sets `improved` when it
  /// is the best so far. Fails when the evaluation has no such metric.
  bool record(int64_t epoch, const Evaluation &validation, bool &improved,
              std::string &error);
  /// Patience ran out: stop training.
  bool exhausted() const { return patience_ > 0 && stale_ >= patience_; }
  int64_t bestEpoch() const { return bestEpoch_; }
  /// "validation loss 0.2345 at epoch 3".
  std::string describeBest() const;

  /// The checkpoint metadata key and value of the monitor's state.
  static constexpr const char *kMetadataKey = "kiln-run.monitor";
  std::string serialize() const;
  /// Restores a state `serialize` wrote for the same metric; fails on text
  /// it cannot read or another metric.
  bool parse(const std::string &text, std::string &error);

private:
  std::string metric_;
  int64_t patience_;
  double best_ = 0;
  int64_t bestEpoch_ = 0; ///< 1-based; 0 before any epoch
  int64_t stale_ = 0;     ///< epochs since the best
};

} // namespace kiln::train

#endif // KILN_TRAIN_METRICMONITOR_H
