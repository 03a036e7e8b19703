//===- Npy.cpp - NumPy .npy files -----------------------------------------===//

#include "kiln/runtime/Npy.h"

#include <cstring>
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

bool dtypeOf(const std::string &descr, DType &dtype) {
  static const std::pair<const char *, DType> known[] = {
      {"<f4", DType::F32}, {"<f8", DType::F64}, {"<i4", DType::I32},
      {"<i8", DType::I64}, {"|b1", DType::I1},  {"|u1", DType::I1}};
  for (auto [name, type] : known)
    if (descr == name) {
      dtype = type;
      return true;
    }
  return false;
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

bool readNpy(const std::string &path, Tensor &tensor, std::string &error) {
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
  if (!dtypeOf(descr, tensor.dtype)) {
    error = "'" + path + "' holds dtype '" + descr +
            "'; supported are float32, float64, int32, int64 and bool";
    return false;
  }
  if (fortran.find("True") != std::string::npos) {
    error = "'" + path + "' is in Fortran order; save it in C order";
    return false;
  }
  tensor.shape.clear();
  std::stringstream dims(shapeText);
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
  size_t bytes = static_cast<size_t>(tensor.numElements()) *
                 dtypeSize(tensor.dtype);
  tensor.bytes.resize(bytes);
  if (!in.read(reinterpret_cast<char *>(tensor.bytes.data()), bytes)) {
    error = "'" + path + "' is truncated: expected " + std::to_string(bytes) +
            " bytes of data for shape " + formatShape(tensor.shape);
    return false;
  }
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
