//===- ImageCommands.h - kiln-run sample and reconstruct --------*- C++ -*-===//

#ifndef KILN_RUN_IMAGECOMMANDS_H
#define KILN_RUN_IMAGECOMMANDS_H

#include "kiln/runtime/Session.h"

#include <string>
#include <vector>

namespace kiln::run {

extern const char kSampleUsage[];
extern const char kReconstructUsage[];

/// Images the inference entry generates from noise, as a PNG grid.
int sample(const kiln::rt::Module &module, const std::vector<std::string> &args);
/// Test images and the model's reconstructions of them (optionally of
/// noisy copies), as a PNG grid, with their mean squared errors.
int reconstruct(const kiln::rt::Module &module,
                const std::vector<std::string> &args);

/// Writes `count` images generated from noise drawn with `seed`; used by
/// kiln-run train --samples after every epoch.
bool writeSamples(kiln::rt::Session &session, const std::string &path,
                  int64_t count, uint64_t seed, std::string &error);

} // namespace kiln::run

#endif // KILN_RUN_IMAGECOMMANDS_H
