/*===- kiln.h - The Kiln runtime's C API ---------------------------*- C -*-===*
 *
 * Load a compiled model (.kmod), create a session that owns its parameters
 * and optimizer state, run its entries, save and restore checkpoints.
 *
 * Errors: every function that can fail returns a kiln_error pointer, NULL
 * on success; read its kind with kiln_error_code and its text with
 * kiln_error_message, and free it with kiln_error_free. No function aborts
 * or lets an exception escape on bad input. Running out of memory returns
 * KILN_STATUS_OUT_OF_MEMORY even when the error itself cannot be
 * allocated (a preallocated error, which kiln_error_free leaves alone).
 *
 * Options structs start with `struct_size`, which the caller sets to
 * sizeof the struct it was compiled with: later versions add fields at the
 * end and give them their defaults when an older caller's size is shorter.
 *
 * Ownership: objects made by a *_create or *_load function, and tensors a
 * run returns, belong to the caller, who frees them with the matching
 * *_free; a session keeps its module alive (modules are reference
 * counted), so a module may be freed while sessions still use it.
 *
 * Threads: a module can be shared by any number of threads. A session must
 * not be used by two threads at once; sessions are independent. Each
 * session runs its entries on its own thread pool. Tensors are plain data.
 *
 *===----------------------------------------------------------------------===*/

#ifndef KILN_KILN_H
#define KILN_KILN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KILN_API __attribute__((visibility("default")))

typedef struct kiln_error kiln_error;
typedef struct kiln_module kiln_module;
typedef struct kiln_session kiln_session;
typedef struct kiln_tensor kiln_tensor;

typedef enum kiln_dtype {
  KILN_F32 = 0,
  KILN_F64 = 1,
  KILN_I32 = 2,
  KILN_I64 = 3,
  KILN_BOOL = 4,
  /* Not a type: it makes every int a value of the enum (as Vulkan's
     *_MAX_ENUM do), so that the library can check and refuse a caller's
     out-of-range value instead of that being undefined behaviour. */
  KILN_DTYPE_MAX_ENUM = 0x7fffffff,
} kiln_dtype;

/* Errors. */
typedef enum kiln_status {
  KILN_STATUS_OK = 0,
  KILN_STATUS_INVALID_ARGUMENT = 1,    /* a wrong value, shape or name */
  KILN_STATUS_NOT_FOUND = 2,           /* no such file, entry or parameter */
  KILN_STATUS_CORRUPT = 3,             /* a damaged module or checkpoint */
  KILN_STATUS_FAILED_PRECONDITION = 4, /* valid, but not for this host,
                                          module or file system */
  KILN_STATUS_OUT_OF_MEMORY = 5,
  KILN_STATUS_INTERNAL = 6,
} kiln_status;

/* KILN_STATUS_OK for NULL. */
KILN_API kiln_status kiln_error_code(const kiln_error *error);
KILN_API const char *kiln_error_message(const kiln_error *error);
KILN_API void kiln_error_free(kiln_error *error);

/* Modules: verified completely (header, checksum, structure, this CPU's
 * features) before any of their code is loaded. */
KILN_API kiln_error *kiln_module_load_file(const char *path,
                                           kiln_module **module);
KILN_API kiln_error *kiln_module_load_memory(const void *data, size_t size,
                                             kiln_module **module);
KILN_API void kiln_module_free(kiln_module *module);
KILN_API const char *kiln_module_name(const kiln_module *module);
KILN_API size_t kiln_module_entry_count(const kiln_module *module);
/* The name of entry `index`, or NULL past the last one. */
KILN_API const char *kiln_module_entry_name(const kiln_module *module,
                                            size_t index);

/* The inputs of entry `entry`: how many, and input `index`'s name, dtype
 * and shape (-1 marks the dynamic batch). The strings and shape stay valid
 * while the module lives. */
KILN_API kiln_error *kiln_module_input_count(const kiln_module *module,
                                             const char *entry, size_t *count);
KILN_API kiln_error *kiln_module_input(const kiln_module *module,
                                       const char *entry, size_t index,
                                       const char **name, kiln_dtype *dtype,
                                       size_t *rank, const int64_t **shape);

/* The named outputs of entry `entry`, in the order a run returns them
 * (a train entry's first is its loss); as kiln_module_input. */
KILN_API kiln_error *kiln_module_output_count(const kiln_module *module,
                                              const char *entry,
                                              size_t *count);
KILN_API kiln_error *kiln_module_output(const kiln_module *module,
                                        const char *entry, size_t index,
                                        const char **name, kiln_dtype *dtype,
                                        size_t *rank, const int64_t **shape);

/* The parameters (buffers included): how many, and parameter `index`'s
 * name, or NULL past the last one. */
KILN_API size_t kiln_module_param_count(const kiln_module *module);
KILN_API const char *kiln_module_param_name(const kiln_module *module,
                                            size_t index);

/* Tensors: dense, row-major. Created zeroed, or copied from `data`. */
KILN_API kiln_error *kiln_tensor_create(kiln_dtype dtype, const int64_t *shape,
                                        size_t rank, const void *data,
                                        kiln_tensor **tensor);
/* A tensor over the caller's `data` (dense, row-major, as large as the
 * shape says), read in place: kiln_session_run reads inputs made this way
 * without copying them, and kiln_tensor_data returns `data`. The data must
 * outlive the tensor and stay unchanged while a run reads it. */
KILN_API kiln_error *kiln_tensor_wrap(kiln_dtype dtype, const int64_t *shape,
                                      size_t rank, const void *data,
                                      kiln_tensor **tensor);
KILN_API void kiln_tensor_free(kiln_tensor *tensor);
KILN_API kiln_dtype kiln_tensor_dtype(const kiln_tensor *tensor);
KILN_API size_t kiln_tensor_rank(const kiln_tensor *tensor);
KILN_API const int64_t *kiln_tensor_shape(const kiln_tensor *tensor);
KILN_API size_t kiln_tensor_byte_size(const kiln_tensor *tensor);
KILN_API void *kiln_tensor_data(kiln_tensor *tensor);

/* Sessions: parameters drawn from the module's initializers with `seed`;
 * `threads` 0 means KILN_NUM_THREADS, else one per core. */
KILN_API kiln_error *kiln_session_create(kiln_module *module, uint64_t seed,
                                         unsigned threads,
                                         kiln_session **session);
typedef struct kiln_session_options {
  size_t struct_size; /* sizeof(kiln_session_options) */
  uint64_t seed;      /* parameter initialization (default 0) */
  unsigned threads;   /* 0: KILN_NUM_THREADS, else one per core */
} kiln_session_options;

/* As kiln_session_create; `options` NULL means the defaults. */
KILN_API kiln_error *
kiln_session_create_with_options(kiln_module *module,
                                 const kiln_session_options *options,
                                 kiln_session **session);
KILN_API void kiln_session_free(kiln_session *session);

/* A copy of parameter `name`'s current value, which the caller frees. */
KILN_API kiln_error *kiln_session_get_param(const kiln_session *session,
                                            const char *name,
                                            kiln_tensor **value);
/* Replaces parameter `name`'s value (same dtype and shape). */
KILN_API kiln_error *kiln_session_set_param(kiln_session *session,
                                            const char *name,
                                            const kiln_tensor *value);
/* The number of steps train entry `entry` has taken (checkpoints keep it). */
KILN_API kiln_error *kiln_session_step_count(const kiln_session *session,
                                             const char *entry,
                                             int64_t *count);

/* Runs `entry` on the named inputs. On success stores the entry's outputs,
 * in the module's order, in outputs[0..*output_count), which the caller
 * frees; fails if there are more than `output_capacity`. */
KILN_API kiln_error *kiln_session_run(kiln_session *session, const char *entry,
                                      const char *const *input_names,
                                      const kiln_tensor *const *inputs,
                                      size_t input_count, kiln_tensor **outputs,
                                      size_t output_capacity,
                                      size_t *output_count);

typedef struct kiln_run_options {
  size_t struct_size;    /* sizeof(kiln_run_options) */
  int has_learning_rate; /* nonzero: train entries step with learning_rate
                            instead of the model's */
  float learning_rate;
  uint64_t step;         /* inference entries: the step their random key
                            (dropout-free sampling, noise) uses */
} kiln_run_options;

/* As kiln_session_run, with `options` (NULL: the defaults): a training
 * loop's learning-rate schedule passes each step's rate here. */
KILN_API kiln_error *kiln_session_run_with_options(
    kiln_session *session, const char *entry, const kiln_run_options *options,
    const char *const *input_names, const kiln_tensor *const *inputs,
    size_t input_count, kiln_tensor **outputs, size_t output_capacity,
    size_t *output_count);

/* Checkpoints (see docs/runtime.md): saved atomically, restored only when
 * they match the module entirely. */
KILN_API kiln_error *kiln_session_save_checkpoint(const kiln_session *session,
                                                  const char *path);
KILN_API kiln_error *kiln_session_load_checkpoint(kiln_session *session,
                                                  const char *path);

/* Checkpoint metadata: text keys and values saved with a checkpoint (the
 * trainer keeps the preprocessing it fitted under "kiln-run.preprocessing").
 * Strings a metadata handle returns live until it changes or is freed. */
typedef struct kiln_metadata kiln_metadata;
KILN_API kiln_error *kiln_metadata_create(kiln_metadata **out);
KILN_API void kiln_metadata_free(kiln_metadata *metadata);
/* Sets (or replaces) `key`. */
KILN_API kiln_error *kiln_metadata_set(kiln_metadata *metadata,
                                       const char *key, const char *value);
KILN_API size_t kiln_metadata_count(const kiln_metadata *metadata);
/* The index-th key in sorted order; NULL past the end. */
KILN_API const char *kiln_metadata_key(const kiln_metadata *metadata,
                                       size_t index);
/* The value of `key`; NULL when absent. */
KILN_API const char *kiln_metadata_get(const kiln_metadata *metadata,
                                       const char *key);
/* As kiln_session_save_checkpoint / _load_checkpoint, saving `metadata`
 * with the checkpoint, or replacing its contents with what was saved. */
KILN_API kiln_error *kiln_session_save_checkpoint_with_metadata(
    const kiln_session *session, const char *path,
    const kiln_metadata *metadata);
KILN_API kiln_error *kiln_session_load_checkpoint_with_metadata(
    kiln_session *session, const char *path, kiln_metadata *metadata);

#ifdef __cplusplus
}
#endif

#endif /* KILN_KILN_H */
