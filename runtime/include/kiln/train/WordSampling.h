//===- WordSampling.h - Words from a next-character model -------*- C++ -*-===//

#ifndef KILN_TRAIN_WORDSAMPLING_H
#define KILN_TRAIN_WORDSAMPLING_H

#include "kiln/runtime/Session.h"

#include <random>
#include <string>

namespace kiln::train {

/// Generates a word that starts with `prefix` from a model whose `infer`
/// entry maps tokens [N, T] to next-token probabilities [N, T, V]: one
/// token at a time, each drawn from the probabilities sharpened (or
/// flattened) by `temperature`, until the end token or T tokens.
bool sampleWord(kiln::rt::Session &session, const std::string &prefix,
                double temperature, std::mt19937_64 &rng, std::string &word,
                std::string &error);

} // namespace kiln::train

#endif // KILN_TRAIN_WORDSAMPLING_H
