//===- CApi.cpp - The Kiln runtime's C API (kiln/kiln.h) ------------------===//
//
// A thin layer over the C++ runtime: it converts results to kiln_error and
// keeps every exception (allocation failures included) on this side.
//
//===----------------------------------------------------------------------===//

#include "kiln/kiln.h"

#include "kiln/runtime/Checkpoint.h"
#include "kiln/runtime/Module.h"
#include "kiln/runtime/Session.h"

#include <atomic>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <new>
#include <string>

using namespace kiln::rt;

struct kiln_error {
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

struct kiln_tensor {
  Tensor tensor;
};

namespace {
kiln_error *makeError(std::string message) {
  return new (std::nothrow) kiln_error{std::move(message)};
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
    return makeError("out of memory");
  } catch (const std::exception &e) {
    return makeError(std::string("internal error: ") + e.what());
  } catch (...) {
    return makeError("internal error");
  }
}

kiln_error *missing(const char *what) {
  return makeError(std::string("missing argument: ") + what);
}
} // namespace

extern "C" {

const char *kiln_error_message(const kiln_error *error) {
  return error ? error->message.c_str() : "no error";
}

void kiln_error_free(kiln_error *error) { delete error; }

static kiln_error *wrapModule(std::unique_ptr<Module> loaded,
                              const std::string &error, kiln_module **out) {
  if (!loaded)
    return makeError(error);
  *out = new kiln_module{std::move(loaded)};
  return nullptr;
}

kiln_error *kiln_module_load_file(const char *path, kiln_module **module) {
  if (!path || !module)
    return missing(!path ? "path" : "module");
  return guarded([&] {
    std::string error;
    return wrapModule(Module::loadFile(path, error), error, module);
  });
}

kiln_error *kiln_module_load_memory(const void *data, size_t size,
                                    kiln_module **module) {
  if (!data || !module)
    return missing(!data ? "data" : "module");
  return guarded([&] {
    std::string error;
    return wrapModule(
        Module::loadMemory(static_cast<const uint8_t *>(data), size, error),
        error, module);
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

static kiln_error *findInputs(const kiln_module *module, const char *entry,
                              std::vector<const ArgumentSpec *> &inputs) {
  if (!module || !entry)
    return missing(!module ? "module" : "entry");
  const EntrySpec *spec = module->module->findEntry(entry);
  if (!spec)
    return makeError("the module has no entry '" + std::string(entry) + "'");
  for (const ArgumentSpec &argument : spec->arguments)
    if (argument.role == ArgumentSpec::Role::Input)
      inputs.push_back(&argument);
  return nullptr;
}

kiln_error *kiln_module_input_count(const kiln_module *module,
                                    const char *entry, size_t *count) {
  if (!count)
    return missing("count");
  return guarded([&] {
    std::vector<const ArgumentSpec *> inputs;
    kiln_error *error = findInputs(module, entry, inputs);
    if (!error)
      *count = inputs.size();
    return error;
  });
}

kiln_error *kiln_module_input(const kiln_module *module, const char *entry,
                              size_t index, const char **name,
                              kiln_dtype *dtype, size_t *rank,
                              const int64_t **shape) {
  if (!name || !dtype || !rank || !shape)
    return missing("name, dtype, rank or shape");
  return guarded([&] {
    std::vector<const ArgumentSpec *> inputs;
    if (kiln_error *error = findInputs(module, entry, inputs))
      return error;
    if (index >= inputs.size())
      return makeError("entry '" + std::string(entry) + "' has " +
                       std::to_string(inputs.size()) + " inputs, not " +
                       std::to_string(index + 1));
    const ArgumentSpec &input = *inputs[index];
    *name = input.name.c_str();
    *dtype = static_cast<kiln_dtype>(input.type.dtype);
    *rank = input.type.shape.size();
    *shape = input.type.shape.data();
    return static_cast<kiln_error *>(nullptr);
  });
}

kiln_error *kiln_tensor_create(kiln_dtype dtype, const int64_t *shape,
                               size_t rank, const void *data,
                               kiln_tensor **tensor) {
  if (!tensor || (rank > 0 && !shape))
    return missing(!tensor ? "tensor" : "shape");
  if (dtype < KILN_F32 || dtype > KILN_BOOL)
    return makeError("unknown dtype " + std::to_string(int(dtype)));
  return guarded([&]() -> kiln_error * {
    std::vector<int64_t> dims(shape, shape + rank);
    for (int64_t dim : dims)
      if (dim < 0)
        return makeError("negative dimension in shape " + formatShape(dims));
    auto made = std::make_unique<kiln_tensor>();
    made->tensor = Tensor(static_cast<DType>(dtype), dims);
    if (data && !made->tensor.bytes.empty())
      std::memcpy(made->tensor.bytes.data(), data, made->tensor.bytes.size());
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
  return tensor->tensor.bytes.size();
}

void *kiln_tensor_data(kiln_tensor *tensor) {
  return tensor->tensor.bytes.data();
}

kiln_error *kiln_session_create(kiln_module *module, uint64_t seed,
                                unsigned threads, kiln_session **session) {
  if (!module || !session)
    return missing(!module ? "module" : "session");
  return guarded([&] {
    auto made = std::make_unique<kiln_session>();
    made->session = std::make_unique<Session>(*module->module, seed, threads);
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

kiln_error *kiln_session_run(kiln_session *session, const char *entry,
                             const char *const *input_names,
                             const kiln_tensor *const *inputs,
                             size_t input_count, kiln_tensor **outputs,
                             size_t output_capacity, size_t *output_count) {
  if (!session || !entry || !output_count ||
      (input_count && (!input_names || !inputs)) ||
      (output_capacity && !outputs))
    return missing("session, entry, inputs or outputs");
  return guarded([&]() -> kiln_error * {
    // Borrowed, not copied: the caller's tensors outlive the run.
    std::map<std::string, const Tensor *> named;
    for (size_t i = 0; i < input_count; ++i) {
      if (!input_names[i] || !inputs[i])
        return missing("an input name or tensor");
      named[input_names[i]] = &inputs[i]->tensor;
    }
    std::vector<Tensor> results;
    std::string error;
    if (!session->session->run(entry, named, results, error))
      return makeError(error);
    if (results.size() > output_capacity)
      return makeError("entry '" + std::string(entry) + "' has " +
                       std::to_string(results.size()) +
                       " outputs, room was given for " +
                       std::to_string(output_capacity));
    for (size_t i = 0; i < results.size(); ++i)
      outputs[i] = new kiln_tensor{std::move(results[i])};
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
    return saveCheckpoint(*session->session, path, error) ? nullptr
                                                          : makeError(error);
  });
}

kiln_error *kiln_session_load_checkpoint(kiln_session *session,
                                         const char *path) {
  if (!session || !path)
    return missing(!session ? "session" : "path");
  return guarded([&]() -> kiln_error * {
    std::string error;
    return loadCheckpoint(*session->session, path, error) ? nullptr
                                                          : makeError(error);
  });
}

} // extern "C"
