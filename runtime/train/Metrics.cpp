//===- Metrics.cpp - Classification and regression metrics ----------------===//

#include "kiln/train/Metrics.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

using namespace kiln::train;

namespace {

double ratio(double numerator, double denominator) {
  return denominator > 0 ? numerator / denominator : 0.0;
}

/// Walks the samples from the highest positive score down and calls
/// `point(truePositives, falsePositives)` after each distinct score.
template <typename Point>
void sweepThresholds(const std::vector<double> &scores,
                     const std::vector<bool> &isPositive, Point point) {
  std::vector<int64_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  // Equal scores form one point, so their order does not matter.
  std::sort(order.begin(), order.end(),
            [&](int64_t a, int64_t b) { return scores[a] > scores[b]; });
  int64_t truePositives = 0, falsePositives = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    (isPositive[order[i]] ? truePositives : falsePositives) += 1;
    if (i + 1 == order.size() || scores[order[i + 1]] != scores[order[i]])
      point(truePositives, falsePositives);
  }
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

std::string list(const std::vector<double> &values) {
  std::string text = "[";
  for (size_t i = 0; i < values.size(); ++i)
    text += (i ? ", " : "") + number(values[i]);
  return text + "]";
}

std::string quoted(const std::string &text) {
  return nlohmann::json(text).dump(-1, ' ', false,
                                  nlohmann::json::error_handler_t::replace);
}

std::string className(const std::vector<std::string> &names, int64_t c) {
  return c < static_cast<int64_t>(names.size()) ? names[c]
                                                : std::to_string(c);
}

} // namespace

ClassificationMetrics
kiln::train::classificationMetrics(const float *probabilities,
                                 const int32_t *labels, int64_t count,
                                 int64_t classes, int positive) {
  ClassificationMetrics m;
  m.classes = classes;
  m.samples = count;
  m.confusion.assign(classes * classes, 0);
  int64_t correct = 0;
  for (int64_t i = 0; i < count; ++i) {
    const float *row = probabilities + i * classes;
    int64_t predicted = std::max_element(row, row + classes) - row;
    m.confusion[labels[i] * classes + predicted] += 1;
    correct += predicted == labels[i];
  }
  m.accuracy = ratio(double(correct), double(count));
  for (int64_t c = 0; c < classes; ++c) {
    int64_t truePositives = m.confusion[c * classes + c], predicted = 0,
            actual = 0;
    for (int64_t k = 0; k < classes; ++k) {
      predicted += m.confusion[k * classes + c];
      actual += m.confusion[c * classes + k];
    }
    double precision = ratio(double(truePositives), double(predicted));
    double recall = ratio(double(truePositives), double(actual));
    m.precision.push_back(precision);
    m.recall.push_back(recall);
    m.f1.push_back(ratio(2 * precision * recall, precision + recall));
    m.support.push_back(actual);
  }
  auto mean = [&](const std::vector<double> &values) {
    return std::accumulate(values.begin(), values.end(), 0.0) /
           double(std::max<int64_t>(classes, 1));
  };
  m.macroPrecision = mean(m.precision);
  m.macroRecall = mean(m.recall);
  m.macroF1 = mean(m.f1);

  m.binary = classes == 2;
  if (!m.binary)
    return m;
  m.positive = positive;
  std::vector<double> scores(count);
  std::vector<bool> isPositive(count);
  int64_t positives = 0;
  for (int64_t i = 0; i < count; ++i) {
    scores[i] = probabilities[i * classes + positive];
    isPositive[i] = labels[i] == positive;
    positives += isPositive[i];
  }
  int64_t negatives = count - positives;
  m.falsePositiveRate = {0.0};
  m.truePositiveRate = {0.0};
  double previousRecall = 0;
  sweepThresholds(scores, isPositive, [&](int64_t tp, int64_t fp) {
    double tpr = ratio(double(tp), double(positives));
    double fpr = ratio(double(fp), double(negatives));
    m.rocAuc += (fpr - m.falsePositiveRate.back()) *
                (tpr + m.truePositiveRate.back()) / 2;
    m.falsePositiveRate.push_back(fpr);
    m.truePositiveRate.push_back(tpr);
    double precision = ratio(double(tp), double(tp + fp));
    m.averagePrecision += (tpr - previousRecall) * precision;
    previousRecall = tpr;
    m.curvePrecision.push_back(precision);
    m.curveRecall.push_back(tpr);
  });
  return m;
}

RegressionMetrics kiln::train::regressionMetrics(const float *predictions,
                                               const float *targets,
                                               int64_t count) {
  RegressionMetrics m;
  m.samples = count;
  double squares = 0, absolute = 0, sum = 0;
  for (int64_t i = 0; i < count; ++i) {
    double residual = double(predictions[i]) - double(targets[i]);
    squares += residual * residual;
    absolute += std::fabs(residual);
    sum += targets[i];
  }
  double mean = ratio(sum, double(count)), variance = 0;
  for (int64_t i = 0; i < count; ++i)
    variance += (targets[i] - mean) * (targets[i] - mean);
  m.mse = ratio(squares, double(count));
  m.mae = ratio(absolute, double(count));
  // As scikit-learn's r2_score: a constant target scores 1 when predicted
  // exactly and 0 otherwise.
  m.r2 = variance > 0 ? 1 - squares / variance : (squares == 0 ? 1.0 : 0.0);
  return m;
}

std::string kiln::train::describe(const ClassificationMetrics &m,
                                const std::vector<std::string> &names) {
  std::string text;
  char line[256];
  size_t width = 9;
  for (int64_t c = 0; c < m.classes; ++c)
    width = std::max(width, className(names, c).size());
  int w = static_cast<int>(width);
  std::snprintf(line, sizeof line, "%-*s %9s %9s %9s %9s\n", w, "class",
                "precision", "recall", "F1", "support");
  text += line;
  for (int64_t c = 0; c < m.classes; ++c) {
    std::snprintf(line, sizeof line, "%-*s %9.4f %9.4f %9.4f %9lld\n", w,
                  className(names, c).c_str(), m.precision[c], m.recall[c],
                  m.f1[c], static_cast<long long>(m.support[c]));
    text += line;
  }
  std::snprintf(line, sizeof line, "%-*s %9.4f %9.4f %9.4f %9lld\n", w,
                "macro avg", m.macroPrecision, m.macroRecall, m.macroF1,
                static_cast<long long>(m.samples));
  text += line;
  std::snprintf(line, sizeof line, "accuracy %.4f (%lld samples)\n",
                m.accuracy, static_cast<long long>(m.samples));
  text += line;
  if (m.binary) {
    std::snprintf(line, sizeof line,
                  "ROC AUC %.4f, average precision %.4f (positive: %s)\n",
                  m.rocAuc, m.averagePrecision,
                  className(names, m.positive).c_str());
    text += line;
  }
  text += "confusion matrix (rows: true class, columns: predicted):\n";
  int cell = 5;
  for (int64_t c : m.confusion)
    cell = std::max(cell, static_cast<int>(std::to_string(c).size()));
  for (int64_t c = 0; c < m.classes; ++c)
    cell = std::max(cell, static_cast<int>(className(names, c).size()));
  std::snprintf(line, sizeof line, "%-*s", w, "");
  text += line;
  for (int64_t c = 0; c < m.classes; ++c) {
    std::snprintf(line, sizeof line, " %*s", cell,
                  className(names, c).c_str());
    text += line;
  }
  text += "\n";
  for (int64_t r = 0; r < m.classes; ++r) {
    std::snprintf(line, sizeof line, "%-*s", w, className(names, r).c_str());
    text += line;
    for (int64_t c = 0; c < m.classes; ++c) {
      std::snprintf(line, sizeof line, " %*lld", cell,
                    static_cast<long long>(m.confusion[r * m.classes + c]));
      text += line;
    }
    text += "\n";
  }
  return text;
}

std::string kiln::train::toJson(const ClassificationMetrics &m,
                              const std::vector<std::string> &names) {
  std::string classList = "[", confusion = "[";
  for (int64_t c = 0; c < m.classes; ++c) {
    classList += (c ? ", " : "") + quoted(className(names, c));
    std::vector<double> row(m.confusion.begin() + c * m.classes,
                            m.confusion.begin() + (c + 1) * m.classes);
    confusion += (c ? ", " : "") + list(row);
  }
  std::vector<double> support(m.support.begin(), m.support.end());
  std::string text =
      "\"task\": \"classification\", \"samples\": " + number(m.samples) +
      ", \"classes\": " + classList + "], \"accuracy\": " +
      number(m.accuracy) + ", \"precision\": " + list(m.precision) +
      ", \"recall\": " + list(m.recall) + ", \"f1\": " + list(m.f1) +
      ", \"support\": " + list(support) +
      ", \"macro_precision\": " + number(m.macroPrecision) +
      ", \"macro_recall\": " + number(m.macroRecall) +
      ", \"macro_f1\": " + number(m.macroF1) +
      ", \"confusion\": " + confusion + "]";
  if (m.binary)
    text += ", \"positive\": " + number(m.positive) +
            ", \"roc_auc\": " + number(m.rocAuc) +
            ", \"average_precision\": " + number(m.averagePrecision) +
            ", \"roc\": {\"fpr\": " + list(m.falsePositiveRate) +
            ", \"tpr\": " + list(m.truePositiveRate) +
            "}, \"pr\": {\"precision\": " + list(m.curvePrecision) +
            ", \"recall\": " + list(m.curveRecall) + "}";
  return text;
}

std::string kiln::train::describe(const RegressionMetrics &m) {
  char text[160];
  std::snprintf(text, sizeof text,
                "MSE %.6g, MAE %.6g, R^2 %.4f (%lld samples)\n", m.mse, m.mae,
                m.r2, static_cast<long long>(m.samples));
  return text;
}

std::string kiln::train::toJson(const RegressionMetrics &m) {
  return "\"task\": \"regression\", \"samples\": " + number(m.samples) +
         ", \"mse\": " + number(m.mse) + ", \"mae\": " + number(m.mae) +
         ", \"r2\": " + number(m.r2);
}
