//===- CApi.cpp - The Kiln runtime's C API (kiln/kiln.h) ------------------===//
//
// A thin layer over the C++ runtime: it converts results to kiln_error and
// keeps every exception (allocation failures included) on this side.
//
//===----------------------------------------------------------------------===//

#include "kiln/kiln.h"
#include "kiln/runtime/CApiBridge.h"

#include "kiln/runtime/Checkpoint.h"
#include "kiln/runtime/Module.h"
#include "kiln/runtime/Session.h"

#include <atomic>
#include <cstddef>
#include <cstring>
#include <exception>
#include <iterator>
#include <map>
#include <memory>
#include <new>
#include <string>

using namespace kiln::rt;

struct kiln_error {
  kiln_status code;
  std::string message;
};

struct kiln_module {
  std::unique_ptr<Module> module;
  std::atomic<int> references{1};
};

struct kiln_session {
  kiln_module *owner;
  std::unique_ptr<Session> session;
};

struct kiln_metadata {
  kiln::rt::CheckpointMetadata entries;
};

/// Owns its data in `tensor`, or (made by kiln_tensor_wrap) borrows the
/// caller's: then `tensor` holds the type and shape only.
struct kiln_tensor {
  Tensor tensor;
  const void *borrowed = nullptr;

  TensorView view() const {
    return borrowed ? TensorView(tensor.dtype, tensor.shape, borrowed)
                    : TensorView(tensor);
  }
  size_t byteSize() const {
    return borrowed ? static_cast<size_t>(view().numElements()) *
                          dtypeSize(tensor.dtype)
                    : tensor.bytes.size();
  }
};

namespace {
// Returned when memory runs out, since a new error may not be allocatable
// then; its message fits in the string's inline buffer.
kiln_error outOfMemory{KILN_STATUS_OUT_OF_MEMORY, "out of memory"};

static_assert(int(ErrorCode::InvalidArgument) == KILN_STATUS_INVALID_ARGUMENT &&
                  int(ErrorCode::Internal) == KILN_STATUS_INTERNAL,
              "the runtime's error codes are kiln_status's");

kiln_error *makeError(kiln_status code, const std::string &message) {
  try {
    return new kiln_error{code, message};
  } catch (...) {
    return &outOfMemory;
  }
}

kiln_error *makeError(ErrorCode code, const std::string &message) {
  return makeError(code == ErrorCode::None ? KILN_STATUS_INTERNAL
                                           : static_cast<kiln_status>(code),
                   message);
}

void release(kiln_module *module) {
  if (module && module->references.fetch_sub(1) == 1)
    delete module;
}

/// Runs `body`, turning exceptions into errors.
template <typename Body> kiln_error *guarded(Body body) {
  try {
    return body();
  } catch (const std::bad_alloc &) {
    return &outOfMemory;
  } catch (const std::exception &e) {
    return makeError(KILN_STATUS_INTERNAL,
                     std::string("internal error: ") + e.what());
  } catch (...) {
    return makeError(KILN_STATUS_INTERNAL, "internal error");
  }
}

kiln_error *missing(const char *what) {
  return makeError(KILN_STATUS_INVALID_ARGUMENT,
                   std::string("missing argument: ") + what);
}

kiln_error *noEntry(const char *entry) {
  return makeError(KILN_STATUS_NOT_FOUND,
                   "the module has no entry '" + std::string(entry) + "'");
}
} // namespace

Session *kiln::rt::capi::sessionOf(kiln_session *session) {
  return session ? session->session.get() : nullptr;
}

kiln_error *kiln::rt::capi::makeError(kiln_status code,
                                      const std::string &message) {
  return ::makeError(code, message);
}

kiln_error *kiln::rt::capi::outOfMemory() { return &::outOfMemory; }

extern "C" {

kiln_status kiln_error_code(const kiln_error *error) {
  return error ? error->code : KILN_STATUS_OK;
}

const char *kiln_error_message(const kiln_error *error) {
  return error ? error->message.c_str() : "no error";
}

void kiln_error_free(kiln_error *error) {
  if (error != &outOfMemory)
    delete error;
}

static kiln_error *wrapModule(std::unique_ptr<Module> loaded,
                              const std::string &error, ErrorCode code,
                              kiln_module **out) {
  if (!loaded)
    return makeError(code, error);
  *out = new kiln_module{std::move(loaded)};
  return nullptr;
}

kiln_error *kiln_module_load_file(const char *path, kiln_module **module) {
  if (!path || !module)
    return missing(!path ? "path" : "module");
  return guarded([&] {
    std::string error;
    ErrorCode code = ErrorCode::None;
    std::unique_ptr<Module> loaded = Module::loadFile(path, error, &code);
    return wrapModule(std::move(loaded), error, code, module);
  });
}

kiln_error *kiln_module_load_memory(const void *data, size_t size,
                                    kiln_module **module) {
  if (!data || !module)
    return missing(!data ? "data" : "module");
  return guarded([&] {
    std::string error;
    ErrorCode code = ErrorCode::None;
    std::unique_ptr<Module> loaded = Module::loadMemory(
        static_cast<const uint8_t *>(data), size, error, &code);
    return wrapModule(std::move(loaded), error, code, module);
  });
}

void kiln_module_free(kiln_module *module) { release(module); }

const char *kiln_module_name(const kiln_module *module) {
  return module ? module->module->name().c_str() : "";
}

size_t kiln_module_entry_count(const kiln_module *module) {
  return module ? module->module->entries().size() : 0;
}

const char *kiln_module_entry_name(const kiln_module *module, size_t index) {
  if (!module || index >= module->module->entries().size())
    return nullptr;
  return module->module->entries()[index].name.c_str();
}

/// The name and type of an entry's inputs or named outputs.
struct Signature {
  const std::string *name;
  const TensorSpec *type;
};

static kiln_error *findSignature(const kiln_module *module, const char *entry,
                                 bool outputs,
                                 std::vector<Signature> &signature) {
  if (!module || !entry)
    return missing(!module ? "module" : "entry");
  const EntrySpec *spec = module->module->findEntry(entry);
  if (!spec)
    return noEntry(entry);
  if (outputs) {
    for (const ResultSpec &result : spec->results)
      if (result.role == ResultSpec::Role::Output)
        signature.push_back({&result.name, &result.type});
  } else {
    for (const ArgumentSpec &argument : spec->arguments)
      if (argument.role == ArgumentSpec::Role::Input)
        signature.push_back({&argument.name, &argument.type});
  }
  return nullptr;
}

static kiln_error *countSignature(const kiln_module *module,
                                  const char *entry, bool outputs,
                                  size_t *count) {
  if (!count)
    return missing("count");
  return guarded([&] {
    std::vector<Signature> signature;
    kiln_error *error = findSignature(module, entry, outputs, signature);
    if (!error)
      *count = signature.size();
    return error;
  });
}

static kiln_error *describeSignature(const kiln_module *module,
                                     const char *entry, bool outputs,
                                     size_t index, const char **name,
                                     kiln_dtype *dtype, size_t *rank,
                                     const int64_t **shape) {
  if (!name || !dtype || !rank || !shape)
    return missing("name, dtype, rank or shape");
  return guarded([&] {
    std::vector<Signature> signature;
    if (kiln_error *error = findSignature(module, entry, outputs, signature))
      return error;
    if (index >= signature.size())
      return makeError(KILN_STATUS_INVALID_ARGUMENT,
                       "entry '" + std::string(entry) + "' has " +
                           std::to_string(signature.size()) +
                           (outputs ? " outputs" : " inputs") + ", not " +
                           std::to_string(index + 1));
    *name = signature[index].name->c_str();
    *dtype = static_cast<kiln_dtype>(signature[index].type->dtype);
    *rank = signature[index].type->shape.size();
    *shape = signature[index].type->shape.data();
    return static_cast<kiln_error *>(nullptr);
  });
}

kiln_error *kiln_module_input_count(const kiln_module *module,
                                    const char *entry, size_t *count) {
  return countSignature(module, entry, /*outputs=*/false, count);
}

kiln_error *kiln_module_input(const kiln_module *module, const char *entry,
                              size_t index, const char **name,
                              kiln_dtype *dtype, size_t *rank,
                              const int64_t **shape) {
  return describeSignature(module, entry, /*outputs=*/false, index, name,
                           dtype, rank, shape);
}

kiln_error *kiln_module_output_count(const kiln_module *module,
                                     const char *entry, size_t *count) {
  return countSignature(module, entry, /*outputs=*/true, count);
}

kiln_error *kiln_module_output(const kiln_module *module, const char *entry,
                               size_t index, const char **name,
                               kiln_dtype *dtype, size_t *rank,
                               const int64_t **shape) {
  return describeSignature(module, entry, /*outputs=*/true, index, name,
                           dtype, rank, shape);
}

size_t kiln_module_param_count(const kiln_module *module) {
  return module ? module->module->params().size() : 0;
}

const char *kiln_module_param_name(const kiln_module *module, size_t index) {
  if (!module || index >= module->module->params().size())
    return nullptr;
  return module->module->params()[index].name.c_str();
}

namespace {
/// The checks kiln_tensor_create and kiln_tensor_wrap share; the shape, or
/// an error.
kiln_error *checkTensorType(kiln_dtype dtype, const int64_t *shape,
                            size_t rank, kiln_tensor **tensor,
                            std::vector<int64_t> &dims) {
  if (!tensor || (rank > 0 && !shape))
    return missing(!tensor ? "tensor" : "shape");
  if (dtype < KILN_F32 || dtype > KILN_BOOL)
    return makeError(KILN_STATUS_INVALID_ARGUMENT,
                     "unknown dtype " + std::to_string(int(dtype)));
  dims.assign(shape, shape + rank);
  for (int64_t dim : dims)
    if (dim < 0)
      return makeError(KILN_STATUS_INVALID_ARGUMENT,
                       "negative dimension in shape " + formatShape(dims));
  return nullptr;
}
} // namespace

kiln_error *kiln_tensor_create(kiln_dtype dtype, const int64_t *shape,
                               size_t rank, const void *data,
                               kiln_tensor **tensor) {
  return guarded([&]() -> kiln_error * {
    std::vector<int64_t> dims;
    if (kiln_error *error = checkTensorType(dtype, shape, rank, tensor, dims))
      return error;
    auto made = std::make_unique<kiln_tensor>();
    made->tensor = Tensor(static_cast<DType>(dtype), dims);
    if (data && !made->tensor.bytes.empty())
      std::memcpy(made->tensor.bytes.data(), data, made->tensor.bytes.size());
    *tensor = made.release();
    return nullptr;
  });
}

kiln_error *kiln_tensor_wrap(kiln_dtype dtype, const int64_t *shape,
                             size_t rank, const void *data,
                             kiln_tensor **tensor) {
  return guarded([&]() -> kiln_error * {
    std::vector<int64_t> dims;
    if (kiln_error *error = checkTensorType(dtype, shape, rank, tensor, dims))
      return error;
    if (!data)
      return missing("data");
    auto made = std::make_unique<kiln_tensor>();
    made->tensor.dtype = static_cast<DType>(dtype);
    made->tensor.shape = std::move(dims);
    made->borrowed = data;
    *tensor = made.release();
    return nullptr;
  });
}

void kiln_tensor_free(kiln_tensor *tensor) { delete tensor; }

kiln_dtype kiln_tensor_dtype(const kiln_tensor *tensor) {
  return static_cast<kiln_dtype>(tensor->tensor.dtype);
}

size_t kiln_tensor_rank(const kiln_tensor *tensor) {
  return tensor->tensor.shape.size();
}

const int64_t *kiln_tensor_shape(const kiln_tensor *tensor) {
  return tensor->tensor.shape.data();
}

size_t kiln_tensor_byte_size(const kiln_tensor *tensor) {
  return tensor->byteSize();
}

void *kiln_tensor_data(kiln_tensor *tensor) {
  return tensor->borrowed ? const_cast<void *>(tensor->borrowed)
                          : tensor->tensor.bytes.data();
}

kiln_error *kiln_session_create(kiln_module *module, uint64_t seed,
                                unsigned threads, kiln_session **session) {
  kiln_session_options options{sizeof(options), seed, threads};
  return kiln_session_create_with_options(module, &options, session);
}

/// `size` of the caller's options struct covers the field at `offset`.
static bool hasField(size_t size, size_t offset, size_t fieldSize) {
  return size >= offset + fieldSize;
}

kiln_error *kiln_session_create_with_options(
    kiln_module *module, const kiln_session_options *options,
    kiln_session **session) {
  if (!module || !session)
    return missing(!module ? "module" : "session");
  kiln_session_options chosen{sizeof(chosen), 0, 0};
  if (options) {
    size_t size = options->struct_size;
    if (hasField(size, offsetof(kiln_session_options, seed),
                 sizeof(chosen.seed)))
      chosen.seed = options->seed;
    if (hasField(size, offsetof(kiln_session_options, threads),
                 sizeof(chosen.threads)))
      chosen.threads = options->threads;
  }
  return guarded([&] {
    auto made = std::make_unique<kiln_session>();
    made->session =
        std::make_unique<Session>(*module->module, chosen.seed, chosen.threads);
    made->owner = module;
    module->references.fetch_add(1);
    *session = made.release();
    return static_cast<kiln_error *>(nullptr);
  });
}

void kiln_session_free(kiln_session *session) {
  if (!session)
    return;
  kiln_module *owner = session->owner;
  delete session;
  release(owner);
}

/// The index of parameter `name`, or -1.
static int paramIndex(const kiln_session *session, const char *name) {
  const std::vector<ParamSpec> &params = session->session->module().params();
  for (size_t i = 0; i < params.size(); ++i)
    if (params[i].name == name)
      return static_cast<int>(i);
  return -1;
}

static kiln_error *noParam(const char *name) {
  return makeError(KILN_STATUS_NOT_FOUND,
                   "the module has no parameter '" + std::string(name) + "'");
}

kiln_error *kiln_session_get_param(const kiln_session *session,
                                   const char *name, kiln_tensor **value) {
  if (!session || !name || !value)
    return missing("session, name or value");
  return guarded([&]() -> kiln_error * {
    int index = paramIndex(session, name);
    if (index < 0)
      return noParam(name);
    *value = new kiln_tensor{session->session->params()[index]};
    return nullptr;
  });
}

kiln_error *kiln_session_set_param(kiln_session *session, const char *name,
                                   const kiln_tensor *value) {
  if (!session || !name || !value)
    return missing("session, name or value");
  return guarded([&]() -> kiln_error * {
    if (paramIndex(session, name) < 0)
      return noParam(name);
    std::string error;
    Tensor copied;
    if (value->borrowed) {
      copied = Tensor(value->tensor.dtype, value->tensor.shape);
      std::memcpy(copied.bytes.data(), value->borrowed, copied.bytes.size());
    }
    return session->session->setParam(
               name, value->borrowed ? copied : value->tensor, error)
               ? nullptr
               : makeError(KILN_STATUS_INVALID_ARGUMENT, error);
  });
}

kiln_error *kiln_session_step_count(const kiln_session *session,
                                    const char *entry, int64_t *count) {
  if (!session || !entry || !count)
    return missing("session, entry or count");
  return guarded([&]() -> kiln_error * {
    const EntrySpec *spec = session->session->module().findEntry(entry);
    if (!spec)
      return noEntry(entry);
    if (!spec->isTrain)
      return makeError(KILN_STATUS_INVALID_ARGUMENT,
                       "entry '" + std::string(entry) +
                           "' is not a train entry; only those count steps");
    *count = session->session->stepCount(entry);
    return nullptr;
  });
}

kiln_error *kiln_session_run(kiln_session *session, const char *entry,
                             const char *const *input_names,
                             const kiln_tensor *const *inputs,
                             size_t input_count, kiln_tensor **outputs,
                             size_t output_capacity, size_t *output_count) {
  return kiln_session_run_with_options(session, entry, nullptr, input_names,
                                       inputs, input_count, outputs,
                                       output_capacity, output_count);
}

kiln_error *kiln_session_run_with_options(
    kiln_session *session, const char *entry, const kiln_run_options *options,
    const char *const *input_names, const kiln_tensor *const *inputs,
    size_t input_count, kiln_tensor **outputs, size_t output_capacity,
    size_t *output_count) {
  if (!session || !entry || !output_count ||
      (input_count && (!input_names || !inputs)) ||
      (output_capacity && !outputs))
    return missing("session, entry, inputs or outputs");
  RunOptions run;
  if (options) {
    size_t size = options->struct_size;
    if (hasField(size, offsetof(kiln_run_options, learning_rate),
                 sizeof(options->learning_rate)) &&
        options->has_learning_rate)
      run.learningRate = options->learning_rate;
    if (hasField(size, offsetof(kiln_run_options, step),
                 sizeof(options->step)))
      run.step = options->step;
  }
  return guarded([&]() -> kiln_error * {
    if (!session->session->module().findEntry(entry))
      return noEntry(entry);
    // Borrowed, not copied: the caller's tensors outlive the run.
    std::map<std::string, TensorView> named;
    for (size_t i = 0; i < input_count; ++i) {
      if (!input_names[i] || !inputs[i])
        return missing("an input name or tensor");
      named.insert_or_assign(input_names[i], inputs[i]->view());
    }
    std::vector<Tensor> results;
    std::string error;
    if (!session->session->run(entry, named, results, error, run))
      return makeError(KILN_STATUS_INVALID_ARGUMENT, error);
    if (results.size() > output_capacity)
      return makeError(KILN_STATUS_INVALID_ARGUMENT,
                       "entry '" + std::string(entry) + "' has " +
                           std::to_string(results.size()) +
                           " outputs, room was given for " +
                           std::to_string(output_capacity));
    // Every output is made before any is handed over, so that running out
    // of memory half way leaks nothing.
    std::vector<std::unique_ptr<kiln_tensor>> made;
    for (Tensor &result : results)
      made.push_back(std::make_unique<kiln_tensor>(
          kiln_tensor{std::move(result)}));
    for (size_t i = 0; i < made.size(); ++i)
      outputs[i] = made[i].release();
    *output_count = results.size();
    return nullptr;
  });
}

kiln_error *kiln_session_save_checkpoint(const kiln_session *session,
                                         const char *path) {
  if (!session || !path)
    return missing(!session ? "session" : "path");
  return guarded([&]() -> kiln_error * {
    std::string error;
    // The file system refused (a missing directory, permissions, space).
    return saveCheckpoint(*session->session, path, error)
               ? nullptr
               : makeError(KILN_STATUS_FAILED_PRECONDITION, error);
  });
}

kiln_error *kiln_session_load_checkpoint(kiln_session *session,
                                         const char *path) {
  if (!session || !path)
    return missing(!session ? "session" : "path");
  return guarded([&]() -> kiln_error * {
    std::string error;
    ErrorCode code = ErrorCode::None;
    return loadCheckpoint(*session->session, path, error, nullptr, &code)
               ? nullptr
               : makeError(code, error);
  });
}

kiln_error *kiln_metadata_create(kiln_metadata **out) {
  if (!out)
    return missing("out");
  return guarded([&]() -> kiln_error * {
    *out = new kiln_metadata();
    return nullptr;
  });
}

void kiln_metadata_free(kiln_metadata *metadata) { delete metadata; }

kiln_error *kiln_metadata_set(kiln_metadata *metadata, const char *key,
                              const char *value) {
  if (!metadata || !key || !value)
    return missing(!metadata ? "metadata" : !key ? "key" : "value");
  return guarded([&]() -> kiln_error * {
    metadata->entries[key] = value;
    return nullptr;
  });
}

size_t kiln_metadata_count(const kiln_metadata *metadata) {
  return metadata ? metadata->entries.size() : 0;
}

const char *kiln_metadata_key(const kiln_metadata *metadata, size_t index) {
  if (!metadata || index >= metadata->entries.size())
    return nullptr;
  return std::next(metadata->entries.begin(), index)->first.c_str();
}

const char *kiln_metadata_get(const kiln_metadata *metadata, const char *key) {
  if (!metadata || !key)
    return nullptr;
  auto found = metadata->entries.find(key);
  return found == metadata->entries.end() ? nullptr : found->second.c_str();
}

kiln_error *kiln_session_save_checkpoint_with_metadata(
    const kiln_session *session, const char *path,
    const kiln_metadata *metadata) {
  if (!session || !path || !metadata)
    return missing(!session ? "session" : !path ? "path" : "metadata");
  return guarded([&]() -> kiln_error * {
    std::string error;
    return saveCheckpoint(*session->session, path, error, metadata->entries)
               ? nullptr
               : makeError(KILN_STATUS_FAILED_PRECONDITION, error);
  });
}

kiln_error *kiln_session_load_checkpoint_with_metadata(
    kiln_session *session, const char *path, kiln_metadata *metadata) {
  if (!session || !path || !metadata)
    return missing(!session ? "session" : !path ? "path" : "metadata");
  return guarded([&]() -> kiln_error * {
    std::string error;
    ErrorCode code = ErrorCode::None;
    kiln::rt::CheckpointMetadata loaded;
    if (!loadCheckpoint(*session->session, path, error, &loaded, &code))
      return makeError(code, error);
    metadata->entries = std::move(loaded);
    return nullptr;
  });
}

} // extern "C"
