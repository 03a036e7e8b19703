//===- CommandLine.h - Option parsing shared by kiln-run commands -*- C++ -*-===//

#ifndef KILN_RUN_COMMANDLINE_H
#define KILN_RUN_COMMANDLINE_H

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace kiln::run {

/// Reports a user error in one line; the command's exit code.
inline int fail(const std::string &message) {
  std::fprintf(stderr, "kiln-run: error: %s\n", message.c_str());
  return 1;
}

/// Advice the libraries return, one line each.
inline void printHints(const std::vector<std::string> &hints) {
  for (const std::string &hint : hints)
    std::fprintf(stderr, "kiln-run: hint: %s\n", hint.c_str());
}

inline bool endsWith(const std::string &text, const std::string &suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

inline bool parsePositive(const std::string &text, int64_t &value) {
  char *end = nullptr;
  long long parsed = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end || parsed < 1)
    return false;
  value = parsed;
  return true;
}

inline bool parseNumber(const std::string &text, double &value) {
  char *end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return !text.empty() && !*end;
}

/// Parses a --threads value: a count, 0 meaning one per core.
inline bool parseThreads(const std::string &text, unsigned &threads) {
  char *end = nullptr;
  unsigned long parsed = std::strtoul(text.c_str(), &end, 10);
  if (text.empty() || *end || parsed > 1024)
    return false;
  threads = static_cast<unsigned>(parsed);
  return true;
}

/// "unknown option '--epoch' (did you mean '--epochs'? see kiln-run train
/// --help)": the options come from the command's usage text.
std::string unknownOption(const std::string &flag, const char *usage,
                          const std::string &command);

} // namespace kiln::run

#endif // KILN_RUN_COMMANDLINE_H
