//===- Philox.h - The Philox 4x32-10 counter-based generator --------------===//
//
// Salmon et al., "Parallel random numbers: as easy as 1, 2, 3" (SC 2011).
// Each output block is a pure function of a 128-bit counter and a 64-bit
// key, so values do not depend on how work is split between threads.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_PHILOX_H
#define KILN_RUNTIME_PHILOX_H

#include <array>
#include <cmath>
#include <cstdint>

namespace kiln::rt {

inline std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> counter,
                                          std::array<uint32_t, 2> key) {
  constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    uint64_t p0 = uint64_t(kMul0) * counter[0];
    uint64_t p1 = uint64_t(kMul1) * counter[2];
    counter = {uint32_t(p1 >> 32) ^ counter[1] ^ key[0], uint32_t(p1),
               uint32_t(p0 >> 32) ^ counter[3] ^ key[1], uint32_t(p0)};
    key = {key[0] + kWeyl0, key[1] + kWeyl1};
  }
  return counter;
}

/// A uniform double in [0, 1) from 32 random bits.
inline double toUnit(uint32_t bits) { return bits * (1.0 / 4294967296.0); }

/// A standard normal sample from two 32-bit words (Box-Muller).
inline double toNormal(uint32_t a, uint32_t b) {
  double u1 = (a + 1.0) * (1.0 / 4294967296.0); // (0, 1]: log is finite
  double u2 = toUnit(b);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

} // namespace kiln::rt

#endif // KILN_RUNTIME_PHILOX_H
