//===- Json.h - JSON objects on one line, as Kiln prints them ---*- C++ -*-===//

#ifndef KILN_TRAIN_JSON_H
#define KILN_TRAIN_JSON_H

#include <nlohmann/json.hpp>

#include <string>

namespace kiln::train {

/// `value` on one line with a space after every ':' and ',' ({"epoch": 1,
/// "train": {"loss": 0.5}}), members in insertion order; invalid UTF-8 in
/// strings is replaced, not thrown on.
std::string formatJson(const nlohmann::ordered_json &value);

} // namespace kiln::train

#endif // KILN_TRAIN_JSON_H
