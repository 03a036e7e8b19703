//===- Plot.h - Line charts and heat maps as PNG or SVG ---------*- C++ -*-===//
//
// Drawn with cairo: a file name ending in .svg gets vector output, any
// other a PNG.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PLOT_PLOT_H
#define KILN_PLOT_PLOT_H

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::plot {

struct Series {
  std::string label;
  std::vector<double> x, y;
  bool dashed = false;
  /// Dots at the points instead of a line through them (a scatter plot).
  bool points = false;
};

struct LineChart {
  std::string title, xLabel, yLabel;
  std::vector<Series> series;
  /// Both axes from 0 to 1 (ROC and precision-recall curves).
  bool unitSquare = false;
  /// Steps instead of straight lines: each point's y holds from the
  /// previous point's x on (PR curves, as average precision sums them).
  bool steps = false;
};

/// Writes the charts side by side, in one file.
bool writeLineCharts(const std::string &path,
                     const std::vector<LineChart> &charts, std::string &error);

/// A matrix of counts as shaded cells, each labelled with its count:
/// rows are the true classes, columns the predicted ones.
struct HeatMap {
  std::string title, rowLabel, columnLabel;
  std::vector<std::string> names;
  std::vector<int64_t> counts; ///< names.size() squared, row-major
};

bool writeHeatMap(const std::string &path, const HeatMap &map,
                  std::string &error);

} // namespace kiln::plot

#endif // KILN_PLOT_PLOT_H
