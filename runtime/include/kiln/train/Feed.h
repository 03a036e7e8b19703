//===- Feed.h - Batches of samples as an entry's inputs ---------*- C++ -*-===//

#ifndef KILN_TRAIN_FEED_H
#define KILN_TRAIN_FEED_H

#include "kiln/train/Dataset.h"

#include "kiln/runtime/Module.h"
#include "kiln/runtime/Tensor.h"

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace kiln::train {

/// How an entry's inputs are fed from samples: the features, a class label
/// (an integer input [N]) or a regression target (a float input of one
/// value per sample), and noise inputs (drawn afresh for every batch, as a
/// GAN's generator takes).
struct Feed {
  const kiln::rt::ArgumentSpec *features = nullptr;
  const kiln::rt::ArgumentSpec *label = nullptr;
  const kiln::rt::ArgumentSpec *target = nullptr;
  std::vector<const kiln::rt::ArgumentSpec *> noise;
};

/// True when `argument` is noise: the model declares it so (`input z :
/// f32[N, 64] = normal`), or it is named in `extraNoise` (for models that
/// do not declare it).
bool isNoise(const kiln::rt::ArgumentSpec &argument,
             const std::set<std::string> &extraNoise);

/// Fills `values` (f32) with draws from `argument`'s noise distribution;
/// N(0, 1) for an input the model does not declare as noise.
void drawNoise(const kiln::rt::ArgumentSpec &argument,
               kiln::rt::Tensor &values, std::mt19937_64 &rng);

/// Binds every input of `entry`; see isNoise for which inputs are noise.
bool bindInputs(const kiln::rt::EntrySpec &entry, const Dataset &data,
                const std::set<std::string> &extraNoise, Feed &feed,
                std::string &error);

/// The samples `indices[begin, end)` of `data` (and fresh noise) as
/// inputs.
std::map<std::string, kiln::rt::Tensor>
makeBatch(const Feed &feed, const Dataset &data,
          const std::vector<int64_t> &indices, int64_t begin, int64_t end,
          std::mt19937_64 &rng);

} // namespace kiln::train

#endif // KILN_TRAIN_FEED_H
