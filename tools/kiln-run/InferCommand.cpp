//===- InferCommand.cpp - kiln-run infer ----------------------------------===//
//
// Runs one entry on inputs from .npy files (or, for a model trained on a
// CSV file, CSV files) and prints or writes its outputs. A checkpoint
// brings the trained parameters and the preprocessing fitted in training.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include "kiln/runtime/Checkpoint.h"
#include "kiln/runtime/Session.h"
#include "kiln/tooling/OutputFormat.h"
#include "kiln/tooling/RunEntry.h"
#include "kiln/train/InferenceInputs.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

using namespace kiln::rt;
using namespace kiln::run;
using namespace kiln::tooling;
using namespace kiln::train;

namespace {

struct InferOptions {
  std::string module, entry = "infer", paramsDir, dumpDir, outputDir;
  std::string checkpointIn, checkpointOut;
  NamedFiles inputs, outputs;
  bool raw = false;
  uint64_t seed = 0;
  unsigned threads = 0;
  int64_t steps = 1, topK = 3;
  float learningRate = NAN;
};

int infer(const InferOptions &options) {
  std::string error;
  std::unique_ptr<Module> module = Module::loadFile(options.module, error);
  if (!module)
    return fail(error);
  const EntrySpec *entry = module->findEntry(options.entry);
  if (!entry)
    return fail("the module has no entry '" + options.entry + "'");
  Session session(*module, options.seed, options.threads);
  if (!options.paramsDir.empty() &&
      !loadParams(session, options.paramsDir, error))
    return fail(error);
  CheckpointMetadata metadata;
  if (!options.checkpointIn.empty() &&
      !loadCheckpoint(session, options.checkpointIn, error, &metadata))
    return fail(error);
  // Untrained weights give answers that look like any others.
  bool trainable = std::any_of(module->params().begin(),
                               module->params().end(),
                               [](const ParamSpec &p) { return !p.buffer; });
  if (options.checkpointIn.empty() && options.paramsDir.empty() &&
      trainable && !entry->isTrain)
    std::fprintf(stderr,
                 "kiln-run: warning: no --checkpoint or --params: the "
                 "parameters are freshly initialized (seed %llu), not "
                 "trained\n",
                 static_cast<unsigned long long>(options.seed));
  std::map<std::string, Tensor> inputs;
  NamedFiles tables;
  if (!readInputs(*entry, options.inputs, inputs, tables, error))
    return fail(error);
  Preprocessing fitted;
  if (!fittedPreprocessing(metadata, fitted, error))
    return fail(options.checkpointIn + ": " + error);
  if (options.raw && !tables.empty())
    return fail("--raw inputs are .npy files");
  if (!options.raw && !preprocessInputs(fitted, tables, inputs, error))
    return fail(options.checkpointIn + ": " + error);
  RunOptions runOptions;
  if (!std::isnan(options.learningRate))
    runOptions.learningRate = options.learningRate;
  std::vector<Tensor> outputs;
  for (int64_t step = 0; step < options.steps; ++step)
    if (!session.run(options.entry, inputs, outputs, error, runOptions))
      return fail(error);
  // After the run, so that a train entry's updates (and batch-norm
  // statistics) show.
  if (!options.dumpDir.empty() && !dumpParams(session, options.dumpDir, error))
    return fail(error);
  if (!options.checkpointOut.empty() &&
      !saveCheckpoint(session, options.checkpointOut, error))
    return fail(error);
  if (!writeOutputs(*entry, outputs, options.outputs, options.outputDir,
                    error))
    return fail(error);
  if (!options.outputs.empty() || !options.outputDir.empty())
    return 0;
  size_t index = 0;
  for (const ResultSpec &result : entry->results)
    if (result.role == ResultSpec::Role::Output)
      std::fputs(formatOutput(result.name, outputs[index++], fitted.classes,
                              options.topK)
                     .c_str(),
                 stdout);
  return 0;
}

/// A repeatable NAME=FILE option.
CLI::Option *addFiles(CLI::App &command, const std::string &flag,
                      NamedFiles &files, const std::string &description) {
  return command
      .add_option_function<std::vector<std::string>>(
          flag,
          [&files, flag](const std::vector<std::string> &texts) {
            for (const std::string &text : texts) {
              std::string name, path;
              if (!splitAssignment(text, name, path))
                throw CLI::ValidationError(flag, "expects NAME=FILE.npy");
              files.emplace_back(name, path);
            }
          },
          description)
      ->type_name("NAME=FILE.npy")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
}

} // namespace

Command kiln::run::addInferCommand(CLI::App &parent) {
  auto options = std::make_shared<InferOptions>();
  CLI::App *command =
      parent.add_subcommand("infer", "run an entry on .npy inputs");
  addModulePath(*command, options->module);
  addFiles(*command, "--input", options->inputs,
           "an input of the entry (repeatable); with a checkpoint\n"
           "of a model trained on a CSV file, also NAME=FILE.csv\n"
           "(its feature columns)");
  addFiles(*command, "--output", options->outputs,
           "write an output (repeatable; default: print each\n"
           "output: a classifier's top classes per sample, else\n"
           "its values)");
  command->add_option("--top", options->topK,
                      "classes printed per sample (default 3)")
      ->check(positiveInteger())
      ->type_name("K");
  command->add_option("--output-dir", options->outputDir,
                      "write every output to DIR/<name>.npy")
      ->type_name("DIR");
  command->add_option("--entry", options->entry,
                      "the entry to run (default: infer)")
      ->type_name("NAME");
  addSeed(*command, options->seed,
          "seed for parameter initialization (default 0)");
  command->add_option("--params", options->paramsDir,
                      "load parameters from DIR/<name>.npy")
      ->type_name("DIR");
  command->add_option("--dump-params", options->dumpDir,
                      "write the parameters to DIR/<name>.npy after the run")
      ->type_name("DIR");
  command->add_option("--checkpoint", options->checkpointIn,
                      "restore parameters and optimizer state; the features\n"
                      "are preprocessed (scaled, encoded) as in training")
      ->type_name("FILE");
  command->add_flag("--raw", options->raw, "leave the inputs as they are");
  command->add_option("--save-checkpoint", options->checkpointOut,
                      "save them after the run")
      ->type_name("FILE");
  command->add_option("--steps", options->steps,
                      "run the entry N times (a train entry: N steps on the\n"
                      "same inputs)")
      ->check(positiveInteger());
  command->add_option("--lr", options->learningRate,
                      "a train entry's learning rate (default: the model's)")
      ->check(positiveReal());
  addThreads(*command, options->threads);
  return {command, [=] { return infer(*options); }};
}
