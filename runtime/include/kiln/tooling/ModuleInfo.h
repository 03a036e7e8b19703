//===- ModuleInfo.h - A module's entries and parameters as text -*- C++ -*-===//
//
// What `kiln-run info` prints: producer, target CPU, the parameter table's
// totals, and each entry's inputs, outputs, trained parameters and
// optimizer state.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLING_MODULEINFO_H
#define KILN_TOOLING_MODULEINFO_H

#include "kiln/runtime/Module.h"

#include <string>

namespace kiln::tooling {

std::string formatModuleInfo(const rt::Module &module);

} // namespace kiln::tooling

#endif // KILN_TOOLING_MODULEINFO_H
