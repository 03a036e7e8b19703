//===- InferenceInputs.cpp - Inputs preprocessed as in training -----------===//

#include "kiln/train/InferenceInputs.h"

#include "kiln/train/Table.h"

#include <algorithm>

using namespace kiln::rt;
using namespace kiln::train;

bool kiln::train::fittedPreprocessing(const CheckpointMetadata &metadata,
                                      Preprocessing &out, std::string &error) {
  out = Preprocessing();
  auto saved = metadata.find(kPreprocessingKey);
  return saved == metadata.end() || out.parse(saved->second, error);
}

bool kiln::train::preprocessInputs(
    const Preprocessing &fitted,
    const std::vector<std::pair<std::string, std::string>> &tableInputs,
    std::map<std::string, Tensor> &inputs, std::string &error) {
  for (const auto &[name, path] : tableInputs) {
    if (fitted.columns.empty()) {
      error = "a CSV input needs the checkpoint of a model trained on a CSV "
              "file (--checkpoint)";
      return false;
    }
    Table table;
    Samples samples;
    if (!readTable(path, table, error) || !fitted.encode(table, samples, error))
      return false;
    Tensor tensor(DType::F32, {samples.count, samples.width});
    std::copy(samples.features.begin(), samples.features.end(),
              tensor.data<float>());
    inputs[name] = std::move(tensor);
  }
  int64_t width = static_cast<int64_t>(fitted.shift.size());
  for (auto &[name, tensor] : inputs)
    if (tensor.dtype == DType::F32 && tensor.shape.size() == 2 &&
        tensor.shape[1] == width)
      fitted.apply(tensor.data<float>(), tensor.shape[0]);
  return true;
}
