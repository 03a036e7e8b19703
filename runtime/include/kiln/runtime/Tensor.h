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

/// A tensor borrowed read-only: the type and data of a Tensor or of an
/// application's buffer (a NumPy array), row-major and contiguous. The data
/// must outlive every use of the view; nothing is copied.
struct TensorView {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  const void *data = nullptr;

  TensorView() = default;
  TensorView(DType dtype, std::vector<int64_t> shape, const void *data)
      : dtype(dtype), shape(std::move(shape)), data(data) {}
  /// A view of `tensor`'s bytes.
  explicit TensorView(const Tensor &tensor)
      : dtype(tensor.dtype), shape(tensor.shape), data(tensor.bytes.data()) {}

  int64_t numElements() const;
  template <typename T> const T *as() const {
    return static_cast<const T *>(data);
  }
};

} // namespace kiln::rt

#endif // KILN_RUNTIME_TENSOR_H
