//===- CApi.cpp - The trainer's C API -------------------------------------===//

#include "kiln/kiln_train.h"

#include "kiln/runtime/CApiBridge.h"
#include "kiln/train/PrepareData.h"
#include "kiln/train/Trainer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>
#include <optional>

using namespace kiln::train;
namespace capi = kiln::rt::capi;

namespace {

/// The C callback as an observer.
class EpochCallback : public FitObserver {
public:
  EpochCallback(kiln_epoch_callback callback, void *userData)
      : callback(callback), userData(userData) {}
  bool onEpoch(Trainer &trainer, const EpochReport &epoch,
               std::string &) override {
    kiln_epoch_report report = {};
    report.epoch = epoch.epoch;
    report.epochs = epoch.epochs;
    report.train_loss =
        epoch.trainLosses.empty() ? 0 : epoch.trainLosses.front().second;
    report.validated = epoch.validated;
    report.validation_loss = epoch.validation.losses.empty()
                                 ? 0
                                 : epoch.validation.losses.front().second;
    report.validation_accuracy = epoch.validation.accuracy;
    report.seconds = epoch.seconds;
    if (callback(userData, &report) != 0)
      trainer.requestStop();
    return true;
  }

private:
  kiln_epoch_callback callback;
  void *userData;
};

/// The options a caller built against an older, smaller struct left out
/// keep their defaults.
FitOptions fitOptions(const kiln_fit_options *given) {
  kiln_fit_options options;
  kiln_fit_options_init(&options);
  if (given)
    std::memcpy(&options, given,
                std::min(given->struct_size, sizeof(kiln_fit_options)));
  FitOptions fit;
  fit.epochs = options.epochs;
  fit.batch = options.batch;
  fit.learningRate = options.learning_rate;
  fit.seed = options.seed;
  fit.limit = options.limit;
  fit.testLimit = options.test_limit;
  if (options.checkpoint)
    fit.checkpoint = options.checkpoint;
  fit.patience = options.patience;
  return fit;
}

/// The options, checked; null on success.
kiln_error *checkOptions(const kiln_fit_options *options, FitOptions &fitting) {
  if (options && options->struct_size < sizeof(size_t))
    return capi::makeError(KILN_STATUS_INVALID_ARGUMENT,
                           "kiln_fit_options.struct_size is not set "
                           "(kiln_fit_options_init sets it)");
  fitting = fitOptions(options);
  if (fitting.epochs < 1 || fitting.batch < 0 || fitting.limit < 0 ||
      fitting.testLimit < 0 || fitting.patience < 0 ||
      (!std::isnan(fitting.learningRate) && !(fitting.learningRate > 0)))
    return capi::makeError(KILN_STATUS_INVALID_ARGUMENT,
                           "kiln_fit_options: epochs must be positive; "
                           "batch, limits and patience not negative; the "
                           "learning rate positive or NaN");
  return nullptr;
}

/// Runs the fit loop on `data` (FitData or PreparedData) and fills
/// `result`.
template <typename Data>
kiln_error *runFit(kiln::rt::Session &session, const FitOptions &fitting,
                   const Data &data, kiln_epoch_callback onEpoch,
                   void *userData, kiln_fit_result *result) {
  Trainer trainer(session, fitting);
  EpochCallback callback(onEpoch, userData);
  if (onEpoch)
    trainer.addObserver(callback);
  FitResult fitted;
  std::string error;
  if (!trainer.fit(data, fitted, error))
    return capi::makeError(KILN_STATUS_FAILED_PRECONDITION, error);
  if (result) {
    *result = kiln_fit_result{};
    result->epochs_run = fitted.epochsRun;
    result->steps = fitted.steps;
    result->test_loss =
        fitted.test.losses.empty() ? 0 : fitted.test.losses.front().second;
    result->test_accuracy = fitted.test.accuracy;
    result->train_samples_per_second = fitted.trainSamplesPerSecond;
  }
  return nullptr;
}

kiln_error *fitNamed(kiln_session *handle, const char *data,
                     const kiln_fit_options *options,
                     kiln_epoch_callback onEpoch, void *userData,
                     kiln_fit_result *result) {
  kiln::rt::Session *session = capi::sessionOf(handle);
  if (!session || !data)
    return capi::makeError(KILN_STATUS_INVALID_ARGUMENT,
                           std::string("missing argument: ") +
                               (session ? "data" : "session"));
  FitOptions fitting;
  if (kiln_error *error = checkOptions(options, fitting))
    return error;
  DataRequest request;
  request.data = data;
  request.seed = fitting.seed;
  request.limit = fitting.limit;
  if (!isKnownData(request.data))
    return capi::makeError(KILN_STATUS_INVALID_ARGUMENT,
                           "unknown data set '" + request.data + "'");
  if (int64_t steps = Trainer::sequenceSteps(session->module(), ""))
    request.sequenceSteps = steps;
  std::string error;
  PreparedData prepared;
  if (!prepareData(request, nullptr, prepared, error))
    return capi::makeError(KILN_STATUS_INVALID_ARGUMENT, error);
  return runFit(*session, fitting, prepared, onEpoch, userData, result);
}

/// The caller's arrays, read in place; false (with `error`) when they are
/// not there or not sized.
bool viewSamples(const kiln_samples *given, const char *name,
                 std::optional<ArrayDataset> &out, std::string &error) {
  int64_t targetWidth = given && given->target_width ? given->target_width : 1;
  if (!given || !given->features || !given->targets || given->count < 1 ||
      given->width < 1 || targetWidth < 1) {
    error = std::string("kiln_samples '") + name +
            "': features and targets are required, with a positive count, "
            "width and target width";
    return false;
  }
  SampleLayout layout;
  layout.width = given->width;
  layout.targetWidth = targetWidth;
  layout.integerFeatures = given->tokens != 0;
  out = ArrayDataset::withDerivedClasses(given->features, given->targets,
                                         given->count, layout);
  return true;
}

kiln_error *fitSamples(kiln_session *handle, const kiln_samples *train,
                       int64_t validation, const kiln_samples *test,
                       const kiln_fit_options *options,
                       kiln_epoch_callback onEpoch, void *userData,
                       kiln_fit_result *result) {
  kiln::rt::Session *session = capi::sessionOf(handle);
  if (!session)
    return capi::makeError(KILN_STATUS_INVALID_ARGUMENT,
                           "missing argument: session");
  FitOptions fitting;
  if (kiln_error *error = checkOptions(options, fitting))
    return error;
  std::optional<ArrayDataset> all, testSet;
  std::string error;
  if (!viewSamples(train, "train", all, error) ||
      !viewSamples(test, "test", testSet, error))
    return capi::makeError(KILN_STATUS_INVALID_ARGUMENT, error);
  if (validation < 0 || validation >= all->size() ||
      testSet->layout().width != all->layout().width ||
      testSet->layout().targetWidth != all->layout().targetWidth)
    return capi::makeError(
        KILN_STATUS_INVALID_ARGUMENT,
        "the validation samples must leave some to train on, and the test "
        "samples have the training samples' width and target width");
  // The last `validation` samples validate.
  int64_t trainCount = all->size() - validation;
  DatasetRange trainPart(*all, 0, trainCount);
  DatasetRange validationPart(*all, trainCount, validation);
  return runFit(*session, fitting,
                FitData{&trainPart, &validationPart, &*testSet, nullptr},
                onEpoch, userData, result);
}

/// Keeps allocation failures and exceptions on this side of the C API.
template <typename Body> kiln_error *guarded(Body body) {
  try {
    return body();
  } catch (const std::bad_alloc &) {
    return capi::outOfMemory();
  } catch (const std::exception &e) {
    return capi::makeError(KILN_STATUS_INTERNAL,
                           std::string("internal error: ") + e.what());
  }
}

} // namespace

extern "C" {

void kiln_fit_options_init(kiln_fit_options *options) {
  if (!options)
    return;
  *options = kiln_fit_options{};
  options->struct_size = sizeof(kiln_fit_options);
  options->epochs = 1;
  options->batch = 64;
  options->learning_rate = NAN;
}

kiln_error *kiln_train_fit(kiln_session *session, const char *data,
                           const kiln_fit_options *options,
                           kiln_epoch_callback on_epoch, void *user_data,
                           kiln_fit_result *result) {
  return guarded([&] {
    return fitNamed(session, data, options, on_epoch, user_data, result);
  });
}

kiln_error *kiln_train_fit_samples(kiln_session *session,
                                   const kiln_samples *train,
                                   int64_t validation,
                                   const kiln_samples *test,
                                   const kiln_fit_options *options,
                                   kiln_epoch_callback on_epoch,
                                   void *user_data, kiln_fit_result *result) {
  return guarded([&] {
    return fitSamples(session, train, validation, test, options, on_epoch,
                      user_data, result);
  });
}

} // extern "C"
