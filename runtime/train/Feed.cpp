//===- Feed.cpp - Batches of samples as an entry's inputs -----------------===//

#include "kiln/train/Feed.h"

#include <cstring>

using namespace kiln::rt;
using namespace kiln::train;

static int64_t perSample(const TensorSpec &type) {
  int64_t count = 1;
  for (size_t i = 1; i < type.shape.size(); ++i)
    count *= type.shape[i];
  return count;
}

bool kiln::train::isNoise(const ArgumentSpec &argument,
                          const std::set<std::string> &extraNoise) {
  return argument.noise || extraNoise.count(argument.name);
}

void kiln::train::drawNoise(const ArgumentSpec &argument, Tensor &values,
                            std::mt19937_64 &rng) {
  NoiseSpec noise = argument.noise.value_or(NoiseSpec());
  float *out = values.data<float>();
  int64_t count = values.numElements();
  if (noise.kind == NoiseSpec::Kind::Uniform) {
    std::uniform_real_distribution<float> uniform(float(noise.low),
                                                  float(noise.high));
    for (int64_t i = 0; i < count; ++i)
      out[i] = uniform(rng);
    return;
  }
  std::normal_distribution<float> normal(float(noise.mean), float(noise.std));
  for (int64_t i = 0; i < count; ++i)
    out[i] = normal(rng);
}

bool kiln::train::bindInputs(const EntrySpec &entry, const Dataset &data,
                             const std::set<std::string> &extraNoise,
                             Feed &feed, std::string &error) {
  feed = Feed();
  SampleLayout layout = data.layout();
  for (const ArgumentSpec &argument : entry.arguments) {
    if (argument.role != ArgumentSpec::Role::Input)
      continue;
    bool batched = !argument.type.shape.empty() && argument.type.shape[0] < 0;
    bool isFloat = argument.type.dtype == DType::F32;
    bool isInteger = argument.type.dtype == DType::I32 ||
                     argument.type.dtype == DType::I64;
    int64_t size = perSample(argument.type);
    if (isFloat && batched && isNoise(argument, extraNoise))
      feed.noise.push_back(&argument);
    else if (batched && !feed.features && size == layout.width &&
             (layout.integerFeatures ? isInteger : isFloat))
      feed.features = &argument;
    else if (isInteger && batched && size == layout.targetWidth &&
             !feed.label && layout.hasLabels())
      feed.label = &argument;
    else if (isFloat && batched && size == layout.targetWidth && !feed.target)
      feed.target = &argument;
    else {
      error = "entry '" + entry.name + "' takes input '" + argument.name +
              "' " + dtypeName(argument.type.dtype) +
              formatShape(argument.type.shape) +
              ", which this data set cannot feed (it gives " +
              std::to_string(layout.width) + " features per sample and " +
              (layout.hasLabels() ? "a class label" : "a numeric target") +
              "; a noise input is declared '= normal' in the model)";
      return false;
    }
  }
  if (!feed.features && feed.noise.empty()) {
    error = "entry '" + entry.name + "' takes no f32 input of " +
            std::to_string(layout.width) + " values per sample";
    return false;
  }
  return true;
}

namespace {
/// Stores `values` (`count` floats) in `tensor` from element `at` on,
/// converted to its element type (class indices and tokens are whole
/// numbers).
void store(const float *values, int64_t count, Tensor &tensor, int64_t at) {
  switch (tensor.dtype) {
  case DType::F32:
    std::memcpy(tensor.data<float>() + at, values, count * sizeof(float));
    break;
  case DType::I32:
    for (int64_t i = 0; i < count; ++i)
      tensor.data<int32_t>()[at + i] = static_cast<int32_t>(values[i]);
    break;
  case DType::I64:
    for (int64_t i = 0; i < count; ++i)
      tensor.data<int64_t>()[at + i] = static_cast<int64_t>(values[i]);
    break;
  default:
    break;
  }
}
} // namespace

std::map<std::string, Tensor>
kiln::train::makeBatch(const Feed &feed, const Dataset &data,
                       const std::vector<int64_t> &indices, int64_t begin,
                       int64_t end, std::mt19937_64 &rng) {
  int64_t n = end - begin;
  SampleLayout layout = data.layout();
  auto shaped = [&](const ArgumentSpec &argument) {
    std::vector<int64_t> shape = argument.type.shape;
    shape[0] = n;
    return Tensor(argument.type.dtype, shape);
  };
  // Each sample's targets go to the label input (as class indices), the
  // target input, or both.
  std::vector<std::pair<const ArgumentSpec *, Tensor>> targets;
  for (const ArgumentSpec *input : {feed.label, feed.target})
    if (input)
      targets.emplace_back(input, shaped(*input));
  Tensor features;
  if (feed.features)
    features = shaped(*feed.features);
  // Straight into an f32 tensor; through a row buffer for tokens.
  bool direct = !feed.features || features.dtype == DType::F32;
  std::vector<float> featureRow(direct ? 0 : layout.width);
  std::vector<float> targetRow(targets.empty() ? 0 : layout.targetWidth);
  for (int64_t i = 0; i < n; ++i) {
    float *featureOut =
        !feed.features ? nullptr
        : direct       ? features.data<float>() + i * layout.width
                       : featureRow.data();
    data.read(indices[begin + i], featureOut,
              targets.empty() ? nullptr : targetRow.data());
    if (!direct)
      store(featureRow.data(), layout.width, features, i * layout.width);
    for (auto &[input, tensor] : targets)
      store(targetRow.data(), layout.targetWidth, tensor,
            i * layout.targetWidth);
  }
  std::map<std::string, Tensor> batch;
  if (feed.features)
    batch.emplace(feed.features->name, std::move(features));
  for (auto &[input, tensor] : targets)
    batch.emplace(input->name, std::move(tensor));
  for (const ArgumentSpec *argument : feed.noise) {
    Tensor values = shaped(*argument);
    drawNoise(*argument, values, rng);
    batch.emplace(argument->name, std::move(values));
  }
  return batch;
}
