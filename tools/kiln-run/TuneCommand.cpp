//===- TuneCommand.cpp - kiln-run tune ------------------------------------===//
//
// The options of kiln::train::tuneWithProcesses, its progress, and the
// table of trials.
//
//===----------------------------------------------------------------------===//

#include "Commands.h"

#include "kiln/train/Tuner.h"

#include <unistd.h>

#include <cstdio>

using namespace kiln::run;
using namespace kiln::train;

namespace {

/// The directory this executable is in (kilnc is installed beside it).
std::string executableDirectory() {
  char path[4096];
  ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
  if (length <= 0)
    return ".";
  std::string text(path, static_cast<size_t>(length));
  return text.substr(0, text.rfind('/'));
}

class TuneProgress : public TuneObserver {
public:
  void onCompile(const std::string &model, const std::string &flags) override {
    std::fprintf(stderr, "compiling %s%s\n", model.c_str(),
                 flags.empty() ? "" : (" with " + flags).c_str());
  }
  void onTrial(const Trial &trial, size_t trials,
               const std::string &metric) override {
    std::string setting = describeSettings(trial.settings);
    std::string outcome =
        trial.ok ? "validation " + metric + " " + formatScore(trial.score)
                 : "failed: " + trial.failure;
    std::fprintf(stderr, "trial %lld/%zu (%s): %s\n",
                 static_cast<long long>(trial.index), trials, setting.c_str(),
                 outcome.c_str());
  }
};

void printTable(const ProcessTuneRequest &request, const TuneResult &result) {
  std::printf("%4s %5s", "rank", "trial");
  for (const SearchParameter &parameter : request.parameters)
    std::printf(" %12s", parameter.name.c_str());
  for (const std::string &name : result.scoreNames)
    std::printf(" %12s", ("val " + name).substr(0, 12).c_str());
  std::printf(" %8s  %s\n", "seconds", "status");
  for (size_t rank = 0; rank < result.ranking.size(); ++rank) {
    const Trial &trial = result.trials[result.ranking[rank]];
    std::printf("%4zu %5lld", rank + 1, static_cast<long long>(trial.index));
    for (const SearchParameter &parameter : request.parameters)
      std::printf(" %12s", trial.settings.at(parameter.name).c_str());
    for (const std::string &name : result.scoreNames) {
      auto found = trial.validation.find(name);
      std::printf(" %12s", found == trial.validation.end()
                               ? ""
                               : formatScore(found->second).c_str());
    }
    std::printf(" %8.1f  %s\n", trial.seconds,
                trial.ok ? "ok" : ("failed: " + trial.failure).c_str());
  }
}

int tune(ProcessTuneRequest &request) {
  std::string here = executableDirectory();
  if (request.kilnc.empty())
    request.kilnc = here + "/kilnc";
  request.kilnRun = here + "/kiln-run";
  TuneProgress progress;
  TuneResult result;
  std::string error;
  bool ok = tuneWithProcesses(request, &progress, result, error);
  if (!result.ranking.empty())
    printTable(request, result);
  if (!ok)
    return fail(error);
  const Trial &best = result.best();
  const char *out = request.out.c_str();
  std::printf("best: trial %lld, validation %s %s; kept %s/best.kmod and "
              "%s/best.ckpt, table in %s/trials.csv\n",
              static_cast<long long>(best.index), result.metric.c_str(),
              formatScore(best.score).c_str(), out, out, out);
  return 0;
}

} // namespace

Command kiln::run::addTuneCommand(CLI::App &parent) {
  auto request = std::make_shared<ProcessTuneRequest>();
  request->out = "tune";
  CLI::App *command = parent.add_subcommand(
      "tune", "search hyperparameters: a train run per trial, best kept");
  command->footer(
      "Trains the model once per setting of the parameters (each trial a\n"
      "`kiln-run train MODEL TRAIN-OPTIONS` of its own), scores every trial "
      "on\nthe validation split after its last epoch, and keeps the best "
      "trial's\nmodule and checkpoint."
      "\n\n"
      "After --, the options of every trial's kiln-run train "
      "(--data, --epochs,\n--limit, ...): its budget.");
  command->add_option("model", request->model,
                      "the model: a .kiln source, or a .kmod for run-time\n"
                      "parameters only")
      ->required()
      ->type_name("MODEL.kiln|MODEL.kmod");
  command->add_option("train-options", request->trainArgs,
                      "after --: every trial's kiln-run train options")
      ->type_name("-- TRAIN-OPTIONS");
  command
      ->add_option_function<std::vector<std::string>>(
          "--param",
          [request](const std::vector<std::string> &texts) {
            for (const std::string &text : texts) {
              SearchParameter parameter;
              std::string error;
              if (!parseSearchParameter(text, parameter, error))
                throw CLI::ValidationError(error);
              request->parameters.push_back(parameter);
            }
          },
          "values to try (repeatable): NAME=V1,V2,... or, for\n"
          "--random, NAME=LOW..HIGH (log-uniform when it spans a\n"
          "factor of 100); NAME is lr, batch or epochs (set at\n"
          "run time), config.NAME (a model config: kilnc --set),\n"
          "or an optimizer hyperparameter such as momentum or\n"
          "weight_decay (kilnc --optimizer)")
      ->type_name("NAME=VALUES")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  command
      ->add_option_function<std::vector<std::string>>(
          "--set",
          [request](const std::vector<std::string> &texts) {
            for (const std::string &text : texts) {
              if (text.find('=') == std::string::npos)
                throw CLI::ValidationError(
                    "--set", "expects NAME=VALUE, got '" + text + "'");
              request->compileFlags.push_back("--set=" + text);
            }
          },
          "a model config for every trial (kilnc --set)")
      ->type_name("NAME=VALUE")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
  command->add_option("--random", request->random,
                      "N random trials instead of the full grid")
      ->check(positiveInteger("a number of trials"));
  command->add_option("--metric", request->metric,
                      "the validation score to rank by (default: accuracy,\n"
                      "else r2, else the first loss; accuracy and r2 higher\n"
                      "is better, others lower; ties go to the lower loss)")
      ->type_name("NAME");
  command->add_option("--jobs", request->jobs,
                      "trials at once (default: one per core)")
      ->check(positiveInteger())
      ->type_name("J");
  command->add_option("--out", request->out,
                      "where the results go (default tune): trials.csv,\n"
                      "trial-K.log, best.kmod, best.ckpt")
      ->type_name("DIR");
  addSeed(*command, request->seed, "the random search's seed (default 0)");
  command->add_option("--kilnc", request->kilnc,
                      "the compiler (default: beside kiln-run)")
      ->type_name("PATH");
  return {command, [=] { return tune(*request); }};
}
