//===- Datasets.cpp - Data sets that kiln-run trains on -------------------===//
//
// IDX (LeCun's format): a big-endian magic 0x000008DD (unsigned bytes, D
// dimensions), D big-endian sizes, then the bytes. Files are read through
// zlib, which reads gzip and plain files alike.
//
//===----------------------------------------------------------------------===//

#include "Datasets.h"

#include <zlib.h>

#include <memory>

using namespace kiln::run;

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
  int64_t total = 1;
  for (size_t i = 0; i < rank; ++i) {
    dims.push_back(bigEndian(&bytes[4 + 4 * i]));
    total *= dims.back();
  }
  size_t header = 4 + 4 * rank;
  if (bytes.size() - header != static_cast<size_t>(total))
    return malformed("holds " + std::to_string(bytes.size() - header) +
                     " bytes of data, its header promises " +
                     std::to_string(total));
  data = bytes.data() + header;
  return true;
}
} // namespace

bool kiln::run::readIdx(const std::string &imagesPath,
                        const std::string &labelsPath, LabelledImages &out,
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
      imageDims[0] != labelDims[0]) {
    error = "'" + imagesPath + "' and '" + labelsPath +
            "' do not hold one label per image";
    return false;
  }
  out.count = imageDims[0];
  out.pixelsPerImage = 1;
  for (size_t i = 1; i < imageDims.size(); ++i)
    out.pixelsPerImage *= imageDims[i];
  out.pixels.resize(out.count * out.pixelsPerImage);
  for (size_t i = 0; i < out.pixels.size(); ++i)
    out.pixels[i] = images[i] / 255.0f;
  out.labels.assign(labels, labels + out.count);
  out.classes = 0;
  for (int32_t label : out.labels)
    out.classes = std::max(out.classes, label + 1);
  return true;
}

bool kiln::run::readFashionMnist(const std::string &dir, bool train,
                                 LabelledImages &out, std::string &error) {
  std::string prefix = dir + (train ? "/train" : "/t10k");
  if (!readIdx(prefix + "-images-idx3-ubyte.gz",
               prefix + "-labels-idx1-ubyte.gz", out, error)) {
    if (dir == kFashionMnistDir)
      error += " (Fashion-MNIST comes from Debian's dataset-fashion-mnist "
               "package: make deps installs it)";
    return false;
  }
  return true;
}
