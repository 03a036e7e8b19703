//===- kiln.hpp - A thin C++ wrapper over the C API -------------*- C++ -*-===//
//
// Header-only RAII over kiln/kiln.h: objects free themselves, errors become
// kiln::Error exceptions (on this side of the C API; none crosses it).
//
//   kiln::Module module = kiln::Module::load("lenet.kmod");
//   kiln::Session session(module, /*seed=*/0);
//   kiln::Tensor images(KILN_F32, {64, 1, 28, 28}, pixels);
//   std::vector<kiln::Tensor> outputs = session.run("infer", {{"image", &images}});
//   const float *probs = outputs[0].data<float>();
//
//===----------------------------------------------------------------------===//

#ifndef KILN_KILN_HPP
#define KILN_KILN_HPP

#include "kiln/kiln.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace kiln {

class Error : public std::runtime_error {
public:
  Error(kiln_status code, const std::string &message)
      : std::runtime_error(message), code_(code) {}
  /// What kind of failure it was (kiln.h's kiln_status).
  kiln_status code() const { return code_; }

private:
  kiln_status code_;
};

namespace detail {
inline void check(kiln_error *error) {
  if (!error)
    return;
  kiln_status code = kiln_error_code(error);
  std::string message = kiln_error_message(error);
  kiln_error_free(error);
  throw Error(code, message);
}
template <typename T, void (*Free)(T *)> struct Deleter {
  void operator()(T *object) const { Free(object); }
};
} // namespace detail

/// An input of an entry; -1 in `shape` marks the dynamic batch.
struct Input {
  std::string name;
  kiln_dtype dtype;
  std::vector<int64_t> shape;
};

class Module {
public:
  static Module load(const std::string &path) {
    kiln_module *module = nullptr;
    detail::check(kiln_module_load_file(path.c_str(), &module));
    return Module(module);
  }
  static Module load(const void *data, size_t size) {
    kiln_module *module = nullptr;
    detail::check(kiln_module_load_memory(data, size, &module));
    return Module(module);
  }
  std::string name() const { return kiln_module_name(get()); }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (size_t i = 0; i < kiln_module_entry_count(get()); ++i)
      names.push_back(kiln_module_entry_name(get(), i));
    return names;
  }
  std::vector<Input> inputs(const std::string &entry) const {
    size_t count = 0;
    detail::check(kiln_module_input_count(get(), entry.c_str(), &count));
    std::vector<Input> inputs;
    for (size_t i = 0; i < count; ++i) {
      const char *name = nullptr;
      kiln_dtype dtype;
      size_t rank = 0;
      const int64_t *shape = nullptr;
      detail::check(kiln_module_input(get(), entry.c_str(), i, &name, &dtype,
                                      &rank, &shape));
      inputs.push_back({name, dtype, std::vector<int64_t>(shape, shape + rank)});
    }
    return inputs;
  }
  kiln_module *get() const { return module_.get(); }

private:
  explicit Module(kiln_module *module) : module_(module) {}
  std::unique_ptr<kiln_module, detail::Deleter<kiln_module, kiln_module_free>>
      module_;
};

class Tensor {
public:
  /// A tensor of `shape`, copied from `data` (zeros when null).
  Tensor(kiln_dtype dtype, const std::vector<int64_t> &shape,
         const void *data = nullptr) {
    kiln_tensor *tensor = nullptr;
    detail::check(
        kiln_tensor_create(dtype, shape.data(), shape.size(), data, &tensor));
    tensor_.reset(tensor);
  }
  /// Takes ownership of a tensor the C API returned.
  explicit Tensor(kiln_tensor *tensor) : tensor_(tensor) {}

  kiln_dtype dtype() const { return kiln_tensor_dtype(get()); }
  std::vector<int64_t> shape() const {
    const int64_t *dims = kiln_tensor_shape(get());
    return std::vector<int64_t>(dims, dims + kiln_tensor_rank(get()));
  }
  size_t byteSize() const { return kiln_tensor_byte_size(get()); }
  template <typename T> T *data() {
    return static_cast<T *>(kiln_tensor_data(get()));
  }
  template <typename T> const T *data() const {
    return static_cast<const T *>(kiln_tensor_data(get()));
  }
  kiln_tensor *get() const { return tensor_.get(); }

private:
  std::unique_ptr<kiln_tensor, detail::Deleter<kiln_tensor, kiln_tensor_free>>
      tensor_;
};

class Session {
public:
  /// `threads` 0: KILN_NUM_THREADS, else one per core.
  explicit Session(const Module &module, uint64_t seed = 0,
                   unsigned threads = 0) {
    kiln_session *session = nullptr;
    detail::check(kiln_session_create(module.get(), seed, threads, &session));
    session_.reset(session);
  }

  /// Runs `entry` on the named inputs; returns its outputs in order.
  std::vector<Tensor>
  run(const std::string &entry,
      const std::vector<std::pair<std::string, const Tensor *>> &inputs) {
    std::vector<const char *> names;
    std::vector<const kiln_tensor *> tensors;
    for (const auto &[name, tensor] : inputs) {
      names.push_back(name.c_str());
      tensors.push_back(tensor->get());
    }
    std::vector<kiln_tensor *> raw(64, nullptr);
    size_t count = 0;
    detail::check(kiln_session_run(get(), entry.c_str(), names.data(),
                                   tensors.data(), inputs.size(), raw.data(),
                                   raw.size(), &count));
    std::vector<Tensor> outputs;
    for (size_t i = 0; i < count; ++i)
      outputs.emplace_back(raw[i]);
    return outputs;
  }

  void saveCheckpoint(const std::string &path) const {
    detail::check(kiln_session_save_checkpoint(get(), path.c_str()));
  }
  void loadCheckpoint(const std::string &path) {
    detail::check(kiln_session_load_checkpoint(get(), path.c_str()));
  }
  kiln_session *get() const { return session_.get(); }

private:
  std::unique_ptr<kiln_session,
                  detail::Deleter<kiln_session, kiln_session_free>>
      session_;
};

} // namespace kiln

#endif // KILN_KILN_HPP
