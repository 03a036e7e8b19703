//===- TrainingCurves.cpp - Loss and metric per epoch, plotted ------------===//

#include "kiln/plot/TrainingCurves.h"

#include "kiln/plot/Plot.h"

#include <cmath>

using namespace kiln::plot;
using kiln::train::Evaluation;

std::vector<double> &TrainingCurves::lossSeries(const std::string &label) {
  for (auto &[name, values] : losses)
    if (name == label)
      return values;
  losses.push_back({label, {}});
  return losses.back().second;
}

void TrainingCurves::record(
    int64_t epoch,
    const std::vector<std::pair<std::string, double>> &trainLosses,
    const Evaluation &validation) {
  epochs.push_back(double(epoch));
  // A series missing in an epoch (no validation samples) stays a gap.
  auto add = [&](const std::string &label, double value) {
    std::vector<double> &values = lossSeries(label);
    values.resize(epochs.size() - 1, NAN);
    values.push_back(value);
  };
  for (const auto &[name, value] : trainLosses)
    add("train " + name, value);
  for (const auto &[name, value] : validation.losses)
    add("validation " + name, value);
  switch (validation.task) {
  case Evaluation::Task::Classification:
    metricName = "validation accuracy (%)";
    metric.push_back(100 * validation.accuracy);
    break;
  case Evaluation::Task::Regression:
    metricName = "validation R^2";
    metric.push_back(validation.r2);
    break;
  case Evaluation::Task::Reconstruction:
    metricName = "validation reconstruction MSE";
    metric.push_back(validation.mse);
    break;
  case Evaluation::Task::None:
    break;
  }
}

bool TrainingCurves::write(const std::string &path, const std::string &model,
                           std::string &error) const {
  LineChart lossChart;
  lossChart.title = model + ": loss per epoch";
  lossChart.xLabel = "epoch";
  lossChart.yLabel = "loss";
  for (const auto &[label, values] : losses) {
    Series series{label, epochs, values, false};
    series.y.resize(epochs.size(), NAN);
    lossChart.series.push_back(series);
  }
  std::vector<LineChart> charts = {lossChart};
  if (!metric.empty() && metric.size() == epochs.size()) {
    LineChart metricChart;
    metricChart.title = model + ": " + metricName;
    metricChart.xLabel = "epoch";
    metricChart.yLabel = metricName;
    metricChart.series.push_back({metricName, epochs, metric, false});
    charts.push_back(metricChart);
  }
  return writeLineCharts(path, charts, error);
}
