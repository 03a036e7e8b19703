//===- ErrorCode.h - What kind of failure an error is -----------*- C++ -*-===//
//
// Functions that fail with a message may also say what kind of failure it
// was, so that a caller (the C API, a binding) can react without reading
// the message: the codes of kiln.h's kiln_status.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_ERRORCODE_H
#define KILN_RUNTIME_ERRORCODE_H

namespace kiln::rt {

enum class ErrorCode {
  None = 0,
  InvalidArgument,    ///< a wrong value, shape, name or option
  NotFound,           ///< a file, entry, input or parameter that is not there
  Corrupt,            ///< a module or checkpoint that is damaged
  FailedPrecondition, ///< valid, but not for this host, module or session
  OutOfMemory,
  Internal,
};

/// Sets `*code` when the caller asked for it.
inline void setErrorCode(ErrorCode *code, ErrorCode value) {
  if (code)
    *code = value;
}

} // namespace kiln::rt

#endif // KILN_RUNTIME_ERRORCODE_H
