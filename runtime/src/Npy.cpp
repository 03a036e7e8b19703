//===- Npy.cpp - NumPy .npy files -----------------------------------------===//

#include "kiln/runtime/Npy.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <fstream>
#include <sstream>

namespace kiln::rt {

namespace {
const char kMagic[] = "\x93NUMPY";

const char *descrOf(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "<f4";
  case DType::F64:
    return "<f8";
  case DType::I32:
    return "<i4";
  case DType::I64:
    return "<i8";
  case DType::I1:
    return "|b1";
  }
  return "";
}

struct ElementInfo {
  char kind;     // NumPy's type character: b, u, i or f.
  int bytes;
  NpyElement element;
  DType widened; // What the runtime holds it as.
  const char *name;
};

const ElementInfo kElements[] = {
    {'b', 1, NpyElement::Bool, DType::I1, "bool"},
    {'u', 1, NpyElement::U8, DType::I32, "uint8"},
    {'i', 1, NpyElement::I8, DType::I32, "int8"},
    {'u', 2, NpyElement::U16, DType::I32, "uint16"},
    {'i', 2, NpyElement::I16, DType::I32, "int16"},
    {'i', 4, NpyElement::I32, DType::I32, "int32"},
    {'i', 8, NpyElement::I64, DType::I64, "int64"},
    {'f', 2, NpyElement::F16, DType::F32, "float16"},
    {'f', 4, NpyElement::F32, DType::F32, "float32"},
    {'f', 8, NpyElement::F64, DType::F64, "float64"},
};

/// The element of a descr such as '<f4' or '|u1', and whether its bytes
/// are big endian.
const ElementInfo *elementOf(const std::string &descr, bool &bigEndian) {
  if (descr.size() < 3)
    return nullptr;
  char order = descr[0];
  if (order != '<' && order != '>' && order != '|' && order != '=')
    return nullptr;
  int bytes = std::atoi(descr.c_str() + 2);
  for (const ElementInfo &info : kElements)
    if (info.kind == descr[1] && info.bytes == bytes &&
        std::to_string(bytes) == descr.substr(2)) {
      bigEndian = order == '>' && bytes > 1;
      return &info;
    }
  return nullptr;
}

float halfToFloat(uint16_t half) {
  uint32_t sign = uint32_t(half >> 15) << 31;
  int exponent = (half >> 10) & 0x1f;
  uint32_t mantissa = half & 0x3ff;
  uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {
    bits = sign | uint32_t(exponent + 112) << 23 | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else {
    // A subnormal half is a normal float.
    int shift = 0;
    while (!(mantissa & 0x400)) {
      mantissa <<= 1;
      ++shift;
    }
    bits = sign | uint32_t(113 - shift) << 23 | ((mantissa & 0x3ff) << 13);
  }
  float value;
  std::memcpy(&value, &bits, 4);
  return value;
}

/// The stored elements widened exactly to the runtime's type.
void widen(const ElementInfo &info, bool bigEndian,
           std::vector<uint8_t> &stored, Tensor &tensor) {
  int64_t count = tensor.numElements();
  if (bigEndian)
    for (int64_t i = 0; i < count; ++i)
      std::reverse(stored.begin() + i * info.bytes,
                   stored.begin() + (i + 1) * info.bytes);
  if (dtypeSize(info.widened) == size_t(info.bytes)) {
    tensor.bytes = std::move(stored);
    if (info.element == NpyElement::Bool)
      for (uint8_t &b : tensor.bytes)
        b = b != 0;
    return;
  }
  tensor.bytes.assign(size_t(count) * dtypeSize(info.widened), 0);
  const uint8_t *from = stored.data();
  for (int64_t i = 0; i < count; ++i, from += info.bytes) {
    switch (info.element) {
    case NpyElement::U8:
      tensor.data<int32_t>()[i] = from[0];
      break;
    case NpyElement::I8:
      tensor.data<int32_t>()[i] = static_cast<int8_t>(from[0]);
      break;
    case NpyElement::U16:
    case NpyElement::I16: {
      uint16_t v;
      std::memcpy(&v, from, 2);
      tensor.data<int32_t>()[i] = info.element == NpyElement::U16
                                      ? int32_t(v)
                                      : int32_t(static_cast<int16_t>(v));
      break;
    }
    case NpyElement::F16: {
      uint16_t v;
      std::memcpy(&v, from, 2);
      tensor.data<float>()[i] = halfToFloat(v);
      break;
    }
    default:
      break;
    }
  }
}

/// The value of `key` in the header dict: a quoted string, True/False, or a
/// parenthesized tuple, returned as written.
bool findValue(const std::string &header, const std::string &key,
               std::string &value) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos)
    return false;
  size_t colon = header.find(':', at);
  if (colon == std::string::npos)
    return false;
  size_t start = header.find_first_not_of(" ", colon + 1);
  if (start == std::string::npos)
    return false;
  char open = header[start];
  size_t end;
  if (open == '\'') {
    end = header.find('\'', start + 1);
    if (end == std::string::npos)
      return false;
    value = header.substr(start + 1, end - start - 1);
  } else if (open == '(') {
    end = header.find(')', start);
    if (end == std::string::npos)
      return false;
    value = header.substr(start + 1, end - start - 1);
  } else {
    end = header.find_first_of(",}", start);
    value = header.substr(start, end - start);
  }
  return true;
}
} // namespace

const char *npyElementName(NpyElement element) {
  for (const ElementInfo &info : kElements)
    if (info.element == element)
      return info.name;
  return "";
}

bool readNpy(const std::string &path, Tensor &tensor, std::string &error,
             NpyElement *stored) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open '" + path + "'";
    return false;
  }
  char magic[6];
  unsigned char version[2];
  if (!in.read(magic, 6) || std::memcmp(magic, kMagic, 6) != 0 ||
      !in.read(reinterpret_cast<char *>(version), 2)) {
    error = "'" + path + "' is not a .npy file (bad magic)";
    return false;
  }
  uint32_t headerLength = 0;
  if (version[0] == 1) {
    unsigned char length[2];
    if (!in.read(reinterpret_cast<char *>(length), 2)) {
      error = "'" + path + "' is truncated in its header";
      return false;
    }
    headerLength = length[0] | (length[1] << 8);
  } else if (version[0] == 2 || version[0] == 3) {
    unsigned char length[4];
    if (!in.read(reinterpret_cast<char *>(length), 4)) {
      error = "'" + path + "' is truncated in its header";
      return false;
    }
    headerLength = length[0] | (length[1] << 8) | (length[2] << 16) |
                   (uint32_t(length[3]) << 24);
  } else {
    error = "'" + path + "' has unsupported .npy version " +
            std::to_string(version[0]);
    return false;
  }
  if (headerLength > (1u << 20)) {
    error = "'" + path + "' has an implausibly long header";
    return false;
  }
  std::string header(headerLength, '\0');
  if (!in.read(header.data(), headerLength)) {
    error = "'" + path + "' is truncated in its header";
    return false;
  }
  std::string descr, fortran, shapeText;
  if (!findValue(header, "descr", descr) ||
      !findValue(header, "fortran_order", fortran) ||
      !findValue(header, "shape", shapeText)) {
    error = "'" + path + "' has a malformed header";
    return false;
  }
  bool bigEndian = false;
  const ElementInfo *info = elementOf(descr, bigEndian);
  if (!info) {
    error = "'" + path + "' holds dtype '" + descr +
            "'; supported are float16, float32, float64, int8, uint8, "
            "int16, uint16, int32, int64 and bool";
    return false;
  }
  tensor.dtype = info->widened;
  if (stored)
    *stored = info->element;
  if (fortran.find("True") != std::string::npos) {
    error = "'" + path + "' is in Fortran order; save it in C order";
    return false;
  }
  tensor.shape.clear();
  std::stringstream dims(shapeText);
  dims.exceptions(std::ios::badbit); // an allocation failure gets through
  std::string item;
  while (std::getline(dims, item, ',')) {
    size_t first = item.find_first_not_of(" ");
    if (first == std::string::npos)
      continue;
    char *end = nullptr;
    long long value = std::strtoll(item.c_str() + first, &end, 10);
    if (end == item.c_str() + first || value < 0) {
      error = "'" + path + "' has a malformed shape (" + shapeText + ")";
      return false;
    }
    tensor.shape.push_back(value);
  }
  // The data is the rest of the file: a shape that promises more (or whose
  // size overflows) is refused before anything is allocated for it.
  std::streampos dataStart = in.tellg();
  in.seekg(0, std::ios::end);
  uint64_t available =
      dataStart < 0 ? 0 : static_cast<uint64_t>(in.tellg() - dataStart);
  in.seekg(dataStart);
  // Every dimension counts, a zero one too: no product of them may pass
  // 2^40 values (the runtime's limit for any tensor).
  const uint64_t kMaxValues = uint64_t(1) << 40;
  uint64_t values = 1;
  bool empty = false;
  for (int64_t dim : tensor.shape) {
    empty = empty || dim == 0;
    if (dim > 0)
      values = values <= kMaxValues / static_cast<uint64_t>(dim)
                   ? values * static_cast<uint64_t>(dim)
                   : kMaxValues + 1;
  }
  if (values > kMaxValues) {
    error = "'" + path + "' has a shape too large to hold (" + shapeText + ")";
    return false;
  }
  uint64_t bytes = empty ? 0 : values * info->bytes;
  if (bytes > available) {
    error = "'" + path + "' is truncated: its shape " +
            formatShape(tensor.shape) + " needs more than the " +
            std::to_string(available) + " bytes of data it holds";
    return false;
  }
  std::vector<uint8_t> data(bytes);
  if (!in.read(reinterpret_cast<char *>(data.data()), bytes)) {
    error = "'" + path + "' is truncated: expected " + std::to_string(bytes) +
            " bytes of data for shape " + formatShape(tensor.shape);
    return false;
  }
  widen(*info, bigEndian, data, tensor);
  return true;
}

bool convertForInput(Tensor &tensor, NpyElement stored, DType want,
                     const std::string &what, std::string &error) {
  if (tensor.dtype == want)
    return true;
  int64_t count = tensor.numElements();
  bool storedFloat = stored == NpyElement::F16 || stored == NpyElement::F32 ||
                     stored == NpyElement::F64;
  auto integerAt = [&](int64_t i) -> int64_t {
    switch (tensor.dtype) {
    case DType::I32:
      return tensor.data<int32_t>()[i];
    case DType::I64:
      return tensor.data<int64_t>()[i];
    case DType::I1:
      return tensor.data<uint8_t>()[i];
    default:
      return 0;
    }
  };
  auto refuse = [&](const std::string &advice) {
    error = what + " holds " + npyElementName(stored) + " values but is " +
            dtypeName(want) + ": " + advice;
    return false;
  };
  if (want == DType::F32 || want == DType::F64) {
    // uint8 is how images are stored: pixels scaled to [0, 1], as the data
    // sets are. Other integers have no such convention.
    if (!storedFloat && stored != NpyElement::U8)
      return refuse(std::string("convert them to float32 (and scale them) "
                                "first, e.g. x.astype(np.float32); uint8 "
                                "pixels are scaled to [0, 1]"));
    Tensor converted(want, tensor.shape);
    for (int64_t i = 0; i < count; ++i) {
      double value = stored == NpyElement::U8 ? integerAt(i) / 255.0
                     : tensor.dtype == DType::F32 ? tensor.data<float>()[i]
                                                  : tensor.data<double>()[i];
      if (want == DType::F32)
        converted.data<float>()[i] = static_cast<float>(value);
      else
        converted.data<double>()[i] = value;
    }
    tensor = std::move(converted);
    return true;
  }
  if (storedFloat)
    return refuse(std::string("class labels, token ids and masks are "
                              "integers; convert them with x.astype(np.") +
                  (want == DType::I64 ? "int64" : want == DType::I1
                                                      ? "bool_"
                                                      : "int32") +
                  ")");
  Tensor converted(want, tensor.shape);
  for (int64_t i = 0; i < count; ++i) {
    int64_t value = integerAt(i);
    if (want == DType::I64) {
      converted.data<int64_t>()[i] = value;
    } else if (want == DType::I32) {
      if (value < std::numeric_limits<int32_t>::min() ||
          value > std::numeric_limits<int32_t>::max()) {
        error = what + ": element " + std::to_string(i) + " is " +
                std::to_string(value) + ", outside the range of i32";
        return false;
      }
      converted.data<int32_t>()[i] = static_cast<int32_t>(value);
    } else {
      if (value != 0 && value != 1) {
        error = what + ": element " + std::to_string(i) + " is " +
                std::to_string(value) + "; an i1 input takes 0 and 1";
        return false;
      }
      converted.data<uint8_t>()[i] = static_cast<uint8_t>(value);
    }
  }
  tensor = std::move(converted);
  return true;
}

bool writeNpy(const std::string &path, const Tensor &tensor,
              std::string &error) {
  std::string shape = "(";
  for (int64_t dim : tensor.shape)
    shape += std::to_string(dim) + ", ";
  if (tensor.shape.size() > 1)
    shape.resize(shape.size() - 2);
  else if (tensor.shape.size() == 1)
    shape.resize(shape.size() - 1);
  shape += ")";
  std::string header = "{'descr': '" + std::string(descrOf(tensor.dtype)) +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad so the data starts on a 64-byte boundary, as NumPy does.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out) {
    error = "cannot write '" + path + "'";
    return false;
  }
  out.write(kMagic, 6);
  const char version[2] = {1, 0};
  out.write(version, 2);
  const char length[2] = {static_cast<char>(header.size() & 0xff),
                          static_cast<char>(header.size() >> 8)};
  out.write(length, 2);
  out << header;
  out.write(reinterpret_cast<const char *>(tensor.bytes.data()),
            tensor.bytes.size());
  if (!out) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

} // namespace kiln::rt
