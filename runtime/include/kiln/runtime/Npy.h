//===- Npy.h - NumPy .npy files ---------------------------------*- C++ -*-===//
//
// Reads version 1-3 .npy files in C order of either byte order: float16/
// 32/64, int8/16/32/64, uint8/16 and bool. The runtime computes in fewer
// types, so narrow ones are widened exactly on reading (8- and 16-bit
// integers to i32, float16 to f32) and the caller learns what the file
// stored, to convert it for an input as its meaning asks. Writes f32, f64,
// i32, i64 and bool. Anything else is refused with a message.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_NPY_H
#define KILN_RUNTIME_NPY_H

#include "kiln/runtime/Tensor.h"

#include <string>

namespace kiln::rt {

/// The element type a .npy file stores.
enum class NpyElement { Bool, U8, I8, U16, I16, I32, I64, F16, F32, F64 };

/// NumPy's name of it: "uint8".
const char *npyElementName(NpyElement element);

/// On failure returns false and sets `error`. `stored`, when given, is set
/// to the file's element type.
bool readNpy(const std::string &path, Tensor &tensor, std::string &error,
             NpyElement *stored = nullptr);

/// `tensor`, read from a file of element type `stored`, as an input of
/// element type `want`: floats to either float type, uint8 pixels to floats
/// in [0, 1], integers and bools to integers that hold them (0/1 for i1).
/// Anything else (other integers to floats, floats to integers) is refused
/// with a message that names `what` and the conversion to make.
bool convertForInput(Tensor &tensor, NpyElement stored, DType want,
                     const std::string &what, std::string &error);
bool writeNpy(const std::string &path, const Tensor &tensor,
              std::string &error);

} // namespace kiln::rt

#endif // KILN_RUNTIME_NPY_H
