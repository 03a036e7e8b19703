//===- CApiBridge.h - The C API's handles, for layers above it --*- C++ -*-===//
//
// Libraries that extend the C API (the trainer's kiln_train.h) take its
// handles and return its errors; these give them the C++ objects behind a
// handle and errors of the same kind, without exposing the structs.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_CAPIBRIDGE_H
#define KILN_RUNTIME_CAPIBRIDGE_H

#include "kiln/kiln.h"
#include "kiln/runtime/Session.h"

#include <string>

namespace kiln::rt::capi {

/// The session behind a handle; nullptr for nullptr.
Session *sessionOf(kiln_session *session);
/// A new error (the preallocated out-of-memory one when none can be
/// allocated).
kiln_error *makeError(kiln_status code, const std::string &message);
/// The preallocated out-of-memory error.
kiln_error *outOfMemory();

} // namespace kiln::rt::capi

#endif // KILN_RUNTIME_CAPIBRIDGE_H
