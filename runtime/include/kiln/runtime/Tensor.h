//===- Tensor.h - Dense host tensors of the Kiln runtime --------*- C++ -*-===//
//
// A row-major tensor that owns its bytes. Not thread-safe for concurrent
// mutation; concurrent reads are fine.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_TENSOR_H
#define KILN_RUNTIME_TENSOR_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln::rt {

/// Element types, numbered as in the .kmod schema.
enum class DType : int8_t { F32 = 0, F64, I32, I64, I1 };

size_t dtypeSize(DType dtype);
const char *dtypeName(DType dtype);

/// "[64, 1, 28, 28]"; a negative size prints as "N".
std::string formatShape(const std::vector<int64_t> &shape);

struct Tensor {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;

  Tensor() = default;
  Tensor(DType dtype, std::vector<int64_t> shape);

  int64_t numElements() const;
  template <typename T> T *data() { return reinterpret_cast<T *>(bytes.data()); }
  template <typename T> const T *data() const {
    return reinterpret_cast<const T *>(bytes.data());
  }
};

} // namespace kiln::rt

#endif // KILN_RUNTIME_TENSOR_H
