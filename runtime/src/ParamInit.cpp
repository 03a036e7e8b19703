//===- ParamInit.cpp - Parameter initializers -----------------------------===//
//
// The initializers of kiln.param, with PyTorch's fan conventions:
// for a shape [out, in, k...], fan_in = in * prod(k) and
// fan_out = out * prod(k) — unless the module records the fans of what the
// tensor is (a recurrent weight: per direction and gate matrix).
//
//===----------------------------------------------------------------------===//

#include "Philox.h"

#include "kiln/kmod_generated.h"
#include "kiln/runtime/Session.h"

#include <cmath>
#include <cstring>

namespace kiln::rt {

namespace {
void fans(const std::vector<int64_t> &shape, double &fanIn, double &fanOut) {
  double receptive = 1;
  for (size_t i = 2; i < shape.size(); ++i)
    receptive *= double(shape[i]);
  fanIn = shape.size() > 1 ? double(shape[1]) * receptive : 1;
  fanOut = shape.empty() ? 1 : double(shape[0]) * receptive;
}

template <typename T> void store(Tensor &tensor, int64_t i, double value) {
  tensor.data<T>()[i] = static_cast<T>(value);
}

void storeAny(Tensor &tensor, int64_t i, double value) {
  switch (tensor.dtype) {
  case DType::F32:
    return store<float>(tensor, i, value);
  case DType::F64:
    return store<double>(tensor, i, value);
  case DType::I32:
    return store<int32_t>(tensor, i, value);
  case DType::I64:
    return store<int64_t>(tensor, i, value);
  case DType::I1:
    return store<uint8_t>(tensor, i, value != 0);
  }
}
} // namespace

void initializeParam(const ParamSpec &spec, uint64_t seed, uint32_t index,
                     Tensor &tensor) {
  using kmod::InitKind;
  tensor = Tensor(spec.type.dtype, spec.type.shape);
  auto kind = static_cast<InitKind>(spec.init);
  if (kind == InitKind::Data) {
    // Its size was checked when the module loaded.
    std::memcpy(tensor.bytes.data(), spec.data.data(), tensor.bytes.size());
    return;
  }
  double fanIn, fanOut;
  fans(spec.type.shape, fanIn, fanOut);
  if (spec.fanIn > 0 && spec.fanOut > 0) {
    fanIn = spec.fanIn;
    fanOut = spec.fanOut;
  }
  // Uniform draws are low + width * u; normal draws are mean + scale * n.
  bool normal = false;
  double low = 0, width = 0, mean = 0, scale = 0, constant = 0;
  switch (kind) {
  case InitKind::Zeros:
    constant = 0;
    break;
  case InitKind::Ones:
    constant = 1;
    break;
  case InitKind::Constant:
    constant = spec.value;
    break;
  case InitKind::Normal:
    normal = true;
    mean = spec.mean;
    scale = spec.std;
    break;
  case InitKind::Uniform:
    low = spec.low;
    width = spec.high - spec.low;
    break;
  case InitKind::GlorotUniform: {
    double gain = spec.gain > 0 ? spec.gain : 1.0;
    double bound = gain * std::sqrt(6.0 / (fanIn + fanOut));
    low = -bound;
    width = 2 * bound;
    break;
  }
  case InitKind::GlorotNormal:
    normal = true;
    scale = (spec.gain > 0 ? spec.gain : 1.0) * std::sqrt(2.0 / (fanIn + fanOut));
    break;
  case InitKind::HeUniform: {
    double gain = spec.gain > 0 ? spec.gain : std::sqrt(2.0);
    double bound = gain * std::sqrt(3.0 / fanIn);
    low = -bound;
    width = 2 * bound;
    break;
  }
  case InitKind::HeNormal:
    normal = true;
    scale = (spec.gain > 0 ? spec.gain : std::sqrt(2.0)) / std::sqrt(fanIn);
    break;
  case InitKind::Data:
    break;
  }
  bool random = kind != InitKind::Zeros && kind != InitKind::Ones &&
                kind != InitKind::Constant;
  std::array<uint32_t, 2> key = {uint32_t(seed), uint32_t(seed >> 32)};
  for (int64_t i = 0, n = tensor.numElements(); i < n; ++i) {
    if (!random) {
      storeAny(tensor, i, constant);
      continue;
    }
    // "kiln" in the last counter word separates these draws from the
    // model's own random ops.
    auto bits = philox4x32({uint32_t(i), uint32_t(uint64_t(i) >> 32), index,
                            0x6b696c6eu},
                           key);
    storeAny(tensor, i,
             normal ? mean + scale * toNormal(bits[0], bits[1])
                    : low + width * toUnit(bits[0]));
  }
}

} // namespace kiln::rt
