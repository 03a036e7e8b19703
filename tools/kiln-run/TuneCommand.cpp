//===- TuneCommand.cpp - kiln-run tune ------------------------------------===//
//
// Hyperparameter search around `kiln-run train`: each trial is a train run
// of its own (a child process, so trials run in parallel and one that
// diverges cannot take the others down), scored on the validation split
// from its last epoch. Settings of the model's configs and optimizer are
// compiled in, so the model is compiled once per distinct setting of
// those, by kilnc; learning rate, batch size and epochs are set at run
// time.
//
//===----------------------------------------------------------------------===//

#include "TuneCommand.h"

#include "CommandLine.h"
#include "kiln/train/SearchSpace.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

extern char **environ;

using namespace kiln::run;
using namespace kiln::train;

const char kiln::run::kTuneUsage[] =
    "usage: kiln-run tune MODEL.kiln|MODEL.kmod --param NAME=VALUES...\n"
    "                     [options] -- TRAIN-OPTIONS\n"
    "Trains the model once per setting of the parameters (each trial a\n"
    "`kiln-run train MODEL TRAIN-OPTIONS` of its own), scores every trial on\n"
    "the validation split after its last epoch, and keeps the best trial's\n"
    "module and checkpoint.\n"
    "  --param NAME=V1,V2,...    values to try (repeatable); NAME is lr,\n"
    "                            batch or epochs (set at run time),\n"
    "                            config.NAME (a model config: kilnc --set),\n"
    "                            or an optimizer hyperparameter such as\n"
    "                            momentum or weight_decay (kilnc --optimizer)\n"
    "  --param NAME=LOW..HIGH    a range, for --random (log-uniform when it\n"
    "                            spans a factor of 100)\n"
    "  --set NAME=VALUE          a model config for every trial (kilnc --set)\n"
    "  --random N                N random trials instead of the full grid\n"
    "  --metric NAME             the validation score to rank by (default:\n"
    "                            accuracy, else r2, else the first loss;\n"
    "                            accuracy and r2 higher is better, others\n"
    "                            lower; ties go to the lower loss)\n"
    "  --jobs J                  trials at once (default: one per core)\n"
    "  --out DIR                 where the results go (default tune): \n"
    "                            trials.csv, trial-K.log, best.kmod,\n"
    "                            best.ckpt\n"
    "  --seed S                  the random search's seed (default 0)\n"
    "  --kilnc PATH              the compiler (default: beside kiln-run)\n"
    "After --, the options of every trial's kiln-run train (--data, --epochs,\n"
    "--limit, ...): its budget.\n";

namespace {

struct TuneOptions {
  std::string model, out = "tune", metric, kilnc;
  std::vector<SearchParameter> parameters;
  /// kilnc flags every trial's model is compiled with (--set NAME=VALUE).
  std::vector<std::string> fixedFlags;
  int64_t random = 0, jobs = 0;
  uint64_t seed = 0;
  std::vector<std::string> trainArgs;
};

struct Trial {
  int64_t index = 0;
  TrialSettings settings;
  std::string module; ///< the compiled model it trains
  pid_t pid = -1;
  std::chrono::steady_clock::time_point started;
  double seconds = 0;
  bool ok = false;
  std::string failure;
  std::map<std::string, double> validation, test;
  double score = NAN;
};

bool parseTuneOptions(const std::vector<std::string> &args,
                      TuneOptions &options, std::string &error) {
  size_t i = 0;
  if (args.empty() || args[0].rfind("--", 0) == 0) {
    error = "tune expects a model (.kiln or .kmod) first";
    return false;
  }
  options.model = args[i++];
  for (; i < args.size(); ++i) {
    const std::string &flag = args[i];
    if (flag == "--") {
      options.trainArgs.assign(args.begin() + i + 1, args.end());
      break;
    }
    std::string value;
    if (i + 1 >= args.size()) {
      error = flag == "--param" || flag == "--set" || flag == "--random" ||
                      flag == "--metric" ||
                      flag == "--jobs" || flag == "--out" ||
                      flag == "--seed" || flag == "--kilnc"
                  ? flag + " expects a value"
                  : unknownOption(flag, kTuneUsage, "tune");
      return false;
    }
    value = args[++i];
    double number = 0;
    if (flag == "--param") {
      SearchParameter parameter;
      if (!parseSearchParameter(value, parameter, error))
        return false;
      options.parameters.push_back(parameter);
    } else if (flag == "--set") {
      if (value.find('=') == std::string::npos) {
        error = "--set expects NAME=VALUE, got '" + value + "'";
        return false;
      }
      options.fixedFlags.push_back("--set=" + value);
    } else if (flag == "--random") {
      if (!parsePositive(value, options.random)) {
        error = "--random expects a number of trials";
        return false;
      }
    } else if (flag == "--jobs") {
      if (!parsePositive(value, options.jobs)) {
        error = "--jobs expects a positive number";
        return false;
      }
    } else if (flag == "--seed") {
      if (!parseNumber(value, number) || number < 0) {
        error = "--seed expects a non-negative number";
        return false;
      }
      options.seed = static_cast<uint64_t>(number);
    } else if (flag == "--metric") {
      options.metric = value;
    } else if (flag == "--out") {
      options.out = value;
    } else if (flag == "--kilnc") {
      options.kilnc = value;
    } else {
      error = unknownOption(flag, kTuneUsage, "tune");
      return false;
    }
  }
  if (options.parameters.empty()) {
    error = "tune needs at least one --param NAME=VALUES";
    return false;
  }
  auto given = [&](const char *flag) {
    return std::find(options.trainArgs.begin(), options.trainArgs.end(),
                     flag) != options.trainArgs.end();
  };
  if (!given("--data") && !given("--spec")) {
    error = "tune needs the trials' data: -- --data ... (or --spec FILE)";
    return false;
  }
  for (const char *owned : {"--checkpoint", "--json", "--resume"})
    if (std::find(options.trainArgs.begin(), options.trainArgs.end(),
                  owned) != options.trainArgs.end()) {
      error = std::string("tune sets ") + owned + " of its trials itself";
      return false;
    }
  bool compiled = endsWith(options.model, ".kmod");
  if (compiled && !options.fixedFlags.empty()) {
    error = "--set is compiled into the model: tune the .kiln source, not a "
            ".kmod";
    return false;
  }
  for (const SearchParameter &parameter : options.parameters)
    if (compiled && parameter.kind != SearchParameter::Kind::Train) {
      error = "--param " + parameter.name + " is compiled into the model: "
              "tune the .kiln source, not a .kmod";
      return false;
    }
  return true;
}

/// The directory this executable is in (kilnc is installed beside it).
std::string executableDirectory() {
  char path[4096];
  ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
  if (length <= 0)
    return ".";
  std::string text(path, static_cast<size_t>(length));
  return text.substr(0, text.rfind('/'));
}

/// Starts `argv` with stdout and stderr to files; -1 if it cannot start.
pid_t spawn(const std::vector<std::string> &argv, const std::string &stdoutPath,
            const std::string &stderrPath) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, stdoutPath.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (stderrPath == stdoutPath)
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
  else
    posix_spawn_file_actions_addopen(&actions, 2, stderrPath.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char *> pointers;
  for (const std::string &arg : argv)
    pointers.push_back(const_cast<char *>(arg.c_str()));
  pointers.push_back(nullptr);
  pid_t pid = -1;
  int status = posix_spawn(&pid, argv[0].c_str(), &actions, nullptr,
                           pointers.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return status == 0 ? pid : -1;
}

std::string readFile(const std::string &path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The line of a log that says why a run failed: the first error, else
/// the last line.
std::string lastError(const std::string &log) {
  std::string line, last;
  std::stringstream lines(log);
  while (std::getline(lines, line)) {
    size_t cr = line.rfind('\r');
    if (cr != std::string::npos)
      line = line.substr(cr + 1);
    if (line.find("error: ") != std::string::npos)
      return line;
    if (!line.empty())
      last = line;
  }
  return last;
}

/// The numbers of `object`'s members, keys without `prefix` (members
/// without it are left out).
std::map<std::string, double> numbersOf(const nlohmann::json &object,
                                        const std::string &prefix = "") {
  std::map<std::string, double> numbers;
  if (!object.is_object())
    return numbers;
  for (const auto &member : object.items())
    if (member.value().is_number() && member.key().rfind(prefix, 0) == 0)
      numbers[member.key().substr(prefix.size())] =
          member.value().get<double>();
  return numbers;
}

/// A line of a trial's JSON output as an object (null when it is not one).
nlohmann::json parseLine(const std::string &line) {
  return nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
}

bool higherIsBetter(const std::string &metric) {
  return metric == "accuracy" || metric == "r2";
}

/// Reads a finished trial's results from its JSON lines.
void collect(Trial &trial, const std::string &jsonPath,
             const std::string &logPath, int status) {
  std::string output = readFile(jsonPath);
  std::string line;
  nlohmann::json lastEpoch, summary;
  std::stringstream lines(output);
  while (std::getline(lines, line)) {
    nlohmann::json parsed = parseLine(line);
    if (parsed.is_object() && parsed.contains("epoch"))
      lastEpoch = std::move(parsed);
    else if (parsed.is_object() && parsed.contains("model"))
      summary = std::move(parsed);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || summary.is_null()) {
    trial.failure = lastError(readFile(logPath));
    if (trial.failure.empty())
      trial.failure = "exited with status " + std::to_string(status);
    return;
  }
  trial.validation = numbersOf(lastEpoch.value("validation",
                                               nlohmann::json::object()));
  trial.test = numbersOf(summary, "test_");
  trial.ok = true;
}

/// The metric to rank by when none was named: from the first trial's
/// validation scores.
std::string defaultMetric(const std::map<std::string, double> &scores) {
  for (const char *preferred : {"accuracy", "r2", "reconstruction_mse"})
    if (scores.count(preferred))
      return preferred;
  return scores.empty() ? "loss" : scores.begin()->first;
}

std::string formatScore(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

bool copyFile(const std::string &from, const std::string &to,
              std::string &error) {
  std::ifstream in(from, std::ios::binary);
  std::ofstream out(to + ".tmp", std::ios::binary);
  out << in.rdbuf();
  out.close();
  if (!in || !out || std::rename((to + ".tmp").c_str(), to.c_str()) != 0) {
    error = "cannot copy '" + from + "' to '" + to + "'";
    return false;
  }
  return true;
}

} // namespace

int kiln::run::tune(const std::vector<std::string> &args) {
  TuneOptions options;
  std::string error;
  if (!parseTuneOptions(args, options, error))
    return fail(error);
  std::vector<TrialSettings> settings;
  if (options.random)
    settings = randomTrials(options.parameters, options.random, options.seed);
  else if (!gridTrials(options.parameters, settings, error))
    return fail(error);
  if (mkdir(options.out.c_str(), 0755) != 0 && errno != EEXIST)
    return fail("cannot create '" + options.out + "': " + std::strerror(errno));

  // One module per distinct setting of what is compiled in.
  std::string here = executableDirectory();
  std::string kilnc = options.kilnc.empty() ? here + "/kilnc" : options.kilnc;
  std::map<std::string, std::string> modules; // compile flags -> .kmod
  std::vector<Trial> trials;
  for (const TrialSettings &setting : settings) {
    Trial trial;
    trial.index = static_cast<int64_t>(trials.size()) + 1;
    trial.settings = setting;
    std::vector<std::string> flags;
    for (const SearchParameter &parameter : options.parameters) {
      const std::string &value = setting.at(parameter.name);
      if (parameter.kind == SearchParameter::Kind::Config)
        flags.push_back("--set=" + parameter.name.substr(7) + "=" + value);
      else if (parameter.kind == SearchParameter::Kind::Optimizer)
        flags.push_back("--optimizer=" + parameter.name + "=" + value);
    }
    std::string key;
    for (const std::string &flag : flags)
      key += (key.empty() ? "" : " ") + flag;
    if (endsWith(options.model, ".kmod")) {
      trial.module = options.model;
    } else if (modules.count(key)) {
      trial.module = modules[key];
    } else {
      std::string kmod = options.out + "/model-" +
                         std::to_string(modules.size() + 1) + ".kmod";
      std::vector<std::string> argv = {kilnc, options.model, "-o", kmod};
      argv.insert(argv.end(), options.fixedFlags.begin(),
                  options.fixedFlags.end());
      argv.insert(argv.end(), flags.begin(), flags.end());
      std::string log = kmod + ".log";
      std::fprintf(stderr, "compiling %s%s\n", options.model.c_str(),
                   key.empty() ? "" : (" with " + key).c_str());
      pid_t pid = spawn(argv, log, log);
      int status = 0;
      if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
          WEXITSTATUS(status) != 0)
        return fail(pid < 0 ? "cannot run '" + kilnc + "' (--kilnc PATH)"
                            : "kilnc failed: " + lastError(readFile(log)));
      modules[key] = kmod;
      trial.module = kmod;
    }
    trials.push_back(trial);
  }

  // Trials share the cores: J at once, each with cores / J threads.
  int64_t cores = std::max(1u, std::thread::hardware_concurrency());
  int64_t jobs = options.jobs ? options.jobs : cores;
  jobs = std::min<int64_t>(jobs, static_cast<int64_t>(trials.size()));
  int64_t threads = std::max<int64_t>(1, cores / jobs);
  bool userThreads = std::find(options.trainArgs.begin(),
                               options.trainArgs.end(),
                               "--threads") != options.trainArgs.end();
  std::string kilnRun = here + "/kiln-run";
  std::map<pid_t, Trial *> running;
  size_t next = 0, finished = 0;
  std::string metric = options.metric;
  auto path = [&](const Trial &trial, const char *suffix) {
    return options.out + "/trial-" + std::to_string(trial.index) + suffix;
  };
  while (finished < trials.size()) {
    while (next < trials.size() && int64_t(running.size()) < jobs) {
      Trial &trial = trials[next++];
      std::vector<std::string> argv = {kilnRun, "train", trial.module};
      argv.insert(argv.end(), options.trainArgs.begin(),
                  options.trainArgs.end());
      for (const SearchParameter &parameter : options.parameters)
        if (parameter.kind == SearchParameter::Kind::Train) {
          argv.push_back("--" + parameter.name);
          argv.push_back(trial.settings.at(parameter.name));
        }
      argv.insert(argv.end(),
                  {"--checkpoint", path(trial, ".ckpt"), "--json"});
      if (!userThreads)
        argv.insert(argv.end(), {"--threads", std::to_string(threads)});
      trial.started = std::chrono::steady_clock::now();
      trial.pid = spawn(argv, path(trial, ".json"), path(trial, ".log"));
      if (trial.pid < 0)
        return fail("cannot run '" + kilnRun + "'");
      running[trial.pid] = &trial;
    }
    int status = 0;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0)
      return fail(std::string("waiting for trials: ") + std::strerror(errno));
    auto found = running.find(pid);
    if (found == running.end())
      continue;
    Trial &trial = *found->second;
    running.erase(found);
    ++finished;
    trial.seconds = std::chrono::duration<double>(
                        std::chrono::steady_clock::now() - trial.started)
                        .count();
    collect(trial, path(trial, ".json"), path(trial, ".log"), status);
    if (metric.empty() && trial.ok)
      metric = defaultMetric(trial.validation);
    auto score = trial.validation.find(metric);
    if (score != trial.validation.end() && std::isfinite(score->second))
      trial.score = score->second;
    std::string setting;
    for (const auto &[name, value] : trial.settings)
      setting += (setting.empty() ? "" : " ") + name + "=" + value;
    std::fprintf(stderr, "trial %lld/%zu (%s): %s\n",
                 static_cast<long long>(trial.index), trials.size(),
                 setting.c_str(),
                 trial.ok ? ("validation " + metric + " " +
                             formatScore(trial.score))
                                .c_str()
                          : ("failed: " + trial.failure).c_str());
  }

  // Rank: scored trials first, best first; then the rest in order.
  bool higher = higherIsBetter(metric);
  std::string tieBreaker = "loss";
  for (const Trial &trial : trials)
    if (trial.ok && !trial.validation.count(tieBreaker) &&
        !trial.validation.empty())
      tieBreaker = trial.validation.begin()->first;
  std::vector<Trial *> ranked;
  for (Trial &trial : trials)
    ranked.push_back(&trial);
  std::sort(ranked.begin(), ranked.end(), [&](Trial *a, Trial *b) {
    bool aScored = std::isfinite(a->score), bScored = std::isfinite(b->score);
    if (aScored != bScored)
      return aScored;
    if (aScored && a->score != b->score)
      return higher ? a->score > b->score : a->score < b->score;
    // Equal scores (accuracy on a few samples) are told apart by the loss.
    auto loss = [&](const Trial *trial) {
      auto found = trial->validation.find(tieBreaker);
      return found == trial->validation.end() ? INFINITY : found->second;
    };
    if (aScored && loss(a) != loss(b))
      return loss(a) < loss(b);
    return a->index < b->index;
  });

  // The table: terminal and CSV, with every parameter and score.
  std::vector<std::string> names;
  for (const SearchParameter &parameter : options.parameters)
    names.push_back(parameter.name);
  std::vector<std::string> scoreNames;
  for (const Trial &trial : trials)
    for (const auto &[name, value] : trial.validation)
      if (std::find(scoreNames.begin(), scoreNames.end(), name) ==
          scoreNames.end())
        scoreNames.push_back(name);
  std::ofstream csv(options.out + "/trials.csv");
  csv << "rank,trial";
  for (const std::string &name : names)
    csv << "," << name;
  for (const std::string &name : scoreNames)
    csv << ",validation_" << name;
  for (const std::string &name : scoreNames)
    csv << ",test_" << name;
  csv << ",seconds,status\n";
  std::printf("%4s %5s", "rank", "trial");
  for (const std::string &name : names)
    std::printf(" %12s", name.c_str());
  for (const std::string &name : scoreNames)
    std::printf(" %12s", ("val " + name).substr(0, 12).c_str());
  std::printf(" %8s  %s\n", "seconds", "status");
  for (size_t r = 0; r < ranked.size(); ++r) {
    const Trial &trial = *ranked[r];
    csv << r + 1 << "," << trial.index;
    std::printf("%4zu %5lld", r + 1, static_cast<long long>(trial.index));
    for (const std::string &name : names) {
      csv << "," << trial.settings.at(name);
      std::printf(" %12s", trial.settings.at(name).c_str());
    }
    auto score = [](const std::map<std::string, double> &scores,
                    const std::string &name) {
      auto found = scores.find(name);
      return found == scores.end() ? std::string() : formatScore(found->second);
    };
    for (const std::string &name : scoreNames) {
      csv << "," << score(trial.validation, name);
      std::printf(" %12s", score(trial.validation, name).c_str());
    }
    for (const std::string &name : scoreNames)
      csv << "," << score(trial.test, name);
    std::string status = trial.ok ? "ok" : "failed: " + trial.failure;
    std::string quoted = status;
    for (size_t at = 0; (at = quoted.find('"', at)) != std::string::npos;
         at += 2)
      quoted.insert(at, "\"");
    csv << "," << formatScore(trial.seconds) << ",\"" << quoted << "\"\n";
    std::printf(" %8.1f  %s\n", trial.seconds, status.c_str());
  }
  csv.close();
  if (!csv)
    return fail("cannot write '" + options.out + "/trials.csv'");

  const Trial &best = *ranked.front();
  if (!std::isfinite(best.score))
    return fail("no trial produced a validation " + metric +
                " (see the trial-K.log files in " + options.out + ")");
  if (!copyFile(best.module, options.out + "/best.kmod", error))
    return fail(error);
  if (std::rename(path(best, ".ckpt").c_str(),
                  (options.out + "/best.ckpt").c_str()) != 0)
    return fail("cannot keep the best checkpoint: " +
                std::string(std::strerror(errno)));
  // The other checkpoints are the losers'; their logs stay.
  for (const Trial &trial : trials)
    std::remove(path(trial, ".ckpt").c_str());
  std::printf("best: trial %lld, validation %s %s; kept %s/best.kmod and "
              "%s/best.ckpt, table in %s/trials.csv\n",
              static_cast<long long>(best.index), metric.c_str(),
              formatScore(best.score).c_str(), options.out.c_str(),
              options.out.c_str(), options.out.c_str());
  return 0;
}
