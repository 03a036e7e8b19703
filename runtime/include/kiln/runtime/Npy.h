//===- Npy.h - NumPy .npy files ---------------------------------*- C++ -*-===//
//
// Reads and writes version 1-3 .npy files of f32, f64, i32, i64 and bool
// in C order, little endian. Anything else is refused with a message.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_NPY_H
#define KILN_RUNTIME_NPY_H

#include "kiln/runtime/Tensor.h"

#include <string>

namespace kiln::rt {

/// On failure returns false and sets `error`.
bool readNpy(const std::string &path, Tensor &tensor, std::string &error);
bool writeNpy(const std::string &path, const Tensor &tensor,
              std::string &error);

} // namespace kiln::rt

#endif // KILN_RUNTIME_NPY_H
