//===- Evaluate.cpp - Scoring a model on held-out samples -----------------===//

#include "kiln/train/Evaluate.h"

#include <algorithm>
#include <cmath>
#include <functional>

using namespace kiln::rt;
using namespace kiln::train;

std::string kiln::train::describeLosses(const NamedValues &losses) {
  std::string text;
  char part[96];
  for (const auto &[name, value] : losses) {
    std::snprintf(part, sizeof part, "%s%s %.4f", text.empty() ? "" : ", ",
                  name.c_str(), value);
    text += part;
  }
  return text;
}

std::string Evaluation::describe() const {
  std::string text = describeLosses(losses);
  char part[96];
  if (perplexity && !losses.empty()) {
    std::snprintf(part, sizeof part, ", perplexity %.3f",
                  std::exp(losses.front().second));
    text += part;
  }
  switch (task) {
  case Task::Classification:
    std::snprintf(part, sizeof part, "accuracy %.2f%%", 100 * accuracy);
    break;
  case Task::Regression:
    std::snprintf(part, sizeof part, "MSE %.4f, R^2 %.4f", mse, r2);
    break;
  case Task::Reconstruction:
    std::snprintf(part, sizeof part, "reconstruction MSE %.4f", mse);
    break;
  case Task::None:
    part[0] = 0;
    break;
  }
  if (part[0])
    text += (text.empty() ? "" : ", ") + std::string(part);
  return text;
}

nlohmann::ordered_json Evaluation::toJson(const std::string &prefix) const {
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  auto add = [&](const std::string &key, double value) {
    object[prefix + key] = value;
  };
  for (const auto &[name, value] : losses)
    add(name, value);
  if (perplexity && !losses.empty())
    add("perplexity", std::exp(losses.front().second));
  if (task == Task::Classification)
    add("accuracy", accuracy);
  if (task == Task::Regression) {
    add("mse", mse);
    add("r2", r2);
  }
  if (task == Task::Reconstruction)
    add("reconstruction_mse", mse);
  return object;
}

namespace {
/// Runs `entryName` over `indices` in chunks, calling `score` with each
/// chunk's first output.
bool forEachChunk(Session &session, const std::string &entryName,
                  const Feed &feed, const Dataset &data,
                  const std::vector<int64_t> &indices,
                  const std::function<void(const Tensor &, int64_t, int64_t)>
                      &score,
                  std::string &error) {
  // The same noise for every evaluation, so that scores compare across
  // epochs.
  std::mt19937_64 rng(20261127);
  // Chunks small enough that a convolution's activations stay in cache.
  const int64_t chunk = 256;
  for (int64_t begin = 0; begin < static_cast<int64_t>(indices.size());
       begin += chunk) {
    int64_t end = std::min<int64_t>(begin + chunk, indices.size());
    std::vector<Tensor> outputs;
    if (!session.run(entryName,
                     makeBatch(feed, data, indices, begin, end, rng), outputs,
                     error))
      return false;
    score(outputs.front(), begin, end);
  }
  return true;
}
} // namespace

bool kiln::train::evaluate(Session &session,
                         const std::vector<std::string> &trainEntries,
                         const Feed &trainFeed,
                         const std::set<std::string> &noise,
                         const Dataset &data,
                         const std::vector<int64_t> &indices,
                         Evaluation &result, std::string &error,
                         bool keepOutputs) {
  result = Evaluation();
  double count = static_cast<double>(indices.size());

  // Each train entry's loss, as a mean over the samples.
  for (const std::string &trainEntry : trainEntries) {
    const EntrySpec *lossEntry = session.module().lossEntryOf(trainEntry);
    if (!lossEntry || lossEntry->results.empty())
      continue;
    Feed feed;
    if (!bindInputs(*lossEntry, data, noise, feed, error))
      return false;
    double total = 0;
    if (!forEachChunk(
            session, lossEntry->name, feed, data, indices,
            [&](const Tensor &loss, int64_t begin, int64_t end) {
              total += loss.data<float>()[0] * double(end - begin);
            },
            error))
      return false;
    result.losses.push_back({lossEntry->results.front().name, total / count});
  }

  SampleLayout layout = data.layout();
  result.perplexity = layout.targetWidth > 1 && layout.hasLabels();

  // The task's metric from the inference entry, when it reads the
  // features and its first output is one the data can score.
  const EntrySpec *infer = session.module().inferenceEntry();
  Feed feed;
  std::string ignored;
  if (!infer || !bindInputs(*infer, data, noise, feed, ignored) ||
      !feed.features || infer->results.empty())
    return true;
  const TensorSpec &output = infer->results.front().type;
  int64_t perSample = 1;
  for (size_t i = 1; i < output.shape.size(); ++i)
    perSample *= output.shape[i];
  // Class indices [N] (an argmax output) score like probabilities.
  bool classIndices = (output.dtype == DType::I64 ||
                       output.dtype == DType::I32) &&
                      output.shape.size() == 1;
  if (output.dtype != DType::F32 && !classIndices)
    return true;
  if (trainFeed.label && layout.targetWidth == 1 &&
      (classIndices ||
       (output.shape.size() == 2 && output.shape[1] >= layout.classes)))
    result.task = Evaluation::Task::Classification;
  else if (trainFeed.target && layout.targetWidth == 1 && perSample == 1)
    result.task = Evaluation::Task::Regression;
  else if (!trainFeed.label && !trainFeed.target && perSample == layout.width)
    result.task = Evaluation::Task::Reconstruction;
  else
    return true;

  double squares = 0, sum = 0, sumSquares = 0;
  int64_t correct = 0;
  // A reconstruction is scored against the sample's features, the other
  // tasks against its target.
  bool reconstruction = result.task == Evaluation::Task::Reconstruction;
  std::vector<float> input(reconstruction ? layout.width : 0);
  float target = 0;
  bool ok = forEachChunk(
      session, infer->name, feed, data, indices,
      [&](const Tensor &out, int64_t begin, int64_t end) {
        if (keepOutputs && out.dtype == DType::F32) {
          result.outputWidth = perSample;
          result.outputs.insert(result.outputs.end(), out.data<float>(),
                                out.data<float>() + out.numElements());
        }
        for (int64_t i = 0; i < end - begin; ++i) {
          data.read(indices[begin + i],
                    reconstruction ? input.data() : nullptr,
                    reconstruction ? nullptr : &target);
          switch (result.task) {
          case Evaluation::Task::Classification: {
            int64_t predicted;
            if (out.dtype == DType::I64)
              predicted = out.data<int64_t>()[i];
            else if (out.dtype == DType::I32)
              predicted = out.data<int32_t>()[i];
            else {
              int64_t classes = out.shape[1];
              const float *row = out.data<float>() + i * classes;
              predicted = std::max_element(row, row + classes) - row;
            }
            correct += predicted == static_cast<int64_t>(target);
            break;
          }
          case Evaluation::Task::Regression: {
            double residual = out.data<float>()[i] - double(target);
            squares += residual * residual;
            sum += target;
            sumSquares += target * target;
            break;
          }
          case Evaluation::Task::Reconstruction: {
            const float *row = out.data<float>() + i * layout.width;
            for (int64_t j = 0; j < layout.width; ++j)
              squares += (row[j] - input[j]) * double(row[j] - input[j]);
            break;
          }
          case Evaluation::Task::None:
            break;
          }
        }
      },
      error);
  if (!ok)
    return false;
  result.accuracy = correct / count;
  if (result.task == Evaluation::Task::Reconstruction)
    result.mse = squares / (count * static_cast<double>(layout.width));
  if (result.task == Evaluation::Task::Regression) {
    result.mse = squares / count;
    double variance = sumSquares / count - (sum / count) * (sum / count);
    result.r2 = variance > 0 ? 1 - result.mse / variance : 0;
  }
  return true;
}
