//===- Datasets.h - Data sets that kiln-run trains on -----------*- C++ -*-===//
//
// Labelled image sets in memory: pixels scaled to [0, 1], one int32 label
// per image. Readers report a missing or malformed file with its path.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUN_DATASETS_H
#define KILN_RUN_DATASETS_H

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::run {

struct LabelledImages {
  int64_t count = 0;
  int64_t pixelsPerImage = 0;
  std::vector<float> pixels; ///< count x pixelsPerImage, in [0, 1]
  std::vector<int32_t> labels;
  int32_t classes = 0;
};

/// Where Debian's dataset-fashion-mnist package puts the files.
inline constexpr const char *kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

/// Reads an IDX image file and its label file (gzip-compressed or not).
bool readIdx(const std::string &imagesPath, const std::string &labelsPath,
             LabelledImages &out, std::string &error);

/// Fashion-MNIST's training (60,000) or test (10,000) split from `dir`.
bool readFashionMnist(const std::string &dir, bool train, LabelledImages &out,
                      std::string &error);

} // namespace kiln::run

#endif // KILN_RUN_DATASETS_H
