//===- SearchSpace.cpp - Hyperparameters to search over -------------------===//

#include "kiln/train/SearchSpace.h"

#include "TextParsing.h"

#include <cmath>
#include <random>
#include <sstream>

using namespace kiln::train;

namespace {
bool isInteger(const std::string &text) {
  double value;
  return parseNumber(text, value) && value == std::floor(value) &&
         text.find_first_of(".eE") == std::string::npos;
}

std::string formatValue(double value, bool integer) {
  if (integer)
    return std::to_string(static_cast<long long>(std::llround(value)));
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}
} // namespace

bool kiln::train::parseSearchParameter(const std::string &text,
                                     SearchParameter &parameter,
                                     std::string &error) {
  size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0 || equals + 1 == text.size()) {
    error = "expected NAME=V1,V2,... or NAME=LOW..HIGH, got '" + text + "'";
    return false;
  }
  parameter = SearchParameter();
  parameter.name = text.substr(0, equals);
  std::string values = text.substr(equals + 1);
  if (parameter.name.rfind("config.", 0) == 0 && parameter.name.size() > 7)
    parameter.kind = SearchParameter::Kind::Config;
  else if (parameter.name == "lr" || parameter.name == "batch" ||
           parameter.name == "epochs")
    parameter.kind = SearchParameter::Kind::Train;
  else
    parameter.kind = SearchParameter::Kind::Optimizer;
  bool integral = parameter.name == "batch" || parameter.name == "epochs";

  size_t dots = values.find("..");
  if (dots != std::string::npos) {
    std::string low = values.substr(0, dots), high = values.substr(dots + 2);
    if (!parseNumber(low, parameter.low) || !parseNumber(high, parameter.high) ||
        parameter.low >= parameter.high) {
      error = parameter.name + ": a range is LOW..HIGH with LOW < HIGH, got '" +
              values + "'";
      return false;
    }
    parameter.range = true;
    parameter.integer = integral || (isInteger(low) && isInteger(high) &&
                                     parameter.kind ==
                                         SearchParameter::Kind::Config);
    parameter.logarithmic =
        parameter.low > 0 && parameter.high / parameter.low >= 100;
    return true;
  }
  std::stringstream list(values);
  list.exceptions(std::ios::badbit); // an allocation failure gets through
  std::string value;
  while (std::getline(list, value, ',')) {
    double number;
    if (!parseNumber(value, number)) {
      error = parameter.name + ": '" + value + "' is not a number";
      return false;
    }
    if (integral && (!isInteger(value) || number < 1)) {
      error = parameter.name + ": '" + value + "' is not a positive integer";
      return false;
    }
    parameter.values.push_back(value);
  }
  if (parameter.values.empty()) {
    error = parameter.name + ": no values";
    return false;
  }
  return true;
}

bool kiln::train::gridTrials(const std::vector<SearchParameter> &parameters,
                           std::vector<TrialSettings> &trials,
                           std::string &error) {
  trials = {TrialSettings()};
  for (const SearchParameter &parameter : parameters) {
    if (parameter.range) {
      error = parameter.name + ": a grid needs a list of values (a range is "
                               "for --random)";
      return false;
    }
    std::vector<TrialSettings> extended;
    for (const TrialSettings &trial : trials)
      for (const std::string &value : parameter.values) {
        TrialSettings next = trial;
        next[parameter.name] = value;
        extended.push_back(std::move(next));
      }
    trials = std::move(extended);
  }
  return true;
}

std::vector<TrialSettings>
kiln::train::randomTrials(const std::vector<SearchParameter> &parameters,
                        int64_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<TrialSettings> trials;
  for (int64_t t = 0; t < count; ++t) {
    TrialSettings trial;
    for (const SearchParameter &parameter : parameters) {
      if (!parameter.range) {
        trial[parameter.name] =
            parameter.values[rng() % parameter.values.size()];
        continue;
      }
      double u = unit(rng), value;
      if (parameter.logarithmic)
        value = std::exp(std::log(parameter.low) +
                         u * (std::log(parameter.high) -
                              std::log(parameter.low)));
      else
        value = parameter.low + u * (parameter.high - parameter.low);
      trial[parameter.name] = formatValue(value, parameter.integer);
    }
    trials.push_back(std::move(trial));
  }
  return trials;
}
