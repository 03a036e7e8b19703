//===- PrepareData.cpp - Samples split and preprocessed for a model -------===//
//
// Fashion-MNIST comes with its own test split; any other data is split
// here, after a seeded shuffle (per class when stratified), so that a later
// `kiln-run eval` with the same seed finds the same test samples. Every
// statistic is fitted on the training samples only: nothing of the
// validation and test samples leaks into training.
//
//===----------------------------------------------------------------------===//

#include "kiln/train/PrepareData.h"

#include "kiln/train/Table.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <set>

using namespace kiln::train;

namespace {

bool isTable(const std::string &data) {
  return data.rfind("sklearn:", 0) == 0 ||
         (data.size() > 4 && data.compare(data.size() - 4, 4, ".csv") == 0);
}

/// Reads a CSV file through `preprocessing` (fitting its encoding first
/// when `fit`, on `rows`, or on every row when `rows` is empty).
bool readEncoded(const std::string &path, const DataRequest &options,
                 Preprocessing &preprocessing, bool fit, Samples &out,
                 std::string &error, Table *table = nullptr) {
  Table own;
  Table &read = table ? *table : own;
  std::string resolved = catalog::resolveDataPath(path);
  if (!readTable(resolved, read, error)) {
    error += catalog::missingHint(resolved);
    return false;
  }
  if (fit) {
    std::vector<int64_t> all(read.rows.size());
    std::iota(all.begin(), all.end(), 0);
    if (!preprocessing.fitEncoding(read, options.targetColumn, options.oneHot,
                                   all, error))
      return false;
  }
  return preprocessing.encode(read, out, error);
}

/// Samples that are not a table, read whole.
bool readSamples(const DataRequest &options, const std::string &data,
                 const std::string &targets, Samples &all,
                 std::string &error) {
  if (data == "diabetes") {
    bool read = readDiabetes(catalog::kSklearnDataDir, all, error);
    if (!read)
      error += catalog::missingHint(std::string(catalog::kSklearnDataDir) +
                                    "/diabetes_data_raw.csv.gz");
    return read;
  }
  if (data.rfind("words", 0) == 0) {
    std::string path = data.size() > 6 ? data.substr(6) : catalog::kWordsFile;
    bool read = readWords(path, options.sequenceSteps, all, error);
    if (!read)
      error += catalog::missingHint(path);
    return read;
  }
  return readNpyPair(data, targets, all, error);
}

/// Whether a split by class suits `samples`: class labels, not too many.
bool looksLikeClasses(const Samples &samples) {
  return !samples.labels.empty() && samples.classes <= 50 &&
         samples.targetWidth == 1;
}

std::vector<int64_t> concatenated(const std::vector<int64_t> &a,
                                  const std::vector<int64_t> &b) {
  std::vector<int64_t> both = a;
  both.insert(both.end(), b.begin(), b.end());
  return both;
}

std::string formatMagnitude(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

/// Features past this magnitude, left unscaled, get a hint.
constexpr double kUnscaledWarning = 1000;

} // namespace

bool kiln::train::isKnownData(const std::string &data) {
  auto endsWith = [&](const char *suffix) {
    size_t n = std::strlen(suffix);
    return data.size() >= n && data.compare(data.size() - n, n, suffix) == 0;
  };
  return data == "fashion-mnist" || data == "diabetes" ||
         data.rfind("words", 0) == 0 || data.rfind("sklearn:", 0) == 0 ||
         endsWith(".csv") || endsWith(".npy");
}

bool kiln::train::prepareData(const DataRequest &options,
                            const Preprocessing *fitted, PreparedData &out,
                            std::string &error) {
  Preprocessing &preprocessing = out.preprocessing;
  if (fitted)
    preprocessing = *fitted;
  std::string data = !options.data.empty() ? options.data : preprocessing.data;
  if (data.empty()) {
    error = "--data is required (the checkpoint does not name its data)";
    return false;
  }
  preprocessing.data = data;
  // A .npy data set's targets file, too, is the checkpoint's by default.
  std::string targets =
      !options.data.empty() ? options.targets : preprocessing.targets;
  preprocessing.targets = targets;
  // Evaluation validates on what training validated on.
  int64_t validationOption = options.validation >= 0 || !fitted
                                 ? options.validation
                                 : preprocessing.validation;
  preprocessing.validation = validationOption;

  std::vector<int64_t> trainRows;
  if (data == "fashion-mnist") {
    if (!readFashionMnist(options.dataDir, true, out.train, error) ||
        !readFashionMnist(options.dataDir, false, out.test, error)) {
      error += catalog::missingHint(options.dataDir);
      return false;
    }
    for (Samples *split : {&out.train, &out.test})
      for (float &pixel : split->features)
        pixel =
            options.pixelLow + (options.pixelHigh - options.pixelLow) * pixel;
    int64_t validation = validationOption >= 0 ? validationOption : 5000;
    if (validation >= out.train.count) {
      error = "--validation leaves no training samples";
      return false;
    }
    out.validationCount = validation;
    trainRows.resize(out.train.count - validation);
    std::iota(trainRows.begin(), trainRows.end(), 0);
    preprocessing.classes = {"T-shirt/top", "Trouser", "Pullover", "Dress",
                             "Coat",        "Sandal",  "Shirt",    "Sneaker",
                             "Bag",         "Ankle boot"};
  } else {
    Samples all;
    bool table = isTable(data);
    // A fitted encoding is applied as it is; a new one is fitted to the
    // training rows once they are known (categories of the other rows are
    // then unseen and encode as zeros).
    Table rows;
    if (table ? !readEncoded(data, options, preprocessing, !fitted, all, error,
                             &rows)
              : !readSamples(options, data, targets, all, error))
      return false;

    std::array<double, 3> shares = preprocessing.split;
    if (!fitted || options.split[0] > 0 || !options.testData.empty()) {
      double testShare = options.testData.empty() ? options.testFraction : 0;
      shares = options.split[0] > 0
                   ? options.split
                   : std::array<double, 3>{(1 - testShare) * 0.9,
                                           (1 - testShare) * 0.1, testShare};
      if (!options.testData.empty())
        shares[2] = 0;
    }
    bool stratify = fitted && options.stratify < 0
                        ? preprocessing.stratify
                        : options.stratify > 0 ||
                              (options.stratify < 0 && looksLikeClasses(all));
    if (stratify && all.labels.empty()) {
      error = "--stratify needs class labels, and the target of '" + data +
              "' holds other numbers";
      return false;
    }
    uint64_t seed = fitted && options.split[0] == 0 ? preprocessing.seed
                                                    : options.seed;
    preprocessing.split = shares;
    preprocessing.stratify = stratify;
    preprocessing.seed = seed;
    std::array<std::vector<int64_t>, 3> splits = splitSamples(
        all.count, shares, seed, stratify ? &all.labels : nullptr);
    if (splits[0].empty() || (splits[2].empty() && options.testData.empty())) {
      error = "'" + data + "' has too few samples (" +
              std::to_string(all.count) +
              ") to split into training and test samples";
      return false;
    }
    if (table && !fitted &&
        !preprocessing.fitEncoding(rows, options.targetColumn, options.oneHot,
                                   splits[0], error))
      return false;
    if (table && !fitted && !preprocessing.encode(rows, all, error))
      return false;

    // --validation N takes the last N of training and validation rows.
    std::vector<int64_t> pool = concatenated(splits[0], splits[1]);
    int64_t validation = validationOption >= 0
                             ? validationOption
                             : static_cast<int64_t>(splits[1].size());
    if (validation >= static_cast<int64_t>(pool.size())) {
      error = "--validation leaves no training samples";
      return false;
    }
    out.train = all.select(pool);
    out.validationCount = validation;
    trainRows.resize(pool.size() - validation);
    std::iota(trainRows.begin(), trainRows.end(), 0);
    if (!options.testData.empty()) {
      bool read = options.testTargets.empty()
                      ? readEncoded(options.testData, options, preprocessing,
                                    false, out.test, error)
                      : readNpyPair(options.testData, options.testTargets,
                                    out.test, error);
      if (!read)
        return false;
    } else {
      out.test = all.select(splits[2]);
    }
  }

  if (!fitted) {
    if (options.limit)
      trainRows.resize(std::min<size_t>(trainRows.size(), options.limit));
    preprocessing.fitScaling(out.train, trainRows, options.scaling);
    // Raw magnitudes such as incomes make gradient steps explode or crawl.
    auto largest =
        preprocessing.largestNumericColumn(out.train, trainRows);
    if (options.scaling == Scaling::None && largest &&
        largest->second > kUnscaledWarning)
      out.hints.push_back("column '" + largest->first + "' reaches " +
                          formatMagnitude(largest->second) +
                          "; features this large train poorly unscaled: add "
                          "--scale standard");
  } else if (preprocessing.scaling != Scaling::None &&
             static_cast<int64_t>(preprocessing.shift.size()) !=
                 out.train.width) {
    error = "the data has " + std::to_string(out.train.width) +
            " features, the checkpoint's preprocessing " +
            std::to_string(preprocessing.shift.size());
    return false;
  }
  for (Samples *split : {&out.train, &out.test})
    if (split->width == static_cast<int64_t>(preprocessing.shift.size()))
      preprocessing.apply(split->features.data(), split->count);
  return true;
}

bool kiln::train::samplesAsTensors(const PreparedData &data,
                                   const std::string &on, int64_t count,
                                   const std::vector<int64_t> &sampleShape,
                                   rt::Tensor &features, rt::Tensor &labels,
                                   std::string &error) {
  using rt::DType;
  const Samples &from = on == "test" ? data.test : data.train;
  int64_t trainCount = data.train.count - data.validationCount;
  int64_t first = on == "validation" ? trainCount : 0;
  int64_t available = on == "test"         ? from.count
                      : on == "validation" ? data.validationCount
                                           : trainCount;
  count = count < 0 ? available : std::min(count, available);
  std::vector<int64_t> shape = {count};
  int64_t width = 1;
  for (int64_t dim : sampleShape)
    width *= dim;
  if (!sampleShape.empty() && width != from.width) {
    error = "the sample shape holds " + std::to_string(width) +
            " values but each sample has " + std::to_string(from.width);
    return false;
  }
  if (sampleShape.empty())
    shape.push_back(from.width);
  else
    shape.insert(shape.end(), sampleShape.begin(), sampleShape.end());
  features = rt::Tensor(DType::F32, shape);
  std::copy_n(from.features.begin() + first * from.width, count * from.width,
              features.data<float>());
  bool classes = !from.labels.empty() && from.targetWidth == 1;
  std::vector<int64_t> labelShape = {count};
  if (from.targetWidth > 1)
    labelShape.push_back(from.targetWidth);
  labels = rt::Tensor(classes ? DType::I32 : DType::F32, labelShape);
  int64_t per = from.targetWidth;
  if (classes)
    std::copy_n(from.labels.begin() + first, count, labels.data<int32_t>());
  else
    std::copy_n(from.targets.begin() + first * per, count * per,
                labels.data<float>());
  return true;
}
