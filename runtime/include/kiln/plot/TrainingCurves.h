//===- TrainingCurves.h - Loss and metric per epoch, plotted ----*- C++ -*-===//

#ifndef KILN_PLOT_TRAININGCURVES_H
#define KILN_PLOT_TRAININGCURVES_H

#include "kiln/train/Evaluate.h"

#include <map>
#include <string>
#include <vector>

namespace kiln::plot {

using kiln::train::Evaluation;

/// What `kiln-run train --plot` draws: each loss on the training and the
/// validation samples per epoch, and the validation metric beside it.
class TrainingCurves {
public:
  void record(int64_t epoch,
              const std::vector<std::pair<std::string, double>> &trainLosses,
              const Evaluation &validation);
  /// Writes the charts (PNG, or SVG for a .svg path).
  bool write(const std::string &path, const std::string &model,
             std::string &error) const;

private:
  std::vector<double> epochs;
  /// Series by label ("train loss", "validation loss", ...), one value per
  /// epoch.
  std::vector<std::pair<std::string, std::vector<double>>> losses;
  std::string metricName;
  std::vector<double> metric;

  std::vector<double> &lossSeries(const std::string &label);
};

} // namespace kiln::plot

#endif // KILN_PLOT_TRAININGCURVES_H
