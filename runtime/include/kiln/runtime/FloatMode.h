//===- FloatMode.h - The floating-point mode compiled code runs in -*- C++ -*-===//
//
// Compiled entries run with subnormal numbers flushed to zero (x86's FTZ and
// DAZ). Training produces them in bulk: Adam's squared-gradient average and
// the gradients of saturated sigmoids decay below 1e-38, and every operation
// on a subnormal takes a microcode assist, about a hundred times the usual
// cost. Values that small carry no information for a model.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_FLOATMODE_H
#define KILN_RUNTIME_FLOATMODE_H

namespace kiln::rt {

/// Sets the flush-to-zero mode on this thread for its lifetime and restores
/// the caller's mode afterwards, so an application's own arithmetic is
/// unaffected.
class ScopedFlushSubnormals {
public:
  ScopedFlushSubnormals();
  ~ScopedFlushSubnormals();
  ScopedFlushSubnormals(const ScopedFlushSubnormals &) = delete;
  ScopedFlushSubnormals &operator=(const ScopedFlushSubnormals &) = delete;

private:
  unsigned saved_ = 0;
};

/// Sets the flush-to-zero mode on this thread for good (pool workers).
void flushSubnormals();

} // namespace kiln::rt

#endif // KILN_RUNTIME_FLOATMODE_H
