//===- EvalCommand.cpp - kiln-run eval ------------------------------------===//
//
// Judges a trained model on held-out samples: the checkpoint brings the
// parameters and the preprocessing fitted in training (with the data's
// name and split), so `kiln-run eval model.kmod --checkpoint c.ckpt` scores
// the very test samples training held out.
//
//===----------------------------------------------------------------------===//

#include "EvalCommand.h"

#include "CommandLine.h"
#include "TrainOptions.h"

#include "kiln/train/Evaluate.h"
#include "kiln/train/Feed.h"
#include "kiln/train/Metrics.h"
#include "kiln/plot/Plot.h"
#include "kiln/train/PrepareData.h"

#include "kiln/runtime/Checkpoint.h"
#include "kiln/runtime/Session.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <numeric>

using namespace kiln::rt;
using namespace kiln::run;
using namespace kiln::train;
using namespace kiln::plot;

const char kiln::run::kEvalUsage[] =
    "usage: kiln-run eval model.kmod --checkpoint FILE [options]\n"
    "Scores the model on held-out samples: the losses of its train entries\n"
    "and, for a classifier, accuracy, per-class and macro precision, recall\n"
    "and F1, the confusion matrix, and for two classes ROC AUC and average\n"
    "precision; for a regression, MSE, MAE and R^2.\n"
    "  --checkpoint FILE         the trained parameters; its preprocessing,\n"
    "                            data and split are the defaults\n"
    "  --on test|validation|train|all  the samples to score (default test)\n"
    "  --json                    print the metrics as one JSON object\n"
    "  --plot DIR                write DIR/confusion.png, and for two classes\n"
    "                            DIR/roc.png and DIR/pr.png; for a regression\n"
    "                            DIR/predictions.png (predicted against true)\n"
    "  --plot-format png|svg     the plots' format (default png)\n"
    "  --predictions FILE.csv    each sample's row in the data file, label\n"
    "                            or target, and the model's output\n"
    "  --positive K              the positive class of a binary problem\n"
    "                            (default 1)\n"
    "  --threads N               threads (default: one per core)\n"
    "Data options (--data, --target, --split, --seed, ... as for kiln-run\n"
    "train) replace the checkpoint's: --data new.csv scores every sample of\n"
    "new.csv with --on all.\n";

namespace {

struct EvalOptions {
  std::string checkpoint, on = "test", plotDir, plotFormat = "png",
                          predictions;
  bool json = false;
  int64_t positive = 1;
  unsigned threads = 0;
};

/// Splits eval's own options from the data options it shares with train.
bool parseEvalOptions(const std::vector<std::string> &args,
                      EvalOptions &options, std::vector<std::string> &rest,
                      std::string &error) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &flag = args[i];
    auto value = [&](std::string &out) {
      if (i + 1 >= args.size()) {
        error = flag + " expects a value";
        return false;
      }
      out = args[++i];
      return true;
    };
    std::string text;
    if (flag == "--checkpoint") {
      if (!value(options.checkpoint))
        return false;
    } else if (flag == "--on") {
      if (!value(options.on))
        return false;
      if (options.on != "test" && options.on != "validation" &&
          options.on != "train" && options.on != "all") {
        error = "--on is test, validation, train or all";
        return false;
      }
    } else if (flag == "--json") {
      options.json = true;
    } else if (flag == "--plot") {
      if (!value(options.plotDir))
        return false;
    } else if (flag == "--plot-format") {
      if (!value(options.plotFormat))
        return false;
      if (options.plotFormat != "png" && options.plotFormat != "svg") {
        error = "--plot-format is png or svg";
        return false;
      }
    } else if (flag == "--predictions") {
      if (!value(options.predictions))
        return false;
    } else if (flag == "--positive") {
      if (!value(text))
        return false;
      double number;
      if (!parseNumber(text, number) || number < 0 || number > 1) {
        error = "--positive expects 0 or 1";
        return false;
      }
      options.positive = static_cast<int64_t>(number);
    } else if (flag == "--threads") {
      if (!value(text) || !parseThreads(text, options.threads)) {
        error = "--threads expects a number of threads";
        return false;
      }
    } else {
      rest.push_back(flag);
    }
  }
  if (options.checkpoint.empty()) {
    error = "--checkpoint is required (the trained parameters)";
    return false;
  }
  return true;
}

bool writePredictions(const std::string &path, const Samples &samples,
                      const std::vector<int64_t> &indices,
                      const Evaluation &scores, bool classes,
                      std::string &error) {
  std::ofstream out(path);
  if (!out) {
    error = "cannot write '" + path + "'";
    return false;
  }
  bool rows = !samples.rows.empty();
  if (rows)
    out << "row,";
  out << (classes ? "label" : "target");
  for (int64_t k = 0; k < scores.outputWidth; ++k)
    out << "," << (classes ? "p" + std::to_string(k)
                           : scores.outputWidth == 1 ? std::string("prediction")
                                                     : "y" + std::to_string(k));
  out << "\n";
  char number[32];
  for (size_t i = 0; i < indices.size(); ++i) {
    if (rows)
      out << samples.rows[indices[i]] << ",";
    if (classes)
      out << samples.labels[indices[i]];
    else {
      std::snprintf(number, sizeof number, "%.9g",
                    samples.targets[indices[i]]);
      out << number;
    }
    for (int64_t k = 0; k < scores.outputWidth; ++k) {
      // Nine digits read back as the same float.
      std::snprintf(number, sizeof number, ",%.9g",
                    scores.outputs[i * scores.outputWidth + k]);
      out << number;
    }
    out << "\n";
  }
  out.flush();
  if (!out) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

/// Predictions against targets, one dot per sample, with the diagonal a
/// perfect model would lie on.
bool writeRegressionPlot(const std::string &dir, const std::string &format,
                         const std::vector<float> &outputs, int64_t width,
                         const std::vector<float> &targets,
                         const std::string &model, std::string &error) {
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

bool writeClassificationPlots(const std::string &dir, const std::string &format,
                              const ClassificationMetrics &metrics,
                              const std::vector<std::string> &names,
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

} // namespace

int kiln::run::eval(const Module &module,
                    const std::vector<std::string> &args) {
  EvalOptions options;
  std::vector<std::string> dataArgs;
  std::string error;
  if (!parseEvalOptions(args, options, dataArgs, error))
    return fail(error);
  TrainOptions dataOptions;
  if (!parseOptions(dataArgs, dataOptions, error, /*requireData=*/false)) {
    size_t train = error.find("kiln-run train --help");
    if (train != std::string::npos)
      error.replace(train, 21, "kiln-run eval --help");
    return fail(error);
  }

  Session session(module, 0, options.threads);
  CheckpointMetadata metadata;
  if (!loadCheckpoint(session, options.checkpoint, error, &metadata))
    return fail(error);
  Preprocessing fitted;
  bool hasFitted = metadata.count(kPreprocessingKey);
  if (hasFitted && !fitted.parse(metadata[kPreprocessingKey], error))
    return fail(options.checkpoint + ": " + error);
  PreparedData data;
  if (!prepareData(dataOptions, hasFitted ? &fitted : nullptr, data, error))
    return fail(error);
  printHints(data.hints);

  // The chosen samples: validation samples are the last of the training
  // split.
  Samples chosen = options.on == "test" ? data.test : data.train;
  if (options.on == "all")
    chosen.append(data.test);
  int64_t first = 0, end = chosen.count;
  if (options.on == "train")
    end = data.train.count - data.validationCount;
  if (options.on == "validation")
    first = data.train.count - data.validationCount;
  std::vector<int64_t> indices(std::max<int64_t>(end - first, 0));
  std::iota(indices.begin(), indices.end(), first);
  const Samples *scored = &chosen;
  if (indices.empty())
    return fail("no " + options.on + " samples to score");

  std::vector<std::string> trainEntries;
  for (const EntrySpec &entry : module.entries())
    if (entry.isTrain)
      trainEntries.push_back(entry.name);
  if (trainEntries.empty())
    return fail("the module has no train entry to say what the data's "
                "target is");
  Feed feed;
  if (!bindInputs(*module.findEntry(trainEntries.front()), *scored,
                  dataOptions.noise, feed, error))
    return fail(error);
  Evaluation scores;
  if (!evaluate(session, trainEntries, feed, dataOptions.noise, *scored,
                indices, scores, error, /*keepOutputs=*/true))
    return fail(error);

  bool classification = scores.task == Evaluation::Task::Classification &&
                        scores.outputWidth > 1;
  bool regression = scores.task == Evaluation::Task::Regression &&
                    scores.outputWidth == 1;
  ClassificationMetrics classMetrics;
  RegressionMetrics regressionMetric;
  std::vector<int32_t> labels;
  std::vector<float> targets;
  for (int64_t i : indices) {
    if (classification)
      labels.push_back(scored->labels[i]);
    else
      targets.push_back(scored->targets[i]);
  }
  int64_t count = static_cast<int64_t>(indices.size());
  if (classification)
    classMetrics = classificationMetrics(scores.outputs.data(), labels.data(),
                                         count, scores.outputWidth,
                                         static_cast<int>(options.positive));
  else if (regression)
    regressionMetric =
        regressionMetrics(scores.outputs.data(), targets.data(), count);

  const std::vector<std::string> &names = data.preprocessing.classes;
  if (options.json) {
    std::string losses;
    for (const auto &[name, value] : scores.losses) {
      char part[96];
      std::snprintf(part, sizeof part, "%s\"%s\": %.9g",
                    losses.empty() ? "" : ", ", name.c_str(), value);
      losses += part;
    }
    std::string metrics = classification ? toJson(classMetrics, names)
                          : regression   ? toJson(regressionMetric)
                                         : "\"task\": \"" +
                                             std::string(scores.describe().empty()
                                                             ? "none"
                                                             : "other") +
                                             "\"";
    std::printf("{\"model\": \"%s\", \"on\": \"%s\", \"losses\": {%s}, %s, "
                "\"preprocessing\": %s}\n",
                module.name().c_str(), options.on.c_str(), losses.c_str(),
                metrics.c_str(), data.preprocessing.json().c_str());
  } else {
    std::printf("%s on %lld %s samples: %s\n", module.name().c_str(),
                static_cast<long long>(count), options.on.c_str(),
                scores.describe().c_str());
    if (classification)
      std::fputs(describe(classMetrics, names).c_str(), stdout);
    else if (regression)
      std::fputs(describe(regressionMetric).c_str(), stdout);
  }

  if (!options.predictions.empty() &&
      !writePredictions(options.predictions, *scored, indices, scores,
                        classification, error))
    return fail(error);
  if (!options.plotDir.empty()) {
    bool drawn =
        classification
            ? writeClassificationPlots(options.plotDir, options.plotFormat,
                                       classMetrics, names, module.name(),
                                       error)
        : regression
            ? writeRegressionPlot(options.plotDir, options.plotFormat,
                                  scores.outputs, scores.outputWidth, targets,
                                  module.name(), error)
            : (error = "--plot draws a classifier's or a regression's "
                       "results; this model is neither",
               false);
    if (!drawn)
      return fail(error);
  }
  return 0;
}
