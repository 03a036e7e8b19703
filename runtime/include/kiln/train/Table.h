//===- Table.h - CSV files as text ------------------------------*- C++ -*-===//

#ifndef KILN_TRAIN_TABLE_H
#define KILN_TRAIN_TABLE_H

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::train {

/// A CSV file as text: a header (named columns, or f0, f1, ... and
/// "target" for a file without one), then rows of cells. scikit-learn's
/// bundled files start with "samples,features,class names..."; their class
/// names are kept.
struct Table {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int64_t> lines; ///< each row's line in the file
  std::vector<std::string> classNames;

  /// The column `name` (by header name, or a 0-based index); -1 if none.
  int64_t column(const std::string &name) const;
  /// "file:line" of row `row`, for error messages.
  std::string location(size_t row) const;
};

bool readTable(const std::string &path, Table &table, std::string &error);

/// A whole cell as a float (no trailing text).
bool parseFloat(const std::string &text, float &value);
bool isNumber(const std::string &text);

} // namespace kiln::train

#endif // KILN_TRAIN_TABLE_H
