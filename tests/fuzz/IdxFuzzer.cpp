//===- IdxFuzzer.cpp - The IDX (MNIST) reader on arbitrary bytes ----------===//
//
// The input's first four bytes (little endian) give the length of the
// images file that follows; the rest is the labels file. The pair is read
// as Fashion-MNIST's is, gzip-compressed or not.
//
//===----------------------------------------------------------------------===//

#include "FuzzInput.h"

#include "kiln/train/Datasets.h"

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 4)
    return 0;
  size_t imagesSize = std::min<size_t>(
      size - 4, data[0] | data[1] << 8 | data[2] << 16 | uint32_t(data[3]) << 24);
  kiln::fuzz::InputFile images(data + 4, imagesSize),
      labels(data + 4 + imagesSize, size - 4 - imagesSize);
  kiln::train::Samples samples;
  std::string error;
  kiln::train::readIdx(images.path(), labels.path(), samples, error);
  return 0;
}
