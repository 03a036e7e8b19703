//===- TrainingObservers.h - Drawing while a model trains -------*- C++ -*-===//
//
// Presentation reaches the trainer as callbacks: these redraw the training
// curves and write a generator's images after every epoch.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PLOT_TRAININGOBSERVERS_H
#define KILN_PLOT_TRAININGOBSERVERS_H

#include "kiln/plot/TrainingCurves.h"
#include "kiln/train/Trainer.h"

#include <set>
#include <string>

namespace kiln::plot {

/// Training curves redrawn after every epoch (PNG, or SVG for a .svg path).
class CurvePlotter : public kiln::train::FitObserver {
public:
  CurvePlotter(std::string path, std::string model)
      : path(std::move(path)), model(std::move(model)) {}
  bool onEpoch(kiln::train::Trainer &, const kiln::train::EpochReport &report,
               std::string &error) override;

private:
  std::string path, model;
  TrainingCurves curves;
};

/// DIR/epoch-K.png after every epoch: the inference entry's images from
/// the same noise each time, to watch a generator develop.
class SampleGridWriter : public kiln::train::FitObserver {
public:
  SampleGridWriter(std::string dir, uint64_t seed, std::set<std::string> noise)
      : dir(std::move(dir)), seed(seed), noise(std::move(noise)) {}
  bool onEpoch(kiln::train::Trainer &trainer,
               const kiln::train::EpochReport &report,
               std::string &error) override;

private:
  std::string dir;
  uint64_t seed;
  std::set<std::string> noise;
};

} // namespace kiln::plot

#endif // KILN_PLOT_TRAININGOBSERVERS_H
