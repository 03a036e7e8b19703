//===- ImageModels.cpp - Images a model makes -----------------------------===//

#include "kiln/train/ImageModels.h"

#include "kiln/train/Feed.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <random>

using namespace kiln::rt;
using namespace kiln::train;

float Images::low() const {
  for (float v : pixels)
    if (v < -0.01f)
      return -1.0f;
  return 0.0f;
}

namespace {

/// The geometry of one image of `type` (batch first): [N, C=1, H, W] or
/// [N, H*W] with a square H*W.
bool imageShape(const TensorSpec &type, int64_t &height, int64_t &width) {
  if (type.shape.size() == 4 && type.shape[1] == 1) {
    height = type.shape[2];
    width = type.shape[3];
    return true;
  }
  if (type.shape.size() == 2) {
    auto side =
        static_cast<int64_t>(std::llround(std::sqrt(double(type.shape[1]))));
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
  infer = session.module().inferenceEntry();
  if (!infer) {
    error = "the module has no 'infer' entry";
    return false;
  }
  std::map<std::string, Tensor> inputs;
  for (const ArgumentSpec &argument : infer->arguments) {
    if (argument.role != ArgumentSpec::Role::Input)
      continue;
    std::vector<int64_t> shape = argument.type.shapeWithBatch(count);
    Tensor tensor(argument.type.dtype, shape);
    if (!fill(argument, tensor)) {
      error = "cannot feed input '" + argument.name + "' " +
              dtypeName(argument.type.dtype) + formatShape(shape);
      return false;
    }
    inputs.emplace(argument.name, std::move(tensor));
  }
  return session.run(infer->name, inputs, outputs, error);
}

/// Runs `infer` with `fill` choosing each input's values, and returns its
/// first output that is a batch of images.
bool runForImages(Session &session, int64_t count,
                  const std::vector<std::string> &preferred,
                  const InputFiller &fill, Images &images,
                  std::string &error) {
  int64_t height = 0, width = 0;
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
  if (chosen < 0) {
    error = "the 'infer' entry returns no images";
    return false;
  }
  const Tensor &output = outputs[chosen];
  images.pixels.assign(output.data<float>(),
                       output.data<float>() + output.numElements());
  images.count = count;
  images.height = height;
  images.width = width;
  return true;
}

} // namespace

bool kiln::train::generateImages(Session &session, int64_t count,
                                 uint64_t seed,
                                 const std::set<std::string> &noise,
                                 Images &images, std::string &error) {
  std::mt19937_64 rng(seed);
  return runForImages(
      session, count, {"sample"},
      [&](const ArgumentSpec &argument, Tensor &tensor) {
        if (tensor.dtype != DType::F32)
          return true;
        if (isNoise(argument, noise))
          drawNoise(argument, tensor, rng);
        else
          std::fill_n(tensor.data<float>(), tensor.numElements(), 0.0f);
        return true;
      },
      images, error);
}

bool kiln::train::reconstructImages(Session &session, const Samples &test,
                                    int64_t count, double noiseStd,
                                    uint64_t seed,
                                    const std::set<std::string> &noise,
                                    Reconstruction &result,
                                    std::string &error) {
  count = std::min(count, test.count);
  std::vector<float> &inputs = result.inputs.pixels;
  inputs.assign(test.features.begin(),
                test.features.begin() + count * test.width);
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, float(noiseStd));
  if (noiseStd > 0)
    for (float &v : inputs)
      v += normal(rng);
  if (!runForImages(
          session, count, {"reconstruction", "clean"},
          [&](const ArgumentSpec &argument, Tensor &tensor) {
            bool isImage = tensor.numElements() == count * test.width &&
                           !isNoise(argument, noise);
            for (int64_t i = 0; i < tensor.numElements(); ++i)
              if (tensor.dtype == DType::F32)
                tensor.data<float>()[i] = isImage ? inputs[i] : 0.0f;
            return true;
          },
          result.outputs, error))
    return false;
  if (result.outputs.height * result.outputs.width != test.width) {
    error = "the model's images are not the data set's";
    return false;
  }
  result.inputs.count = count;
  result.inputs.height = result.outputs.height;
  result.inputs.width = result.outputs.width;
  double out = 0, in = 0;
  const std::vector<float> &made = result.outputs.pixels;
  for (int64_t i = 0; i < count * test.width; ++i) {
    double clean = test.features[i];
    out += (made[i] - clean) * (made[i] - clean);
    in += (inputs[i] - clean) * (inputs[i] - clean);
  }
  double n = static_cast<double>(std::max<int64_t>(count * test.width, 1));
  result.outputError = out / n;
  result.inputError = in / n;
  return true;
}

bool kiln::train::classifyImages(Session &classifier, const Images &images,
                                 std::vector<int64_t> &histogram,
                                 std::string &error) {
  float low = images.low();
  const EntrySpec *infer = nullptr;
  std::vector<Tensor> outputs;
  auto fill = [&](const ArgumentSpec &, Tensor &tensor) {
    if (tensor.dtype != DType::F32 ||
        tensor.numElements() != static_cast<int64_t>(images.pixels.size()))
      return false;
    for (size_t i = 0; i < images.pixels.size(); ++i)
      tensor.data<float>()[i] = (images.pixels[i] - low) / (1.0f - low);
    return true;
  };
  if (!runInfer(classifier, images.count, fill, infer, outputs, error))
    return false;
  const Tensor &out = outputs.front();
  if (out.shape.size() != 2 || out.dtype != DType::F32) {
    error = "the classifier's first output is not class probabilities";
    return false;
  }
  int64_t classes = out.shape[1];
  histogram.assign(classes, 0);
  for (int64_t i = 0; i < images.count; ++i) {
    const float *row = out.data<float>() + i * classes;
    ++histogram[std::max_element(row, row + classes) - row];
  }
  return true;
}
