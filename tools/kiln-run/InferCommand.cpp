//===- InferCommand.cpp - kiln-run infer ----------------------------------===//
//
// Runs one entry on inputs from .npy files (or, for a model trained on a
// CSV file, CSV files) and prints or writes its outputs. A checkpoint
// brings the trained parameters and the preprocessing fitted in training.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"
#include "PrintOutputs.h"

#include "kiln/runtime/Checkpoint.h"
#include "kiln/runtime/Npy.h"
#include "kiln/runtime/Session.h"
#include "kiln/train/InferenceInputs.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <map>

using namespace kiln::rt;
using namespace kiln::run;
using namespace kiln::train;

namespace {

struct InferOptions {
  std::string module, entry = "infer", paramsDir, dumpDir, outputDir;
  std::string checkpointIn, checkpointOut;
  std::vector<std::string> inputs, outputs;
  bool raw = false;
  uint64_t seed = 0;
  unsigned threads = 0;
  int64_t steps = 1, topK = 3;
  float learningRate = NAN;
};

/// NAME=FILE into its parts.
bool splitAssignment(const std::string &text, std::string &name,
                     std::string &value) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    return false;
  name = text.substr(0, eq);
  value = text.substr(eq + 1);
  return true;
}

/// The .npy inputs, converted for the entry's types, and the CSV ones.
bool readInputs(const InferOptions &options, const EntrySpec &entry,
                std::map<std::string, Tensor> &inputs,
                std::vector<std::pair<std::string, std::string>> &tables,
                std::string &error) {
  for (const std::string &assignment : options.inputs) {
    std::string name, path;
    splitAssignment(assignment, name, path);
    if (endsWith(path, ".csv")) {
      tables.emplace_back(name, path);
      continue;
    }
    NpyElement stored;
    if (!readNpy(path, inputs[name], error, &stored))
      return false;
    const ArgumentSpec *argument = nullptr;
    for (const ArgumentSpec &candidate : entry.arguments)
      if (candidate.role == ArgumentSpec::Role::Input &&
          candidate.name == name)
        argument = &candidate;
    if (argument &&
        !convertForInput(inputs[name], stored, argument->type.dtype,
                         "'" + path + "' (input '" + name + "')", error))
      return false;
  }
  return true;
}

bool writeOutputs(const InferOptions &options, const EntrySpec &entry,
                  const std::vector<Tensor> &outputs, std::string &error) {
  std::vector<const ResultSpec *> named;
  for (const ResultSpec &result : entry.results)
    if (result.role == ResultSpec::Role::Output)
      named.push_back(&result);
  std::vector<std::pair<std::string, std::string>> files;
  for (const std::string &assignment : options.outputs) {
    std::string name, path;
    splitAssignment(assignment, name, path);
    files.emplace_back(name, path);
  }
  if (!options.outputDir.empty()) {
    mkdir(options.outputDir.c_str(), 0755);
    for (const ResultSpec *result : named)
      files.emplace_back(result->name,
                         options.outputDir + "/" + result->name + ".npy");
  }
  for (const auto &[name, path] : files) {
    auto found = std::find_if(named.begin(), named.end(),
                              [&](const ResultSpec *r) { return r->name == name; });
    if (found == named.end()) {
      error = "entry '" + entry.name + "' has no output '" + name + "'";
      return false;
    }
    if (!writeNpy(path, outputs[found - named.begin()], error))
      return false;
  }
  return true;
}

int infer(const InferOptions &options) {
  std::string error;
  std::unique_ptr<Module> module = Module::loadFile(options.module, error);
  if (!module)
    return fail(error);
  const EntrySpec *entry = module->findEntry(options.entry);
  if (!entry)
    return fail("the module has no entry '" + options.entry + "'");
  Session session(*module, options.seed, options.threads);
  if (!options.paramsDir.empty())
    for (const ParamSpec &param : module->params()) {
      Tensor value;
      if (!readNpy(options.paramsDir + "/" + param.name + ".npy", value,
                   error) ||
          !session.setParam(param.name, value, error))
        return fail(error);
    }
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
  std::vector<std::pair<std::string, std::string>> tables;
  if (!readInputs(options, *entry, inputs, tables, error))
    return fail(error);
  Preprocessing fitted;
  if (!fittedPreprocessing(metadata, fitted, error))
    return fail(options.checkpointIn + ": " + error);
  if (options.raw && !tables.empty())
    return fail("--raw inputs are .npy files");
  if (!options.raw && !preprocessInputs(fitted, tables, inputs, error))
    return fail(options.checkpointIn + ": " + error);
  RunOptions runOptions;
  runOptions.learningRate = options.learningRate;
  std::vector<Tensor> outputs;
  for (int64_t step = 0; step < options.steps; ++step)
    if (!session.run(options.entry, inputs, outputs, error, runOptions))
      return fail(error);
  // After the run, so that a train entry's updates (and batch-norm
  // statistics) show.
  if (!options.dumpDir.empty()) {
    mkdir(options.dumpDir.c_str(), 0755);
    for (size_t i = 0; i < module->params().size(); ++i)
      if (!writeNpy(options.dumpDir + "/" + module->params()[i].name + ".npy",
                    session.params()[i], error))
        return fail(error);
  }
  if (!options.checkpointOut.empty() &&
      !saveCheckpoint(session, options.checkpointOut, error))
    return fail(error);
  if (!writeOutputs(options, *entry, outputs, error))
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

CLI::Validator assignment() {
  return CLI::Validator(
      [](std::string &text) -> std::string {
        std::string name, path;
        return splitAssignment(text, name, path) ? ""
                                                 : "expects NAME=FILE.npy";
      },
      "");
}

} // namespace

Command kiln::run::addInferCommand(CLI::App &parent) {
  auto options = std::make_shared<InferOptions>();
  CLI::App *command =
      parent.add_subcommand("infer", "run an entry on .npy inputs");
  addModulePath(*command, options->module);
  command->add_option("--input", options->inputs,
                      "an input of the entry (repeatable); with a checkpoint\n"
                      "of a model trained on a CSV file, also NAME=FILE.csv\n"
                      "(its feature columns)")
      ->check(assignment())
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  command->add_option("--output", options->outputs,
                      "write an output (repeatable; default: print each\n"
                      "output: a classifier's top classes per sample, else\n"
                      "its values)")
      ->check(assignment())
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
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
