//===- SpecFile.cpp - Options from a data spec file -----------------------===//

#include "kiln/tooling/SpecFile.h"

#include <fstream>

namespace {

std::string trimmed(const std::string &text) {
  size_t begin = text.find_first_not_of(" \t\r");
  size_t end = text.find_last_not_of(" \t\r");
  return begin == std::string::npos ? "" : text.substr(begin, end - begin + 1);
}

} // namespace

bool kiln::tooling::readSpecFile(const std::string &path,
                                 std::vector<std::string> &args,
                                 std::string &error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot open data spec '" + path + "'";
    return false;
  }
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    line = trimmed(line.substr(0, line.find('#')));
    if (line.empty())
      continue;
    size_t equals = line.find('=');
    if (equals == std::string::npos ||
        trimmed(line.substr(0, equals)).empty()) {
      error = path + ":" + std::to_string(number) +
              ": expected 'key = value', got '" + line + "'";
      return false;
    }
    std::string key = trimmed(line.substr(0, equals));
    std::string value = trimmed(line.substr(equals + 1));
    bool isFile = key == "data" || key == "test-data" || key == "targets" ||
                  key == "test-targets";
    size_t slash = path.rfind('/');
    if (isFile && slash != std::string::npos && !value.empty() &&
        value[0] != '/' &&
        (value.find(".csv") != std::string::npos ||
         value.find(".npy") != std::string::npos))
      value = path.substr(0, slash + 1) + value;
    if (value == "yes" || value == "true")
      args.push_back("--" + key);
    else if (value == "no" || value == "false")
      args.push_back("--no-" + key);
    else
      args.insert(args.end(), {"--" + key, value});
  }
  return true;
}
