//===- EvaluationPlots.h - Charts of a model's scores -----------*- C++ -*-===//
//
// What `kiln-run eval --plot DIR` draws: a classifier's confusion matrix
// (and, for two classes, its ROC and precision-recall curves), a
// regression's predictions against the true values.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PLOT_EVALUATIONPLOTS_H
#define KILN_PLOT_EVALUATIONPLOTS_H

#include "kiln/train/Metrics.h"

#include <string>
#include <vector>

namespace kiln::plot {

/// DIR/confusion.FORMAT, and for two classes DIR/roc.FORMAT and
/// DIR/pr.FORMAT (FORMAT png or svg); `names` are the class names.
bool writeClassificationPlots(const std::string &dir, const std::string &format,
                              const kiln::train::ClassificationMetrics &metrics,
                              const std::vector<std::string> &names,
                              const std::string &model, std::string &error);

/// DIR/predictions.FORMAT: the first of each sample's `width` outputs
/// against its target.
bool writeRegressionPlot(const std::string &dir, const std::string &format,
                         const std::vector<float> &outputs, int64_t width,
                         const std::vector<float> &targets,
                         const std::string &model, std::string &error);

} // namespace kiln::plot

#endif // KILN_PLOT_EVALUATIONPLOTS_H
