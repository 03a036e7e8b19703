//===- RunEntry.cpp - An entry's inputs and outputs as files --------------===//

#include "kiln/tooling/RunEntry.h"

#include "kiln/runtime/Npy.h"

#include <sys/stat.h>

#include <algorithm>

using namespace kiln::rt;
using namespace kiln::tooling;

bool kiln::tooling::splitAssignment(const std::string &text,
                                    std::string &name, std::string &path) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    return false;
  name = text.substr(0, eq);
  path = text.substr(eq + 1);
  return true;
}

bool kiln::tooling::readInputs(const EntrySpec &entry, const NamedFiles &files,
                               std::map<std::string, Tensor> &inputs,
                               NamedFiles &tables, std::string &error) {
  for (const auto &[name, path] : files) {
    if (path.size() >= 4 && path.compare(path.size() - 4, 4, ".csv") == 0) {
      tables.emplace_back(name, path);
      continue;
    }
    NpyElement stored;
    if (!readNpy(path, inputs[name], error, &stored))
      return false;
    auto argument = std::find_if(
        entry.arguments.begin(), entry.arguments.end(),
        [&](const ArgumentSpec &candidate) {
          return candidate.role == ArgumentSpec::Role::Input &&
                 candidate.name == name;
        });
    // An input the entry lacks is Session::run's to report, with the
    // inputs it has.
    if (argument != entry.arguments.end() &&
        !convertForInput(inputs[name], stored, argument->type.dtype,
                         "'" + path + "' (input '" + name + "')", error))
      return false;
  }
  return true;
}

bool kiln::tooling::writeOutputs(const EntrySpec &entry,
                                 const std::vector<Tensor> &outputs,
                                 const NamedFiles &files,
                                 const std::string &directory,
                                 std::string &error) {
  std::vector<const ResultSpec *> named;
  for (const ResultSpec &result : entry.results)
    if (result.role == ResultSpec::Role::Output)
      named.push_back(&result);
  NamedFiles all = files;
  if (!directory.empty()) {
    mkdir(directory.c_str(), 0755);
    for (const ResultSpec *result : named)
      all.emplace_back(result->name, directory + "/" + result->name + ".npy");
  }
  for (const auto &[name, path] : all) {
    auto found = std::find_if(
        named.begin(), named.end(),
        [&](const ResultSpec *result) { return result->name == name; });
    if (found == named.end()) {
      error = "entry '" + entry.name + "' has no output '" + name + "'";
      return false;
    }
    if (!writeNpy(path, outputs[found - named.begin()], error))
      return false;
  }
  return true;
}

bool kiln::tooling::loadParams(Session &session, const std::string &directory,
                               std::string &error) {
  for (const ParamSpec &param : session.module().params()) {
    Tensor value;
    if (!readNpy(directory + "/" + param.name + ".npy", value, error) ||
        !session.setParam(param.name, value, error))
      return false;
  }
  return true;
}

bool kiln::tooling::dumpParams(const Session &session,
                               const std::string &directory,
                               std::string &error) {
  mkdir(directory.c_str(), 0755);
  const std::vector<ParamSpec> &params = session.module().params();
  for (size_t i = 0; i < params.size(); ++i)
    if (!writeNpy(directory + "/" + params[i].name + ".npy",
                  session.params()[i], error))
      return false;
  return true;
}
