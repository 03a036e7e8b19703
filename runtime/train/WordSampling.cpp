//===- WordSampling.cpp - Words from a next-character model ---------------===//

#include "kiln/train/WordSampling.h"

#include "kiln/train/Datasets.h"

#include <cmath>

using namespace kiln::rt;
using namespace kiln::train;

bool kiln::train::sampleWord(Session &session, const std::string &prefix,
                           double temperature, std::mt19937_64 &rng,
                           std::string &word, std::string &error) {
  const EntrySpec *infer = session.module().inferenceEntry();
  const ArgumentSpec *input = nullptr;
  if (infer)
    for (const ArgumentSpec &argument : infer->arguments)
      if (argument.role == ArgumentSpec::Role::Input)
        input = &argument;
  if (!input || input->type.shape.size() != 2 ||
      (input->type.dtype != DType::I32 && input->type.dtype != DType::I64)) {
    error = "the 'infer' entry does not take token sequences [N, T]";
    return false;
  }
  int64_t steps = input->type.shape[1];
  std::vector<int32_t> tokens = {kStartToken};
  for (char c : prefix) {
    if (tokenOf(c) < 0) {
      error = "the prefix '" + prefix + "' has a character the model lacks";
      return false;
    }
    tokens.push_back(tokenOf(c));
  }
  word = prefix;
  while (static_cast<int64_t>(tokens.size()) < steps) {
    Tensor sequence(input->type.dtype, {1, steps});
    for (int64_t t = 0; t < steps; ++t) {
      int32_t token = t < static_cast<int64_t>(tokens.size()) ? tokens[t]
                                                              : kEndToken;
      if (sequence.dtype == DType::I32)
        sequence.data<int32_t>()[t] = token;
      else
        sequence.data<int64_t>()[t] = token;
    }
    std::vector<Tensor> outputs;
    if (!session.run(infer->name, {{input->name, sequence}}, outputs, error))
      return false;
    const Tensor &probs = outputs.front();
    if (probs.shape.size() != 3) {
      error = "the 'infer' entry must return probabilities [N, T, V]";
      return false;
    }
    int64_t vocab = probs.shape[2];
    const float *next = probs.data<float>() + (tokens.size() - 1) * vocab;
    // p^(1/T), renormalised by the draw.
    std::vector<double> weights(vocab);
    for (int64_t v = 0; v < vocab; ++v)
      weights[v] = std::pow(std::max<double>(next[v], 0), 1 / temperature);
    std::discrete_distribution<int32_t> draw(weights.begin(), weights.end());
    int32_t token = draw(rng);
    if (token == kEndToken || token == kStartToken)
      break;
    tokens.push_back(token);
    word += characterOf(token);
  }
  return true;
}
