//===- EvaluationPlots.cpp - Charts of a model's scores -------------------===//

#include "kiln/plot/EvaluationPlots.h"

#include "kiln/plot/Plot.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>

using namespace kiln::plot;
using namespace kiln::train;

/// Predictions against targets, one dot per sample, with the diagonal a
/// perfect model would lie on.
bool kiln::plot::writeRegressionPlot(const std::string &dir,
                                     const std::string &format,
                                     const std::vector<float> &outputs,
                                     int64_t width,
                                     const std::vector<float> &targets,
                                     const std::string &model,
                                     std::string &error) {
  mkdir(dir.c_str(), 0755);
  LineChart chart;
  chart.title = model + ": predicted against true";
  chart.xLabel = "true value";
  chart.yLabel = "prediction";
  Series samples{"samples", {}, {}, false, true};
  for (size_t i = 0; i < targets.size(); ++i) {
    samples.x.push_back(targets[i]);
    samples.y.push_back(outputs[i * width]);
  }
  auto [low, high] = std::minmax_element(targets.begin(), targets.end());
  chart.series.push_back(std::move(samples));
  if (low != targets.end())
    chart.series.push_back({"prediction = true value", {*low, *high},
                            {*low, *high}, true});
  return writeLineCharts(dir + "/predictions." + format, {chart}, error);
}

bool kiln::plot::writeClassificationPlots(
    const std::string &dir, const std::string &format,
    const ClassificationMetrics &metrics, const std::vector<std::string> &names,
    const std::string &model, std::string &error) {
  mkdir(dir.c_str(), 0755);
  HeatMap confusion;
  confusion.title = model + ": confusion matrix";
  confusion.rowLabel = "true class";
  confusion.columnLabel = "predicted class";
  for (int64_t c = 0; c < metrics.classes; ++c)
    confusion.names.push_back(c < int64_t(names.size()) ? names[c]
                                                        : std::to_string(c));
  confusion.counts = metrics.confusion;
  if (!writeHeatMap(dir + "/confusion." + format, confusion, error))
    return false;
  if (!metrics.binary)
    return true;
  char label[96];
  LineChart roc;
  roc.title = model + ": ROC curve";
  roc.xLabel = "false positive rate";
  roc.yLabel = "true positive rate";
  roc.unitSquare = true;
  std::snprintf(label, sizeof label, "model (AUC %.4f)", metrics.rocAuc);
  roc.series.push_back(
      {label, metrics.falsePositiveRate, metrics.truePositiveRate, false});
  roc.series.push_back({"chance", {0, 1}, {0, 1}, true});
  LineChart pr;
  pr.title = model + ": precision-recall curve";
  pr.xLabel = "recall";
  pr.yLabel = "precision";
  pr.unitSquare = true;
  pr.steps = true;
  std::snprintf(label, sizeof label, "model (AP %.4f)",
                metrics.averagePrecision);
  Series curve{label, {0.0}, {1.0}, false};
  curve.x.insert(curve.x.end(), metrics.curveRecall.begin(),
                 metrics.curveRecall.end());
  curve.y.insert(curve.y.end(), metrics.curvePrecision.begin(),
                 metrics.curvePrecision.end());
  pr.series.push_back(curve);
  double base = double(metrics.support[metrics.positive]) /
                double(std::max<int64_t>(metrics.samples, 1));
  pr.series.push_back({"chance", {0, 1}, {base, base}, true});
  return writeLineCharts(dir + "/roc." + format, {roc}, error) &&
         writeLineCharts(dir + "/pr." + format, {pr}, error);
}

