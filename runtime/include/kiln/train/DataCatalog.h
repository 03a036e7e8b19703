//===- DataCatalog.h - Where Debian data packages put files -----*- C++ -*-===//
//
// The one place that knows install paths of data packages (Fashion-MNIST,
// the word list, scikit-learn's bundled sets) and which package to install
// when one is missing. Readers know formats only; tests/boundary checks
// that no other file of the library names these paths.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TRAIN_DATACATALOG_H
#define KILN_TRAIN_DATACATALOG_H

#include <string>

namespace kiln::train::catalog {

/// Debian's dataset-fashion-mnist: the IDX files, gzipped.
inline constexpr const char *kFashionMnistDir =
    "/usr/share/datasets/fashion-mnist";
/// Debian's wamerican: one word per line.
inline constexpr const char *kWordsFile = "/usr/share/dict/words";
/// The CSV files Debian's python3-sklearn ships (iris, wine_data, the
/// diabetes set, ...).
inline constexpr const char *kSklearnDataDir =
    "/usr/lib/python3/dist-packages/sklearn/datasets/data";

/// "sklearn:NAME" is the data set NAME.csv that python3-sklearn ships; any
/// other text is a path.
std::string resolveDataPath(const std::string &data);

/// Why `path`, a file or directory of a data package, could not be read:
/// which package ships it (and, for a scikit-learn set it does not have,
/// the names it has and the closest), to append to the reader's error; ""
/// for any other path.
std::string missingHint(const std::string &path);

} // namespace kiln::train::catalog

#endif // KILN_TRAIN_DATACATALOG_H
