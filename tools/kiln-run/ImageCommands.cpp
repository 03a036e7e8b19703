//===- ImageCommands.cpp - kiln-run sample and reconstruct ----------------===//
//
// Both run the inference entry: `sample` on noise (a GAN's generator, a
// VAE's decoder), `reconstruct` on test images (autoencoders), and write
// what comes out as a grid of images.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "TrainOptions.h"

#include "kiln/plot/ImageGrid.h"
#include "kiln/runtime/Checkpoint.h"
#include "kiln/train/DataCatalog.h"
#include "kiln/train/ImageModels.h"
#include "kiln/train/WordSampling.h"

#include <cstdio>
#include <random>

using namespace kiln::rt;
using namespace kiln::run;
using namespace kiln::train;

namespace {

struct ImageOptions {
  std::string module, output, checkpoint, data,
      dataDir = catalog::kFashionMnistDir, prefix, classifier,
      classifierCheckpoint;
  int64_t count = 0, words = 0;
  double temperature = 1, noiseStd = 0;
  uint64_t seed = 0;
  std::set<std::string> noise;
};

/// The options both commands take.
void addImageOptions(CLI::App &command, ImageOptions &options,
                     const std::string &count) {
  addModulePath(command, options.module);
  command.add_option("--output", options.output, "the grid of images")
      ->type_name("grid.png");
  command.add_option("--checkpoint", options.checkpoint,
                     "trained parameters (default: initial ones)")
      ->type_name("FILE");
  command.add_option("--count", options.count, count)
      ->check(positiveInteger());
  addNoiseOption(command, options.noise);
}

bool openSession(const Module &module, const ImageOptions &options,
                 std::unique_ptr<Session> &session, std::string &error) {
  session = std::make_unique<Session>(module, options.seed);
  return options.checkpoint.empty() ||
         loadCheckpoint(*session, options.checkpoint, error);
}

bool printClasses(const ImageOptions &options, const Images &images,
                  std::string &error) {
  std::unique_ptr<Module> classifier =
      Module::loadFile(options.classifier, error);
  if (!classifier)
    return false;
  Session session(*classifier, 0);
  std::vector<int64_t> histogram;
  if ((!options.classifierCheckpoint.empty() &&
       !loadCheckpoint(session, options.classifierCheckpoint, error)) ||
      !classifyImages(session, images, histogram, error))
    return false;
  int64_t covered = 0;
  std::printf("classes of %lld samples:", static_cast<long long>(images.count));
  for (int64_t count : histogram) {
    std::printf(" %lld", static_cast<long long>(count));
    covered += count > 0;
  }
  std::printf("\n%lld of %zu classes covered\n",
              static_cast<long long>(covered), histogram.size());
  return true;
}

int sample(const ImageOptions &options) {
  if (options.output.empty() && options.words == 0 &&
      options.classifier.empty())
    return fail("--output grid.png, --classify or --words N is required");
  std::string error;
  std::unique_ptr<Module> module = Module::loadFile(options.module, error);
  std::unique_ptr<Session> session;
  if (!module || !openSession(*module, options, session, error))
    return fail(error);
  if (options.words > 0) {
    std::mt19937_64 rng(options.seed);
    for (int64_t i = 0; i < options.words; ++i) {
      std::string word;
      if (!sampleWord(*session, options.prefix, options.temperature, rng,
                      word, error))
        return fail(error);
      std::printf("%s\n", word.c_str());
    }
    return 0;
  }
  Images images;
  if (!generateImages(*session, options.count, options.seed, options.noise,
                      images, error) ||
      (!options.output.empty() &&
       !kiln::plot::writeImageGrid(options.output, images.pixels,
                                   images.count, images.height, images.width,
                                   8, images.low(), 1.0f, error)) ||
      (!options.classifier.empty() && !printClasses(options, images, error)))
    return fail(error);
  if (!options.output.empty())
    std::printf("wrote %lld samples to %s\n",
                static_cast<long long>(options.count), options.output.c_str());
  return 0;
}

int reconstruct(const ImageOptions &options) {
  if (options.output.empty())
    return fail("--output grid.png is required");
  if (options.data != "fashion-mnist")
    return fail("--data fashion-mnist is required");
  std::string error;
  std::unique_ptr<Module> module = Module::loadFile(options.module, error);
  std::unique_ptr<Session> session;
  if (!module || !openSession(*module, options, session, error))
    return fail(error);
  Samples test;
  if (!readFashionMnist(options.dataDir, false, test, error))
    return fail(error + catalog::missingHint(options.dataDir));
  Reconstruction made;
  if (!reconstructImages(*session, test, options.count, options.noiseStd,
                         options.seed, options.noise, made, error) ||
      !kiln::plot::writeComparisonGrid(
          options.output, made.inputs.pixels, made.outputs.pixels,
          made.inputs.count, made.inputs.height, made.inputs.width, 8, error))
    return fail(error);
  if (options.noiseStd > 0)
    std::printf("reconstruction MSE %.4f against the clean images; the noisy "
                "inputs' MSE %.4f (%.1fx lower); grid in %s\n",
                made.outputError, made.inputError,
                made.inputError / std::max(made.outputError, 1e-12),
                options.output.c_str());
  else
    std::printf("reconstruction MSE %.4f over %lld test images; grid in %s\n",
                made.outputError, static_cast<long long>(made.inputs.count),
                options.output.c_str());
  return 0;
}

} // namespace

Command kiln::run::addSampleCommand(CLI::App &parent) {
  auto options = std::make_shared<ImageOptions>();
  options->count = 64;
  CLI::App *command = parent.add_subcommand(
      "sample", "generate images from noise (GANs, VAEs) as a PNG grid");
  command->footer("A next-character model (tokens in, probabilities out) "
                  "prints words:\n  kiln-run sample model.kmod --checkpoint "
                  "FILE --words N [--prefix TEXT]");
  addImageOptions(*command, *options, "images to generate (default 64)");
  addSeed(*command, options->seed, "seed of the noise (default 0)");
  command->add_option("--classify", options->classifier,
                      "label the images with a trained classifier (its infer\n"
                      "entry) and print how many fall in each class")
      ->type_name("M.kmod");
  command->add_option("--classifier-checkpoint",
                      options->classifierCheckpoint,
                      "the classifier's trained parameters")
      ->type_name("C");
  command->add_option("--words", options->words,
                      "a next-character model: N words")
      ->check(positiveInteger());
  command->add_option("--prefix", options->prefix,
                      "the words' first letters")
      ->type_name("TEXT");
  command->add_option("--temperature", options->temperature,
                      "sampling temperature of --words (default 1)")
      ->check(positiveReal())
      ->type_name("T");
  return {command, [=] { return sample(*options); }};
}

Command kiln::run::addReconstructCommand(CLI::App &parent) {
  auto options = std::make_shared<ImageOptions>();
  options->count = 16;
  CLI::App *command = parent.add_subcommand(
      "reconstruct",
      "reconstruct test images (autoencoders) as a PNG grid");
  addImageOptions(*command, *options, "test images (default 16)");
  addSeed(*command, options->seed, "seed of --noise-std's noise (default 0)");
  command->add_option("--data", options->data, "fashion-mnist")
      ->type_name("fashion-mnist");
  command->add_option("--data-dir", options->dataDir,
                      "where Fashion-MNIST is")
      ->type_name("DIR");
  command->add_option("--noise-std", options->noiseStd,
                      "add Gaussian noise of this deviation to the inputs\n"
                      "first (a denoising autoencoder's test)")
      ->check(realBetween(0, 1e30, "expects a non-negative number"))
      ->type_name("S");
  return {command, [=] { return reconstruct(*options); }};
}
