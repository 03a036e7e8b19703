//===- Evaluate.h - Scoring a model on held-out samples ---------*- C++ -*-===//

#ifndef KILN_TRAIN_EVALUATE_H
#define KILN_TRAIN_EVALUATE_H

#include "kiln/train/Feed.h"

#include "kiln/runtime/Session.h"

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace kiln::train {

/// Scores by name, in order (losses named as the model names them).
using NamedValues = std::vector<std::pair<std::string, double>>;

/// "a 0.1234, b 0.5678".
std::string describeLosses(const NamedValues &losses);

/// A model's scores on held-out samples: its training loss (through the
/// `<entry>_loss` entry that kilnc emits, computed as inference does), and
/// the task's metric from the inference entry's first output: accuracy for
/// class probabilities, MSE and R² for predictions of a numeric target, the
/// mean squared error of a reconstruction of the input.
struct Evaluation {
  enum class Task { None, Classification, Regression, Reconstruction };
  Task task = Task::None;
  /// Each train entry's loss, named as the model names it.
  NamedValues losses;
  double accuracy = 0, mse = 0, r2 = 0;
  /// Sequence models: exp of the first loss (per-token cross-entropy).
  bool perplexity = false;
  /// When asked for: the inference entry's first output per sample
  /// (`outputWidth` floats each: class probabilities, a prediction).
  std::vector<float> outputs;
  int64_t outputWidth = 0;

  std::string describe() const;
  /// The scores as a JSON object, each key prefixed with `prefix`.
  nlohmann::ordered_json toJson(const std::string &prefix) const;
};

/// Scores the train entries' losses and the inference entry's output;
/// `feed` is how the first train entry is fed (its label or target decides
/// the task).
bool evaluate(kiln::rt::Session &session,
              const std::vector<std::string> &trainEntries, const Feed &feed,
              const std::set<std::string> &noise, const Dataset &data,
              const std::vector<int64_t> &indices, Evaluation &result,
              std::string &error, bool keepOutputs = false);

} // namespace kiln::train

#endif // KILN_TRAIN_EVALUATE_H
