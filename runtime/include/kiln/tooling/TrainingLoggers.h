//===- TrainingLoggers.h - Training progress for tools ----------*- C++ -*-===//
//
// Observers of kiln::train::Trainer that tools share: a terminal progress
// bar (plain lines per epoch when not a terminal) and JSON lines, one
// object per epoch.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLING_TRAININGLOGGERS_H
#define KILN_TOOLING_TRAININGLOGGERS_H

#include "kiln/train/Trainer.h"

#include <cstdio>

namespace kiln::tooling {

/// "epoch 2/5 [#####.....] loss 0.4123  9000 samples/s  ETA 0:12" redrawn
/// on a terminal; a line per epoch with the validation scores either way;
/// and why training stopped early.
class ConsoleLogger : public kiln::train::FitObserver {
public:
  ConsoleLogger(std::FILE *stream, bool terminal)
      : stream_(stream), terminal_(terminal) {}
  void onStep(kiln::train::Trainer &trainer,
              const kiln::train::StepReport &report) override;
  bool onEpoch(kiln::train::Trainer &trainer,
               const kiln::train::EpochReport &report,
               std::string &error) override;
  void onEnd(kiln::train::Trainer &trainer,
             const kiln::train::FitResult &result) override;

private:
  std::FILE *stream_;
  bool terminal_;
};

/// {"epoch": 1, "train": {"loss": ...}, "validation": {...}} per epoch.
class JsonLinesLogger : public kiln::train::FitObserver {
public:
  explicit JsonLinesLogger(std::FILE *stream) : stream_(stream) {}
  bool onEpoch(kiln::train::Trainer &trainer,
               const kiln::train::EpochReport &report,
               std::string &error) override;

private:
  std::FILE *stream_;
};

} // namespace kiln::tooling

#endif // KILN_TOOLING_TRAININGLOGGERS_H
