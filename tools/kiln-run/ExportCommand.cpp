//===- ExportCommand.cpp - kiln-run export --------------------------------===//
//
// `kiln-run infer` takes .npy files; this writes them from any data set
// kiln-run trains on, read, split and scaled exactly as `train` would (the
// same data options), so a reader can try a model on real samples.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "TrainOptions.h"

#include "kiln/runtime/Npy.h"
#include "kiln/train/PrepareData.h"

#include <cstdio>

using namespace kiln::rt;
using namespace kiln::run;
using namespace kiln::train;

namespace {

struct ExportOptions {
  std::string features, labels, on = "test";
  int64_t count = -1;
  std::vector<int64_t> shape;
  DataRequest data;
};

int exportData(const ExportOptions &options) {
  std::string error;
  PreparedData prepared;
  if (!checkDataOptions(options.data, /*requireData=*/true, error) ||
      !prepareData(options.data, nullptr, prepared, error))
    return fail(error);
  printHints(prepared.hints);
  Tensor features, labels;
  if (!samplesAsTensors(prepared, options.on, options.count, options.shape,
                        features, labels, error) ||
      !writeNpy(options.features, features, error) ||
      (!options.labels.empty() && !writeNpy(options.labels, labels, error)))
    return fail(error);
  std::printf("wrote %lld %s samples to %s%s%s\n",
              static_cast<long long>(features.shape[0]), options.on.c_str(),
              options.features.c_str(),
              options.labels.empty() ? "" : " and ", options.labels.c_str());
  return 0;
}

} // namespace

Command kiln::run::addExportCommand(CLI::App &parent) {
  auto options = std::make_shared<ExportOptions>();
  CLI::App *command = parent.add_subcommand(
      "export", "write samples of a data set as .npy files (no module)");
  command->footer("Writes samples of a data set as .npy files, read, "
                       "split and scaled as\nkiln-run train prepares them.");
  command->add_option("--features", options->features,
                      "the samples' features, f32 [count, width] (or\n"
                      "[count, SHAPE])")
      ->required()
      ->type_name("FILE.npy");
  command->add_option("--labels", options->labels,
                      "their class labels (i32) or targets (f32)")
      ->type_name("FILE.npy");
  command->add_option("--on", options->on,
                      "which samples (default test)")
      ->check(oneOf({"test", "validation", "train"}))
      ->type_name("test|validation|train");
  command->add_option("--count", options->count,
                      "the first K of them (default all)")
      ->check(positiveInteger("a positive number of samples"))
      ->type_name("K");
  command->add_option("--shape", options->shape,
                      "each sample's shape, e.g. 1,28,28 for a\n"
                      "convolutional model (default flat)")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->check(positiveInteger("positive sizes, e.g. 1,28,28"))
      ->type_name("D1,D2,...");
  addDataOptions(*command, options->data);
  return {command, [=] { return exportData(*options); }};
}
