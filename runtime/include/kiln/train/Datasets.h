//===- Datasets.h - Samples and the readers of data files -------*- C++ -*-===//
//
// Samples in memory: a row of float features each, and a class label or a
// regression target (or both, for labels: the label as a float). Readers
// fill them, and report a missing or malformed file with its path (and
// line, for CSV).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAIN_DATASETS_H
#define KILN_TRAIN_DATASETS_H

#include "kiln/train/Dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::train {

/// A data set that owns its samples.
struct Samples final : Dataset {
  int64_t count = 0;
  int64_t width = 0;           ///< features per sample
  std::vector<float> features; ///< count x width
  /// `targetWidth` targets per sample (one, or one per step of a
  /// sequence); class labels when every target is a non-negative integer
  /// (then `classes` is the largest plus one).
  int64_t targetWidth = 1;
  /// The features are tokens, fed to an integer input.
  bool integerFeatures = false;
  std::vector<float> targets;
  std::vector<int32_t> labels;
  int32_t classes = 0;
  /// Each sample's row in its CSV file (0-based, header not counted), for
  /// data read from one.
  std::vector<int64_t> rows;

  /// Fills `labels` and `classes` when the targets are class indices.
  void deriveLabels();

  int64_t size() const override { return count; }
  SampleLayout layout() const override;
  void read(int64_t row, float *rowFeatures, float *rowTargets) const override;
  /// Adds `other`'s samples (of the same width) after these.
  void append(const Samples &other);
  /// The samples at `indices`, in that order.
  Samples select(const std::vector<int64_t> &indices) const;
};

/// Reads an IDX image file (pixels scaled to [0, 1]) and its label file,
/// gzip-compressed or not.
bool readIdx(const std::string &imagesPath, const std::string &labelsPath,
             Samples &out, std::string &error);

/// Fashion-MNIST's training (60,000) or test (10,000) split from `dir`.
bool readFashionMnist(const std::string &dir, bool train, Samples &out,
                      std::string &error);

/// Words, one per line (such as Debian's wamerican), as
/// character sequences for a next-character model: each sample is
/// `steps` tokens of "start, letters" and its targets the same shifted by
/// one ("letters, end"). Words with other characters or longer than
/// steps - 1 letters are left out.
bool readWords(const std::string &path, int64_t steps, Samples &out,
               std::string &error);

/// The token of a character (0 ends a word, 1 starts one) and back.
int32_t tokenOf(char c);
char characterOf(int32_t token);
inline constexpr int32_t kEndToken = 0, kStartToken = 1;

/// The diabetes regression set in scikit-learn's layout (442 patients, 10
/// raw features, disease progression after a year) from `dir`.
bool readDiabetes(const std::string &dir, Samples &out, std::string &error);

/// Features [N, ...] and targets [N] (or [N, 1]) from two .npy files.
bool readNpyPair(const std::string &featuresPath,
                 const std::string &targetsPath, Samples &out,
                 std::string &error);

} // namespace kiln::train

#endif // KILN_TRAIN_DATASETS_H
