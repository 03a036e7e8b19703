//===- Scoring.h - A trained model judged on chosen samples -----*- C++ -*-===//
//
// What `kiln-run eval` computes: the samples to score (test, validation,
// train or all of a prepared data set), the model's losses and outputs on
// them, and the task's metrics: accuracy, per-class precision, recall and
// F1, confusion, ROC and PR for a classifier; MSE, MAE and R^2 for a
// regression.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAIN_SCORING_H
#define KILN_TRAIN_SCORING_H

#include "kiln/train/Evaluate.h"
#include "kiln/train/Metrics.h"
#include "kiln/train/PrepareData.h"

#include <set>
#include <string>
#include <vector>

namespace kiln::train {

/// The samples `on` names ("test", "validation", "train" or "all") and
/// their indices; validation samples are the last of the training split.
bool selectSamples(const PreparedData &data, const std::string &on,
                   Samples &chosen, std::vector<int64_t> &indices,
                   std::string &error);

struct Scorecard {
  Evaluation evaluation;
  /// Class probabilities against labels, or one prediction per target.
  bool classification = false, regression = false;
  ClassificationMetrics classes;
  RegressionMetrics regressionMetrics;
  /// The scored samples' targets (a regression's).
  std::vector<float> targets;
};

/// Scores `session`'s model on `indices` of `samples`: the losses of its
/// train entries and the metrics of its inference entry's first output;
/// `positive` is a binary problem's positive class.
bool scoreModel(kiln::rt::Session &session, const Dataset &samples,
                const std::vector<int64_t> &indices,
                const std::set<std::string> &noise, int positive,
                Scorecard &scores, std::string &error);

/// The scores as one line of JSON: {"model", "on", "losses", the task's
/// metrics, "preprocessing"}.
std::string scorecardJson(const Scorecard &scores, const std::string &model,
                          const std::string &on,
                          const Preprocessing &preprocessing);

/// A CSV file: each sample's row in the data file (when known), its label
/// or target, and the model's outputs (nine digits: the same floats read
/// back).
bool writePredictions(const std::string &path, const Samples &samples,
                      const std::vector<int64_t> &indices,
                      const Evaluation &scores, bool classes,
                      std::string &error);

} // namespace kiln::train

#endif // KILN_TRAIN_SCORING_H
