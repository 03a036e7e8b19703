//===- Feed.h - Batches of samples as an entry's inputs ---------*- C++ -*-===//

#ifndef KILN_TRAIN_FEED_H
#define KILN_TRAIN_FEED_H

#include "kiln/train/Datasets.h"

#include "kiln/runtime/Module.h"
#include "kiln/runtime/Tensor.h"

#include <map>
#include <random>
#include <set>

namespace kiln::train {

/// How an entry's inputs are fed from samples: the features, a class label
/// (an integer input [N]) or a regression target (a float input of one
/// value per sample), and noise inputs (drawn from N(0, 1) for every
/// batch, as a GAN's generator takes).
struct Feed {
  const kiln::rt::ArgumentSpec *features = nullptr;
  const kiln::rt::ArgumentSpec *label = nullptr;
  const kiln::rt::ArgumentSpec *target = nullptr;
  std::vector<const kiln::rt::ArgumentSpec *> noise;
};

/// Binds every input of `entry`; an input named in `noise` is noise.
bool bindInputs(const kiln::rt::EntrySpec &entry, const Samples &data,
                const std::set<std::string> &noise, Feed &feed,
                std::string &error);

/// The samples `indices[begin, end)` (and fresh noise) as inputs.
std::map<std::string, kiln::rt::Tensor>
makeBatch(const Feed &feed, const Samples &data,
          const std::vector<int64_t> &indices, int64_t begin, int64_t end,
          std::mt19937_64 &rng);

} // namespace kiln::train

#endif // KILN_TRAIN_FEED_H
