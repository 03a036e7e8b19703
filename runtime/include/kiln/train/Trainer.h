//===- Trainer.h - The fit loop around compiled train entries ---*- C++ -*-===//
//
// What an application means by "training" a compiled module: epochs over
// prepared data, shuffled with a seed, in batches (full, stochastic or
// mini), the learning rate on a schedule with warm-up, validation after
// every epoch, early stopping and the best epoch kept, a checkpoint per
// epoch and exact resumption, GAN-style alternation of train entries, and
// the final test. Everything that depends on the model's numerics runs in
// the compiled code; presentation (a progress bar, JSON lines, plots)
// reaches the loop only as a FitObserver.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAIN_TRAINER_H
#define KILN_TRAIN_TRAINER_H

#include "kiln/train/Evaluate.h"
#include "kiln/train/PrepareData.h"

#include "kiln/runtime/Session.h"

#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace kiln::train {

enum class Schedule {
  Constant,
  /// x0.1 every `stepDecayEpochs` epochs.
  Step,
  /// From the base rate to 0 over the run.
  Cosine,
};
bool parseSchedule(const std::string &text, Schedule &schedule);

struct FitOptions {
  int64_t epochs = 1;
  /// Samples per step; 0 is the whole training split (batch gradient
  /// descent).
  int64_t batch = 64;
  /// Train on the first `limit` samples, test on the first `testLimit`
  /// (0: all).
  int64_t limit = 0, testLimit = 0;
  /// The base learning rate; NaN: each train entry's compiled rate.
  double learningRate = NAN;
  Schedule schedule = Schedule::Cosine;
  int64_t stepDecayEpochs = 1;
  /// Linear warm-up over the first steps.
  int64_t warmupSteps = 0;
  /// Shuffling and noise; a resumed run sees the batches an uninterrupted
  /// one would.
  uint64_t seed = 0;
  /// The train entries to run on every batch, "a:2,b" (a twice, then b);
  /// empty: every train entry of the module, in order.
  std::string entries;
  /// Inputs to draw from N(0, 1) for every batch besides those the model
  /// declares as noise (`input z : f32[N, 64] = normal`).
  std::set<std::string> noise;
  /// Written atomically after every epoch; with `resume`, read first.
  std::string checkpoint;
  bool resume = false;
  /// Stop after `patience` epochs without improvement of the `monitor`ed
  /// validation metric ("loss", "accuracy", "mse", "r2"); 0: never.
  int64_t patience = 0;
  std::string monitor = "loss";
  /// A checkpoint of the best epoch by `monitor`; the test scores it.
  std::string keepBest;
};

/// After every step (of every train entry of the batch).
struct StepReport {
  int64_t epoch = 0, epochs = 0; ///< 1-based epoch
  int64_t step = 0, stepsPerEpoch = 0; ///< 1-based step of the epoch
  /// Training samples this epoch has seen, of `trainSamples`.
  int64_t samplesDone = 0, trainSamples = 0;
  double epochSeconds = 0;
  double learningRate = 0; ///< the first entry's
  /// Each train entry's mean loss so far this epoch, by its loss's name,
  /// and its loss on this step's batch.
  NamedValues runningLosses, stepLosses;
  /// The first train entry's steps so far, over every epoch (and run).
  int64_t globalStep = 0;
};

/// After every epoch, once the checkpoints are written.
struct EpochReport {
  int64_t epoch = 0, epochs = 0;
  NamedValues trainLosses;
  /// The scores on the validation samples (when there are any).
  bool validated = false;
  Evaluation validation;
  /// The monitored metric improved (with early stopping or keep-best).
  bool improved = false;
  double seconds = 0;
  int64_t trainSamples = 0;
  double learningRate = 0;
  int64_t step = 0; ///< steps of the first entry so far
};

struct FitResult {
  std::vector<std::string> entries;
  int64_t batch = 0, steps = 0;
  int64_t epochsRun = 0;
  bool stoppedEarly = false;
  /// With early stopping or keep-best: "validation loss 0.2345 at epoch 3".
  std::string best;
  int64_t bestEpoch = 0;
  /// The test scores (of the best epoch's parameters when kept).
  Evaluation test;
  int64_t testSamples = 0;
  double trainSamplesPerSecond = 0, seconds = 0;
};

/// The data of one fit: the samples trained on, those that validate after
/// every epoch and those that score the result (either may be null), and
/// the preprocessing that made them, saved with every checkpoint (null:
/// none). Validation and test samples are laid out as the training samples
/// are.
struct FitData {
  const Dataset *train = nullptr;
  const Dataset *validation = nullptr;
  const Dataset *test = nullptr;
  const Preprocessing *preprocessing = nullptr;
};

class Trainer;

/// Sees the loop's progress; an application logs, plots, stops or changes
/// the rate from here (through the Trainer it is given).
class FitObserver {
public:
  virtual ~FitObserver() = default;
  virtual void onStep(Trainer &trainer, const StepReport &report) {}
  /// Returning false (with `error`) ends training with that error.
  virtual bool onEpoch(Trainer &trainer, const EpochReport &report,
                       std::string &error) {
    return true;
  }
  virtual void onEnd(Trainer &trainer, const FitResult &result) {}
};

class Trainer {
public:
  Trainer(kiln::rt::Session &session, FitOptions options);

  /// Observers are called in the order added; they outlive fit().
  void addObserver(FitObserver &observer) { observers_.push_back(&observer); }

  /// Trains on `data.train`, validating on `data.validation` after every
  /// epoch, then scores `data.test`. The data sets are read, never copied.
  bool fit(const FitData &data, FitResult &result, std::string &error);
  /// The same over prepared data: its last `validationCount` training
  /// samples validate; the fitted preprocessing is saved with every
  /// checkpoint.
  bool fit(const PreparedData &data, FitResult &result, std::string &error);

  /// From an observer: stop after this epoch.
  void requestStop() { stopRequested_ = true; }
  /// From an observer's onStep: end fit() after this step, failing with
  /// `reason` (a user's interrupt). The session keeps what the steps so
  /// far trained; nothing of this epoch is checkpointed.
  void interrupt(std::string reason) { interruption_ = std::move(reason); }
  /// From an observer: scale the scheduled rate from the next step on.
  void setRateFactor(double factor) { rateFactor_ = factor; }

  kiln::rt::Session &session() { return session_; }
  const FitOptions &options() const { return options_; }

  /// The token-sequence length of the model's first train entry (its
  /// integer [N, T] input), 0 if none: what words data needs.
  static int64_t sequenceSteps(const kiln::rt::Module &module,
                               const std::string &entries);

private:
  kiln::rt::Session &session_;
  FitOptions options_;
  std::vector<FitObserver *> observers_;
  bool stopRequested_ = false;
  std::optional<std::string> interruption_;
  double rateFactor_ = 1;
};

} // namespace kiln::train

#endif // KILN_TRAIN_TRAINER_H
