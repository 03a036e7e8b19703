//===- TrainCommand.h - kiln-run train --------------------------*- C++ -*-===//

#ifndef KILN_RUN_TRAINCOMMAND_H
#define KILN_RUN_TRAINCOMMAND_H

#include "kiln/runtime/Module.h"

#include <string>
#include <vector>

namespace kiln::run {

extern const char kTrainUsage[];

/// Trains the module's train entry on a labelled image set and evaluates
/// it; `args` are the options after the module path.
int train(const kiln::rt::Module &module, const std::vector<std::string> &args);

} // namespace kiln::run

#endif // KILN_RUN_TRAINCOMMAND_H
