//===- JsonText.h - Text inside JSON strings --------------------*- C++ -*-===//

#ifndef KILN_RUN_JSONTEXT_H
#define KILN_RUN_JSONTEXT_H

#include <string>

namespace kiln::run {

/// `text` as the inside of a JSON string: quotes and backslashes escaped,
/// control characters dropped (file names and class names are the user's).
inline std::string jsonEscaped(const std::string &text) {
  std::string escaped;
  for (char c : text) {
    if (c == '"' || c == '\\')
      escaped += '\\';
    if (static_cast<unsigned char>(c) >= 0x20)
      escaped += c;
  }
  return escaped;
}

} // namespace kiln::run

#endif // KILN_RUN_JSONTEXT_H
