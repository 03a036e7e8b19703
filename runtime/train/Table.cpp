//===- Table.cpp - CSV files as text --------------------------------------===//

#include "kiln/train/Table.h"

#include "TextParsing.h"
#include "kiln/train/Datasets.h"

#include <dirent.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace kiln::train;

namespace {

std::vector<std::string> splitCsvLine(const std::string &line) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream in(line);
  // Streams catch what they throw and set badbit; an allocation failure
  // must stay one.
  in.exceptions(std::ios::badbit);
  while (std::getline(in, cell, ','))
    cells.push_back(cell);
  if (!line.empty() && line.back() == ',')
    cells.emplace_back();
  for (std::string &c : cells) {
    size_t begin = c.find_first_not_of(" \t\r\"");
    size_t end = c.find_last_not_of(" \t\r\"");
    c = begin == std::string::npos ? "" : c.substr(begin, end - begin + 1);
  }
  return cells;
}

} // namespace

bool kiln::train::parseFloat(const std::string &text, float &value) {
  char *end = nullptr;
  value = std::strtof(text.c_str(), &end);
  return !text.empty() && *end == 0;
}

bool kiln::train::isNumber(const std::string &text) {
  float value;
  return parseFloat(text, value);
}

int64_t Table::column(const std::string &name) const {
  auto named = std::find(header.begin(), header.end(), name);
  if (named != header.end())
    return named - header.begin();
  char *end = nullptr;
  long index = std::strtol(name.c_str(), &end, 10);
  if (!name.empty() && !*end && index >= 0 &&
      index < static_cast<long>(header.size()))
    return index;
  return -1;
}

std::string Table::location(size_t row) const {
  return path + ":" + std::to_string(lines[row]);
}

/// The rows of an open CSV file.
static bool readRows(std::istream &in, const std::string &path,
                     Table &table, std::string &error) {
  table = Table();
  table.path = path;
  std::string line;
  std::vector<std::string> first;
  int64_t lineNumber = 0;
  bool sklearnHeader = false;
  while (std::getline(in, line)) {
    ++lineNumber;
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    std::vector<std::string> cells = splitCsvLine(line);
    if (table.header.empty() && first.empty()) {
      first = cells;
      bool numeric = std::all_of(cells.begin(), cells.end(), isNumber);
      // scikit-learn's "569,30,malignant,benign": counts, then class names.
      sklearnHeader = cells.size() >= 2 && isNumber(cells[0]) &&
                      isNumber(cells[1]) && !numeric;
      if (!numeric && !sklearnHeader) {
        table.header = cells;
        continue;
      }
      if (sklearnHeader)
        continue;
    }
    if (table.header.empty()) {
      // The first data row decides the width of a file without a header.
      for (size_t i = 0; i + 1 < cells.size(); ++i)
        table.header.push_back("f" + std::to_string(i));
      table.header.push_back("target");
      if (sklearnHeader)
        table.classNames.assign(first.begin() + 2, first.end());
    }
    if (cells.size() != table.header.size()) {
      error = path + ":" + std::to_string(lineNumber) + ": " +
              std::to_string(cells.size()) + " columns, expected " +
              std::to_string(table.header.size());
      return false;
    }
    table.rows.push_back(std::move(cells));
    table.lines.push_back(lineNumber);
  }
  if (table.header.size() < 2) {
    error = path + ": needs at least one feature column and a target column";
    return false;
  }
  if (table.rows.empty()) {
    error = path + ": no samples";
    return false;
  }
  return true;
}

bool kiln::train::readTable(const std::string &path, Table &table,
                          std::string &error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot open '" + path + "'";
    return false;
  }
  in.exceptions(std::ios::badbit);
  try {
    return readRows(in, path, table, error);
  } catch (const std::ios_base::failure &) {
    error = "cannot read '" + path + "'";
    return false;
  }
}
