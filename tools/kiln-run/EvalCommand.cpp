//===- EvalCommand.cpp - kiln-run eval ------------------------------------===//
//
// Judges a trained model on held-out samples: the checkpoint brings the
// parameters and the preprocessing fitted in training (with the data's
// name and split), so `kiln-run eval model.kmod --checkpoint c.ckpt` scores
// the very test samples training held out.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "TrainOptions.h"

#include "kiln/plot/EvaluationPlots.h"
#include "kiln/runtime/Checkpoint.h"
#include "kiln/runtime/Session.h"
#include "kiln/train/InferenceInputs.h"
#include "kiln/train/Scoring.h"

#include <cstdio>

using namespace kiln::rt;
using namespace kiln::run;
using namespace kiln::train;

namespace {

struct EvalOptions {
  std::string module, checkpoint, on = "test", plotDir, plotFormat = "png",
                                  predictions;
  bool json = false;
  int positive = 1;
  unsigned threads = 0;
  DataRequest data;
  std::set<std::string> noise;
};

void print(const Module &module, const EvalOptions &options,
           const Scorecard &scores, const Preprocessing &preprocessing,
           int64_t count) {
  const std::vector<std::string> &names = preprocessing.classes;
  const Evaluation &evaluation = scores.evaluation;
  if (!options.json) {
    std::printf("%s on %lld %s samples: %s\n", module.name().c_str(),
                static_cast<long long>(count), options.on.c_str(),
                evaluation.describe().c_str());
    if (scores.classification)
      std::fputs(describe(scores.classes, names).c_str(), stdout);
    else if (scores.regression)
      std::fputs(describe(scores.regressionMetrics).c_str(), stdout);
    return;
  }
  std::printf("%s\n", scorecardJson(scores, module.name(), options.on,
                                    preprocessing)
                          .c_str());
}

int eval(const EvalOptions &options) {
  std::string error;
  if (!checkDataOptions(options.data, /*requireData=*/false, error))
    return fail(error);
  std::unique_ptr<Module> module = Module::loadFile(options.module, error);
  if (!module)
    return fail(error);
  Session session(*module, 0, options.threads);
  CheckpointMetadata metadata;
  if (!loadCheckpoint(session, options.checkpoint, error, &metadata))
    return fail(error);
  Preprocessing fitted;
  if (!fittedPreprocessing(metadata, fitted, error))
    return fail(options.checkpoint + ": " + error);
  bool hasFitted = metadata.count(kPreprocessingKey);
  PreparedData data;
  if (!prepareData(options.data, hasFitted ? &fitted : nullptr, data, error))
    return fail(error);
  printHints(data.hints);

  Samples chosen;
  std::vector<int64_t> indices;
  Scorecard scores;
  if (!selectSamples(data, options.on, chosen, indices, error) ||
      !scoreModel(session, chosen, indices, options.noise, options.positive,
                  scores, error))
    return fail(error);
  print(*module, options, scores, data.preprocessing,
        static_cast<int64_t>(indices.size()));

  if (!options.predictions.empty() &&
      !writePredictions(options.predictions, chosen, indices,
                        scores.evaluation, scores.classification, error))
    return fail(error);
  if (options.plotDir.empty())
    return 0;
  if (!scores.classification && !scores.regression)
    return fail("--plot draws a classifier's or a regression's results; "
                "this model is neither");
  bool drawn =
      scores.classification
          ? kiln::plot::writeClassificationPlots(
                options.plotDir, options.plotFormat, scores.classes,
                data.preprocessing.classes, module->name(), error)
          : kiln::plot::writeRegressionPlot(
                options.plotDir, options.plotFormat, scores.evaluation.outputs,
                scores.evaluation.outputWidth, scores.targets, module->name(),
                error);
  return drawn ? 0 : fail(error);
}

} // namespace

Command kiln::run::addEvalCommand(CLI::App &parent) {
  auto options = std::make_shared<EvalOptions>();
  CLI::App *command = parent.add_subcommand(
      "eval", "score a trained model: metrics, confusion matrix, ROC and PR");
  command->footer(
      "Scores the model on held-out samples: the losses of its train "
      "entries\nand, for a classifier, accuracy, per-class and macro "
      "precision, recall\nand F1, the confusion matrix, and for two classes "
      "ROC AUC and average\nprecision; for a regression, MSE, MAE and R^2."
      "\n\n"
      "Data options replace the checkpoint's: --data new.csv "
      "--on all scores every\nsample of new.csv.");
  addModulePath(*command, options->module);
  command->add_option("--checkpoint", options->checkpoint,
                      "the trained parameters; its preprocessing, data and\n"
                      "split are the defaults")
      ->required()
      ->type_name("FILE");
  command->add_option("--on", options->on,
                      "the samples to score (default test)")
      ->check(oneOf({"test", "validation", "train", "all"}))
      ->type_name("test|validation|train|all");
  command->add_flag("--json", options->json,
                    "print the metrics as one JSON object");
  command->add_option("--plot", options->plotDir,
                      "write DIR/confusion.png, and for two classes\n"
                      "DIR/roc.png and DIR/pr.png; for a regression\n"
                      "DIR/predictions.png (predicted against true)")
      ->type_name("DIR");
  command->add_option("--plot-format", options->plotFormat,
                      "the plots' format (default png)")
      ->check(oneOf({"png", "svg"}))
      ->type_name("png|svg");
  command->add_option("--predictions", options->predictions,
                      "each sample's row in the data file, label or target,\n"
                      "and the model's output")
      ->type_name("FILE.csv");
  command->add_option("--positive", options->positive,
                      "the positive class of a binary problem (default 1)")
      ->check(oneOf({"0", "1"}))
      ->type_name("K");
  addThreads(*command, options->threads);
  addDataOptions(*command, options->data);
  addNoiseOption(*command, options->noise);
  return {command, [=] { return eval(*options); }};
}
