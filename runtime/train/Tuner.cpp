//===- Tuner.cpp - Hyperparameter search: settings, ranking, in-process ---===//

#include "kiln/train/Tuner.h"

#include "TunerSupport.h"

#include "kiln/runtime/Checkpoint.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

using namespace kiln::rt;
using namespace kiln::train;

bool kiln::train::trialSettings(const SearchRequest &request,
                                std::vector<TrialSettings> &settings,
                                std::string &error) {
  if (request.parameters.empty()) {
    error = "tune needs at least one --param NAME=VALUES";
    return false;
  }
  if (request.random) {
    settings = randomTrials(request.parameters, request.random, request.seed);
    return true;
  }
  return gridTrials(request.parameters, settings, error);
}

std::string kiln::train::describeSettings(const TrialSettings &settings) {
  std::string text;
  for (const auto &[name, value] : settings)
    text += (text.empty() ? "" : " ") + name + "=" + value;
  return text;
}

std::map<std::string, double>
kiln::train::numbersOf(const nlohmann::json &object,
                       const std::string &prefix) {
  std::map<std::string, double> numbers;
  if (!object.is_object())
    return numbers;
  for (const auto &member : object.items())
    if (member.value().is_number() && member.key().rfind(prefix, 0) == 0)
      numbers[member.key().substr(prefix.size())] =
          member.value().get<double>();
  return numbers;
}

void kiln::train::scoreTrial(Trial &trial, TuneResult &result) {
  if (result.metric.empty() && trial.ok) {
    for (const char *preferred : {"accuracy", "r2", "reconstruction_mse"})
      if (result.metric.empty() && trial.validation.count(preferred))
        result.metric = preferred;
    if (result.metric.empty())
      result.metric =
          trial.validation.empty() ? "loss" : trial.validation.begin()->first;
  }
  auto score = trial.validation.find(result.metric);
  if (score != trial.validation.end() && std::isfinite(score->second))
    trial.score = score->second;
  for (const auto &[name, value] : trial.validation)
    if (std::find(result.scoreNames.begin(), result.scoreNames.end(), name) ==
        result.scoreNames.end())
      result.scoreNames.push_back(name);
}

void kiln::train::rankTrials(TuneResult &result) {
  const std::string &metric = result.metric;
  bool higher = metric == "accuracy" || metric == "r2";
  std::string tieBreaker = "loss";
  for (const Trial &trial : result.trials)
    if (trial.ok && !trial.validation.count(tieBreaker) &&
        !trial.validation.empty())
      tieBreaker = trial.validation.begin()->first;
  result.ranking.clear();
  for (size_t i = 0; i < result.trials.size(); ++i)
    result.ranking.push_back(i);
  auto loss = [&](const Trial &trial) {
    auto found = trial.validation.find(tieBreaker);
    return found == trial.validation.end() ? INFINITY : found->second;
  };
  std::sort(result.ranking.begin(), result.ranking.end(),
            [&](size_t left, size_t right) {
              const Trial &a = result.trials[left], &b = result.trials[right];
              bool aScored = std::isfinite(a.score),
                   bScored = std::isfinite(b.score);
              if (aScored != bScored)
                return aScored;
              if (aScored && a.score != b.score)
                return higher ? a.score > b.score : a.score < b.score;
              // Equal scores (accuracy on a few samples) are told apart by
              // the loss.
              if (aScored && loss(a) != loss(b))
                return loss(a) < loss(b);
              return a.index < b.index;
            });
}

std::string kiln::train::formatScore(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

bool kiln::train::writeTrialsCsv(const std::string &path,
                                 const SearchRequest &request,
                                 const TuneResult &result,
                                 std::string &error) {
  std::ofstream csv(path);
  csv << "rank,trial";
  for (const SearchParameter &parameter : request.parameters)
    csv << "," << parameter.name;
  for (const std::string &name : result.scoreNames)
    csv << ",validation_" << name;
  for (const std::string &name : result.scoreNames)
    csv << ",test_" << name;
  csv << ",seconds,status\n";
  auto score = [](const std::map<std::string, double> &scores,
                  const std::string &name) {
    auto found = scores.find(name);
    return found == scores.end() ? std::string() : formatScore(found->second);
  };
  for (size_t rank = 0; rank < result.ranking.size(); ++rank) {
    const Trial &trial = result.trials[result.ranking[rank]];
    csv << rank + 1 << "," << trial.index;
    for (const SearchParameter &parameter : request.parameters)
      csv << "," << trial.settings.at(parameter.name);
    for (const std::string &name : result.scoreNames)
      csv << "," << score(trial.validation, name);
    for (const std::string &name : result.scoreNames)
      csv << "," << score(trial.test, name);
    std::string status = trial.ok ? "ok" : "failed: " + trial.failure;
    for (size_t at = 0; (at = status.find('"', at)) != std::string::npos;
         at += 2)
      status.insert(at, "\"");
    csv << "," << formatScore(trial.seconds) << ",\"" << status << "\"\n";
  }
  csv.close();
  if (!csv) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

bool kiln::train::finishSearch(const SearchRequest &request,
                               TuneResult &result, std::string &error) {
  rankTrials(result);
  if (!request.out.empty() &&
      !writeTrialsCsv(request.out + "/trials.csv", request, result, error))
    return false;
  if (result.trials.empty() || !std::isfinite(result.best().score)) {
    error = "no trial produced a validation " + result.metric +
            (request.out.empty()
                 ? std::string()
                 : " (see the trial-K.log files in " + request.out + ")");
    return false;
  }
  return true;
}

namespace {

/// Applies a trial's run-time settings to fit options.
bool applySettings(const TrialSettings &settings, FitOptions &fit,
                   std::string &error) {
  for (const auto &[name, value] : settings) {
    char *end = nullptr;
    double number = std::strtod(value.c_str(), &end);
    bool count = name == "batch" || name == "epochs";
    if (value.empty() || *end || number <= 0 ||
        (count && number != std::floor(number))) {
      error = name + " of a trial must be a positive " +
              (count ? "integer" : "number") + ", got '" + value + "'";
      return false;
    }
    if (name == "lr")
      fit.learningRate = number;
    else if (name == "batch")
      fit.batch = static_cast<int64_t>(number);
    else if (name == "epochs")
      fit.epochs = static_cast<int64_t>(number);
    else {
      error = "'" + name + "' is compiled into the model; in-process trials "
              "set lr, batch and epochs";
      return false;
    }
  }
  return true;
}

/// Keeps the last epoch's validation scores.
class LastValidation : public FitObserver {
public:
  bool onEpoch(Trainer &, const EpochReport &report, std::string &) override {
    if (report.validated)
      scores = numbersOf(report.validation.toJson(""));
    return true;
  }
  std::map<std::string, double> scores;
};

} // namespace

bool kiln::train::tuneInProcess(const Module &module, const PreparedData &data,
                                const FitOptions &base, unsigned threads,
                                const SearchRequest &request,
                                TuneObserver *observer, TuneResult &result,
                                std::string &error) {
  std::vector<TrialSettings> settings;
  if (!trialSettings(request, settings, error))
    return false;
  result = TuneResult();
  result.metric = request.metric;
  for (const TrialSettings &setting : settings) {
    if (observer && observer->stopRequested()) {
      error = "the search was interrupted after " +
              std::to_string(result.trials.size()) + " trials";
      return false;
    }
    Trial trial;
    trial.index = static_cast<int64_t>(result.trials.size()) + 1;
    trial.settings = setting;
    FitOptions fit = base;
    if (!applySettings(setting, fit, error))
      return false;
    if (!request.out.empty())
      fit.checkpoint = request.out + "/trial-" + std::to_string(trial.index) +
                       ".ckpt";
    auto started = std::chrono::steady_clock::now();
    Session session(module, fit.seed, threads);
    Trainer trainer(session, fit);
    LastValidation last;
    trainer.addObserver(last);
    if (FitObserver *outside = observer ? observer->trialObserver() : nullptr)
      trainer.addObserver(*outside);
    FitResult fitted;
    std::string failure;
    trial.ok = trainer.fit(data, fitted, failure);
    trial.failure = failure;
    trial.validation = last.scores;
    trial.test = numbersOf(fitted.test.toJson(""));
    trial.seconds = std::chrono::duration<double>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    scoreTrial(trial, result);
    result.trials.push_back(trial);
    if (observer)
      observer->onTrial(result.trials.back(), settings.size(), result.metric);
  }
  if (!finishSearch(request, result, error))
    return false;
  if (request.out.empty())
    return true;
  return keepBestCheckpoint(request.out, result, error);
}

bool kiln::train::keepBestCheckpoint(const std::string &out,
                                     const TuneResult &result,
                                     std::string &error) {
  auto checkpoint = [&](const Trial &trial) {
    return out + "/trial-" + std::to_string(trial.index) + ".ckpt";
  };
  if (std::rename(checkpoint(result.best()).c_str(),
                  (out + "/best.ckpt").c_str()) != 0) {
    error = "cannot keep the best checkpoint: " +
            std::string(std::strerror(errno));
    return false;
  }
  // The other checkpoints are the losers'.
  for (const Trial &trial : result.trials)
    std::remove(checkpoint(trial).c_str());
  return true;
}
