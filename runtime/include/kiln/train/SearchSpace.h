//===- SearchSpace.h - Hyperparameters to search over -----------*- C++ -*-===//

#ifndef KILN_TRAIN_SEARCHSPACE_H
#define KILN_TRAIN_SEARCHSPACE_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kiln::train {

/// One hyperparameter and the values to try: a list (`lr=0.01,0.1`) or,
/// for random search, a range (`lr=1e-4..1e-1`, drawn log-uniformly when
/// it spans a factor of 100 or more, as integers when both ends are).
struct SearchParameter {
  /// How a trial sets it: at run time (kiln-run train's --lr, --batch,
  /// --epochs), as a model config (`config.NAME`: kilnc --set), or as an
  /// optimizer hyperparameter (kilnc --optimizer).
  enum class Kind { Train, Config, Optimizer };
  std::string name;
  Kind kind = Kind::Train;
  std::vector<std::string> values;
  bool range = false;
  double low = 0, high = 0;
  bool integer = false, logarithmic = false;
};

/// Parses NAME=V1,V2,... or NAME=LOW..HIGH.
bool parseSearchParameter(const std::string &text, SearchParameter &parameter,
                          std::string &error);

/// A trial's setting of every parameter, by name, as text.
using TrialSettings = std::map<std::string, std::string>;

/// Every combination of the parameters' values (no ranges allowed).
bool gridTrials(const std::vector<SearchParameter> &parameters,
                std::vector<TrialSettings> &trials, std::string &error);

/// `count` settings drawn independently with `seed`.
std::vector<TrialSettings>
randomTrials(const std::vector<SearchParameter> &parameters, int64_t count,
             uint64_t seed);

} // namespace kiln::train

#endif // KILN_TRAIN_SEARCHSPACE_H
