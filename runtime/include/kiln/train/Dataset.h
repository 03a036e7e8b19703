//===- Dataset.h - Random access to samples ---------------------*- C++ -*-===//
//
// What the trainer, evaluation and feeds read samples through: a count, the
// layout every sample shares, and one sample's values on request. `Samples`
// (what the readers fill) is one; `ArrayDataset` reads the caller's arrays
// where they are, without copying them, as the C API and the Python package
// hand them in; `DatasetRange` is a contiguous part of another data set (the
// validation samples at the end of a training split).
//
// A Dataset is read-only and may be read from several threads at once.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAIN_DATASET_H
#define KILN_TRAIN_DATASET_H

#include <cstdint>

namespace kiln::train {

/// What every sample of a data set holds.
struct SampleLayout {
  /// Features per sample.
  int64_t width = 0;
  /// Targets per sample: one, or one per step of a sequence.
  int64_t targetWidth = 1;
  /// The features are tokens, fed to an integer input.
  bool integerFeatures = false;
  /// When every target is a class index: the largest plus one; else 0
  /// (numeric targets).
  int32_t classes = 0;

  bool hasLabels() const { return classes > 0; }
};

class Dataset {
public:
  virtual ~Dataset() = default;

  /// The number of samples.
  virtual int64_t size() const = 0;
  virtual SampleLayout layout() const = 0;
  /// Copies sample `row`'s features (`layout().width` floats) to `features`
  /// and its targets (`layout().targetWidth` floats, class indices as
  /// whole numbers) to `targets`; either may be null. `row` is in
  /// [0, size()).
  virtual void read(int64_t row, float *features, float *targets) const = 0;
};

/// The samples of caller-owned arrays, read in place: `features` holds
/// `count` rows of `layout.width` floats, `targets` `count` rows of
/// `layout.targetWidth` (both row-major). The arrays must outlive the data
/// set and stay unchanged while it is read.
class ArrayDataset final : public Dataset {
public:
  ArrayDataset(const float *features, const float *targets, int64_t count,
               SampleLayout layout)
      : features_(features), targets_(targets), count_(count),
        layout_(layout) {}

  /// As above, with `layout.classes` found from the targets: the largest
  /// plus one when every target is a non-negative whole number, else 0.
  static ArrayDataset withDerivedClasses(const float *features,
                                         const float *targets, int64_t count,
                                         SampleLayout layout);

  int64_t size() const override { return count_; }
  SampleLayout layout() const override { return layout_; }
  void read(int64_t row, float *features, float *targets) const override;

private:
  const float *features_;
  const float *targets_;
  int64_t count_;
  SampleLayout layout_;
};

/// Samples [begin, begin + count) of `data`, which must outlive it.
class DatasetRange final : public Dataset {
public:
  DatasetRange(const Dataset &data, int64_t begin, int64_t count)
      : data_(data), begin_(begin), count_(count) {}

  int64_t size() const override { return count_; }
  SampleLayout layout() const override { return data_.layout(); }
  void read(int64_t row, float *features, float *targets) const override {
    data_.read(begin_ + row, features, targets);
  }

private:
  const Dataset &data_;
  int64_t begin_, count_;
};

/// The class index targets of `values` (`count` floats) describe: the
/// largest plus one when every value is a non-negative whole number (of at
/// most a million), else 0.
int32_t classesOfTargets(const float *values, int64_t count);

} // namespace kiln::train

#endif // KILN_TRAIN_DATASET_H
