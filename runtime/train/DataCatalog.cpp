//===- DataCatalog.cpp - Where Debian's data packages put their files -----===//

#include "kiln/train/DataCatalog.h"

#include "kiln/train/Spelling.h"

#include <dirent.h>

#include <algorithm>
#include <vector>

using namespace kiln::train;

namespace {

bool startsWith(const std::string &text, const std::string &prefix) {
  return text.rfind(prefix, 0) == 0;
}

/// A scikit-learn set that is missing: a name the package does not have
/// (the ones it has, and the closest), or the package itself.
std::string sklearnHint(const std::string &path) {
  std::vector<std::string> names;
  if (DIR *dir = opendir(catalog::kSklearnDataDir)) {
    while (dirent *entry = readdir(dir)) {
      std::string name = entry->d_name;
      if (name.size() > 4 && name.compare(name.size() - 4, 4, ".csv") == 0)
        names.push_back(name.substr(0, name.size() - 4));
    }
    closedir(dir);
  }
  if (names.empty())
    return " (Debian's python3-sklearn ships it: make deps installs it)";
  std::sort(names.begin(), names.end());
  std::string wanted =
      path.substr(std::string(catalog::kSklearnDataDir).size() + 1);
  wanted = wanted.substr(0, wanted.size() - 4);
  std::string text = " (python3-sklearn has no data set '" + wanted + "'";
  std::string suggestion = closestSpelling(wanted, names);
  if (!suggestion.empty())
    text += "; did you mean 'sklearn:" + suggestion + "'?";
  text += " It has:";
  for (const std::string &name : names)
    text += " " + name;
  return text + ")";
}

} // namespace

std::string catalog::resolveDataPath(const std::string &data) {
  if (startsWith(data, "sklearn:"))
    return std::string(kSklearnDataDir) + "/" + data.substr(8) + ".csv";
  return data;
}

std::string catalog::missingHint(const std::string &path) {
  if (startsWith(path, kFashionMnistDir))
    return " (Fashion-MNIST comes from Debian's dataset-fashion-mnist "
           "package: make deps installs it)";
  if (path == kWordsFile)
    return " (Debian's wamerican package has it: make deps installs it)";
  if (startsWith(path, std::string(kSklearnDataDir) + "/diabetes"))
    return " (Debian's python3-sklearn ships the diabetes data: make deps "
           "installs it)";
  if (startsWith(path, std::string(kSklearnDataDir) + "/"))
    return sklearnHint(path);
  return "";
}
