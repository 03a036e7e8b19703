//===- PrepareData.h - Samples split and preprocessed -----------*- C++ -*-===//

#ifndef KILN_TRAIN_PREPAREDATA_H
#define KILN_TRAIN_PREPAREDATA_H

#include "kiln/runtime/Tensor.h"
#include "kiln/train/DataCatalog.h"
#include "kiln/train/Preprocessing.h"

#include <array>
#include <string>
#include <vector>

namespace kiln::train {

/// Which data to read and how to split and preprocess it.
struct DataRequest {
  /// "fashion-mnist", "diabetes", "sklearn:NAME", "words[:FILE]", a .csv
  /// file, or a .npy file of features (with `targets`).
  std::string data;
  /// Where the Fashion-MNIST IDX files are.
  std::string dataDir = catalog::kFashionMnistDir;
  /// The targets .npy of a .npy data set; the target column of a CSV file
  /// (by name or 0-based index; default the last).
  std::string targets, targetColumn;
  /// A test split from its own file (and its targets, for .npy).
  std::string testData, testTargets;
  /// The test share of data without its own test split.
  double testFraction = 0.2;
  /// Fashion-MNIST pixels scaled to [pixelLow, pixelHigh].
  float pixelLow = 0, pixelHigh = 1;
  /// Words data: the length of the model's token sequences.
  int64_t sequenceSteps = 16;
  /// Validation samples held out of the training split (-1: the split's,
  /// 5,000 for Fashion-MNIST).
  int64_t validation = -1;
  /// Fit the scaling to the first `limit` training samples only (0: all).
  int64_t limit = 0;
  Scaling scaling = Scaling::None;
  /// CSV columns to one-hot encode (columns holding text always are).
  std::vector<std::string> oneHot;
  /// Shares of training, validation and test samples (all zero: the
  /// defaults, from testFraction and validation).
  std::array<double, 3> split = {0, 0, 0};
  /// Split each class by the shares: 1 yes, 0 no, -1 when the target
  /// looks like class labels.
  int stratify = -1;
  /// The shuffle before the split.
  uint64_t seed = 0;
};

/// Whether `data` names a data set DataRequest knows.
bool isKnownData(const std::string &data);

struct PreparedData {
  /// The training samples, then `validationCount` validation samples.
  Samples train;
  int64_t validationCount = 0;
  Samples test;
  /// What was fitted (or given), with the data's name and split.
  Preprocessing preprocessing;
  /// Advice on the data (a large unscaled feature), one sentence each.
  std::vector<std::string> hints;
};

/// Reads the data `request` names, splits it and preprocesses it. With
/// `fitted` (from a checkpoint), its transform is applied instead of
/// fitting one, and its data and split are the defaults.
bool prepareData(const DataRequest &request, const Preprocessing *fitted,
                 PreparedData &out, std::string &error);

/// The first `count` (-1: all) samples of a split of `data` ("test",
/// "validation" or "train") as tensors: features f32 [count, width] or
/// [count, shape...] when `shape` is given, labels i32 [count] for classes,
/// else targets f32 [count(, width)].
bool samplesAsTensors(const PreparedData &data, const std::string &on,
                      int64_t count, const std::vector<int64_t> &shape,
                      rt::Tensor &features, rt::Tensor &labels,
                      std::string &error);

} // namespace kiln::train

#endif // KILN_TRAIN_PREPAREDATA_H
