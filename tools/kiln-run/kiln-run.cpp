//===- kiln-run.cpp - Run compiled Kiln modules from the command line -----===//
//
//   kiln-run info  model.kmod [--summary]
//   kiln-run train model.kmod --data fashion-mnist [--epochs E] ...
//   kiln-run infer model.kmod --input NAME=x.npy [--output NAME=out.npy]
//                  [--entry infer] [--seed S] [--params DIR]
//                  [--dump-params DIR]
//
// Exit code 0 on success, 1 on a user error (with a one-line message).
// Links only the Kiln runtime.
//
//===----------------------------------------------------------------------===//

#include "CommandLine.h"
#include "EvalCommand.h"
#include "ExportCommand.h"
#include "ImageCommands.h"
#include "kiln/train/Preprocessing.h"
#include "PrintOutputs.h"
#include "TuneCommand.h"
#include "TrainCommand.h"

#include "kiln/runtime/Checkpoint.h"
#include "kiln/runtime/Module.h"
#include "kiln/runtime/Npy.h"
#include "kiln/runtime/Session.h"
#include "kiln/tooling/ModelSummary.h"
#include "kiln/train/Json.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <map>
#include <string>
#include <sys/stat.h>
#include <vector>

using namespace kiln::rt;
using namespace kiln::run;
using namespace kiln::train;

namespace {

const char kUsage[] =
    "usage: kiln-run <command> model.kmod [options]\n"
    "commands:\n"
    "  info    show the module's entries, parameters and target\n"
    "  infer   run an entry on .npy inputs\n"
    "  train   train on a data set, validate, test, checkpoint\n"
    "  eval    score a trained model: metrics, confusion matrix, ROC and PR\n"
    "  tune    search hyperparameters: a train run per trial, best kept\n"
    "  sample  generate images from noise (GANs, VAEs) as a PNG grid\n"
    "  reconstruct  reconstruct test images (autoencoders) as a PNG grid\n"
    "  bench   time an entry on random inputs\n"
    "  export  write samples of a data set as .npy files (no module)\n"
    "kiln-run <command> --help shows a command's options.\n";

const char kInfoUsage[] =
    "usage: kiln-run info model.kmod [--summary]\n"
    "Shows the module's producer, target CPU, parameters, and each entry's\n"
    "inputs, outputs, optimizer and optimizer state.\n"
    "  --summary   instead, one row per op of the model: its output shape,\n"
    "              parameters and FLOPs per sample, with totals (as\n"
    "              kilnc --summary prints)\n";

const char kInferUsage[] =
    "usage: kiln-run infer model.kmod --input NAME=FILE.npy... [options]\n"
    "  --input NAME=FILE.npy     an input of the entry (repeatable); with a\n"
    "                            checkpoint of a model trained on a CSV file,\n"
    "                            also NAME=FILE.csv (its feature columns)\n"
    "  --output NAME=FILE.npy    write an output (repeatable; default: print\n"
    "                            each output: a classifier's top classes per\n"
    "                            sample, else its values)\n"
    "  --top K                   classes printed per sample (default 3)\n"
    "  --output-dir DIR          write every output to DIR/<name>.npy\n"
    "  --entry NAME              the entry to run (default: infer)\n"
    "  --seed S                  seed for parameter initialization (default 0)\n"
    "  --params DIR              load parameters from DIR/<name>.npy\n"
    "  --dump-params DIR         write the parameters to DIR/<name>.npy\n"
    "  --checkpoint FILE         restore parameters and optimizer state; the\n"
    "                            features are preprocessed (scaled, encoded)\n"
    "                            as in training\n"
    "  --raw                     leave the inputs as they are\n"
    "  --save-checkpoint FILE    save them after the run\n"
    "  --threads N               threads (default: KILN_NUM_THREADS, else\n"
    "                            one per core)\n";

const char kBenchUsage[] =
    "usage: kiln-run bench model.kmod [options]\n"
    "  --entry NAME              the entry to time (default: infer)\n"
    "  --batch N                 the batch size (default 64)\n"
    "  --repeat R                timed runs after warming up (3 runs and at\n"
    "                            least 0.2 s; default 20)\n"
    "  --threads N               threads (default: KILN_NUM_THREADS, else\n"
    "                            one per core)\n"
    "  --profile                 then run the entry R more times and show\n"
    "                            where its time goes, by parallel loop\n"
    "                            (model source position and kind of code)\n"
    "  --json                    print the result as one JSON object\n";

bool splitAssignment(const std::string &text, std::string &name,
                     std::string &value) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    return false;
  name = text.substr(0, eq);
  value = text.substr(eq + 1);
  return true;
}

int info(const Module &module) {
  std::printf("module %s (%s)\n", module.name().c_str(),
              module.producer().c_str());
  std::printf("target cpu: %s\n", module.targetCpu().c_str());
  size_t count = 0, bytes = 0;
  for (const ParamSpec &param : module.params()) {
    Tensor shape(param.type.dtype, param.type.shape);
    count += static_cast<size_t>(shape.numElements());
    bytes += shape.bytes.size();
  }
  std::printf("parameters: %zu tensors, %zu values, %zu bytes\n",
              module.params().size(), count, bytes);
  for (const EntrySpec &entry : module.entries()) {
    std::printf("entry %s (%s)\n", entry.name.c_str(),
                entry.isTrain ? "train" : "infer");
    for (const ArgumentSpec &argument : entry.arguments)
      if (argument.role == ArgumentSpec::Role::Input)
        std::printf("  input  %s : %s%s\n", argument.name.c_str(),
                    dtypeName(argument.type.dtype),
                    formatShape(argument.type.shape).c_str());
    std::string trained;
    for (const ResultSpec &result : entry.results) {
      if (result.role == ResultSpec::Role::StateUpdate)
        continue;
      bool isBuffer = result.role == ResultSpec::Role::Update &&
                      module.params()[result.paramIndex].buffer;
      if (result.role == ResultSpec::Role::Update && !isBuffer) {
        trained += (trained.empty() ? "" : ", ") + result.name;
        continue;
      }
      std::printf("  %s %s : %s%s\n", isBuffer ? "update" : "output",
                  result.name.c_str(), dtypeName(result.type.dtype),
                  formatShape(result.type.shape).c_str());
    }
    if (!trained.empty())
      std::printf("  trains %s\n", trained.c_str());
    if (!entry.optimizer.empty())
      std::printf("  optimizer %s\n", entry.optimizer.c_str());
    if (!entry.state.empty()) {
      std::vector<std::string> kinds;
      int64_t values = 0;
      for (const StateSlotSpec &slot : entry.state) {
        int64_t size = 1;
        for (int64_t dim : slot.type.shape)
          size *= dim;
        values += size;
        if (std::find(kinds.begin(), kinds.end(), slot.name) == kinds.end())
          kinds.push_back(slot.name);
      }
      std::string names;
      for (const std::string &kind : kinds)
        names += (names.empty() ? "" : ", ") + kind;
      std::printf("  optimizer state: %zu tensors, %lld values (%s)\n",
                  entry.state.size(), static_cast<long long>(values),
                  names.c_str());
    }
  }
  return 0;
}

/// Applies the preprocessing fitted in training (saved in the checkpoint)
/// to the inputs: CSV files are encoded (one-hot columns, ...) and scaled,
/// .npy features [N, F] of the fitted width are scaled.
bool preprocessInputs(
    const CheckpointMetadata &metadata,
    const std::vector<std::pair<std::string, std::string>> &tableInputs,
    std::map<std::string, Tensor> &inputs, std::string &error) {
  auto saved = metadata.find(kPreprocessingKey);
  Preprocessing preprocessing;
  if (saved != metadata.end() && !preprocessing.parse(saved->second, error))
    return false;
  for (const auto &[name, path] : tableInputs) {
    if (preprocessing.columns.empty()) {
      error = "a CSV input needs the checkpoint of a model trained on a CSV "
              "file (--checkpoint)";
      return false;
    }
    Table table;
    Samples samples;
    if (!readTable(path, table, error) ||
        !preprocessing.encode(table, samples, error))
      return false;
    Tensor tensor(DType::F32, {samples.count, samples.width});
    std::copy(samples.features.begin(), samples.features.end(),
              tensor.data<float>());
    inputs[name] = std::move(tensor);
  }
  int64_t width = static_cast<int64_t>(preprocessing.shift.size());
  for (auto &[name, tensor] : inputs)
    if (tensor.dtype == DType::F32 && tensor.shape.size() == 2 &&
        tensor.shape[1] == width)
      preprocessing.apply(tensor.data<float>(), tensor.shape[0]);
  return true;
}

int infer(const Module &module, const std::vector<std::string> &args) {
  std::map<std::string, Tensor> inputs;
  // What each .npy input stored, converted below for the entry's types.
  std::map<std::string, NpyElement> storedTypes;
  std::map<std::string, std::string> inputPaths;
  std::vector<std::pair<std::string, std::string>> outputFiles, tableInputs;
  std::string entryName = "infer", paramsDir, dumpDir, outputDir;
  bool raw = false;
  std::string checkpointIn, checkpointOut;
  uint64_t seed = 0;
  unsigned threads = 0;
  int64_t steps = 1, topK = 3;
  RunOptions runOptions;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &flag = args[i];
    auto value = [&](std::string &out) {
      if (i + 1 >= args.size())
        return false;
      out = args[++i];
      return true;
    };
    std::string text, name, path;
    if (flag == "--input" || flag == "--output") {
      if (!value(text) || !splitAssignment(text, name, path))
        return fail(flag + " expects NAME=FILE.npy");
      if (flag == "--input" && endsWith(path, ".csv")) {
        tableInputs.emplace_back(name, path);
      } else if (flag == "--input") {
        Tensor tensor;
        std::string error;
        if (!readNpy(path, tensor, error, &storedTypes[name]))
          return fail(error);
        inputPaths[name] = path;
        inputs[name] = std::move(tensor);
      } else {
        outputFiles.emplace_back(name, path);
      }
    } else if (flag == "--entry") {
      if (!value(entryName))
        return fail("--entry expects a name");
    } else if (flag == "--threads") {
      if (!value(text) || !parseThreads(text, threads))
        return fail("--threads expects a number of threads");
    } else if (flag == "--seed") {
      if (!value(text))
        return fail("--seed expects a number");
      char *end = nullptr;
      seed = std::strtoull(text.c_str(), &end, 10);
      if (*end)
        return fail("--seed expects a number, got '" + text + "'");
    } else if (flag == "--params") {
      if (!value(paramsDir))
        return fail("--params expects a directory");
    } else if (flag == "--output-dir") {
      if (!value(outputDir))
        return fail("--output-dir expects a directory");
    } else if (flag == "--checkpoint") {
      if (!value(checkpointIn))
        return fail("--checkpoint expects a file");
    } else if (flag == "--save-checkpoint") {
      if (!value(checkpointOut))
        return fail("--save-checkpoint expects a file");
    } else if (flag == "--top") {
      if (!value(text) || !parsePositive(text, topK))
        return fail("--top expects a positive number");
    } else if (flag == "--steps") {
      if (!value(text) || !parsePositive(text, steps))
        return fail("--steps expects a positive number");
    } else if (flag == "--lr") {
      char *end = nullptr;
      if (!value(text) || (runOptions.learningRate =
                               std::strtof(text.c_str(), &end), *end))
        return fail("--lr expects a number");
    } else if (flag == "--raw") {
      raw = true;
    } else if (flag == "--dump-params") {
      if (!value(dumpDir))
        return fail("--dump-params expects a directory");
    } else {
      return fail(unknownOption(flag, kInferUsage, "infer"));
    }
  }

  Session session(module, seed, threads);
  std::string error;
  if (!paramsDir.empty())
    for (const ParamSpec &param : module.params()) {
      Tensor value;
      if (!readNpy(paramsDir + "/" + param.name + ".npy", value, error) ||
          !session.setParam(param.name, value, error))
        return fail(error);
    }
  CheckpointMetadata metadata;
  if (!checkpointIn.empty() &&
      !loadCheckpoint(session, checkpointIn, error, &metadata))
    return fail(error);
  // Untrained weights give answers that look like any others.
  bool trainable = std::any_of(module.params().begin(), module.params().end(),
                               [](const ParamSpec &p) { return !p.buffer; });
  const EntrySpec *entry = module.findEntry(entryName);
  if (!entry)
    return fail("the module has no entry '" + entryName + "'");
  if (checkpointIn.empty() && paramsDir.empty() && trainable &&
      !entry->isTrain)
    std::fprintf(stderr,
                 "kiln-run: warning: no --checkpoint or --params: the "
                 "parameters are freshly initialized (seed %llu), not "
                 "trained\n",
                 static_cast<unsigned long long>(seed));
  // Before the checkpoint's scaling, which applies to float features.
  for (const ArgumentSpec &argument : entry->arguments) {
    auto stored = storedTypes.find(argument.name);
    if (argument.role == ArgumentSpec::Role::Input &&
        stored != storedTypes.end() &&
        !convertForInput(inputs[argument.name], stored->second,
                         argument.type.dtype,
                         "'" + inputPaths[argument.name] + "' (input '" +
                             argument.name + "')",
                         error))
      return fail(error);
  }
  if (!raw && !preprocessInputs(metadata, tableInputs, inputs, error))
    return fail(checkpointIn + ": " + error);
  if (raw && !tableInputs.empty())
    return fail("--raw inputs are .npy files");
  std::vector<Tensor> outputs;
  for (int64_t step = 0; step < steps; ++step)
    if (!session.run(entryName, inputs, outputs, error, runOptions))
      return fail(error);
  // After the run, so that a train entry's updates show.
  if (!dumpDir.empty()) {
    mkdir(dumpDir.c_str(), 0755);
    for (size_t i = 0; i < module.params().size(); ++i)
      if (!writeNpy(dumpDir + "/" + module.params()[i].name + ".npy",
                    session.params()[i], error))
        return fail(error);
  }
  // After the run: an entry may update state (batch-norm statistics).
  if (!checkpointOut.empty() && !saveCheckpoint(session, checkpointOut, error))
    return fail(error);
  std::vector<const ResultSpec *> named;
  for (const ResultSpec &result : entry->results)
    if (result.role == ResultSpec::Role::Output)
      named.push_back(&result);
  if (!outputDir.empty()) {
    mkdir(outputDir.c_str(), 0755);
    for (const ResultSpec *result : named)
      outputFiles.emplace_back(result->name,
                               outputDir + "/" + result->name + ".npy");
  }
  for (const auto &[name, path] : outputFiles) {
    bool written = false;
    for (size_t i = 0; i < named.size(); ++i)
      if (named[i]->name == name) {
        if (!writeNpy(path, outputs[i], error))
          return fail(error);
        written = true;
      }
    if (!written)
      return fail("entry '" + entryName + "' has no output '" + name + "'");
  }
  if (outputFiles.empty() && outputDir.empty()) {
    // Class names come with a checkpoint trained on named classes.
    Preprocessing fitted;
    auto saved = metadata.find(kPreprocessingKey);
    if (saved != metadata.end() && !fitted.parse(saved->second, error))
      return fail(checkpointIn + ": " + error);
    for (size_t i = 0; i < named.size(); ++i)
      std::fputs(formatOutput(named[i]->name, outputs[i], fitted.classes, topK)
                     .c_str(),
                 stdout);
  }
  return 0;
}
/// Random inputs for every input of `entry`, with the batch set to `batch`.
std::map<std::string, Tensor> randomInputs(const EntrySpec &entry,
                                           int64_t batch) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::map<std::string, Tensor> inputs;
  for (const ArgumentSpec &argument : entry.arguments) {
    if (argument.role != ArgumentSpec::Role::Input)
      continue;
    std::vector<int64_t> shape = argument.type.shape;
    for (int64_t &dim : shape)
      if (dim < 0)
        dim = batch;
    Tensor tensor(argument.type.dtype, shape);
    for (int64_t i = 0, n = tensor.numElements(); i < n; ++i) {
      switch (tensor.dtype) {
      case DType::F32:
        tensor.data<float>()[i] = unit(rng);
        break;
      case DType::F64:
        tensor.data<double>()[i] = unit(rng);
        break;
      // Small integers are valid labels and token ids.
      case DType::I32:
        tensor.data<int32_t>()[i] = static_cast<int32_t>(rng() % 2);
        break;
      case DType::I64:
        tensor.data<int64_t>()[i] = static_cast<int64_t>(rng() % 2);
        break;
      case DType::I1:
        tensor.data<uint8_t>()[i] = rng() % 2;
        break;
      }
    }
    inputs[argument.name] = std::move(tensor);
  }
  return inputs;
}

/// The profile as a table: time per run of each parallel loop site, and
/// what the loops leave (code between them).
void printProfile(const Profile &profile) {
  double runs = double(std::max<int64_t>(profile.runs(), 1));
  double perRun = profile.runSeconds() / runs, covered = 0;
  std::printf("\nprofile over %lld runs, %.3f ms per run:\n",
              static_cast<long long>(profile.runs()), perRun * 1e3);
  std::printf("%10s %7s %6s  %s\n", "ms/run", "share", "calls", "site");
  auto row = [&](double seconds, double calls, const std::string &site) {
    std::printf("%10.3f %6.1f%% %6.0f  %s\n", seconds / runs * 1e3,
                100 * seconds / std::max(profile.runSeconds(), 1e-12),
                calls / runs, site.c_str());
  };
  for (const Profile::Site &site : profile.sites()) {
    row(site.seconds, double(site.calls), site.name);
    covered += site.seconds;
  }
  row(std::max(profile.runSeconds() - covered, 0.0), 0,
      "(outside parallel loops: serial code, allocation)");
}

nlohmann::ordered_json profileJson(const Profile &profile) {
  double runs = double(std::max<int64_t>(profile.runs(), 1));
  nlohmann::ordered_json object;
  object["run_s"] = profile.runSeconds() / runs;
  object["sites"] = nlohmann::ordered_json::array();
  for (const Profile::Site &site : profile.sites())
    object["sites"].push_back({{"site", site.name},
                               {"calls", double(site.calls) / runs},
                               {"s", site.seconds / runs}});
  return object;
}

int bench(const Module &module, const std::vector<std::string> &args) {
  std::string entryName = "infer";
  int64_t batch = 64, repeat = 20;
  bool json = false, profile = false;
  unsigned threads = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    auto number = [&](int64_t &out) {
      if (i + 1 >= args.size())
        return false;
      char *end = nullptr;
      out = std::strtoll(args[++i].c_str(), &end, 10);
      return *end == 0 && out > 0;
    };
    if (args[i] == "--entry" && i + 1 < args.size())
      entryName = args[++i];
    else if (args[i] == "--batch") {
      if (!number(batch))
        return fail("--batch expects a positive number");
    } else if (args[i] == "--repeat") {
      if (!number(repeat))
        return fail("--repeat expects a positive number");
    } else if (args[i] == "--threads") {
      if (i + 1 >= args.size() || !parseThreads(args[++i], threads))
        return fail("--threads expects a number of threads");
    } else if (args[i] == "--json")
      json = true;
    else if (args[i] == "--profile")
      profile = true;
    else
      return fail(unknownOption(args[i], kBenchUsage, "bench"));
  }
  const EntrySpec *entry = module.findEntry(entryName);
  if (!entry)
    return fail("the module has no entry '" + entryName + "'");
  Session session(module, 0, threads);
  std::map<std::string, Tensor> inputs = randomInputs(*entry, batch);
  std::vector<Tensor> outputs;
  std::string error;
  // Warm-up: at least 3 runs and 0.2 s, so that idle cores have woken up
  // and clocked up before a short entry is timed.
  constexpr double kWarmUpSeconds = 0.2;
  auto warmUpStart = std::chrono::steady_clock::now();
  for (int64_t i = 0;
       i < 3 || std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                              warmUpStart)
                        .count() < kWarmUpSeconds;
       ++i)
    if (!session.run(entryName, inputs, outputs, error))
      return fail(error);
  std::vector<double> seconds;
  for (int64_t i = 0; i < repeat; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (!session.run(entryName, inputs, outputs, error))
      return fail(error);
    std::chrono::duration<double> elapsed =
        std::chrono::steady_clock::now() - start;
    seconds.push_back(elapsed.count());
  }
  std::sort(seconds.begin(), seconds.end());
  double median = seconds[seconds.size() / 2], best = seconds.front();
  double throughput = batch / median;
  Profile loops;
  if (profile) {
    RunOptions options;
    options.profile = &loops;
    for (int64_t i = 0; i < repeat; ++i)
      if (!session.run(entryName, inputs, outputs, error, options))
        return fail(error);
  }
  if (json) {
    nlohmann::ordered_json result;
    result["entry"] = entryName;
    result["batch"] = batch;
    result["median_s"] = median;
    result["min_s"] = best;
    result["samples_per_s"] = throughput;
    if (profile)
      result["profile"] = profileJson(loops);
    std::printf("%s\n", kiln::train::formatJson(result).c_str());
  } else {
    std::printf("%s, batch %lld: median %.3f ms, min %.3f ms, %.0f samples/s\n",
                entryName.c_str(), static_cast<long long>(batch),
                median * 1e3, best * 1e3, throughput);
    if (profile)
      printProfile(loops);
  }
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 1 : 0;
  }
  std::string command = args[0];
  if (command != "info" && command != "infer" && command != "bench" &&
      command != "train" && command != "eval" && command != "tune" &&
      command != "sample" && command != "reconstruct" && command != "export")
    return fail("unknown command '" + command + "' (see kiln-run --help)");
  const char *usage = command == "info"    ? kInfoUsage
                      : command == "infer" ? kInferUsage
                      : command == "train" ? kTrainUsage
                      : command == "eval"  ? kEvalUsage
                      : command == "tune"  ? kTuneUsage
                      : command == "sample" ? kSampleUsage
                      : command == "reconstruct" ? kReconstructUsage
                      : command == "export" ? kExportUsage
                                           : kBenchUsage;
  if (args.size() < 2 || args[1] == "--help" || args[1] == "-h") {
    std::fputs(usage, args.size() < 2 ? stderr : stdout);
    return args.size() < 2 ? 1 : 0;
  }
  // tune takes a model's source, and compiles it.
  if (command == "tune")
    return tune(std::vector<std::string>(args.begin() + 1, args.end()));
  // export reads a data set, not a module.
  if (command == "export")
    return exportData(std::vector<std::string>(args.begin() + 1, args.end()));
  std::string error;
  std::unique_ptr<Module> module = Module::loadFile(args[1], error);
  if (!module)
    return fail(error);
  if (command == "info") {
    if (args.size() > 2 && args[2] == "--summary" && args.size() == 3) {
      std::fputs(kiln::tooling::formatModelSummary(
                     module->name(), module->layers(),
                     kiln::tooling::totalParameters(module->params()))
                     .c_str(),
                 stdout);
      return 0;
    }
    if (args.size() > 2)
      return fail("info takes a module and --summary, got '" + args[2] +
                  "' (see kiln-run info --help)");
    return info(*module);
  }
  std::vector<std::string> rest(args.begin() + 2, args.end());
  if (command == "train")
    return train(*module, rest);
  if (command == "eval")
    return eval(*module, rest);
  if (command == "sample")
    return sample(*module, rest);
  if (command == "reconstruct")
    return reconstruct(*module, rest);
  if (command == "bench")
    return bench(*module,
                 std::vector<std::string>(args.begin() + 2, args.end()));
  return infer(*module, std::vector<std::string>(args.begin() + 2, args.end()));
}
