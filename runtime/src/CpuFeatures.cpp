//===- CpuFeatures.cpp - Does this host run the module's code? ------------===//
//
// The compiler records the LLVM names of the features it compiled for. The
// runtime checks the instruction-set extensions whose absence would make
// the code fault, using the compiler's cpuid builtins.
//
// KILN_HIDE_CPU_FEATURES (comma-separated LLVM names, e.g. "avx512f,avx2")
// makes the runtime treat those features as absent: a module built for a
// newer CPU can be tried on any host, and the refusal tested on every host.
//
//===----------------------------------------------------------------------===//

#include "kiln/runtime/Module.h"

#include <cstdlib>
#include <cstring>
#include <sstream>

namespace kiln::rt {

namespace {
struct Feature {
  const char *llvmName;
  bool (*present)();
};

#if defined(__x86_64__) || defined(__i386__)
#define KILN_FEATURE(llvm, gcc)                                                \
  Feature { llvm, [] { return bool(__builtin_cpu_supports(gcc)); } }
const Feature kFeatures[] = {
    KILN_FEATURE("sse3", "sse3"),           KILN_FEATURE("ssse3", "ssse3"),
    KILN_FEATURE("sse4.1", "sse4.1"),       KILN_FEATURE("sse4.2", "sse4.2"),
    KILN_FEATURE("popcnt", "popcnt"),       KILN_FEATURE("avx", "avx"),
    KILN_FEATURE("avx2", "avx2"),           KILN_FEATURE("fma", "fma"),
    KILN_FEATURE("bmi", "bmi"),             KILN_FEATURE("bmi2", "bmi2"),
    KILN_FEATURE("avx512f", "avx512f"),     KILN_FEATURE("avx512bw", "avx512bw"),
    KILN_FEATURE("avx512cd", "avx512cd"),   KILN_FEATURE("avx512dq", "avx512dq"),
    KILN_FEATURE("avx512vl", "avx512vl"),
    KILN_FEATURE("avx512vnni", "avx512vnni"),
    KILN_FEATURE("avx512bf16", "avx512bf16"),
    KILN_FEATURE("avx512fp16", "avx512fp16"),
    KILN_FEATURE("amx-tile", "amx-tile"),
};
#undef KILN_FEATURE
#else
const Feature kFeatures[] = {{"", [] { return true; }}};
#endif
} // namespace

namespace {
bool hiddenByEnvironment(const std::string &name) {
  const char *hidden = std::getenv("KILN_HIDE_CPU_FEATURES");
  if (!hidden)
    return false;
  std::stringstream list(hidden);
  list.exceptions(std::ios::badbit); // an allocation failure gets through
  for (std::string item; std::getline(list, item, ',');)
    if (item == name)
      return true;
  return false;
}
} // namespace

std::vector<std::string>
missingCpuFeatures(const std::vector<std::string> &required) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
#endif
  std::vector<std::string> missing;
  for (const std::string &name : required)
    for (const Feature &feature : kFeatures)
      if (name == feature.llvmName &&
          (!feature.present() || hiddenByEnvironment(name)))
        missing.push_back(name);
  return missing;
}

std::vector<std::string>
checkedCpuFeatures(const std::vector<std::string> &required) {
  std::vector<std::string> checked;
  for (const std::string &name : required)
    for (const Feature &feature : kFeatures)
      if (name == feature.llvmName)
        checked.push_back(name);
  return checked;
}

} // namespace kiln::rt
