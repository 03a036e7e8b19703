//===- FloatMode.cpp - The floating-point mode compiled code runs in ------===//

#include "kiln/runtime/FloatMode.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
// MXCSR bits: flush results to zero (15), treat inputs as zero (6).
static constexpr unsigned kFlushBits = 0x8040;
static unsigned readMode() { return _mm_getcsr(); }
static void writeMode(unsigned mode) { _mm_setcsr(mode); }
#else
static constexpr unsigned kFlushBits = 0;
static unsigned readMode() { return 0; }
static void writeMode(unsigned) {}
#endif

using namespace kiln::rt;

ScopedFlushSubnormals::ScopedFlushSubnormals() : saved_(readMode()) {
  writeMode(saved_ | kFlushBits);
}

ScopedFlushSubnormals::~ScopedFlushSubnormals() { writeMode(saved_); }

void kiln::rt::flushSubnormals() { writeMode(readMode() | kFlushBits); }
