//===- CheckpointFuzzer.cpp - The checkpoint reader on arbitrary bytes ----===//
//
// A checkpoint is data only: every byte is checked before one is used.
// Each input is inspected alone and restored into a session of the
// fixture module (KILN_FUZZ_KMOD), with the header made to match it too,
// so that mutations reach the structure behind the checksum.
//
//===----------------------------------------------------------------------===//

#include "FuzzInput.h"

#include "kiln/checkpoint_format.h"
#include "kiln/kmod_format.h"
#include "kiln/runtime/Checkpoint.h"

#include <cstring>
#include <memory>
#include <vector>

namespace {
kiln::rt::Session &fixtureSession() {
  static std::unique_ptr<kiln::rt::Module> module = [] {
    std::string error;
    auto loaded = kiln::rt::Module::loadFile(KILN_FUZZ_KMOD, error);
    if (!loaded)
      std::abort();
    return loaded;
  }();
  static kiln::rt::Session session(*module, 0, 1);
  return session;
}

void tryLoading(const uint8_t *data, size_t size) {
  kiln::fuzz::InputFile file(data, size);
  std::string error;
  kiln::rt::CheckpointContents contents;
  kiln::rt::inspectCheckpoint(file.path(), contents, error);
  kiln::rt::CheckpointMetadata metadata;
  kiln::rt::loadCheckpoint(fixtureSession(), file.path(), error, &metadata);
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tryLoading(data, size);
  size_t header = sizeof(kiln::kmod::Header);
  if (size >= header) {
    std::vector<uint8_t> fixed(data, data + size);
    kiln::kmod::Header valid;
    std::memcpy(valid.magic, kiln::ckpt::kMagic, sizeof valid.magic);
    valid.schemaVersion = kiln::ckpt::kSchemaVersion;
    valid.checksum = kiln::kmod::crc32(fixed.data() + header, size - header);
    std::memcpy(fixed.data(), &valid, sizeof valid);
    tryLoading(fixed.data(), fixed.size());
  }
  return 0;
}
