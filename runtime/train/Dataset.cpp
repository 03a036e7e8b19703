//===- Dataset.cpp - Random access to samples -----------------------------===//

#include "kiln/train/Dataset.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace kiln::train;

int32_t kiln::train::classesOfTargets(const float *values, int64_t count) {
  int32_t classes = 0;
  for (int64_t i = 0; i < count; ++i) {
    float value = values[i];
    // Larger whole numbers are a numeric target (a count, a price), not a
    // class.
    if (!(value >= 0) || value != std::floor(value) || value > 1e6)
      return 0;
    classes = std::max(classes, static_cast<int32_t>(value) + 1);
  }
  return classes;
}

ArrayDataset ArrayDataset::withDerivedClasses(const float *features,
                                              const float *targets,
                                              int64_t count,
                                              SampleLayout layout) {
  layout.classes =
      targets ? classesOfTargets(targets, count * layout.targetWidth) : 0;
  return ArrayDataset(features, targets, count, layout);
}

void ArrayDataset::read(int64_t row, float *features, float *targets) const {
  if (features)
    std::memcpy(features, features_ + row * layout_.width,
                layout_.width * sizeof(float));
  if (targets)
    std::memcpy(targets, targets_ + row * layout_.targetWidth,
                layout_.targetWidth * sizeof(float));
}
