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

bool kiln::train::bindInputs(const EntrySpec &entry, const Samples &data,
                             const std::set<std::string> &extraNoise,
                             Feed &feed, std::string &error) {
  feed = Feed();
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
    else if (batched && !feed.features && size == data.width &&
             (data.integerFeatures ? isInteger : isFloat))
      feed.features = &argument;
    else if (isInteger && batched && size == data.targetWidth &&
             !feed.label && !data.labels.empty())
      feed.label = &argument;
    else if (isFloat && batched && size == data.targetWidth && !feed.target)
      feed.target = &argument;
    else {
      error = "entry '" + entry.name + "' takes input '" + argument.name +
              "' " + dtypeName(argument.type.dtype) +
              formatShape(argument.type.shape) +
              ", which this data set cannot feed (it gives " +
              std::to_string(data.width) + " features per sample and " +
              (data.labels.empty() ? "a numeric target" : "a class label") +
              "; a noise input is declared '= normal' in the model)";
      return false;
    }
  }
  if (!feed.features && feed.noise.empty()) {
    error = "entry '" + entry.name + "' takes no f32 input of " +
            std::to_string(data.width) + " values per sample";
    return false;
  }
  return true;
}

std::map<std::string, Tensor>
kiln::train::makeBatch(const Feed &feed, const Samples &data,
                     const std::vector<int64_t> &indices, int64_t begin,
                     int64_t end, std::mt19937_64 &rng) {
  int64_t n = end - begin;
  auto shaped = [&](const ArgumentSpec &argument) {
    std::vector<int64_t> shape = argument.type.shape;
    shape[0] = n;
    return Tensor(argument.type.dtype, shape);
  };
  // Copies `width` values per sample from `source` into `tensor`,
  // converting to its element type.
  auto gather = [&](Tensor &tensor, const auto &source, int64_t width) {
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < width; ++j) {
        auto value = source[indices[begin + i] * width + j];
        int64_t at = i * width + j;
        switch (tensor.dtype) {
        case DType::F32:
          tensor.data<float>()[at] = static_cast<float>(value);
          break;
        case DType::I32:
          tensor.data<int32_t>()[at] = static_cast<int32_t>(value);
          break;
        case DType::I64:
          tensor.data<int64_t>()[at] = static_cast<int64_t>(value);
          break;
        default:
          break;
        }
      }
  };
  std::map<std::string, Tensor> batch;
  if (feed.features) {
    Tensor features = shaped(*feed.features);
    if (features.dtype == DType::F32)
      for (int64_t i = 0; i < n; ++i)
        std::memcpy(features.data<float>() + i * data.width,
                    data.features.data() + indices[begin + i] * data.width,
                    data.width * sizeof(float));
    else
      gather(features, data.features, data.width);
    batch.emplace(feed.features->name, std::move(features));
  }
  if (feed.label) {
    Tensor labels = shaped(*feed.label);
    gather(labels, data.labels, data.targetWidth);
    batch.emplace(feed.label->name, std::move(labels));
  }
  if (feed.target) {
    Tensor targets = shaped(*feed.target);
    gather(targets, data.targets, data.targetWidth);
    batch.emplace(feed.target->name, std::move(targets));
  }
  for (const ArgumentSpec *argument : feed.noise) {
    Tensor values = shaped(*argument);
    drawNoise(*argument, values, rng);
    batch.emplace(argument->name, std::move(values));
  }
  return batch;
}
