//===- Tuner.h - Hyperparameter search --------------------------*- C++ -*-===//
//
// A grid or random search over a SearchSpace: every trial trains the model
// with one setting and is scored on the validation split after its last
// epoch; trials are ranked, tabulated (trials.csv) and the best kept.
//
// Two ways to run trials:
// - as processes (`tuneWithProcesses`): each trial a `kiln-run train` of
//   its own, so trials run in parallel and one that diverges or crashes
//   cannot take the others down; settings compiled into the model (model
//   configs, optimizer hyperparameters) are compiled by kilnc, once per
//   distinct setting;
// - in-process (`tuneInProcess`): a Trainer per trial over a loaded module
//   and prepared data, for the settings made at run time (learning rate,
//   batch, epochs); what an application or the Python package calls.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAIN_TUNER_H
#define KILN_TRAIN_TUNER_H

#include "kiln/train/SearchSpace.h"
#include "kiln/train/Trainer.h"

#include <map>
#include <string>
#include <vector>

namespace kiln::train {

struct Trial {
  int64_t index = 0; ///< from 1
  TrialSettings settings;
  std::string module; ///< the compiled model it trains (process trials)
  double seconds = 0;
  bool ok = false;
  std::string failure;
  /// Scores after the last epoch, and the test scores.
  std::map<std::string, double> validation, test;
  double score = NAN; ///< the ranking metric's validation value
};

struct TuneResult {
  std::vector<Trial> trials;
  /// Indices into `trials`, best first; trials without a score last.
  std::vector<size_t> ranking;
  std::string metric;
  /// Every validation score name a trial reported, in first-seen order.
  std::vector<std::string> scoreNames;
  const Trial &best() const { return trials[ranking.front()]; }
};

/// Progress of a search, for a terminal or a log.
class TuneObserver {
public:
  virtual ~TuneObserver() = default;
  virtual void onCompile(const std::string &model, const std::string &flags) {}
  virtual void onTrial(const Trial &trial, size_t trials,
                       const std::string &metric) {}
  /// In-process trials: an observer of every trial's fit (to interrupt
  /// one from outside), or null.
  virtual FitObserver *trialObserver() { return nullptr; }
  /// In-process trials: checked before each trial; true ends the search
  /// with an error.
  virtual bool stopRequested() const { return false; }
};

/// What every search shares.
struct SearchRequest {
  std::vector<SearchParameter> parameters;
  /// Random trials instead of the full grid (0: the grid).
  int64_t random = 0;
  uint64_t seed = 0;
  /// The validation score to rank by (empty: accuracy, else r2, else the
  /// first loss); accuracy and r2 are better higher, the rest lower.
  std::string metric;
  /// Where trials.csv (and, for process trials, logs, best.kmod and
  /// best.ckpt) go; empty: nowhere (in-process only).
  std::string out;
};

struct ProcessTuneRequest : SearchRequest {
  /// A .kiln source (compiled per setting) or a .kmod (run-time
  /// parameters only).
  std::string model;
  /// kilnc flags of every trial's model (--set=NAME=VALUE).
  std::vector<std::string> compileFlags;
  /// Every trial's `kiln-run train` options: its data and budget.
  std::vector<std::string> trainArgs;
  /// Trials at once (0: one per core), each with cores / jobs threads.
  int64_t jobs = 0;
  std::string kilnc, kilnRun;
};

/// Checks what the trials cannot: the data is named, tune's own options
/// are not among the train options, compiled settings have a source.
bool checkProcessTuneRequest(const ProcessTuneRequest &request,
                             std::string &error);

/// Runs the search with a process per trial; keeps `out`/best.kmod and
/// `out`/best.ckpt.
bool tuneWithProcesses(const ProcessTuneRequest &request,
                       TuneObserver *observer, TuneResult &result,
                       std::string &error);

/// Runs the search in this process over run-time parameters (lr, batch,
/// epochs), each trial a Trainer with `base` and its setting; keeps the
/// best trial's checkpoint as `out`/best.ckpt when `out` is set.
bool tuneInProcess(const rt::Module &module, const PreparedData &data,
                   const FitOptions &base, unsigned threads,
                   const SearchRequest &request, TuneObserver *observer,
                   TuneResult &result, std::string &error);

/// A trial's settings as "batch=32 lr=0.1".
std::string describeSettings(const TrialSettings &settings);

/// A score as the table shows it (six significant digits).
std::string formatScore(double value);

/// The trials as CSV: rank, trial, each parameter, validation and test
/// scores, seconds, status.
bool writeTrialsCsv(const std::string &path, const SearchRequest &request,
                    const TuneResult &result, std::string &error);

} // namespace kiln::train

#endif // KILN_TRAIN_TUNER_H
