//===- ImageCommands.cpp - kiln-run sample and reconstruct ----------------===//
//
// Both run the inference entry: `sample` on noise (a GAN's generator, a
// VAE's decoder), `reconstruct` on test images (autoencoders), and write
// what comes out as a grid of images.
//
//===----------------------------------------------------------------------===//

#include "ImageCommands.h"

#include "CommandLine.h"

#include "kiln/plot/ImageGrid.h"
#include "kiln/train/DataCatalog.h"
#include "kiln/train/Datasets.h"
#include "kiln/train/WordSampling.h"

#include "kiln/runtime/Checkpoint.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <random>
#include <set>

using namespace kiln::rt;
using namespace kiln::run;
using namespace kiln::train;
using namespace kiln::plot;

const char kiln::run::kSampleUsage[] =
    "usage: kiln-run sample model.kmod --output grid.png [options]\n"
    "  --checkpoint FILE         trained parameters (default: initial ones)\n"
    "  --count N                 images to generate (default 64)\n"
    "  --seed S                  seed of the noise (default 0)\n"
    "  --noise NAME              an input drawn from N(0, 1) (default: inputs\n"
    "                            named z or noise)\n"
    "  --classify M.kmod --classifier-checkpoint C  label the images with a\n"
    "                            trained classifier (its infer entry) and\n"
    "                            print how many fall in each class\n"
    "A next-character model (tokens in, probabilities out) prints words:\n"
    "  kiln-run sample model.kmod --checkpoint FILE --words N\n"
    "                 [--prefix TEXT] [--temperature T (default 1)]\n";

const char kiln::run::kReconstructUsage[] =
    "usage: kiln-run reconstruct model.kmod --data fashion-mnist --output\n"
    "                            grid.png [options]\n"
    "  --checkpoint FILE         trained parameters (default: initial ones)\n"
    "  --count N                 test images (default 16)\n"
    "  --noise-std S             add Gaussian noise of this deviation to the\n"
    "                            inputs first (a denoising autoencoder's test)\n"
    "  --data-dir DIR            where Fashion-MNIST is\n";

namespace {
struct ImageOptions {
  std::string output, checkpoint, data, dataDir = catalog::kFashionMnistDir, prefix,
      classifier, classifierCheckpoint;
  int64_t count = 0, words = 0;
  double temperature = 1;
  uint64_t seed = 0;
  double noiseStd = 0;
  std::set<std::string> noise = {"z", "noise"};
};

bool parseImageOptions(const std::vector<std::string> &args,
                       ImageOptions &options, std::string &error) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &flag = args[i];
    if (i + 1 >= args.size()) {
      error = flag.rfind("--", 0) == 0 ? flag + " expects a value"
                                       : "unexpected argument '" + flag + "'";
      return false;
    }
    const std::string &value = args[++i];
    double number = 0;
    if (flag == "--output")
      options.output = value;
    else if (flag == "--checkpoint")
      options.checkpoint = value;
    else if (flag == "--data")
      options.data = value;
    else if (flag == "--data-dir")
      options.dataDir = value;
    else if (flag == "--noise")
      options.noise.insert(value);
    else if (flag == "--prefix")
      options.prefix = value;
    else if (flag == "--classify")
      options.classifier = value;
    else if (flag == "--classifier-checkpoint")
      options.classifierCheckpoint = value;
    else if (flag == "--words") {
      if (!parsePositive(value, options.words)) {
        error = "--words expects a positive number";
        return false;
      }
    } else if (flag == "--temperature") {
      if (!parseNumber(value, options.temperature) ||
          options.temperature <= 0) {
        error = "--temperature expects a positive number";
        return false;
      }
    }
    else if (flag == "--count") {
      if (!parsePositive(value, options.count)) {
        error = "--count expects a positive number";
        return false;
      }
    } else if (flag == "--seed" || flag == "--noise-std") {
      if (!parseNumber(value, number) || number < 0) {
        error = flag + " expects a non-negative number";
        return false;
      }
      if (flag == "--seed")
        options.seed = static_cast<uint64_t>(number);
      else
        options.noiseStd = number;
    } else {
      error = "unknown option '" + flag + "'";
      return false;
    }
  }
  if (options.output.empty() && options.words == 0 &&
      options.classifier.empty()) {
    error = "--output grid.png, --classify or --words N is required";
    return false;
  }
  return true;
}

/// The geometry of one image of `type` (batch first): [N, C=1, H, W] or
/// [N, H*W] with a square H*W.
bool imageShape(const TensorSpec &type, int64_t &height, int64_t &width) {
  if (type.shape.size() == 4 && type.shape[1] == 1) {
    height = type.shape[2];
    width = type.shape[3];
    return true;
  }
  if (type.shape.size() == 2) {
    auto side = static_cast<int64_t>(std::llround(std::sqrt(double(type.shape[1]))));
    if (side * side == type.shape[1]) {
      height = width = side;
      return true;
    }
  }
  return false;
}

using InputFiller = std::function<bool(const ArgumentSpec &, Tensor &)>;

/// Runs `infer` on a batch of `count` whose inputs `fill` writes.
bool runInfer(Session &session, int64_t count, const InputFiller &fill,
              const EntrySpec *&infer, std::vector<Tensor> &outputs,
              std::string &error) {
  infer = session.module().findEntry("infer");
  if (!infer) {
    error = "the module has no 'infer' entry";
    return false;
  }
  std::map<std::string, Tensor> inputs;
  for (const ArgumentSpec &argument : infer->arguments) {
    if (argument.role != ArgumentSpec::Role::Input)
      continue;
    std::vector<int64_t> shape = argument.type.shape;
    for (int64_t &dim : shape)
      if (dim < 0)
        dim = count;
    Tensor tensor(argument.type.dtype, shape);
    if (!fill(argument, tensor)) {
      error = "cannot feed input '" + argument.name + "' " +
              dtypeName(argument.type.dtype) + formatShape(shape);
      return false;
    }
    inputs.emplace(argument.name, std::move(tensor));
  }
  return session.run("infer", inputs, outputs, error);
}

/// Runs `infer` with `fill` choosing each input's values, and returns its
/// first output that is a batch of images.
bool runForImages(Session &session, int64_t count,
                  const std::vector<std::string> &preferred,
                  const InputFiller &fill, Tensor &images, int64_t &height,
                  int64_t &width, std::string &error) {
  const EntrySpec *infer = nullptr;
  std::vector<Tensor> outputs;
  if (!runInfer(session, count, fill, infer, outputs, error))
    return false;
  // The preferred output by name, else the first batch of images.
  int chosen = -1, index = 0;
  for (const ResultSpec &result : infer->results) {
    if (result.role != ResultSpec::Role::Output)
      continue;
    int64_t h = 0, w = 0;
    if (result.type.dtype == DType::F32 && imageShape(result.type, h, w)) {
      bool wanted = std::find(preferred.begin(), preferred.end(),
                              result.name) != preferred.end();
      if (chosen < 0 || wanted) {
        chosen = index;
        height = h;
        width = w;
      }
      if (wanted)
        break;
    }
    ++index;
  }
  if (chosen >= 0)
    images = outputs[chosen];
  if (images.bytes.empty()) {
    error = "the 'infer' entry returns no images";
    return false;
  }
  return true;
}

std::vector<float> toVector(const Tensor &tensor) {
  return std::vector<float>(tensor.data<float>(),
                            tensor.data<float>() + tensor.numElements());
}

/// tanh outputs span [-1, 1], sigmoid outputs [0, 1].
float lowerBound(const std::vector<float> &values) {
  for (float v : values)
    if (v < -0.01f)
      return -1.0f;
  return 0.0f;
}

bool openSession(const Module &module, const ImageOptions &options,
                 std::unique_ptr<Session> &session, std::string &error) {
  session = std::make_unique<Session>(module, options.seed);
  return options.checkpoint.empty() ||
         loadCheckpoint(*session, options.checkpoint, error);
}
} // namespace

/// Generates `count` images from noise drawn with `seed`.
static bool generate(Session &session, int64_t count, uint64_t seed,
                     std::vector<float> &pixels, int64_t &height,
                     int64_t &width, std::string &error) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  std::set<std::string> noise = {"z", "noise"};
  Tensor images;
  if (!runForImages(
          session, count, {"sample"},
          [&](const ArgumentSpec &argument, Tensor &tensor) {
            bool isNoise = noise.count(argument.name) > 0;
            for (int64_t i = 0; i < tensor.numElements(); ++i)
              if (tensor.dtype == DType::F32)
                tensor.data<float>()[i] = isNoise ? normal(rng) : 0.0f;
            return true;
          },
          images, height, width, error))
    return false;
  pixels = toVector(images);
  return true;
}

bool kiln::run::writeSamples(Session &session, const std::string &path,
                             int64_t count, uint64_t seed,
                             std::string &error) {
  std::vector<float> pixels;
  int64_t height = 0, width = 0;
  return generate(session, count, seed, pixels, height, width, error) &&
         writeImageGrid(path, pixels, count, height, width, 8,
                        lowerBound(pixels), 1.0f, error);
}

/// Labels generated images with a classifier trained on [0, 1] pixels and
/// prints the count per class: a generator that covers few classes has
/// collapsed onto a few modes.
static bool classifySamples(const ImageOptions &options,
                            const std::vector<float> &pixels, int64_t count,
                            std::string &error) {
  std::unique_ptr<Module> classifier =
      Module::loadFile(options.classifier, error);
  if (!classifier)
    return false;
  Session session(*classifier, 0);
  if (!options.classifierCheckpoint.empty() &&
      !loadCheckpoint(session, options.classifierCheckpoint, error))
    return false;
  float low = lowerBound(pixels);
  const EntrySpec *infer = nullptr;
  std::vector<Tensor> outputs;
  auto fill = [&](const ArgumentSpec &, Tensor &tensor) {
    if (tensor.dtype != DType::F32 ||
        tensor.numElements() != static_cast<int64_t>(pixels.size()))
      return false;
    for (size_t i = 0; i < pixels.size(); ++i)
      tensor.data<float>()[i] = (pixels[i] - low) / (1.0f - low);
    return true;
  };
  if (!runInfer(session, count, fill, infer, outputs, error))
    return false;
  const Tensor &out = outputs.front();
  if (out.shape.size() != 2 || out.dtype != DType::F32) {
    error = "the classifier's first output is not class probabilities";
    return false;
  }
  int64_t classes = out.shape[1];
  std::vector<int64_t> histogram(classes, 0);
  for (int64_t i = 0; i < count; ++i) {
    const float *row = out.data<float>() + i * classes;
    ++histogram[std::max_element(row, row + classes) - row];
  }
  int64_t covered = 0;
  std::printf("classes of %lld samples:", static_cast<long long>(count));
  for (int64_t c = 0; c < classes; ++c) {
    std::printf(" %lld", static_cast<long long>(histogram[c]));
    covered += histogram[c] > 0;
  }
  std::printf("\n%lld of %lld classes covered\n",
              static_cast<long long>(covered), static_cast<long long>(classes));
  return true;
}

int kiln::run::sample(const Module &module,
                      const std::vector<std::string> &args) {
  ImageOptions options;
  options.count = 64;
  std::string error;
  std::unique_ptr<Session> session;
  if (!parseImageOptions(args, options, error) ||
      !openSession(module, options, session, error))
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
  std::vector<float> pixels;
  int64_t height = 0, width = 0;
  if (!generate(*session, options.count, options.seed, pixels, height, width,
                error) ||
      (!options.output.empty() &&
       !writeImageGrid(options.output, pixels, options.count, height, width,
                       8, lowerBound(pixels), 1.0f, error)) ||
      (!options.classifier.empty() &&
       !classifySamples(options, pixels, options.count, error)))
    return fail(error);
  if (!options.output.empty())
    std::printf("wrote %lld samples to %s\n",
                static_cast<long long>(options.count), options.output.c_str());
  return 0;
}

int kiln::run::reconstruct(const Module &module,
                           const std::vector<std::string> &args) {
  ImageOptions options;
  options.count = 16;
  std::string error;
  std::unique_ptr<Session> session;
  if (!parseImageOptions(args, options, error))
    return fail(error);
  if (options.data != "fashion-mnist")
    return fail("--data fashion-mnist is required");
  Samples test;
  if (!openSession(module, options, session, error))
    return fail(error);
  if (!readFashionMnist(options.dataDir, false, test, error))
    return fail(error + catalog::missingHint(options.dataDir));
  int64_t count = std::min(options.count, test.count);
  // The inputs, with noise added for a denoising autoencoder's test.
  std::vector<float> inputs(test.features.begin(),
                            test.features.begin() + count * test.width);
  std::mt19937_64 rng(options.seed);
  std::normal_distribution<float> normal(0.0f, float(options.noiseStd));
  if (options.noiseStd > 0)
    for (float &v : inputs)
      v += normal(rng);
  Tensor outputs;
  int64_t height = 0, width = 0;
  if (!runForImages(
          *session, count, {"reconstruction", "clean"},
          [&](const ArgumentSpec &argument, Tensor &tensor) {
            bool isImage = tensor.numElements() == count * test.width &&
                           !options.noise.count(argument.name);
            for (int64_t i = 0; i < tensor.numElements(); ++i)
              if (tensor.dtype == DType::F32)
                tensor.data<float>()[i] = isImage ? inputs[i] : 0.0f;
            return true;
          },
          outputs, height, width, error))
    return fail(error);
  if (height * width != test.width)
    return fail("the model's images are not the data set's");
  std::vector<float> reconstructed = toVector(outputs);
  // Rows of inputs, each followed by a row of their reconstructions.
  const int64_t columns = 8;
  std::vector<float> grid;
  double errorOut = 0, errorIn = 0;
  for (int64_t row = 0; row * columns < count; ++row)
    for (const std::vector<float> *source : {&inputs, &reconstructed})
      for (int64_t c = 0; c < columns; ++c) {
        int64_t image = row * columns + c;
        if (image >= count) {
          grid.insert(grid.end(), test.width, 0.5f);
          continue;
        }
        grid.insert(grid.end(), source->begin() + image * test.width,
                    source->begin() + (image + 1) * test.width);
      }
  for (int64_t i = 0; i < count * test.width; ++i) {
    double clean = test.features[i];
    errorOut += (reconstructed[i] - clean) * (reconstructed[i] - clean);
    errorIn += (inputs[i] - clean) * (inputs[i] - clean);
  }
  int64_t cells = static_cast<int64_t>(grid.size()) / test.width;
  if (!writeImageGrid(options.output, grid, cells, height, width, columns,
                      0.0f, 1.0f, error))
    return fail(error);
  double n = static_cast<double>(count * test.width);
  if (options.noiseStd > 0)
    std::printf("reconstruction MSE %.4f against the clean images; the noisy "
                "inputs' MSE %.4f (%.1fx lower); grid in %s\n",
                errorOut / n, errorIn / n, errorIn / std::max(errorOut, 1e-12),
                options.output.c_str());
  else
    std::printf("reconstruction MSE %.4f over %lld test images; grid in %s\n",
                errorOut / n, static_cast<long long>(count),
                options.output.c_str());
  return 0;
}
