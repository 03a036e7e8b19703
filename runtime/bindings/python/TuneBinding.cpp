//===- TuneBinding.cpp - kiln._runtime.tune over the trainer library ------===//
//
// kiln-run tune's in-process search (kiln/train/Tuner.h): a grid or random
// search over the settings made at run time (lr, batch, epochs), each
// trial a Trainer of its own on prepared data, ranked by a validation
// score. Python hears of each trial as it ends.
//
//===----------------------------------------------------------------------===//

#include "PyRuntime.h"

#include "kiln/train/Tuner.h"

#include <nanobind/stl/map.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <exception>

namespace kiln::python {
namespace {

nb::dict trialDict(const train::Trial &trial) {
  nb::dict dict;
  dict["index"] = trial.index;
  dict["settings"] = nb::cast(trial.settings);
  dict["ok"] = trial.ok;
  dict["failure"] = trial.failure;
  dict["validation"] = nb::cast(trial.validation);
  dict["test"] = nb::cast(trial.test);
  dict["score"] = trial.score;
  dict["seconds"] = trial.seconds;
  return dict;
}

/// Calls Python back after each trial, with the GIL, and watches for
/// Ctrl-C during trials: it interrupts the trial it is in and ends the
/// search. Keeps the first exception to re-raise after the search.
class PythonTuneObserver final : public train::TuneObserver,
                                 public train::FitObserver {
public:
  explicit PythonTuneObserver(nb::object onTrial)
      : onTrial_(std::move(onTrial)) {}

  void onTrial(const train::Trial &trial, size_t trials,
               const std::string &metric) override {
    if (onTrial_.is_none() || pending_)
      return;
    nb::gil_scoped_acquire gil;
    try {
      nb::dict report = trialDict(trial);
      report["trials"] = trials;
      report["metric"] = metric;
      onTrial_(report);
    } catch (...) {
      pending_ = std::current_exception();
    }
  }

  train::FitObserver *trialObserver() override { return this; }
  bool stopRequested() const override { return bool(pending_); }

  void onStep(train::Trainer &trainer,
              const train::StepReport &) override {
    nb::gil_scoped_acquire gil;
    if (!pending_ && PyErr_CheckSignals() != 0) {
      try {
        throw nb::python_error();
      } catch (...) {
        pending_ = std::current_exception();
      }
    }
    if (pending_)
      trainer.interrupt("interrupted");
  }

  std::exception_ptr pending() const { return pending_; }

private:
  nb::object onTrial_;
  std::exception_ptr pending_;
};

nb::dict tune(const PyModule &module, const PyData &data,
              const std::vector<std::string> &parameters, int64_t random,
              uint64_t seed, const std::string &metric,
              const std::string &out, unsigned threads,
              const nb::dict &settings, nb::object onTrial) {
  train::SearchRequest request;
  std::string error;
  for (const std::string &text : parameters) {
    train::SearchParameter parameter;
    if (!train::parseSearchParameter(text, parameter, error))
      throw Failure{ErrorCode::InvalidArgument, error};
    request.parameters.push_back(std::move(parameter));
  }
  request.random = random;
  request.seed = seed;
  request.metric = metric;
  request.out = out;
  train::FitOptions base = fitOptionsOf(settings);
  PythonTuneObserver observer(std::move(onTrial));
  train::TuneResult result;
  bool ok;
  {
    nb::gil_scoped_release released;
    ok = train::tuneInProcess(*module.module, *data.data, base, threads,
                              request, &observer, result, error);
  }
  if (observer.pending())
    std::rethrow_exception(observer.pending());
  if (!ok)
    throw Failure{ErrorCode::InvalidArgument, error};
  nb::list trials, ranking;
  for (const train::Trial &trial : result.trials)
    trials.append(trialDict(trial));
  for (size_t index : result.ranking)
    ranking.append(index);
  nb::dict dict;
  dict["metric"] = result.metric;
  dict["trials"] = trials;
  dict["ranking"] = ranking;
  return dict;
}

} // namespace

void bindTune(nb::module_ &m) {
  m.def("tune", &tune, nb::arg("module"), nb::arg("data"),
        nb::arg("parameters"), nb::arg("random"), nb::arg("seed"),
        nb::arg("metric"), nb::arg("out"), nb::arg("threads"),
        nb::arg("settings"), nb::arg("on_trial").none(),
        "kiln-run tune's in-process search; kiln.tune is the friendly "
        "form.");
}

} // namespace kiln::python
