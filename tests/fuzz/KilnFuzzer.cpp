//===- KilnFuzzer.cpp - The .kiln front end on arbitrary text -------------===//
//
// Lexer, parser and emitter up to the verified kiln dialect, as kilnc runs
// them: any text gets diagnostics or a module that verifies, never a crash
// or an op that fails its own verifier after the emitter built it. Inputs
// are mutated by KilnMutator.cpp (mostly token- and line-level edits, one
// in five libFuzzer's byte-level ones).
//
//===----------------------------------------------------------------------===//

#include "FuzzFrontEnd.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  kiln::fuzz::FrontEndRun run(data, size);
  return 0;
}
