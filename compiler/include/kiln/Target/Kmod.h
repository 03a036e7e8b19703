//===- Kmod.h - Writing .kmod module files ----------------------*- C++ -*-===//
#ifndef KILN_TARGET_KMOD_H
#define KILN_TARGET_KMOD_H

#include "kiln/Target/ModuleSummary.h"

#include "llvm/ADT/ArrayRef.h"

#include <string>
#include <vector>

namespace kiln {

struct TargetDescription {
  std::string triple;
  std::string cpu;
  /// The CPU features the code was compiled for ("avx2", "avx512f", ...).
  std::vector<std::string> features;
};

/// The bytes of a .kmod file: header, then the FlatBuffer with the
/// summary, the target and the shared object `code`.
std::vector<uint8_t> serializeKmod(const ModuleSummary &summary,
                                   const TargetDescription &target,
                                   llvm::ArrayRef<char> code);

} // namespace kiln

#endif // KILN_TARGET_KMOD_H
