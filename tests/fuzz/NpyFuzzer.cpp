//===- NpyFuzzer.cpp - The .npy reader on arbitrary bytes -----------------===//

#include "FuzzInput.h"

#include "kiln/runtime/Npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  kiln::fuzz::InputFile file(data, size);
  kiln::rt::Tensor tensor;
  kiln::rt::NpyElement stored;
  std::string error;
  if (kiln::rt::readNpy(file.path(), tensor, error, &stored))
    // What kiln-run does next with an input it read.
    kiln::rt::convertForInput(tensor, stored, kiln::rt::DType::F32, "input",
                              error);
  return 0;
}
