//===- ImageModels.h - Images a model makes ---------------------*- C++ -*-===//
//
// Generative models and autoencoders are judged by looking: a GAN's
// generator or a VAE's decoder run on noise, an autoencoder on test
// images (with noise added for a denoising one), and a classifier asked
// which classes a generator covers.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAIN_IMAGEMODELS_H
#define KILN_TRAIN_IMAGEMODELS_H

#include "kiln/runtime/Session.h"
#include "kiln/train/Datasets.h"

#include <set>
#include <string>
#include <vector>

namespace kiln::train {

/// `count` grayscale images of height x width f32 pixels, image after
/// image.
struct Images {
  std::vector<float> pixels;
  int64_t count = 0, height = 0, width = 0;
  /// The darkest value: -1 for a tanh output (it spans [-1, 1]), else 0.
  float low() const;
};

/// Runs the inference entry on `count` samples of noise drawn with `seed`
/// for its noise inputs (those the model declares, and any named in
/// `noise`; zeros elsewhere); its `sample` output, else its first batch of
/// images.
bool generateImages(rt::Session &session, int64_t count, uint64_t seed,
                    const std::set<std::string> &noise, Images &images,
                    std::string &error);

struct Reconstruction {
  /// What the model saw (noisy when noise was added) and what it made.
  Images inputs, outputs;
  /// Mean squared errors against the clean images.
  double outputError = 0, inputError = 0;
};

/// Runs the `infer` entry on the first `count` images of `test`, with
/// Gaussian noise of deviation `noiseStd` added first; its
/// `reconstruction` (or `clean`) output, else its first batch of images.
bool reconstructImages(rt::Session &session, const Samples &test,
                       int64_t count, double noiseStd, uint64_t seed,
                       const std::set<std::string> &noise,
                       Reconstruction &result, std::string &error);

/// How many of `images` the classifier's `infer` entry (trained on [0, 1]
/// pixels) puts in each class: a generator that covers few classes has
/// collapsed onto a few modes.
bool classifyImages(rt::Session &classifier, const Images &images,
                    std::vector<int64_t> &histogram, std::string &error);

} // namespace kiln::train

#endif // KILN_TRAIN_IMAGEMODELS_H
