//===- FitBinding.cpp - kiln._runtime.fit over the trainer library --------===//
//
// The trainer library's fit loop (kiln/train/Trainer.h) on the caller's
// arrays, read in place through ArrayDataset: shuffling, batches, the
// learning-rate schedule, validation every epoch, early stopping,
// checkpoints and the final test are the same code kiln-run train runs.
// Python sees the loop through two callbacks (throttled steps, every
// epoch); Ctrl-C stops it after the step it is in. The GIL is released
// while it trains and taken back only for the callbacks.
//
//===----------------------------------------------------------------------===//

#include "PyRuntime.h"

#include "kiln/train/Dataset.h"
#include "kiln/train/Trainer.h"

#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <chrono>
#include <exception>

namespace kiln::python {
namespace {

using Rows = nb::ndarray<const float, nb::ndim<2>, nb::c_contig,
                         nb::device::cpu>;

/// The samples of a (features, targets) pair of float32 row arrays.
std::optional<train::ArrayDataset> datasetOf(const std::optional<Rows> &x,
                                             const std::optional<Rows> &y,
                                             bool integerFeatures,
                                             const char *what) {
  if (!x)
    return std::nullopt;
  if (!y || x->shape(0) != y->shape(0))
    throw Failure{ErrorCode::InvalidArgument,
                  std::string(what) + ": the features have " +
                      std::to_string(x->shape(0)) + " rows but the targets " +
                      (y ? std::to_string(y->shape(0)) : "none")};
  train::SampleLayout layout;
  layout.width = static_cast<int64_t>(x->shape(1));
  layout.targetWidth = static_cast<int64_t>(y->shape(1));
  layout.integerFeatures = integerFeatures;
  return train::ArrayDataset::withDerivedClasses(
      x->data(), y->data(), static_cast<int64_t>(x->shape(0)), layout);
}

nb::dict namedValues(const train::NamedValues &values) {
  nb::dict dict;
  for (const auto &[name, value] : values)
    dict[name.c_str()] = value;
  return dict;
}

/// Calls Python back from the loop, with the GIL; keeps the first Python
/// exception (a callback's, or Ctrl-C's KeyboardInterrupt) to re-raise
/// once the loop has stopped.
class PythonObserver final : public train::FitObserver {
public:
  PythonObserver(nb::object onStep, nb::object onEpoch, double interval)
      : onStep_(std::move(onStep)), onEpoch_(std::move(onEpoch)),
        interval_(interval) {}

  void onStep(train::Trainer &trainer,
              const train::StepReport &report) override {
    nb::gil_scoped_acquire gil;
    try {
      if (PyErr_CheckSignals() != 0)
        throw nb::python_error();
      auto now = std::chrono::steady_clock::now();
      bool last = report.step == report.stepsPerEpoch;
      if (onStep_.is_none() ||
          (!last && now - lastCall_ < std::chrono::duration<double>(
                                          interval_)))
        return;
      lastCall_ = now;
      nb::dict step;
      step["epoch"] = report.epoch;
      step["epochs"] = report.epochs;
      step["step"] = report.step;
      step["steps"] = report.stepsPerEpoch;
      step["samples"] = report.samplesDone;
      step["train_samples"] = report.trainSamples;
      step["seconds"] = report.epochSeconds;
      step["learning_rate"] = report.learningRate;
      step["loss"] = namedValues(report.runningLosses);
      onStep_(step);
    } catch (...) {
      pending_ = std::current_exception();
      trainer.interrupt("interrupted");
    }
  }

  bool onEpoch(train::Trainer &trainer, const train::EpochReport &report,
               std::string &error) override {
    nb::gil_scoped_acquire gil;
    nb::dict epoch;
    epoch["epoch"] = report.epoch;
    epoch["loss"] = namedValues(report.trainLosses);
    epoch["validation"] =
        report.validated ? nb::object(nb::str(
                               report.validation.toJson("").dump().c_str()))
                         : nb::object(nb::none());
    epoch["improved"] = report.improved;
    epoch["seconds"] = report.seconds;
    epoch["samples_per_second"] =
        report.seconds > 0 ? report.trainSamples / report.seconds : 0.0;
    epoch["learning_rate"] = report.learningRate;
    epochs_.append(epoch);
    if (onEpoch_.is_none())
      return true;
    try {
      // A callback returning False stops training after this epoch.
      nb::object verdict = onEpoch_(epoch);
      if (!verdict.is_none() && !nb::cast<bool>(verdict))
        trainer.requestStop();
      return true;
    } catch (...) {
      pending_ = std::current_exception();
      error = "interrupted";
      return false;
    }
  }

  nb::list epochs() const { return epochs_; }
  std::exception_ptr pending() const { return pending_; }

private:
  nb::object onStep_, onEpoch_;
  double interval_;
  std::chrono::steady_clock::time_point lastCall_{};
  nb::list epochs_;
  std::exception_ptr pending_;
};

/// Runs `trainer` through `fitIn` (one of Trainer's fit overloads) with the
/// GIL released; the History dict, or the callbacks' exception.
template <typename FitIn>
nb::dict runFit(PySession &session, const nb::dict &settings,
                nb::object onStep, nb::object onEpoch, double interval,
                FitIn fitIn) {
  train::Trainer trainer(*session.session, fitOptionsOf(settings));
  PythonObserver observer(std::move(onStep), std::move(onEpoch), interval);
  trainer.addObserver(observer);
  train::FitResult result;
  std::string error;
  bool fitted;
  {
    nb::gil_scoped_release released;
    fitted = fitIn(trainer, result, error);
  }
  if (observer.pending())
    std::rethrow_exception(observer.pending());
  if (!fitted)
    throw Failure{ErrorCode::InvalidArgument, error};
  nb::dict history;
  history["epochs"] = observer.epochs();
  history["steps"] = result.steps;
  history["batch"] = result.batch;
  history["stopped_early"] = result.stoppedEarly;
  history["best"] = result.best;
  history["best_epoch"] = result.bestEpoch;
  history["test"] = result.testSamples
                        ? nb::object(nb::str(
                              result.test.toJson("").dump().c_str()))
                        : nb::object(nb::none());
  history["samples_per_second"] = result.trainSamplesPerSecond;
  history["seconds"] = result.seconds;
  return history;
}

nb::dict fitArrays(PySession &session, Rows x, Rows y,
                   std::optional<Rows> xv, std::optional<Rows> yv,
                   std::optional<Rows> xt, std::optional<Rows> yt,
                   bool integerFeatures, const nb::dict &settings,
                   nb::object onStep, nb::object onEpoch, double interval) {
  std::optional<train::ArrayDataset> trainSet =
      datasetOf(x, y, integerFeatures, "train");
  std::optional<train::ArrayDataset> validation =
      datasetOf(xv, yv, integerFeatures, "validation");
  std::optional<train::ArrayDataset> test =
      datasetOf(xt, yt, integerFeatures, "test");
  train::FitData data;
  data.train = &*trainSet;
  data.validation = validation ? &*validation : nullptr;
  data.test = test ? &*test : nullptr;
  return runFit(session, settings, std::move(onStep), std::move(onEpoch),
                interval,
                [&](train::Trainer &trainer, train::FitResult &result,
                    std::string &error) {
                  return trainer.fit(data, result, error);
                });
}

/// Fits on prepared data exactly as kiln-run train does: its validation
/// split, its test split, its preprocessing saved with the checkpoints.
nb::dict fitData(PySession &session, const PyData &data,
                 const nb::dict &settings, nb::object onStep,
                 nb::object onEpoch, double interval) {
  return runFit(session, settings, std::move(onStep), std::move(onEpoch),
                interval,
                [&](train::Trainer &trainer, train::FitResult &result,
                    std::string &error) {
                  return trainer.fit(*data.data, result, error);
                });
}

} // namespace

train::FitOptions fitOptionsOf(const nb::dict &settings) {
  train::FitOptions options;
  auto given = [&](const char *name, auto &field) {
    setIfGiven(settings, name, field);
  };
  given("epochs", options.epochs);
  given("batch", options.batch);
  given("warmup_steps", options.warmupSteps);
  given("patience", options.patience);
  given("limit", options.limit);
  given("test_limit", options.testLimit);
  given("seed", options.seed);
  given("lr", options.learningRate);
  given("entries", options.entries);
  given("monitor", options.monitor);
  given("checkpoint", options.checkpoint);
  given("keep_best", options.keepBest);
  given("resume", options.resume);
  std::vector<std::string> noise;
  given("noise", noise);
  options.noise.insert(noise.begin(), noise.end());
  std::string schedule;
  given("schedule", schedule);
  if (!schedule.empty() && !train::parseSchedule(schedule, options.schedule))
    throw Failure{ErrorCode::InvalidArgument,
                  "schedule must be constant, step or cosine, got '" +
                      schedule + "'"};
  given("step_decay_epochs", options.stepDecayEpochs);
  return options;
}

void bindFit(nb::module_ &m) {
  m.def("fit", &fitArrays, nb::arg("session"), nb::arg("x"), nb::arg("y"),
        nb::arg("x_validation").none(), nb::arg("y_validation").none(),
        nb::arg("x_test").none(), nb::arg("y_test").none(),
        nb::arg("integer_features"), nb::arg("settings"),
        nb::arg("on_step").none(), nb::arg("on_epoch").none(),
        nb::arg("interval"),
        "The trainer library's fit loop on float32 row arrays read in "
        "place; kiln.fit is the friendly form.");
  m.def("fit_data", &fitData, nb::arg("session"), nb::arg("data"),
        nb::arg("settings"), nb::arg("on_step").none(),
        nb::arg("on_epoch").none(), nb::arg("interval"),
        "The fit loop on prepared data, as kiln-run train runs it.");
}

} // namespace kiln::python
