//===- Datasets.cpp - Samples and the readers of data files ---------------===//
//
// IDX (LeCun's format): a big-endian magic 0x000008DD (unsigned bytes, D
// dimensions), D big-endian sizes, then the bytes. Files are read through
// zlib, which reads gzip and plain files alike.
//
//===----------------------------------------------------------------------===//

#include "kiln/train/Datasets.h"

#include "kiln/runtime/Npy.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

using namespace kiln::train;

namespace {
struct GzCloser {
  void operator()(gzFile_s *file) const { gzclose(file); }
};

bool readAll(const std::string &path, std::vector<uint8_t> &bytes,
             std::string &error) {
  std::unique_ptr<gzFile_s, GzCloser> file(gzopen(path.c_str(), "rb"));
  if (!file) {
    error = "cannot open '" + path + "'";
    return false;
  }
  bytes.clear();
  uint8_t chunk[1 << 16];
  int read;
  while ((read = gzread(file.get(), chunk, sizeof chunk)) > 0)
    bytes.insert(bytes.end(), chunk, chunk + read);
  if (read < 0) {
    error = "'" + path + "' is corrupt (not a readable gzip or IDX file)";
    return false;
  }
  return true;
}

uint32_t bigEndian(const uint8_t *p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 |
         uint32_t(p[3]);
}

/// The dimensions and data of an IDX file of unsigned bytes.
bool parseIdx(const std::string &path, const std::vector<uint8_t> &bytes,
              std::vector<int64_t> &dims, const uint8_t *&data,
              std::string &error) {
  auto malformed = [&](const std::string &why) {
    error = "'" + path + "' is not an IDX file of bytes: " + why;
    return false;
  };
  if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0)
    return malformed("bad magic number");
  if (bytes[2] != 0x08)
    return malformed("element type is not unsigned byte");
  size_t rank = bytes[3];
  if (rank == 0 || bytes.size() < 4 + 4 * rank)
    return malformed("truncated header");
  dims.clear();
  size_t header = 4 + 4 * rank;
  // The data is in memory, so a product beyond its size (or one that would
  // overflow) is a lie of the header.
  uint64_t total = 1, available = bytes.size() - header;
  for (size_t i = 0; i < rank; ++i) {
    dims.push_back(bigEndian(&bytes[4 + 4 * i]));
    total = dims.back() == 0 || total <= available / dims.back()
                ? total * dims.back()
                : available + 1;
  }
  if (available != total)
    return malformed("holds " + std::to_string(available) +
                     " bytes of data, its header promises " +
                     (total > available ? "more" : std::to_string(total)));
  data = bytes.data() + header;
  return true;
}
} // namespace

void Samples::deriveLabels() {
  labels.clear();
  classes = classesOfTargets(targets.data(), static_cast<int64_t>(targets.size()));
  if (classes > 0)
    labels.assign(targets.begin(), targets.end());
}

SampleLayout Samples::layout() const {
  return {width, targetWidth, integerFeatures, labels.empty() ? 0 : classes};
}

void Samples::read(int64_t row, float *rowFeatures, float *rowTargets) const {
  if (rowFeatures)
    std::memcpy(rowFeatures, features.data() + row * width,
                width * sizeof(float));
  if (rowTargets)
    std::memcpy(rowTargets, targets.data() + row * targetWidth,
                targetWidth * sizeof(float));
}

void Samples::append(const Samples &other) {
  count += other.count;
  features.insert(features.end(), other.features.begin(),
                  other.features.end());
  targets.insert(targets.end(), other.targets.begin(), other.targets.end());
  labels.insert(labels.end(), other.labels.begin(), other.labels.end());
  rows.insert(rows.end(), other.rows.begin(), other.rows.end());
  classes = std::max(classes, other.classes);
}

Samples Samples::select(const std::vector<int64_t> &indices) const {
  Samples out;
  out.count = static_cast<int64_t>(indices.size());
  out.width = width;
  out.classes = classes;
  out.integerFeatures = integerFeatures;
  out.features.reserve(out.count * width);
  out.targetWidth = targetWidth;
  for (int64_t i : indices) {
    out.features.insert(out.features.end(), features.begin() + i * width,
                        features.begin() + (i + 1) * width);
    out.targets.insert(out.targets.end(), targets.begin() + i * targetWidth,
                       targets.begin() + (i + 1) * targetWidth);
    if (!labels.empty())
      out.labels.insert(out.labels.end(), labels.begin() + i * targetWidth,
                        labels.begin() + (i + 1) * targetWidth);
    if (!rows.empty())
      out.rows.push_back(rows[i]);
  }
  return out;
}

bool kiln::train::readIdx(const std::string &imagesPath,
                        const std::string &labelsPath, Samples &out,
                        std::string &error) {
  std::vector<uint8_t> imageBytes, labelBytes;
  std::vector<int64_t> imageDims, labelDims;
  const uint8_t *images, *labels;
  if (!readAll(imagesPath, imageBytes, error) ||
      !parseIdx(imagesPath, imageBytes, imageDims, images, error) ||
      !readAll(labelsPath, labelBytes, error) ||
      !parseIdx(labelsPath, labelBytes, labelDims, labels, error))
    return false;
  if (imageDims.size() < 2 || labelDims.size() != 1 ||
      imageDims[0] != labelDims[0] || imageDims[0] == 0) {
    error = "'" + imagesPath + "' and '" + labelsPath +
            "' do not hold one label per image (and at least one image)";
    return false;
  }
  out.count = imageDims[0];
  out.width = 1;
  for (size_t i = 1; i < imageDims.size(); ++i)
    out.width *= imageDims[i];
  out.features.resize(out.count * out.width);
  for (size_t i = 0; i < out.features.size(); ++i)
    out.features[i] = images[i] / 255.0f;
  out.targets.assign(labels, labels + out.count);
  out.deriveLabels();
  return true;
}

bool kiln::train::readFashionMnist(const std::string &dir, bool train,
                                 Samples &out, std::string &error) {
  std::string prefix = dir + (train ? "/train" : "/t10k");
  if (!readIdx(prefix + "-images-idx3-ubyte.gz",
               prefix + "-labels-idx1-ubyte.gz", out, error)) {
    return false;
  }
  return true;
}

bool kiln::train::readNpyPair(const std::string &featuresPath,
                            const std::string &targetsPath, Samples &out,
                            std::string &error) {
  using kiln::rt::DType;
  kiln::rt::Tensor features, targets;
  kiln::rt::NpyElement storedFeatures, storedTargets;
  if (!kiln::rt::readNpy(featuresPath, features, error, &storedFeatures) ||
      !kiln::rt::readNpy(targetsPath, targets, error, &storedTargets))
    return false;
  // uint8 features are pixels, scaled to [0, 1] as the image data sets
  // are; uint8 targets are labels and stay as they are.
  if (storedFeatures == kiln::rt::NpyElement::U8 &&
      !kiln::rt::convertForInput(features, storedFeatures, DType::F32,
                                 "'" + featuresPath + "'", error))
    return false;
  out = Samples();
  if (features.shape.empty() || targets.shape.empty() ||
      features.shape[0] != targets.shape[0] ||
      targets.numElements() != targets.shape[0]) {
    error = "'" + featuresPath + "' and '" + targetsPath +
            "' must hold N samples and N targets";
    return false;
  }
  out.count = features.shape[0];
  out.width = out.count ? features.numElements() / out.count : 0;
  auto read = [](const kiln::rt::Tensor &t, int64_t i) -> float {
    switch (t.dtype) {
    case DType::F32:
      return t.data<float>()[i];
    case DType::F64:
      return static_cast<float>(t.data<double>()[i]);
    case DType::I32:
      return static_cast<float>(t.data<int32_t>()[i]);
    case DType::I64:
      return static_cast<float>(t.data<int64_t>()[i]);
    case DType::I1:
      return static_cast<float>(t.data<uint8_t>()[i]);
    }
    return 0.0f;
  };
  for (int64_t i = 0; i < features.numElements(); ++i)
    out.features.push_back(read(features, i));
  for (int64_t i = 0; i < out.count; ++i)
    out.targets.push_back(read(targets, i));
  out.deriveLabels();
  return true;
}

int32_t kiln::train::tokenOf(char c) {
  if (c >= 'a' && c <= 'z')
    return 2 + (c - 'a');
  if (c >= 'A' && c <= 'Z')
    return 28 + (c - 'A');
  if (c == '\'')
    return 54;
  return -1;
}

char kiln::train::characterOf(int32_t token) {
  if (token >= 2 && token < 28)
    return static_cast<char>('a' + token - 2);
  if (token >= 28 && token < 54)
    return static_cast<char>('A' + token - 28);
  return token == 54 ? '\'' : '?';
}

bool kiln::train::readWords(const std::string &path, int64_t steps, Samples &out,
                          std::string &error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot open '" + path + "'";
    return false;
  }
  out = Samples();
  out.width = out.targetWidth = steps;
  out.integerFeatures = true;
  std::string word;
  // Streams catch an allocation failure and set badbit; let it through
  // rather than read a short list.
  in.exceptions(std::ios::badbit);
  try {
    while (std::getline(in, word)) {
      if (word.empty() || static_cast<int64_t>(word.size()) > steps - 1)
        continue;
      std::vector<int32_t> tokens = {kStartToken};
      for (char c : word)
        tokens.push_back(tokenOf(c));
      if (std::find(tokens.begin(), tokens.end(), -1) != tokens.end())
        continue;
      tokens.resize(steps + 1, kEndToken);
      out.features.insert(out.features.end(), tokens.begin(), tokens.end() - 1);
      out.targets.insert(out.targets.end(), tokens.begin() + 1, tokens.end());
      ++out.count;
    }
  } catch (const std::ios_base::failure &) {
    error = "cannot read '" + path + "'"; // a directory, an I/O error
    return false;
  }
  if (out.count == 0) {
    error = "'" + path + "' holds no words";
    return false;
  }
  out.deriveLabels();
  return true;
}

namespace {
/// The whitespace-separated numbers of a (possibly gzipped) text file.
bool readNumbers(const std::string &path, std::vector<float> &numbers,
                 int64_t &columns, std::string &error) {
  std::vector<uint8_t> bytes;
  if (!readAll(path, bytes, error))
    return false;
  std::istringstream text(std::string(bytes.begin(), bytes.end()));
  std::string line;
  columns = -1;
  text.exceptions(std::ios::badbit);
  for (int64_t lineNumber = 1; std::getline(text, line); ++lineNumber) {
    std::istringstream fields(line);
    fields.exceptions(std::ios::badbit);
    std::string field;
    int64_t count = 0;
    while (fields >> field) {
      char *end = nullptr;
      float value = std::strtof(field.c_str(), &end);
      if (*end) {
        error = path + ":" + std::to_string(lineNumber) + ": '" + field +
                "' is not a number";
        return false;
      }
      numbers.push_back(value);
      ++count;
    }
    if (count == 0)
      continue;
    if (columns >= 0 && count != columns) {
      error = path + ":" + std::to_string(lineNumber) + ": " +
              std::to_string(count) + " numbers, earlier lines have " +
              std::to_string(columns);
      return false;
    }
    columns = count;
  }
  return true;
}
} // namespace

bool kiln::train::readDiabetes(const std::string &dir, Samples &out,
                             std::string &error) {
  out = Samples();
  int64_t columns = 0, targetColumns = 0;
  if (!readNumbers(dir + "/diabetes_data_raw.csv.gz", out.features, columns,
                   error) ||
      !readNumbers(dir + "/diabetes_target.csv.gz", out.targets,
                   targetColumns, error)) {
    return false;
  }
  out.width = columns;
  out.count = columns > 0 ? static_cast<int64_t>(out.features.size()) / columns
                          : 0;
  if (targetColumns != 1 ||
      static_cast<int64_t>(out.targets.size()) != out.count) {
    error = "the diabetes data and targets do not match";
    return false;
  }
  return true;
}

