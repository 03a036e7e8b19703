//===- ShapeVector.h - Shapes out of verified FlatBuffers -------*- C++ -*-===//
//
// Private to the runtime. FlatBuffers' verifier checks a vector's bounds
// but aligns it to 4 bytes only, so in a malformed file the 8-byte
// elements of a `[long]` vector may sit misaligned: reading them through
// the vector's accessors is undefined behaviour (the checkpoint fuzzer
// found one). Shapes are copied out byte-wise instead.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_SHAPEVECTOR_H
#define KILN_RUNTIME_SRC_SHAPEVECTOR_H

#include <flatbuffers/flatbuffers.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace kiln::rt {

/// The elements of `vector` (null: none). FlatBuffers are little endian,
/// as every host the runtime supports.
inline std::vector<int64_t>
readShape(const flatbuffers::Vector<int64_t> *vector) {
  std::vector<int64_t> shape;
  if (!vector)
    return shape;
  shape.resize(vector->size());
  if (!shape.empty())
    std::memcpy(shape.data(), vector->Data(), shape.size() * sizeof(int64_t));
  return shape;
}

} // namespace kiln::rt

#endif // KILN_RUNTIME_SRC_SHAPEVECTOR_H
