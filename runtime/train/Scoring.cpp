//===- Scoring.cpp - A trained model judged on chosen samples -------------===//

#include "kiln/train/Scoring.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <numeric>

using namespace kiln::rt;
using namespace kiln::train;

bool kiln::train::selectSamples(const PreparedData &data, const std::string &on,
                                Samples &chosen, std::vector<int64_t> &indices,
                                std::string &error) {
  chosen = on == "test" ? data.test : data.train;
  if (on == "all")
    chosen.append(data.test);
  int64_t first = 0, end = chosen.count;
  if (on == "train")
    end = data.train.count - data.validationCount;
  if (on == "validation")
    first = data.train.count - data.validationCount;
  indices.assign(std::max<int64_t>(end - first, 0), 0);
  std::iota(indices.begin(), indices.end(), first);
  if (indices.empty()) {
    error = "no " + on + " samples to score";
    return false;
  }
  return true;
}

bool kiln::train::scoreModel(Session &session, const Dataset &samples,
                             const std::vector<int64_t> &indices,
                             const std::set<std::string> &noise, int positive,
                             Scorecard &scores, std::string &error) {
  const Module &module = session.module();
  std::vector<std::string> trainEntries;
  for (const EntrySpec &entry : module.entries())
    if (entry.isTrain)
      trainEntries.push_back(entry.name);
  if (trainEntries.empty()) {
    error = "the module has no train entry to say what the data's target is";
    return false;
  }
  Feed feed;
  Evaluation &evaluation = scores.evaluation;
  if (!bindInputs(*module.findEntry(trainEntries.front()), samples, noise,
                  feed, error) ||
      !evaluate(session, trainEntries, feed, noise, samples, indices,
                evaluation, error, /*keepOutputs=*/true))
    return false;
  scores.classification =
      evaluation.task == Evaluation::Task::Classification &&
      evaluation.outputWidth > 1;
  scores.regression = evaluation.task == Evaluation::Task::Regression &&
                      evaluation.outputWidth == 1;
  std::vector<int32_t> labels;
  std::vector<float> targets(samples.layout().targetWidth);
  for (int64_t i : indices) {
    samples.read(i, nullptr, targets.data());
    if (scores.classification)
      labels.push_back(static_cast<int32_t>(targets[0]));
    else
      scores.targets.push_back(targets[0]);
  }
  int64_t count = static_cast<int64_t>(indices.size());
  if (scores.classification)
    scores.classes =
        classificationMetrics(evaluation.outputs.data(), labels.data(), count,
                              evaluation.outputWidth, positive);
  else if (scores.regression)
    scores.regressionMetrics = regressionMetrics(
        evaluation.outputs.data(), scores.targets.data(), count);
  return true;
}

bool kiln::train::writePredictions(const std::string &path,
                                   const Samples &samples,
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


std::string kiln::train::scorecardJson(const Scorecard &scores,
                                       const std::string &model,
                                       const std::string &on,
                                       const Preprocessing &preprocessing) {
  const Evaluation &evaluation = scores.evaluation;
  std::string losses;
  for (const auto &[name, value] : evaluation.losses) {
    char part[96];
    std::snprintf(part, sizeof part, "%s\"%s\": %.9g",
                  losses.empty() ? "" : ", ", name.c_str(), value);
    losses += part;
  }
  std::string task = evaluation.describe().empty() ? "none" : "other";
  std::string metrics =
      scores.classification ? toJson(scores.classes, preprocessing.classes)
      : scores.regression   ? toJson(scores.regressionMetrics)
                            : "\"task\": \"" + task + "\"";
  return "{\"model\": \"" + model + "\", \"on\": \"" + on +
         "\", \"losses\": {" + losses + "}, " + metrics +
         ", \"preprocessing\": " + preprocessing.json() + "}";
}
