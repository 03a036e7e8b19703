//===- Preprocessing.cpp - From a data file to a model's features ---------===//

#include "kiln/train/Preprocessing.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <sstream>

using namespace kiln::train;

namespace {

/// The shortest text that reads back as `value`.
std::string exactly(double value) {
  char text[32];
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    if (std::strtod(text, nullptr) == value)
      break;
  }
  return text;
}

/// A name as one tab-separated field: backslash, tab, newline and carriage
/// return escaped (CSV names and categories may hold them, quoted).
std::string escaped(const std::string &text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '\\':
      out += "\\\\";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string unescaped(const std::string &text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    char next = text[++i];
    out += next == 't' ? '\t' : next == 'n' ? '\n' : next == 'r' ? '\r' : next;
  }
  return out;
}

/// The tab-separated fields of `line`, empty ones included.
std::vector<std::string> fieldsOf(const std::string &line) {
  std::vector<std::string> fields;
  for (size_t start = 0;;) {
    size_t tab = line.find('\t', start);
    fields.push_back(unescaped(line.substr(start, tab - start)));
    if (tab == std::string::npos)
      return fields;
    start = tab + 1;
  }
}
} // namespace

bool kiln::train::parseScaling(const std::string &text, Scaling &scaling) {
  if (text == "none")
    scaling = Scaling::None;
  else if (text == "standard")
    scaling = Scaling::Standard;
  else if (text == "minmax")
    scaling = Scaling::MinMax;
  else
    return false;
  return true;
}

const char *kiln::train::scalingName(Scaling scaling) {
  switch (scaling) {
  case Scaling::None:
    return "none";
  case Scaling::Standard:
    return "standard";
  case Scaling::MinMax:
    return "minmax";
  }
  return "none";
}

bool Preprocessing::fitEncoding(const Table &table,
                                const std::string &targetName,
                                const std::vector<std::string> &oneHot,
                                const std::vector<int64_t> &rows,
                                std::string &error) {
  int64_t targetColumn =
      targetName.empty() ? int64_t(table.header.size()) - 1
                         : table.column(targetName);
  if (targetColumn < 0) {
    error = table.path + ": no column '" + targetName + "'";
    return false;
  }
  for (const std::string &name : oneHot)
    if (table.column(name) < 0 || table.column(name) == targetColumn) {
      error = table.path + ": no feature column '" + name + "' to one-hot "
              "encode";
      return false;
    }
  target = table.header[targetColumn];
  columns.clear();
  for (size_t c = 0; c < table.header.size(); ++c) {
    if (int64_t(c) == targetColumn)
      continue;
    Column column{table.header[c], {}};
    bool listed = std::any_of(oneHot.begin(), oneHot.end(),
                              [&](const std::string &name) {
                                return table.column(name) == int64_t(c);
                              });
    // A column of text only is categorical; one with a few text cells
    // among numbers holds typos, reported when encoded.
    bool text = !rows.empty();
    for (int64_t row : rows)
      text &= !isNumber(table.rows[row][c]);
    if (listed || text) {
      std::set<std::string> seen;
      for (int64_t row : rows)
        seen.insert(table.rows[row][c]);
      column.categories.assign(seen.begin(), seen.end());
    }
    columns.push_back(std::move(column));
  }
  // Class names: the file's own, or the sorted text labels.
  classes = table.classNames;
  textClasses = false;
  bool textTarget = !rows.empty();
  for (int64_t row : rows)
    textTarget &= !isNumber(table.rows[row][targetColumn]);
  if (textTarget) {
    std::set<std::string> seen;
    for (int64_t row : rows)
      seen.insert(table.rows[row][targetColumn]);
    classes.assign(seen.begin(), seen.end());
    textClasses = true;
  }
  return true;
}

bool Preprocessing::encode(const Table &table, Samples &out,
                           std::string &error) const {
  std::vector<int64_t> sources;
  for (const Column &column : columns) {
    int64_t index = table.column(column.name);
    if (index < 0) {
      error = table.path + ": no column '" + column.name +
              "' (the model was trained with it)";
      return false;
    }
    sources.push_back(index);
  }
  int64_t targetColumn = table.column(target);
  out = Samples();
  for (const Column &column : columns)
    out.width += column.categories.empty()
                     ? 1
                     : static_cast<int64_t>(column.categories.size());
  for (size_t row = 0; row < table.rows.size(); ++row) {
    const std::vector<std::string> &cells = table.rows[row];
    for (size_t c = 0; c < columns.size(); ++c) {
      const std::string &cell = cells[sources[c]];
      const std::vector<std::string> &categories = columns[c].categories;
      if (!categories.empty()) {
        if (std::find(categories.begin(), categories.end(), cell) ==
            categories.end()) {
          // All zeros would pass for a sample of no category at all.
          std::string known;
          for (size_t k = 0; k < categories.size() && k < 10; ++k)
            known += (k ? ", '" : "'") + categories[k] + "'";
          if (categories.size() > 10)
            known += ", ...";
          error = table.location(row) + ": column '" + columns[c].name +
                  "' has the category '" + cell +
                  "', which the training data did not have (it had " +
                  known + ")";
          return false;
        }
        for (const std::string &category : categories)
          out.features.push_back(cell == category ? 1.0f : 0.0f);
        continue;
      }
      float value;
      if (!parseFloat(cell, value)) {
        error = table.location(row) + ": column '" + columns[c].name +
                "' is not a number: '" + cell + "'";
        return false;
      }
      out.features.push_back(value);
    }
    if (targetColumn < 0)
      continue;
    const std::string &cell = cells[targetColumn];
    float value;
    auto found = std::find(classes.begin(), classes.end(), cell);
    if (textClasses) {
      if (found == classes.end()) {
        error = table.location(row) + ": class '" + cell +
                "' was not in the training data";
        return false;
      }
      value = static_cast<float>(found - classes.begin());
    } else if (!parseFloat(cell, value)) {
      error = table.location(row) + ": target '" + target +
              "' is not a number: '" + cell + "'";
      return false;
    }
    out.targets.push_back(value);
  }
  out.count = static_cast<int64_t>(table.rows.size());
  out.rows.resize(out.count);
  std::iota(out.rows.begin(), out.rows.end(), 0);
  if (targetColumn >= 0)
    out.deriveLabels();
  else
    out.targets.assign(out.count, 0.0f);
  return true;
}

std::optional<std::pair<std::string, double>>
Preprocessing::largestNumericColumn(const Samples &samples,
                                    const std::vector<int64_t> &rows) const {
  std::optional<std::pair<std::string, double>> largest;
  int64_t feature = 0;
  for (const Column &column : columns) {
    if (column.categories.empty()) {
      double high = 0;
      for (int64_t row : rows)
        high = std::max(high, double(std::fabs(
                                  samples.features[row * samples.width +
                                                   feature])));
      if (!largest || high > largest->second)
        largest = std::make_pair(column.name, high);
    }
    feature += std::max<int64_t>(column.categories.size(), 1);
  }
  return largest;
}

void Preprocessing::fitScaling(const Samples &samples,
                               const std::vector<int64_t> &rows,
                               Scaling kind) {
  scaling = kind;
  int64_t width = samples.width;
  shift.assign(width, 0.0);
  scale.assign(width, 1.0);
  if (kind == Scaling::None || rows.empty())
    return;
  // One-hot features stay 0/1.
  std::vector<bool> encoded(width, false);
  int64_t feature = 0;
  for (const Column &column : columns) {
    for (size_t k = 0; k < std::max<size_t>(column.categories.size(), 1); ++k)
      encoded[feature + k] = !column.categories.empty();
    feature += std::max<int64_t>(column.categories.size(), 1);
  }
  for (int64_t f = 0; f < width; ++f) {
    if (encoded[f])
      continue;
    double low = INFINITY, high = -INFINITY, sum = 0, squares = 0;
    for (int64_t row : rows) {
      double x = samples.features[row * width + f];
      low = std::min(low, x);
      high = std::max(high, x);
      sum += x;
    }
    double mean = sum / double(rows.size());
    for (int64_t row : rows) {
      double d = samples.features[row * width + f] - mean;
      squares += d * d;
    }
    // Population deviation, as scikit-learn's StandardScaler; a constant
    // feature is only shifted.
    double deviation = std::sqrt(squares / double(rows.size()));
    if (kind == Scaling::Standard) {
      shift[f] = mean;
      scale[f] = deviation > 0 ? deviation : 1.0;
    } else {
      shift[f] = low;
      scale[f] = high > low ? high - low : 1.0;
    }
  }
}

void Preprocessing::apply(float *features, int64_t count) const {
  if (scaling == Scaling::None)
    return;
  int64_t width = static_cast<int64_t>(shift.size());
  for (int64_t row = 0; row < count; ++row)
    for (int64_t f = 0; f < width; ++f) {
      float &x = features[row * width + f];
      x = static_cast<float>((x - shift[f]) / scale[f]);
    }
}

// The text form: one record per line, fields separated by tabs (names may
// hold spaces; backslash, tab and line breaks in them are escaped), numbers
// with enough digits to read back exactly.
std::string Preprocessing::serialize() const {
  std::ostringstream out;
  out.exceptions(std::ios::badbit); // an allocation failure gets through
  out << "kiln-run-preprocessing\t1\n";
  out << "data\t" << escaped(data) << "\n";
  if (!targets.empty())
    out << "targets\t" << escaped(targets) << "\n";
  out << "split\t" << exactly(split[0]) << "\t" << exactly(split[1]) << "\t"
      << exactly(split[2])
      << "\tseed\t" << seed << "\tstratify\t" << (stratify ? 1 : 0)
      << "\tvalidation\t" << validation << "\n";
  out << "target\t" << escaped(target) << "\n";
  out << (textClasses ? "text-classes" : "classes");
  for (const std::string &name : classes)
    out << "\t" << escaped(name);
  out << "\n";
  for (const Column &column : columns) {
    out << "column\t" << escaped(column.name);
    for (const std::string &category : column.categories)
      out << "\t" << escaped(category);
    out << "\n";
  }
  out << "scaling\t" << scalingName(scaling) << "\n";
  for (size_t f = 0; f < shift.size(); ++f)
    out << "feature\t" << exactly(shift[f]) << "\t" << exactly(scale[f])
        << "\n";
  return out.str();
}

std::string Preprocessing::json() const {
  std::ostringstream out;
  out.exceptions(std::ios::badbit); // an allocation failure gets through
  auto list = [&](const std::vector<double> &values) {
    out << "[";
    for (size_t i = 0; i < values.size(); ++i)
      out << (i ? ", " : "") << exactly(values[i]);
    out << "]";
  };
  out << "{\"scaling\": \"" << scalingName(scaling) << "\", \"shift\": ";
  list(shift);
  out << ", \"scale\": ";
  list(scale);
  out << ", \"split\": ";
  list({split.begin(), split.end()});
  out << ", \"seed\": " << seed
      << ", \"stratify\": " << (stratify ? "true" : "false") << "}";
  return out.str();
}

bool Preprocessing::parse(const std::string &text, std::string &error) {
  *this = Preprocessing();
  std::istringstream in(text);
  in.exceptions(std::ios::badbit); // an allocation failure gets through
  std::string line;
  int lineNumber = 0;
  auto bad = [&]() {
    error = "the checkpoint's preprocessing is malformed (line " +
            std::to_string(lineNumber) + ")";
    return false;
  };
  while (std::getline(in, line)) {
    ++lineNumber;
    if (line.empty())
      continue;
    std::vector<std::string> fields = fieldsOf(line);
    const std::string &kind = fields[0];
    std::vector<std::string> rest(fields.begin() + 1, fields.end());
    auto number = [&](size_t i, double &value) {
      char *end = nullptr;
      value = i < rest.size() ? std::strtod(rest[i].c_str(), &end) : 0;
      return i < rest.size() && !rest[i].empty() && !*end;
    };
    if (lineNumber == 1) {
      if (kind != "kiln-run-preprocessing" || rest.size() != 1 ||
          rest[0] != "1")
        return bad();
    } else if (kind == "data") {
      data = rest.empty() ? "" : rest[0];
    } else if (kind == "targets") {
      targets = rest.empty() ? "" : rest[0];
    } else if (kind == "split") {
      double seedValue, stratified, validated;
      if (rest.size() != 9 || !number(0, split[0]) || !number(1, split[1]) ||
          !number(2, split[2]) || !number(4, seedValue) ||
          !number(6, stratified) || !number(8, validated))
        return bad();
      validation = static_cast<int64_t>(validated);
      seed = std::strtoull(rest[4].c_str(), nullptr, 10);
      stratify = stratified != 0;
    } else if (kind == "target") {
      target = rest.empty() ? "" : rest[0];
    } else if (kind == "classes" || kind == "text-classes") {
      classes = rest;
      textClasses = kind == "text-classes";
    } else if (kind == "column") {
      if (rest.empty())
        return bad();
      columns.push_back({rest[0], {rest.begin() + 1, rest.end()}});
    } else if (kind == "scaling") {
      if (rest.size() != 1 || !parseScaling(rest[0], scaling))
        return bad();
    } else if (kind == "feature") {
      double a, b;
      if (!number(0, a) || !number(1, b) || b == 0)
        return bad();
      shift.push_back(a);
      scale.push_back(b);
    } else {
      return bad();
    }
  }
  if (lineNumber == 0)
    return bad();
  return true;
}

std::array<std::vector<int64_t>, 3>
kiln::train::splitSamples(int64_t count, const std::array<double, 3> &fractions,
                        uint64_t seed, const std::vector<int32_t> *labels) {
  double total = fractions[0] + fractions[1] + fractions[2];
  std::map<int32_t, std::vector<int64_t>> groups;
  for (int64_t i = 0; i < count; ++i)
    groups[labels ? (*labels)[i] : 0].push_back(i);
  std::array<std::vector<int64_t>, 3> splits;
  std::mt19937_64 shuffle(seed);
  for (auto &group : groups) {
    std::vector<int64_t> &members = group.second;
    std::shuffle(members.begin(), members.end(), shuffle);
    auto share = [&](double fraction) {
      return static_cast<int64_t>(
          std::llround(fraction / total * double(members.size())));
    };
    int64_t tested = share(fractions[2]);
    int64_t validated =
        std::min<int64_t>(share(fractions[1]), members.size() - tested);
    splits[2].insert(splits[2].end(), members.begin(),
                     members.begin() + tested);
    splits[1].insert(splits[1].end(), members.begin() + tested,
                     members.begin() + tested + validated);
    splits[0].insert(splits[0].end(), members.begin() + tested + validated,
                     members.end());
  }
  // Classes interleave again, so that a prefix (--limit) has them all.
  for (std::vector<int64_t> &split : splits)
    std::shuffle(split.begin(), split.end(), shuffle);
  return splits;
}
