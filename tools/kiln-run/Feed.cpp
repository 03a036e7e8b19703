//===- Feed.cpp - Batches of samples as an entry's inputs -----------------===//

#include "Feed.h"

#include <cstring>

using namespace kiln::rt;
using namespace kiln::run;

static int64_t perSample(const TensorSpec &type) {
  int64_t count = 1;
  for (size_t i = 1; i < type.shape.size(); ++i)
    count *= type.shape[i];
  return count;
}

bool kiln::run::bindInputs(const EntrySpec &entry, const Samples &data,
                           const std::set<std::string> &noise, Feed &feed,
                           std::string &error) {
  feed = Feed();
  for (const ArgumentSpec &argument : entry.arguments) {
    if (argument.role != ArgumentSpec::Role::Input)
      continue;
    bool batched = !argument.type.shape.empty() && argument.type.shape[0] < 0;
    bool isFloat = argument.type.dtype == DType::F32;
    bool isInteger = argument.type.dtype == DType::I32 ||
                     argument.type.dtype == DType::I64;
    if (isFloat && batched && noise.count(argument.name))
      feed.noise.push_back(&argument);
    else if (isFloat && batched && !feed.features &&
             perSample(argument.type) == data.width)
      feed.features = &argument;
    else if (isInteger && batched && argument.type.shape.size() == 1 &&
             !feed.label && !data.labels.empty())
      feed.label = &argument;
    else if (isFloat && batched && perSample(argument.type) == 1 &&
             !feed.target)
      feed.target = &argument;
    else {
      error = "entry '" + entry.name + "' takes input '" + argument.name +
              "' " + dtypeName(argument.type.dtype) +
              formatShape(argument.type.shape) +
              ", which this data set cannot feed (it gives " +
              std::to_string(data.width) + " features per sample and " +
              (data.labels.empty() ? "a numeric target" : "a class label") +
              "; name noise inputs with --noise)";
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
kiln::run::makeBatch(const Feed &feed, const Samples &data,
                     const std::vector<int64_t> &indices, int64_t begin,
                     int64_t end, std::mt19937_64 &rng) {
  int64_t n = end - begin;
  auto shaped = [&](const ArgumentSpec &argument) {
    std::vector<int64_t> shape = argument.type.shape;
    shape[0] = n;
    return Tensor(argument.type.dtype, shape);
  };
  std::map<std::string, Tensor> batch;
  if (feed.features) {
    Tensor features = shaped(*feed.features);
    for (int64_t i = 0; i < n; ++i)
      std::memcpy(features.data<float>() + i * data.width,
                  data.features.data() + indices[begin + i] * data.width,
                  data.width * sizeof(float));
    batch.emplace(feed.features->name, std::move(features));
  }
  if (feed.label) {
    Tensor labels = shaped(*feed.label);
    for (int64_t i = 0; i < n; ++i) {
      int32_t label = data.labels[indices[begin + i]];
      if (labels.dtype == DType::I32)
        labels.data<int32_t>()[i] = label;
      else
        labels.data<int64_t>()[i] = label;
    }
    batch.emplace(feed.label->name, std::move(labels));
  }
  if (feed.target) {
    Tensor targets = shaped(*feed.target);
    for (int64_t i = 0; i < n; ++i)
      targets.data<float>()[i] = data.targets[indices[begin + i]];
    batch.emplace(feed.target->name, std::move(targets));
  }
  std::normal_distribution<float> normal;
  for (const ArgumentSpec *argument : feed.noise) {
    Tensor values = shaped(*argument);
    for (int64_t i = 0; i < values.numElements(); ++i)
      values.data<float>()[i] = normal(rng);
    batch.emplace(argument->name, std::move(values));
  }
  return batch;
}
