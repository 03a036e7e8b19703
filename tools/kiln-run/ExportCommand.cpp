//===- ExportCommand.cpp - kiln-run export --------------------------------===//
//
// `kiln-run infer` takes .npy files; this writes them from any data set
// kiln-run trains on, read, split and scaled exactly as `train` would (the
// same data options), so a reader can try a model on real samples.
//
//===----------------------------------------------------------------------===//

#include "ExportCommand.h"

#include "CommandLine.h"
#include "TrainOptions.h"
#include "kiln/train/PrepareData.h"

#include "kiln/runtime/Npy.h"

#include <algorithm>
#include <cstdio>
#include <numeric>

using namespace kiln::rt;
using namespace kiln::run;
using namespace kiln::train;

const char kiln::run::kExportUsage[] =
    "usage: kiln-run export --data DATA --features FILE.npy [options]\n"
    "Writes samples of a data set as .npy files, read, split and scaled as\n"
    "kiln-run train prepares them.\n"
    "  --features FILE.npy       the samples' features, f32 [count, width]\n"
    "                            (or [count, SHAPE])\n"
    "  --labels FILE.npy         their class labels (i32) or targets (f32)\n"
    "  --on test|validation|train  which samples (default test)\n"
    "  --count K                 the first K of them (default all)\n"
    "  --shape D1,D2,...         each sample's shape, e.g. 1,28,28 for a\n"
    "                            convolutional model (default flat)\n"
    "Data options (--data, --target, --split, --scale, --seed, ... as for\n"
    "kiln-run train).\n";

namespace {

struct ExportOptions {
  std::string features, labels, on = "test";
  int64_t count = -1;
  std::vector<int64_t> shape;
};

bool parseShape(const std::string &text, std::vector<int64_t> &shape) {
  shape.clear();
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = std::min(text.find(',', start), text.size());
    int64_t dim;
    if (!parsePositive(text.substr(start, end - start), dim))
      return false;
    shape.push_back(dim);
    start = end + 1;
  }
  return !shape.empty();
}

bool parseExportOptions(const std::vector<std::string> &args,
                        ExportOptions &options,
                        std::vector<std::string> &rest, std::string &error) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &flag = args[i];
    auto value = [&](std::string &out) {
      if (i + 1 >= args.size()) {
        error = flag + " expects a value";
        return false;
      }
      out = args[++i];
      return true;
    };
    std::string text;
    if (flag == "--features" || flag == "--labels") {
      if (!value(flag == "--features" ? options.features : options.labels))
        return false;
    } else if (flag == "--on") {
      if (!value(options.on))
        return false;
      if (options.on != "test" && options.on != "validation" &&
          options.on != "train") {
        error = "--on is test, validation or train";
        return false;
      }
    } else if (flag == "--count") {
      if (!value(text) || !parsePositive(text, options.count)) {
        error = "--count expects a positive number of samples";
        return false;
      }
    } else if (flag == "--shape") {
      if (!value(text) || !parseShape(text, options.shape)) {
        error = "--shape expects positive sizes, e.g. 1,28,28";
        return false;
      }
    } else {
      rest.push_back(flag);
    }
  }
  if (options.features.empty()) {
    error = "--features is required (the .npy file to write)";
    return false;
  }
  return true;
}
} // namespace

int kiln::run::exportData(const std::vector<std::string> &args) {
  ExportOptions options;
  std::vector<std::string> dataArgs;
  TrainOptions data;
  PreparedData prepared;
  std::string error;
  if (!parseExportOptions(args, options, dataArgs, error) ||
      !parseOptions(dataArgs, data, error) ||
      !prepareData(data, nullptr, prepared, error))
    return fail(error);
  printHints(prepared.hints);
  const Samples &from = options.on == "test" ? prepared.test : prepared.train;
  int64_t trainCount = prepared.train.count - prepared.validationCount;
  int64_t first = options.on == "validation" ? trainCount : 0;
  int64_t available = options.on == "test"         ? from.count
                      : options.on == "validation" ? prepared.validationCount
                                                   : trainCount;
  int64_t count =
      options.count < 0 ? available : std::min(options.count, available);
  std::vector<int64_t> shape = {count};
  int64_t width = 1;
  for (int64_t dim : options.shape)
    width *= dim;
  if (!options.shape.empty() && width != from.width)
    return fail("--shape holds " + std::to_string(width) +
                " values but each sample has " + std::to_string(from.width));
  if (options.shape.empty())
    shape.push_back(from.width);
  else
    shape.insert(shape.end(), options.shape.begin(), options.shape.end());
  Tensor features(DType::F32, shape);
  std::copy_n(from.features.begin() + first * from.width, count * from.width,
              features.data<float>());
  if (!writeNpy(options.features, features, error))
    return fail(error);
  if (!options.labels.empty()) {
    bool classes = !from.labels.empty() && from.targetWidth == 1;
    std::vector<int64_t> labelShape = {count};
    if (from.targetWidth > 1)
      labelShape.push_back(from.targetWidth);
    Tensor labels(classes ? DType::I32 : DType::F32, labelShape);
    int64_t per = from.targetWidth;
    if (classes)
      std::copy_n(from.labels.begin() + first, count, labels.data<int32_t>());
    else
      std::copy_n(from.targets.begin() + first * per, count * per,
                  labels.data<float>());
    if (!writeNpy(options.labels, labels, error))
      return fail(error);
  }
  std::printf("wrote %lld %s samples to %s%s%s\n",
              static_cast<long long>(count), options.on.c_str(),
              options.features.c_str(),
              options.labels.empty() ? "" : " and ",
              options.labels.c_str());
  return 0;
}
