//===- KmodFuzzer.cpp - The .kmod loader on arbitrary bytes ---------------===//
//
// Loading must verify before it trusts: header, checksum, the FlatBuffer
// verifier, then Kiln's own checks (entry signatures, parameter table, code
// section). The checksum would turn away almost every mutation, so the
// fuzzer also loads each input with a header made to match it: the
// structure behind the checksum is what gets fuzzed. The code section is
// not mapped: it is a shared object, trusted by whoever loads a module.
//
//===----------------------------------------------------------------------===//

#include "kiln/kmod_format.h"
#include "kiln/runtime/Module.h"

#include <cstring>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string error;
  // The code itself is a shared object that only trusted modules bring
  // (docs/runtime.md): the fuzzer stops short of loading it.
  kiln::rt::Module::loadMemory(data, size, error, nullptr, /*mapCode=*/false);
  // The payload behind a header that matches it.
  size_t header = kiln::kmod::kHeaderSize;
  if (size >= header) {
    std::vector<uint8_t> fixed(data, data + size);
    kiln::kmod::Header valid = kiln::kmod::makeHeader(
        fixed.data() + header, fixed.size() - header);
    std::memcpy(fixed.data(), &valid, sizeof valid);
    kiln::rt::Module::loadMemory(fixed.data(), fixed.size(), error, nullptr,
                                 /*mapCode=*/false);
  }
  return 0;
}
