//===- ModuleInfo.cpp - A module's entries and parameters as text ---------===//

#include "kiln/tooling/ModuleInfo.h"

#include <algorithm>
#include <cstdio>

using namespace kiln::rt;

namespace {

/// printf into a string.
template <typename... Args>
void appendf(std::string &out, const char *format, Args... args) {
  char line[512];
  std::snprintf(line, sizeof line, format, args...);
  out += line;
}

void describeState(std::string &out, const EntrySpec &entry) {
  std::vector<std::string> kinds;
  int64_t values = 0;
  for (const StateSlotSpec &slot : entry.state) {
    int64_t size = 1;
    for (int64_t dim : slot.type.shape)
      size *= dim;
    values += size;
    if (std::find(kinds.begin(), kinds.end(), slot.name) == kinds.end())
      kinds.push_back(slot.name);
  }
  std::string names;
  for (const std::string &kind : kinds)
    names += (names.empty() ? "" : ", ") + kind;
  appendf(out, "  optimizer state: %zu tensors, %lld values (%s)\n",
          entry.state.size(), static_cast<long long>(values), names.c_str());
}

/// " = normal(mean=0, std=1)" for a noise input, as the model declares it.
std::string describeNoise(const ArgumentSpec &argument) {
  if (!argument.noise)
    return "";
  const NoiseSpec &noise = *argument.noise;
  std::string out;
  if (noise.kind == NoiseSpec::Kind::Normal)
    appendf(out, " = normal(mean=%g, std=%g)", noise.mean, noise.std);
  else
    appendf(out, " = uniform(low=%g, high=%g)", noise.low, noise.high);
  return out;
}

void describeEntry(std::string &out, const Module &module,
                   const EntrySpec &entry) {
  std::string role = entry.isTrain ? "train" : "infer";
  if (!entry.lossOf.empty())
    role += ", the loss of " + entry.lossOf;
  appendf(out, "entry %s (%s)\n", entry.name.c_str(), role.c_str());
  for (const ArgumentSpec &argument : entry.arguments)
    if (argument.role == ArgumentSpec::Role::Input)
      appendf(out, "  input  %s : %s%s%s\n", argument.name.c_str(),
              dtypeName(argument.type.dtype),
              formatShape(argument.type.shape).c_str(),
              describeNoise(argument).c_str());
  std::string trained;
  for (const ResultSpec &result : entry.results) {
    if (result.role == ResultSpec::Role::StateUpdate)
      continue;
    bool isBuffer = result.role == ResultSpec::Role::Update &&
                    module.params()[result.paramIndex].buffer;
    if (result.role == ResultSpec::Role::Update && !isBuffer) {
      trained += (trained.empty() ? "" : ", ") + result.name;
      continue;
    }
    appendf(out, "  %s %s : %s%s\n", isBuffer ? "update" : "output",
            result.name.c_str(), dtypeName(result.type.dtype),
            formatShape(result.type.shape).c_str());
  }
  if (!trained.empty())
    out += "  trains " + trained + "\n";
  if (!entry.optimizer.empty())
    out += "  optimizer " + entry.optimizer + "\n";
  if (!entry.state.empty())
    describeState(out, entry);
}

} // namespace

std::string kiln::tooling::formatModuleInfo(const Module &module) {
  std::string out = "module " + module.name() + " (" + module.producer() +
                    ")\ntarget cpu: " + module.targetCpu() + "\n";
  // The extensions a host must have (what the loader checks).
  std::vector<std::string> features = checkedCpuFeatures(module.cpuFeatures());
  if (!features.empty()) {
    out += "features:";
    for (const std::string &feature : features)
      out += " " + feature;
    out += "\n";
  }
  // Counted, not allocated: a module may describe more than fits here.
  size_t count = 0, bytes = 0;
  for (const ParamSpec &param : module.params()) {
    size_t values = 1;
    for (int64_t dim : param.type.shape)
      values *= static_cast<size_t>(dim);
    count += values;
    bytes += values * dtypeSize(param.type.dtype);
  }
  appendf(out, "parameters: %zu tensors, %zu values, %zu bytes\n",
          module.params().size(), count, bytes);
  for (const EntrySpec &entry : module.entries())
    describeEntry(out, module, entry);
  return out;
}
