//===- ExportCommand.h - kiln-run export ------------------------*- C++ -*-===//

#ifndef KILN_RUN_EXPORTCOMMAND_H
#define KILN_RUN_EXPORTCOMMAND_H

#include <string>
#include <vector>

namespace kiln::run {

extern const char kExportUsage[];

/// Writes samples of a data set as .npy files, prepared as training
/// prepares them: inputs for `kiln-run infer` and for other tools.
int exportData(const std::vector<std::string> &args);

} // namespace kiln::run

#endif // KILN_RUN_EXPORTCOMMAND_H
