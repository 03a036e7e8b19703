//===- Checkpoint.cpp - Saving and restoring a session --------------------===//

#include "kiln/runtime/Checkpoint.h"

#include "kiln/checkpoint_format.h"
#include "kiln/checkpoint_generated.h"
#include "ShapeVector.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>

namespace kiln::rt {

namespace fb = kiln::ckpt;

namespace {

std::string slotName(const Module &module, const StateSlotSpec &slot) {
  if (slot.paramIndex < 0)
    return slot.name;
  return module.params()[slot.paramIndex].name + "/" + slot.name;
}

flatbuffers::Offset<fb::Tensor> buildTensor(flatbuffers::FlatBufferBuilder &b,
                                            const std::string &name,
                                            const Tensor &tensor) {
  return fb::CreateTensorDirect(b, name.c_str(),
                                static_cast<int8_t>(tensor.dtype),
                                &tensor.shape, &tensor.bytes);
}

std::string systemError(const std::string &what, const std::string &path) {
  return "cannot " + what + " '" + path + "': " + std::strerror(errno);
}

/// Writes `bytes` to a new temporary file beside `path`, flushes it to
/// disk and renames it over `path`; then flushes the directory, so the
/// rename itself survives a crash.
bool writeAtomically(const std::string &path,
                     const std::vector<uint8_t> &bytes, std::string &error) {
  size_t slash = path.rfind('/');
  std::string directory = slash == std::string::npos ? "." : path.substr(0, slash);
  std::string temporary = path + ".tmp-XXXXXX";
  int fd = mkstemp(temporary.data());
  if (fd < 0) {
    error = systemError("create a file beside", path);
    return false;
  }
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      error = systemError("write", temporary);
      close(fd);
      unlink(temporary.c_str());
      return false;
    }
    written += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    error = systemError("flush", temporary);
    unlink(temporary.c_str());
    return false;
  }
  if (rename(temporary.c_str(), path.c_str()) != 0) {
    error = systemError("rename a checkpoint to", path);
    unlink(temporary.c_str());
    return false;
  }
  int dirFd = open(directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (dirFd >= 0) {
    fsync(dirFd);
    close(dirFd);
  }
  return true;
}

/// Finds `name` in `tensors` and checks it against `expected`'s dtype and
/// shape; on success copies it into `out`.
bool takeTensor(const flatbuffers::Vector<flatbuffers::Offset<fb::Tensor>>
                    *tensors,
                const std::string &name, const Tensor &expected, Tensor &out,
                const std::string &path, std::string &error) {
  if (tensors)
    for (const fb::Tensor *tensor : *tensors) {
      if (!tensor->name() || tensor->name()->str() != name)
        continue;
      std::vector<int64_t> shape = readShape(tensor->shape());
      auto dtype = static_cast<DType>(tensor->dtype());
      size_t bytes = tensor->data() ? tensor->data()->size() : 0;
      if (dtype != expected.dtype || shape != expected.shape ||
          bytes != expected.bytes.size()) {
        error = path + ": '" + name + "' is " +
                (tensor->dtype() >= 0 && tensor->dtype() <= 4
                     ? std::string(dtypeName(dtype))
                     : std::string("?")) +
                formatShape(shape) + " in the checkpoint but " +
                dtypeName(expected.dtype) + formatShape(expected.shape) +
                " in the module";
        return false;
      }
      out = Tensor(dtype, shape);
      if (bytes)
        std::memcpy(out.bytes.data(), tensor->data()->data(), bytes);
      return true;
    }
  error = path + ": the checkpoint has no '" + name + "'";
  return false;
}

} // namespace

bool saveCheckpoint(const Session &session, const std::string &path,
                    std::string &error, const CheckpointMetadata &metadata) {
  const Module &module = session.module();
  flatbuffers::FlatBufferBuilder builder;
  std::vector<flatbuffers::Offset<fb::Tensor>> params;
  for (size_t i = 0; i < module.params().size(); ++i)
    params.push_back(
        buildTensor(builder, module.params()[i].name, session.params()[i]));
  std::vector<flatbuffers::Offset<fb::EntryState>> states;
  for (const auto &[entryName, tensors] : session.optimizerState()) {
    const EntrySpec *entry = module.findEntry(entryName);
    std::vector<flatbuffers::Offset<fb::Tensor>> slots;
    for (size_t i = 0; i < tensors.size(); ++i)
      slots.push_back(
          buildTensor(builder, slotName(module, entry->state[i]), tensors[i]));
    states.push_back(
        fb::CreateEntryStateDirect(builder, entryName.c_str(), &slots));
  }
  std::vector<flatbuffers::Offset<fb::Metadata>> notes;
  for (const auto &[key, value] : metadata)
    notes.push_back(
        fb::CreateMetadataDirect(builder, key.c_str(), value.c_str()));
  builder.Finish(fb::CreateCheckpointDirect(builder, module.name().c_str(),
                                            &params, &states, &notes));

  const uint8_t *payload = builder.GetBufferPointer();
  size_t size = builder.GetSize();
  kmod::Header header = kmod::makeHeader(payload, size);
  std::memcpy(header.magic, ckpt::kMagic, sizeof(ckpt::kMagic));
  header.schemaVersion = ckpt::kSchemaVersion;
  std::vector<uint8_t> bytes(sizeof(header) + size);
  std::memcpy(bytes.data(), &header, sizeof(header));
  std::memcpy(bytes.data() + sizeof(header), payload, size);
  return writeAtomically(path, bytes, error);
}

namespace {
/// Reads `path` into `bytes` and checks that it is an intact checkpoint
/// (header, format version, checksum, FlatBuffer structure) before any of
/// it is used; null (with `error` and `code`) when it is not.
const fb::Checkpoint *readIntactCheckpoint(const std::string &path,
                                           std::vector<uint8_t> &bytes,
                                           std::string &error,
                                           ErrorCode *code) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = systemError("open", path);
    setErrorCode(code, ErrorCode::NotFound);
    return nullptr;
  }
  setErrorCode(code, ErrorCode::Corrupt);
  bytes.assign(std::istreambuf_iterator<char>(in),
               std::istreambuf_iterator<char>());
  kmod::Header header;
  if (bytes.size() < sizeof(header)) {
    error = path + ": not a Kiln checkpoint (too short)";
    return nullptr;
  }
  std::memcpy(&header, bytes.data(), sizeof(header));
  if (std::memcmp(header.magic, ckpt::kMagic, sizeof(ckpt::kMagic)) != 0) {
    error = path + ": not a Kiln checkpoint";
    return nullptr;
  }
  if (header.schemaVersion != ckpt::kSchemaVersion) {
    setErrorCode(code, ErrorCode::FailedPrecondition);
    error = path + ": checkpoint format version " +
            std::to_string(header.schemaVersion) + ", this runtime reads " +
            std::to_string(ckpt::kSchemaVersion);
    return nullptr;
  }
  const uint8_t *payload = bytes.data() + sizeof(header);
  size_t size = bytes.size() - sizeof(header);
  if (kmod::crc32(payload, size) != header.checksum) {
    error = path + ": the checkpoint is corrupt or truncated (checksum "
                   "mismatch)";
    return nullptr;
  }
  flatbuffers::Verifier verifier(payload, size);
  if (!fb::VerifyCheckpointBuffer(verifier)) {
    error = path + ": the checkpoint is corrupt (bad structure)";
    return nullptr;
  }
  return fb::GetCheckpoint(payload);
}
} // namespace

bool loadCheckpoint(Session &session, const std::string &path,
                    std::string &error, CheckpointMetadata *metadata,
                    ErrorCode *code) {
  std::vector<uint8_t> bytes;
  const fb::Checkpoint *checkpoint =
      readIntactCheckpoint(path, bytes, error, code);
  if (!checkpoint)
    return false;
  // Intact: what fails from here is a checkpoint of another model.
  setErrorCode(code, ErrorCode::FailedPrecondition);
  const Module &module = session.module();
  std::string prefix =
      checkpoint->module_name() && checkpoint->module_name()->str() != module.name()
          ? "(a checkpoint of '" + checkpoint->module_name()->str() +
                "', not '" + module.name() + "') "
          : "";

  // Everything is read and checked before the session changes.
  std::vector<Tensor> params(module.params().size());
  for (size_t i = 0; i < params.size(); ++i)
    if (!takeTensor(checkpoint->params(), module.params()[i].name,
                    session.params()[i], params[i], path, error)) {
      error = prefix + error;
      return false;
    }
  std::map<std::string, std::vector<Tensor>> state;
  for (const auto &[entryName, tensors] : session.optimizerState()) {
    const fb::EntryState *saved = nullptr;
    if (checkpoint->state())
      for (const fb::EntryState *candidate : *checkpoint->state())
        if (candidate->entry() && candidate->entry()->str() == entryName)
          saved = candidate;
    if (!saved) {
      error = prefix + path + ": the checkpoint has no optimizer state for '" +
              entryName + "'";
      return false;
    }
    const EntrySpec *entry = module.findEntry(entryName);
    std::vector<Tensor> &restored = state[entryName];
    restored.resize(tensors.size());
    for (size_t i = 0; i < tensors.size(); ++i)
      if (!takeTensor(saved->slots(), slotName(module, entry->state[i]),
                      tensors[i], restored[i], path, error)) {
        error = prefix + error;
        return false;
      }
  }
  session.params() = std::move(params);
  session.optimizerState() = std::move(state);
  if (metadata) {
    metadata->clear();
    if (checkpoint->metadata())
      for (const fb::Metadata *note : *checkpoint->metadata())
        if (note->key())
          (*metadata)[note->key()->str()] =
              note->value() ? note->value()->str() : "";
  }
  setErrorCode(code, ErrorCode::None);
  return true;
}

bool inspectCheckpoint(const std::string &path, CheckpointContents &contents,
                       std::string &error, ErrorCode *code) {
  std::vector<uint8_t> bytes;
  const fb::Checkpoint *checkpoint =
      readIntactCheckpoint(path, bytes, error, code);
  if (!checkpoint)
    return false;
  contents = CheckpointContents();
  if (checkpoint->module_name())
    contents.moduleName = checkpoint->module_name()->str();
  // Each tensor's data must be as large as its dtype and shape say.
  auto add = [&](const fb::Tensor *tensor, const std::string &owner) {
    CheckpointContents::Entry entry;
    entry.name = (owner.empty() ? "" : owner + ".") +
                 (tensor->name() ? tensor->name()->str() : "");
    if (tensor->dtype() < 0 || tensor->dtype() > 4) {
      error = path + ": '" + entry.name + "' has an unknown element type";
      return false;
    }
    entry.type.dtype = static_cast<DType>(tensor->dtype());
    entry.type.shape = readShape(tensor->shape());
    int64_t elements = 1;
    for (int64_t dim : entry.type.shape) {
      if (dim < 0 || (dim > 0 && elements > INT64_MAX / dim)) {
        error = path + ": '" + entry.name + "' has an invalid shape";
        return false;
      }
      elements *= dim;
    }
    size_t size = tensor->data() ? tensor->data()->size() : 0;
    if (elements > INT64_MAX / 8 ||
        size != static_cast<size_t>(elements) * dtypeSize(entry.type.dtype)) {
      error = path + ": '" + entry.name + "' holds " + std::to_string(size) +
              " bytes, not the " + dtypeName(entry.type.dtype) +
              formatShape(entry.type.shape) + " it declares";
      return false;
    }
    contents.bytes += size;
    (owner.empty() ? contents.params : contents.state).push_back(entry);
    return true;
  };
  if (checkpoint->params())
    for (const fb::Tensor *tensor : *checkpoint->params())
      if (!add(tensor, ""))
        return false;
  if (checkpoint->state())
    for (const fb::EntryState *entry : *checkpoint->state())
      if (entry->slots())
        for (const fb::Tensor *tensor : *entry->slots())
          if (!add(tensor, entry->entry() ? entry->entry()->str() : "?"))
            return false;
  if (checkpoint->metadata())
    for (const fb::Metadata *note : *checkpoint->metadata())
      if (note->key())
        contents.metadataKeys.push_back(note->key()->str());
  setErrorCode(code, ErrorCode::None);
  return true;
}

} // namespace kiln::rt
