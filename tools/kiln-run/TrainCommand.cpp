//===- TrainCommand.cpp - kiln-run train ----------------------------------===//
//
// The options to kiln::train::Trainer, and its progress to the terminal,
// JSON lines, plots and sample images.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "TrainOptions.h"

#include "kiln/plot/TrainingObservers.h"
#include "kiln/runtime/Session.h"
#include "kiln/tooling/TrainingLoggers.h"
#include "kiln/train/Json.h"
#include "kiln/train/TensorBoard.h"
#include "kiln/train/Trainer.h"

#include <unistd.h>

using namespace kiln::rt;
using namespace kiln::run;
using namespace kiln::train;

namespace {

FitOptions fitOptions(const TrainOptions &options) {
  FitOptions fit;
  fit.epochs = options.epochs;
  fit.batch = options.fullBatch ? 0 : options.batch;
  fit.limit = options.limit;
  fit.testLimit = options.testLimit;
  fit.learningRate = options.lr;
  parseSchedule(options.schedule, fit.schedule);
  fit.stepDecayEpochs = options.lrStep;
  fit.warmupSteps = options.warmup;
  fit.seed = options.seed;
  fit.entries = options.entries;
  fit.noise = options.noise;
  fit.checkpoint = options.checkpoint;
  fit.resume = options.resume;
  fit.patience = options.patience;
  fit.monitor = options.monitor;
  fit.keepBest = options.keepBest;
  return fit;
}

int runTraining(const std::string &modulePath, TrainOptions &options) {
  std::string error;
  if (!checkFitOptions(options, error))
    return fail(error);
  std::unique_ptr<Module> loaded = Module::loadFile(modulePath, error);
  if (!loaded)
    return fail(error);
  const Module &module = *loaded;
  // Sequences are as long as the model's integer [N, T] input says.
  if (int64_t steps = Trainer::sequenceSteps(module, options.entries))
    options.sequenceSteps = steps;
  PreparedData data;
  if (!prepareData(options, nullptr, data, error))
    return fail(error);
  printHints(data.hints);

  Session session(module, options.seed, options.threads);
  Trainer trainer(session, fitOptions(options));
  kiln::plot::SampleGridWriter samples(options.samples, options.seed,
                                       options.noise);
  kiln::plot::CurvePlotter plotter(options.plot, module.name());
  kiln::tooling::JsonLinesLogger json(stdout);
  kiln::tooling::ConsoleLogger console(stderr, isatty(fileno(stderr)));
  if (!options.samples.empty())
    trainer.addObserver(samples);
  if (!options.plot.empty())
    trainer.addObserver(plotter);
  TensorBoardLogger tensorBoard;
  if (!options.logDir.empty()) {
    if (!tensorBoard.open(options.logDir, error))
      return fail(error);
    trainer.addObserver(tensorBoard);
  }
  if (options.json)
    trainer.addObserver(json);
  trainer.addObserver(console);
  FitResult result;
  if (!trainer.fit(data, result, error))
    return fail(error);

  if (options.json) {
    nlohmann::ordered_json summary;
    summary["model"] = module.name();
    summary["entries"] = result.entries;
    summary["epochs"] = options.epochs;
    summary["batch"] = result.batch;
    summary["steps"] = result.steps;
    summary.update(result.test.toJson("test_"));
    summary["train_samples_per_s"] = result.trainSamplesPerSecond;
    summary["seconds"] = result.seconds;
    std::printf("%s\n", formatJson(summary).c_str());
  } else {
    std::printf("%s: test %s (%lld samples), %.0f training samples/s, %.1f s\n",
                module.name().c_str(), result.test.describe().c_str(),
                static_cast<long long>(result.testSamples),
                result.trainSamplesPerSecond, result.seconds);
  }
  return 0;
}

} // namespace

Command kiln::run::addTrainCommand(CLI::App &parent) {
  auto options = std::make_shared<TrainOptions>();
  auto modulePath = std::make_shared<std::string>();
  CLI::App *command = parent.add_subcommand(
      "train", "train on a data set, validate, test, checkpoint");
  addModulePath(*command, *modulePath);
  addDataOptions(*command, *options);
  addFitOptions(*command, *options);
  return {command, [=] { return runTraining(*modulePath, *options); }};
}
