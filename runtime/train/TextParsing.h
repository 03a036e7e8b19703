//===- TextParsing.h - Numbers and suffixes in text -------------*- C++ -*-===//

#ifndef KILN_TRAIN_TEXTPARSING_H
#define KILN_TRAIN_TEXTPARSING_H

#include <cstdlib>
#include <string>

namespace kiln::train {

inline bool endsWith(const std::string &text, const std::string &suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// A whole text as a double (no trailing characters).
inline bool parseNumber(const std::string &text, double &value) {
  char *end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return !text.empty() && !*end;
}

} // namespace kiln::train

#endif // KILN_TRAIN_TEXTPARSING_H
