//===- EvalCommand.h - kiln-run eval ----------------------------*- C++ -*-===//

#ifndef KILN_RUN_EVALCOMMAND_H
#define KILN_RUN_EVALCOMMAND_H

#include "kiln/runtime/Module.h"

#include <string>
#include <vector>

namespace kiln::run {

extern const char kEvalUsage[];

int eval(const kiln::rt::Module &module, const std::vector<std::string> &args);

} // namespace kiln::run

#endif // KILN_RUN_EVALCOMMAND_H
