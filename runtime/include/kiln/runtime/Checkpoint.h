//===- Checkpoint.h - Saving and restoring a session ------------*- C++ -*-===//
//
// A checkpoint holds a session's parameters and its train entries'
// optimizer state (runtime/schema/checkpoint.fbs). Saving never leaves a
// half-written file under the checkpoint's name; restoring checks the
// whole file and changes nothing unless every tensor matches the module.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_CHECKPOINT_H
#define KILN_RUNTIME_CHECKPOINT_H

#include "kiln/runtime/ErrorCode.h"
#include "kiln/runtime/Session.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kiln::rt {

/// Text saved beside the state, by key: what the application needs to use
/// the model again (kiln-run keeps its fitted preprocessing under
/// "kiln-run.preprocessing"). The runtime stores it and does not read it.
using CheckpointMetadata = std::map<std::string, std::string>;

/// Writes the session's state (and `metadata`) to `path` atomically: a
/// temporary file in the same directory, flushed to disk, then renamed over
/// `path`. On failure returns false, sets `error` and leaves any old `path`
/// intact.
bool saveCheckpoint(const Session &session, const std::string &path,
                    std::string &error,
                    const CheckpointMetadata &metadata = {});

/// Restores the session's state from `path`. The file must be an intact
/// checkpoint (header, checksum, structure) holding every parameter and
/// optimizer-state tensor of the session's module with its dtype and shape;
/// otherwise returns false, sets `error` naming the first mismatch, and
/// leaves the session unchanged. When `metadata` is given it receives the
/// file's metadata (empty for a checkpoint saved without). `code` says what
/// kind of failure it was: NotFound (no file), Corrupt (not an intact
/// checkpoint), FailedPrecondition (another format version, or a checkpoint
/// of another model).
bool loadCheckpoint(Session &session, const std::string &path,
                    std::string &error,
                    CheckpointMetadata *metadata = nullptr,
                    ErrorCode *code = nullptr);

/// What a checkpoint holds, as `inspectCheckpoint` reads it.
struct CheckpointContents {
  struct Entry {
    std::string name; ///< optimizer state as "entry.slot"
    TensorSpec type;
  };
  std::string moduleName;
  std::vector<Entry> params, state;
  std::vector<std::string> metadataKeys;
  /// The tensors' data, in bytes.
  uint64_t bytes = 0;
};

/// Checks that `path` is an intact checkpoint (as loadCheckpoint does before
/// using a byte of it, and that every tensor holds the data its dtype and
/// shape call for) without a module or session, and lists what it holds.
bool inspectCheckpoint(const std::string &path, CheckpointContents &contents,
                       std::string &error, ErrorCode *code = nullptr);

} // namespace kiln::rt

#endif // KILN_RUNTIME_CHECKPOINT_H
