//===- TuneCommand.h - kiln-run tune ----------------------------*- C++ -*-===//

#ifndef KILN_RUN_TUNECOMMAND_H
#define KILN_RUN_TUNECOMMAND_H

#include <string>
#include <vector>

namespace kiln::run {

extern const char kTuneUsage[];

/// Runs the search; `args` start with the model (.kiln or .kmod).
int tune(const std::vector<std::string> &args);

} // namespace kiln::run

#endif // KILN_RUN_TUNECOMMAND_H
