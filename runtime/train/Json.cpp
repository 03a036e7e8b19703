//===- Json.cpp - JSON objects on one line, as Kiln prints them -----------===//

#include "kiln/train/Json.h"

using nlohmann::ordered_json;

static std::string scalar(const ordered_json &value) {
  return value.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

std::string kiln::train::formatJson(const ordered_json &value) {
  std::string text;
  const char *separator = "";
  if (value.is_object()) {
    text = "{";
    for (auto member = value.begin(); member != value.end(); ++member) {
      text += separator + scalar(member.key()) + ": " +
              formatJson(member.value());
      separator = ", ";
    }
    return text + "}";
  }
  if (value.is_array()) {
    text = "[";
    for (const ordered_json &element : value) {
      text += separator + formatJson(element);
      separator = ", ";
    }
    return text + "]";
  }
  return scalar(value);
}
