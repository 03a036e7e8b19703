//===- MetricMonitor.cpp - Early stopping and the best epoch --------------===//

#include "kiln/train/MetricMonitor.h"

#include <cstdio>
#include <sstream>

using namespace kiln::train;

namespace {
/// Losses and errors improve downwards, accuracy and R^2 upwards.
bool higherIsBetter(const std::string &metric) {
  return metric == "accuracy" || metric == "r2";
}
} // namespace

MetricMonitor::MetricMonitor(std::string metric, int64_t patience)
    : metric_(std::move(metric)), patience_(patience) {}

bool MetricMonitor::isKnownMetric(const std::string &metric) {
  return metric == "loss" || metric == "accuracy" || metric == "mse" ||
         metric == "r2";
}

bool MetricMonitor::record(int64_t epoch, const Evaluation &validation,
                           bool &improved, std::string &error) {
  using Task = Evaluation::Task;
  double value = 0;
  if (metric_ == "loss" && !validation.losses.empty())
    value = validation.losses.front().second;
  else if (metric_ == "accuracy" && validation.task == Task::Classification)
    value = validation.accuracy;
  else if ((metric_ == "mse" && (validation.task == Task::Regression ||
                                 validation.task == Task::Reconstruction)) ||
           (metric_ == "r2" && validation.task == Task::Regression))
    value = metric_ == "mse" ? validation.mse : validation.r2;
  else {
    error = "--monitor " + metric_ + ": the validation scores have no " +
            metric_ + " (they are: " + validation.describe() +
            "); monitor loss" +
            (validation.task == Task::Classification ? " or accuracy"
             : validation.task == Task::Regression   ? ", mse or r2"
                                                     : "");
    return false;
  }
  improved = bestEpoch_ == 0 ||
             (higherIsBetter(metric_) ? value > best_ : value < best_);
  if (improved) {
    best_ = value;
    bestEpoch_ = epoch;
    stale_ = 0;
  } else {
    ++stale_;
  }
  return true;
}

std::string MetricMonitor::describeBest() const {
  char text[96];
  std::snprintf(text, sizeof text, "validation %s %.4f at epoch %lld",
                metric_.c_str(), best_, static_cast<long long>(bestEpoch_));
  return text;
}

std::string MetricMonitor::serialize() const {
  char text[128];
  std::snprintf(text, sizeof text, "%s %.17g %lld %lld", metric_.c_str(),
                best_, static_cast<long long>(bestEpoch_),
                static_cast<long long>(stale_));
  return text;
}

bool MetricMonitor::parse(const std::string &text, std::string &error) {
  std::istringstream in(text);
  in.exceptions(std::ios::badbit); // an allocation failure gets through
  std::string metric;
  double best = 0;
  long long bestEpoch = 0, stale = 0;
  if (!(in >> metric >> best >> bestEpoch >> stale) || bestEpoch < 0 ||
      stale < 0) {
    error = "the checkpoint's monitor state '" + text + "' is malformed";
    return false;
  }
  if (metric != metric_) {
    error = "the checkpoint was monitoring validation " + metric +
            ", not " + metric_ + ": resume with --monitor " + metric;
    return false;
  }
  best_ = best;
  bestEpoch_ = bestEpoch;
  stale_ = stale;
  return true;
}
