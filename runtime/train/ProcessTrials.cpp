//===- ProcessTrials.cpp - Hyperparameter search, a process per trial -----===//
//
// Each trial is a `kiln-run train` of its own, with --json for its scores
// and --checkpoint for its parameters; settings compiled into the model
// are compiled by kilnc, once per distinct setting.
//
//===----------------------------------------------------------------------===//

#include "kiln/train/Tuner.h"

#include "TunerSupport.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char **environ;

using namespace kiln::train;

namespace {

bool endsWith(const std::string &text, const std::string &suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool contains(const std::vector<std::string> &args, const char *flag) {
  return std::find(args.begin(), args.end(), flag) != args.end();
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
  text.exceptions(std::ios::badbit); // an allocation failure gets through
  text << in.rdbuf();
  return text.str();
}

/// The line of a log that says why a run failed: the first error, else
/// the last line.
std::string lastError(const std::string &log) {
  std::string line, last;
  std::stringstream lines(log);
  lines.exceptions(std::ios::badbit); // an allocation failure gets through
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

/// Reads a finished trial's results from its JSON lines.
void collect(Trial &trial, const std::string &jsonPath,
             const std::string &logPath, int status) {
  std::string line;
  nlohmann::json lastEpoch, summary;
  std::stringstream lines(readFile(jsonPath));
  lines.exceptions(std::ios::badbit); // an allocation failure gets through
  while (std::getline(lines, line)) {
    nlohmann::json parsed =
        nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
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
  trial.validation =
      numbersOf(lastEpoch.value("validation", nlohmann::json::object()));
  trial.test = numbersOf(summary, "test_");
  trial.ok = true;
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

/// Compiles one module per distinct setting of what is compiled in.
bool compileTrials(const ProcessTuneRequest &request, TuneObserver *observer,
                   std::vector<Trial> &trials, std::string &error) {
  std::map<std::string, std::string> modules; // compile flags -> .kmod
  for (Trial &trial : trials) {
    std::vector<std::string> flags;
    for (const SearchParameter &parameter : request.parameters) {
      const std::string &value = trial.settings.at(parameter.name);
      if (parameter.kind == SearchParameter::Kind::Config)
        flags.push_back("--set=" + parameter.name.substr(7) + "=" + value);
      else if (parameter.kind == SearchParameter::Kind::Optimizer)
        flags.push_back("--optimizer=" + parameter.name + "=" + value);
    }
    std::string key;
    for (const std::string &flag : flags)
      key += (key.empty() ? "" : " ") + flag;
    if (endsWith(request.model, ".kmod") || modules.count(key)) {
      trial.module = modules.count(key) ? modules[key] : request.model;
      continue;
    }
    std::string kmod = request.out + "/model-" +
                       std::to_string(modules.size() + 1) + ".kmod";
    std::vector<std::string> argv = {request.kilnc, request.model, "-o", kmod};
    argv.insert(argv.end(), request.compileFlags.begin(),
                request.compileFlags.end());
    argv.insert(argv.end(), flags.begin(), flags.end());
    std::string log = kmod + ".log";
    if (observer)
      observer->onCompile(request.model, key);
    pid_t pid = spawn(argv, log, log);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
      error = pid < 0 ? "cannot run '" + request.kilnc + "' (--kilnc PATH)"
                      : "kilnc failed: " + lastError(readFile(log));
      return false;
    }
    modules[key] = kmod;
    trial.module = kmod;
  }
  return true;
}

} // namespace

bool kiln::train::checkProcessTuneRequest(const ProcessTuneRequest &request,
                                          std::string &error) {
  if (request.parameters.empty()) {
    error = "tune needs at least one --param NAME=VALUES";
    return false;
  }
  if (!contains(request.trainArgs, "--data") &&
      !contains(request.trainArgs, "--spec")) {
    error = "tune needs the trials' data: -- --data ... (or --spec FILE)";
    return false;
  }
  for (const char *owned : {"--checkpoint", "--json", "--resume"})
    if (contains(request.trainArgs, owned)) {
      error = std::string("tune sets ") + owned + " of its trials itself";
      return false;
    }
  if (!endsWith(request.model, ".kmod"))
    return true;
  if (!request.compileFlags.empty()) {
    error = "--set is compiled into the model: tune the .kiln source, not a "
            ".kmod";
    return false;
  }
  for (const SearchParameter &parameter : request.parameters)
    if (parameter.kind != SearchParameter::Kind::Train) {
      error = "--param " + parameter.name +
              " is compiled into the model: tune the .kiln source, not a "
              ".kmod";
      return false;
    }
  return true;
}

bool kiln::train::tuneWithProcesses(const ProcessTuneRequest &request,
                                    TuneObserver *observer, TuneResult &result,
                                    std::string &error) {
  std::vector<TrialSettings> settings;
  if (!checkProcessTuneRequest(request, error) ||
      !trialSettings(request, settings, error))
    return false;
  if (mkdir(request.out.c_str(), 0755) != 0 && errno != EEXIST) {
    error = "cannot create '" + request.out + "': " + std::strerror(errno);
    return false;
  }
  result = TuneResult();
  result.metric = request.metric;
  std::vector<Trial> &trials = result.trials;
  for (const TrialSettings &setting : settings) {
    trials.emplace_back();
    trials.back().index = static_cast<int64_t>(trials.size());
    trials.back().settings = setting;
  }
  if (!compileTrials(request, observer, trials, error))
    return false;

  // Trials share the cores: J at once, each with cores / J threads.
  int64_t cores = std::max(1u, std::thread::hardware_concurrency());
  int64_t jobs = request.jobs ? request.jobs : cores;
  jobs = std::min<int64_t>(jobs, static_cast<int64_t>(trials.size()));
  int64_t threads = std::max<int64_t>(1, cores / jobs);
  auto path = [&](const Trial &trial, const char *suffix) {
    return request.out + "/trial-" + std::to_string(trial.index) + suffix;
  };
  using Clock = std::chrono::steady_clock;
  std::map<pid_t, std::pair<Trial *, Clock::time_point>> running;
  size_t next = 0, finished = 0;
  while (finished < trials.size()) {
    while (next < trials.size() && int64_t(running.size()) < jobs) {
      Trial &trial = trials[next++];
      std::vector<std::string> argv = {request.kilnRun, "train", trial.module};
      argv.insert(argv.end(), request.trainArgs.begin(),
                  request.trainArgs.end());
      for (const SearchParameter &parameter : request.parameters)
        if (parameter.kind == SearchParameter::Kind::Train)
          argv.insert(argv.end(), {"--" + parameter.name,
                                   trial.settings.at(parameter.name)});
      argv.insert(argv.end(), {"--checkpoint", path(trial, ".ckpt"), "--json"});
      if (!contains(request.trainArgs, "--threads"))
        argv.insert(argv.end(), {"--threads", std::to_string(threads)});
      pid_t pid = spawn(argv, path(trial, ".json"), path(trial, ".log"));
      if (pid < 0) {
        error = "cannot run '" + request.kilnRun + "'";
        return false;
      }
      running[pid] = {&trial, Clock::now()};
    }
    int status = 0;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      error = std::string("waiting for trials: ") + std::strerror(errno);
      return false;
    }
    auto found = running.find(pid);
    if (found == running.end())
      continue;
    auto [trial, started] = found->second;
    running.erase(found);
    ++finished;
    trial->seconds =
        std::chrono::duration<double>(Clock::now() - started).count();
    collect(*trial, path(*trial, ".json"), path(*trial, ".log"), status);
    scoreTrial(*trial, result);
    if (observer)
      observer->onTrial(*trial, trials.size(), result.metric);
  }
  return finishSearch(request, result, error) &&
         copyFile(result.best().module, request.out + "/best.kmod", error) &&
         keepBestCheckpoint(request.out, result, error);
}
