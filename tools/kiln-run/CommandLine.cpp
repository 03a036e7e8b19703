//===- CommandLine.cpp - Option parsing shared by kiln-run commands -------===//

#include "CommandLine.h"

#include "kiln/train/Spelling.h"

#include <algorithm>
#include <regex>
#include <set>

using namespace kiln::run;
using namespace kiln::train;

std::string kiln::run::unknownOption(const std::string &flag,
                                     const char *usage,
                                     const std::string &command) {
  std::set<std::string> options;
  std::string text = usage;
  std::regex option("--[a-z][a-z0-9-]*");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), option);
       it != std::sregex_iterator(); ++it)
    options.insert(it->str());
  std::string suggestion =
      kiln::train::closestSpelling(flag, std::vector<std::string>(
                                             options.begin(), options.end()));
  return "unknown option '" + flag + "' (" +
         (suggestion.empty() ? "" : "did you mean '" + suggestion + "'? ") +
         "see kiln-run " + command + " --help)";
}
