//===- Metrics.h - Classification and regression metrics --------*- C++ -*-===//
//
// Definitions follow scikit-learn's, so that its numbers and Kiln's agree
// on the same predictions: a precision or recall with nothing to divide is
// 0; ROC AUC is the trapezoidal area under the curve through every
// distinct score; average precision is the sum over those thresholds of
// precision times the step in recall.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAIN_METRICS_H
#define KILN_TRAIN_METRICS_H

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::train {

struct ClassificationMetrics {
  int64_t classes = 0, samples = 0;
  /// confusion[truth * classes + predicted]
  std::vector<int64_t> confusion;
  std::vector<double> precision, recall, f1;
  std::vector<int64_t> support;
  double accuracy = 0, macroPrecision = 0, macroRecall = 0, macroF1 = 0;

  /// Two classes: curves of the positive class's score.
  bool binary = false;
  int positive = 1;
  /// ROC points from (0, 0), one per distinct score, highest first.
  std::vector<double> falsePositiveRate, truePositiveRate;
  double rocAuc = 0;
  /// Precision-recall points, one per distinct score, highest first.
  std::vector<double> curvePrecision, curveRecall;
  double averagePrecision = 0;
};

/// Scores `count` rows of `classes` probabilities against `labels`; the
/// prediction is the most probable class (the first of equals).
ClassificationMetrics classificationMetrics(const float *probabilities,
                                            const int32_t *labels,
                                            int64_t count, int64_t classes,
                                            int positive = 1);

struct RegressionMetrics {
  double mse = 0, mae = 0, r2 = 0;
  int64_t samples = 0;
};

RegressionMetrics regressionMetrics(const float *predictions,
                                    const float *targets, int64_t count);

/// A terminal table: per-class precision, recall, F1 and support, the
/// macro averages, the confusion matrix, and the AUCs of a binary problem.
std::string describe(const ClassificationMetrics &metrics,
                     const std::vector<std::string> &classNames);
/// The metrics as JSON members (no braces), curves included.
std::string toJson(const ClassificationMetrics &metrics,
                   const std::vector<std::string> &classNames);
std::string describe(const RegressionMetrics &metrics);
std::string toJson(const RegressionMetrics &metrics);

} // namespace kiln::train

#endif // KILN_TRAIN_METRICS_H
