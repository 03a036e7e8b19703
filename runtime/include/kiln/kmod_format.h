/*===- kmod_format.h - The .kmod container header ---------------------===*\
 *
 * A .kmod file starts with this fixed header, followed by the FlatBuffer
 * described by runtime/schema/kmod.fbs. The header lets a reader reject a
 * foreign or damaged file before parsing anything: magic, schema version,
 * and a CRC-32 (IEEE, as zlib computes it) of every byte after the header.
 * Header-only and dependency-free, so the compiler writes exactly what the
 * runtime checks.
\*===------------------------------------------------------------------===*/

#ifndef KILN_KMOD_FORMAT_H
#define KILN_KMOD_FORMAT_H

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace kiln::kmod {

inline constexpr char kMagic[8] = {'K', 'I', 'L', 'N', 'M', 'O', 'D', '\n'};
/// Bumped whenever kmod.fbs or the code ABI (kiln/runtime/CodeAbi.h)
/// changes incompatibly.
inline constexpr uint32_t kSchemaVersion = 5;
inline constexpr size_t kHeaderSize = 16;

struct Header {
  char magic[8];
  uint32_t schemaVersion; // little endian
  uint32_t checksum;      // CRC-32 of the payload after the header
};
static_assert(sizeof(Header) == kHeaderSize, "header must be packed");

/// CRC-32 with the IEEE polynomial (reflected 0xEDB88320), as zlib.
inline uint32_t crc32(const uint8_t *data, size_t size) {
  static const auto table = [] {
    struct Table {
      uint32_t entries[256];
    } t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k)
        c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t.entries[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i)
    crc = table.entries[(crc ^ data[i]) & 0xFFu] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

inline Header makeHeader(const uint8_t *payload, size_t size) {
  Header header;
  std::memcpy(header.magic, kMagic, sizeof(kMagic));
  header.schemaVersion = kSchemaVersion;
  header.checksum = crc32(payload, size);
  return header;
}

} // namespace kiln::kmod

#endif // KILN_KMOD_FORMAT_H
