/*===- CodeAbi.h - What compiled code calls in the runtime ---------*- C -*-===*
 *
 * The symbols a .kmod's machine code leaves undefined, resolved against the
 * runtime when the module is loaded. Changing one is a module format change.
 *
 *===----------------------------------------------------------------------===*/

#ifndef KILN_RUNTIME_CODEABI_H
#define KILN_RUNTIME_CODEABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Runs body(begin, end, closure) over sub-ranges covering [0, count), on
 * the thread pool of the session running the entry; returns when all are
 * done. `work` estimates the scalar operations of one iteration: a loop
 * with too little work in all runs serially on the caller. `site` names the
 * loop for profiles (NUL-terminated, e.g. "lenet.kiln:21:15 contraction").
 * Emitted by the kiln-outline-parallel-loops pass. */
__attribute__((visibility("default"))) void
kiln_rt_parallel_for(int64_t count,
                     void (*body)(int64_t begin, int64_t end, void *closure),
                     void *closure, int64_t work, const char *site);

#ifdef __cplusplus
}
#endif

#endif /* KILN_RUNTIME_CODEABI_H */
