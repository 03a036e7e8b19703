//===- OutputFormat.cpp - An entry's outputs as text ----------------------===//

#include "kiln/tooling/OutputFormat.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

using namespace kiln::rt;

namespace {

/// Element `i` as a double, whatever the dtype.
double valueAt(const Tensor &tensor, int64_t i) {
  switch (tensor.dtype) {
  case DType::F32:
    return tensor.data<float>()[i];
  case DType::F64:
    return tensor.data<double>()[i];
  case DType::I32:
    return tensor.data<int32_t>()[i];
  case DType::I64:
    return static_cast<double>(tensor.data<int64_t>()[i]);
  case DType::I1:
    return tensor.data<uint8_t>()[i];
  }
  return 0;
}

bool isFloat(DType dtype) { return dtype == DType::F32 || dtype == DType::F64; }

/// Every row of [N, C] is a distribution over C >= 2 classes (softmax).
bool rowsAreDistributions(const Tensor &tensor) {
  if (!isFloat(tensor.dtype) || tensor.shape.size() != 2 ||
      tensor.shape[1] < 2 || tensor.shape[0] == 0)
    return false;
  for (int64_t row = 0; row < tensor.shape[0]; ++row) {
    double sum = 0;
    for (int64_t c = 0; c < tensor.shape[1]; ++c) {
      double p = valueAt(tensor, row * tensor.shape[1] + c);
      if (!(p >= 0 && p <= 1))
        return false;
      sum += p;
    }
    if (std::fabs(sum - 1) > 1e-3)
      return false;
  }
  return true;
}

std::string number(double value, bool integral) {
  char text[32];
  std::snprintf(text, sizeof text, integral ? "%.0f" : "%.6g", value);
  return text;
}

} // namespace

std::string kiln::tooling::formatOutput(const std::string &name,
                                    const Tensor &tensor,
                                    const std::vector<std::string> &classNames,
                                    int64_t topK, int64_t maxRows) {
  std::string text = name + " : " + dtypeName(tensor.dtype) +
                     formatShape(tensor.shape) + "\n";
  int64_t rows = tensor.shape.empty() ? 1 : tensor.shape[0];
  int64_t width = rows ? tensor.numElements() / rows : 0;
  bool integral = !isFloat(tensor.dtype);
  bool distributions = rowsAreDistributions(tensor);
  for (int64_t row = 0; row < std::min(rows, maxRows); ++row) {
    text += "  " + std::to_string(row) + ":";
    if (distributions) {
      std::vector<int64_t> order(width);
      std::iota(order.begin(), order.end(), 0);
      int64_t shown = std::min(topK, width);
      std::partial_sort(order.begin(), order.begin() + shown, order.end(),
                        [&](int64_t a, int64_t b) {
                          return valueAt(tensor, row * width + a) >
                                 valueAt(tensor, row * width + b);
                        });
      for (int64_t k = 0; k < shown; ++k) {
        int64_t c = order[k];
        char probability[32];
        std::snprintf(probability, sizeof probability, " %.3f",
                      valueAt(tensor, row * width + c));
        text += (k ? ", " : " ") +
                (c < int64_t(classNames.size()) ? classNames[c]
                                                : std::to_string(c)) +
                probability;
      }
    } else {
      // Wide rows show their first values; --output writes them all.
      const int64_t kShownValues = 8;
      for (int64_t c = 0; c < std::min(width, kShownValues); ++c)
        text += " " + number(valueAt(tensor, row * width + c), integral);
      if (width > kShownValues)
        text += " ... (" + std::to_string(width) + " values)";
    }
    text += "\n";
  }
  if (rows > maxRows)
    text += "  ... " + std::to_string(rows - maxRows) +
            " more (--output " + name + "=FILE.npy writes them all)\n";
  return text;
}
