//===- DataBinding.cpp - kiln._runtime's data sets and evaluation ---------===//
//
// The trainer library's data for Python: the data sets kiln-run reads
// (Fashion-MNIST, the word list, scikit-learn's CSV sets, any CSV or .npy
// file), split and preprocessed by the same code (prepareData), or made
// from the caller's arrays. A split's arrays are NumPy views of the
// prepared samples, which live as long as any view does. Evaluation is
// kiln-run eval's scorecard.
//
//===----------------------------------------------------------------------===//

#include "PyRuntime.h"

#include "kiln/train/Scoring.h"

#include <nanobind/stl/array.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cstring>

namespace kiln::python {
namespace {

using train::PreparedData;
using train::Samples;

using FloatRows = nb::ndarray<const float, nb::c_contig, nb::device::cpu>;

/// The DataRequest kiln-run's data options make, from keyword settings.
train::DataRequest requestOf(const std::string &data,
                             const nb::dict &settings) {
  train::DataRequest request;
  request.data = data;
  auto given = [&](const char *name, auto &field) {
    setIfGiven(settings, name, field);
  };
  given("data_dir", request.dataDir);
  given("targets", request.targets);
  given("target_column", request.targetColumn);
  given("test_data", request.testData);
  given("test_targets", request.testTargets);
  given("test_fraction", request.testFraction);
  given("pixel_low", request.pixelLow);
  given("pixel_high", request.pixelHigh);
  given("sequence_steps", request.sequenceSteps);
  given("validation", request.validation);
  given("limit", request.limit);
  given("one_hot", request.oneHot);
  given("split", request.split);
  given("stratify", request.stratify);
  given("seed", request.seed);
  std::string scaling;
  given("scale", scaling);
  if (!scaling.empty() && !train::parseScaling(scaling, request.scaling))
    throw Failure{ErrorCode::InvalidArgument,
                  "scale must be none, standard or minmax, got '" + scaling +
                      "'"};
  if (!train::isKnownData(request.data))
    throw Failure{ErrorCode::InvalidArgument,
                  "unknown data '" + data +
                      "': fashion-mnist, diabetes, words[:FILE], "
                      "sklearn:NAME, a .csv file or a .npy file"};
  return request;
}

PyData prepare(const std::string &data, const nb::dict &settings) {
  train::DataRequest request = requestOf(data, settings);
  auto prepared = std::make_shared<PreparedData>();
  std::string error;
  bool ok;
  {
    nb::gil_scoped_release released;
    ok = train::prepareData(request, nullptr, *prepared, error);
  }
  if (!ok)
    // A file that is not there is a LookupError; a malformed one a
    // ValueError.
    throw Failure{error.rfind("cannot open", 0) == 0
                      ? ErrorCode::NotFound
                      : ErrorCode::InvalidArgument,
                  error};
  return PyData{std::move(prepared)};
}

/// `count` samples of `x` (rows of features) and `y` (rows of targets)
/// appended to `samples`, which takes the first one's widths.
void appendRows(Samples &samples, const FloatRows &x, const FloatRows &y,
                const char *what) {
  int64_t count = x.ndim() ? static_cast<int64_t>(x.shape(0)) : 0;
  if (y.ndim() == 0 || static_cast<int64_t>(y.shape(0)) != count)
    throw Failure{ErrorCode::InvalidArgument,
                  std::string(what) + ": the features have " +
                      std::to_string(count) + " rows but the targets " +
                      std::to_string(y.ndim() ? y.shape(0) : 0)};
  int64_t width = count ? static_cast<int64_t>(x.size()) / count : 0;
  int64_t targetWidth = count ? static_cast<int64_t>(y.size()) / count : 1;
  if (samples.count == 0) {
    samples.width = width;
    samples.targetWidth = targetWidth;
  } else if (width != samples.width || targetWidth != samples.targetWidth) {
    throw Failure{ErrorCode::InvalidArgument,
                  std::string(what) + ": " + std::to_string(width) +
                      " features and " + std::to_string(targetWidth) +
                      " targets per sample, the training data has " +
                      std::to_string(samples.width) + " and " +
                      std::to_string(samples.targetWidth)};
  }
  samples.count += count;
  samples.features.insert(samples.features.end(), x.data(),
                          x.data() + x.size());
  samples.targets.insert(samples.targets.end(), y.data(),
                         y.data() + y.size());
}

/// Prepared data from the caller's float32 arrays (copied once): the
/// training samples, then the validation ones, and the test samples.
PyData fromArrays(FloatRows x, FloatRows y, std::optional<FloatRows> xv,
                  std::optional<FloatRows> yv, std::optional<FloatRows> xt,
                  std::optional<FloatRows> yt, bool integerFeatures) {
  auto prepared = std::make_shared<PreparedData>();
  Samples &samples = prepared->train;
  appendRows(samples, x, y, "train");
  if (xv) {
    int64_t before = samples.count;
    appendRows(samples, *xv, *yv, "validation");
    prepared->validationCount = samples.count - before;
  }
  samples.integerFeatures = integerFeatures;
  samples.deriveLabels();
  // No test samples is an empty test split laid out as the training one.
  Samples &test = prepared->test;
  test.width = samples.width;
  test.targetWidth = samples.targetWidth;
  test.integerFeatures = integerFeatures;
  if (xt)
    appendRows(test, *xt, *yt, "test");
  test.deriveLabels();
  prepared->preprocessing.validation = prepared->validationCount;
  return PyData{std::move(prepared)};
}

/// An array over `data` (`shape`, elements of T) that keeps `owner` alive.
template <typename T>
NumpyArray viewOver(const std::shared_ptr<const PreparedData> &owner,
                    const T *data, std::vector<size_t> shape) {
  auto *kept = new std::shared_ptr<const PreparedData>(owner);
  nb::capsule capsule(kept, [](void *p) noexcept {
    delete static_cast<std::shared_ptr<const PreparedData> *>(p);
  });
  return NumpyArray(const_cast<T *>(data), shape.size(), shape.data(),
                    capsule, nullptr, nb::dtype<T>());
}

/// A freshly allocated array of `shape` filled by `fill(destination)`.
template <typename T, typename Fill>
NumpyArray filledArray(std::vector<size_t> shape, Fill fill) {
  size_t count = 1;
  for (size_t dim : shape)
    count *= dim;
  auto *values = new std::vector<T>(count);
  fill(values->data());
  nb::capsule capsule(values, [](void *p) noexcept {
    delete static_cast<std::vector<T> *>(p);
  });
  return NumpyArray(values->data(), shape.size(), shape.data(), capsule,
                    nullptr, nb::dtype<T>());
}

/// The features and targets of split `on` ("train", "validation",
/// "test"): features as float32 rows viewed in place (integer tokens as an
/// int32 copy, as a token input takes them), class labels as int32, other
/// targets as float32 ([n] for one target per sample).
nb::tuple splitArrays(const PyData &self, const std::string &on) {
  const PreparedData &data = *self.data;
  const Samples &samples = on == "test" ? data.test : data.train;
  int64_t first = 0, count = samples.count;
  if (on == "train")
    count = data.train.count - data.validationCount;
  else if (on == "validation")
    first = data.train.count - data.validationCount,
    count = data.validationCount;
  else if (on != "test")
    throw Failure{ErrorCode::InvalidArgument,
                  "the splits are train, validation and test, not '" + on +
                      "'"};
  auto rows = static_cast<size_t>(count);
  auto width = static_cast<size_t>(samples.width);
  auto targetWidth = static_cast<size_t>(samples.targetWidth);
  const float *features = samples.features.data() + first * samples.width;
  NumpyArray x =
      samples.integerFeatures
          ? filledArray<int32_t>({rows, width},
                                 [&](int32_t *out) {
                                   for (size_t i = 0; i < rows * width; ++i)
                                     out[i] =
                                         static_cast<int32_t>(features[i]);
                                 })
          : viewOver(self.data, features, {rows, width});
  std::vector<size_t> targetShape = {rows};
  if (targetWidth != 1)
    targetShape.push_back(targetWidth);
  size_t offset = static_cast<size_t>(first) * targetWidth;
  NumpyArray y = !samples.labels.empty()
                     ? viewOver(self.data, samples.labels.data() + offset,
                                targetShape)
                     : viewOver(self.data, samples.targets.data() + offset,
                                targetShape);
  return nb::make_tuple(x, y);
}

/// kiln-run eval's scorecard of `session` on split `on` of `data`, as its
/// JSON text.
std::string evaluate(PySession &session, const PyData &data,
                     const std::string &on, int positive,
                     const std::vector<std::string> &noise) {
  Samples chosen;
  std::vector<int64_t> indices;
  train::Scorecard scores;
  std::string error;
  bool ok;
  {
    nb::gil_scoped_release released;
    ok = train::selectSamples(*data.data, on, chosen, indices, error) &&
         train::scoreModel(*session.session, chosen, indices,
                           {noise.begin(), noise.end()}, positive, scores,
                           error);
  }
  if (!ok)
    throw Failure{ErrorCode::InvalidArgument, error};
  return train::scorecardJson(scores, session.module->name(), on,
                              data.data->preprocessing);
}

} // namespace

void bindData(nb::module_ &m) {
  nb::class_<PyData>(m, "Data",
                     "Samples split into train, validation and test, and "
                     "the preprocessing fitted to them.")
      .def("split", &splitArrays, nb::arg("on"),
           "(features, targets) of the train, validation or test split.")
      .def_prop_ro("classes",
                   [](const PyData &self) {
                     return self.data->train.layout().classes;
                   })
      .def_prop_ro("class_names",
                   [](const PyData &self) {
                     return self.data->preprocessing.classes;
                   })
      .def_prop_ro("width",
                   [](const PyData &self) { return self.data->train.width; })
      .def_prop_ro("integer_features",
                   [](const PyData &self) {
                     return self.data->train.integerFeatures;
                   })
      .def_prop_ro("preprocessing",
                   [](const PyData &self) {
                     return self.data->preprocessing.json();
                   })
      .def_prop_ro("hints",
                   [](const PyData &self) { return self.data->hints; });
  m.def("prepare_data", &prepare, nb::arg("data"), nb::arg("settings"),
        "Reads, splits and preprocesses a data set as kiln-run's --data "
        "options do.");
  m.def("data_from_arrays", &fromArrays, nb::arg("x"), nb::arg("y"),
        nb::arg("x_validation").none(), nb::arg("y_validation").none(),
        nb::arg("x_test").none(), nb::arg("y_test").none(),
        nb::arg("integer_features"),
        "Prepared data from float32 arrays (copied).");
  m.def("evaluate", &evaluate, nb::arg("session"), nb::arg("data"),
        nb::arg("on"), nb::arg("positive"), nb::arg("noise"),
        "kiln-run eval's scores as JSON text.");
}

} // namespace kiln::python
