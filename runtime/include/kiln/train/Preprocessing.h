//===- Preprocessing.h - From a data file to a model's features -*- C++ -*-===//
//
// Tabular data is read as text (a CSV file), encoded to numbers (one-hot
// categorical columns, class names to labels), split into training,
// validation and test samples (seeded, stratified by class), and scaled
// with statistics of the training split only. What was fitted is saved in
// the checkpoint, as text, so that evaluation and inference apply the very
// same transform to new data.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAIN_PREPROCESSING_H
#define KILN_TRAIN_PREPROCESSING_H

#include "kiln/train/Datasets.h"
#include "kiln/train/Table.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace kiln::train {

enum class Scaling { None, Standard, MinMax };
bool parseScaling(const std::string &text, Scaling &scaling);
const char *scalingName(Scaling scaling);

/// The transform from a table's row (or a row of numeric features) to a
/// model's features, fitted on the training split.
struct Preprocessing {
  /// Table columns that become features, in order; a column with
  /// categories becomes one feature per category (one-hot).
  struct Column {
    std::string name;
    std::vector<std::string> categories;
  };
  std::vector<Column> columns; ///< empty: the data was numbers already
  std::string target;
  /// A categorical target's class names (label i is classes[i]).
  std::vector<std::string> classes;
  /// The target column holds the class names (else label numbers).
  bool textClasses = false;

  Scaling scaling = Scaling::None;
  /// Per feature: feature = (value - shift) / scale.
  std::vector<double> shift, scale;

  /// Where the samples came from and how they were split, so that
  /// `kiln-run eval` finds the same held-out samples.
  std::string data;
  /// The targets file of a .npy data set (--targets).
  std::string targets;
  std::array<double, 3> split = {0, 0, 0};
  bool stratify = false;
  uint64_t seed = 0;
  /// Validation samples (the last of the training split); -1: the split's.
  int64_t validation = -1;

  /// Chooses the columns (every column but `target`; those in `oneHot`, or
  /// holding text, one-hot encoded with the categories of `rows`).
  bool fitEncoding(const Table &table, const std::string &target,
                   const std::vector<std::string> &oneHot,
                   const std::vector<int64_t> &rows, std::string &error);
  /// Encodes every row of `table`; an unseen category encodes as zeros, an
  /// unseen class or a bad number is an error naming file and line.
  bool encode(const Table &table, Samples &out, std::string &error) const;

  /// The numeric (not one-hot) column of the table with the largest
  /// magnitude over `rows`, and that magnitude.
  std::optional<std::pair<std::string, double>>
  largestNumericColumn(const Samples &samples,
                       const std::vector<int64_t> &rows) const;
  /// Fits the scaling to the features of `rows` of `samples`.
  void fitScaling(const Samples &samples, const std::vector<int64_t> &rows,
                  Scaling kind);
  /// Scales features in place; `count` rows of `width` floats, `width`
  /// as fitted.
  void apply(float *features, int64_t count) const;
  bool empty() const { return columns.empty() && scaling == Scaling::None; }

  std::string serialize() const;
  /// The fitted transform as a JSON object, for scripts.
  std::string json() const;
  bool parse(const std::string &text, std::string &error);
};

/// The checkpoint metadata key kiln-run keeps the preprocessing under.
inline constexpr const char *kPreprocessingKey = "kiln-run.preprocessing";

/// Splits `count` samples into training, validation and test indices by
/// `fractions` after a shuffle seeded with `seed`; with `labels`, each
/// class is split by the fractions on its own.
std::array<std::vector<int64_t>, 3>
splitSamples(int64_t count, const std::array<double, 3> &fractions,
             uint64_t seed, const std::vector<int32_t> *labels);

} // namespace kiln::train

#endif // KILN_TRAIN_PREPROCESSING_H
