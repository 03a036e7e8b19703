//===- classify.cpp - Embedding the Kiln runtime in a C++ application -----===//
//
// Classifies Fashion-MNIST test images with a trained model through the
// C++ wrapper kiln/kiln.hpp: load a .kmod and the parameters `kiln-run
// train` saved, read images and labels from IDX files, run the `infer`
// entry on every core, and print the first few classifications and the
// accuracy. It links libkiln_runtime only: no LLVM, no MLIR, no Python.
//
//   kilnc models/lenet.kiln -o lenet.kmod
//   kiln-run train lenet.kmod --data fashion-mnist --checkpoint lenet.ckpt
//   zcat /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz > images
//   zcat /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz > labels
//   kiln-classify lenet.kmod lenet.ckpt images labels [count]
//
//===----------------------------------------------------------------------===//

#include "kiln/kiln.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {
const char *const kClassNames[10] = {"T-shirt/top", "Trouser", "Pullover",
                                     "Dress",       "Coat",    "Sandal",
                                     "Shirt",       "Sneaker", "Bag",
                                     "Ankle boot"};

/// The first `limit` items of an uncompressed IDX file of bytes, and the
/// size of one item.
std::vector<unsigned char> readIdx(const std::string &path, long limit,
                                   long &itemSize) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot open '" + path + "'");
  auto malformed = [&] {
    return std::runtime_error("'" + path +
                              "' is not an uncompressed IDX file of bytes");
  };
  unsigned char header[4];
  if (!in.read(reinterpret_cast<char *>(header), 4) || header[0] ||
      header[1] || header[2] != 0x08 || header[3] < 1 || header[3] > 3)
    throw malformed();
  long dims[3] = {0, 1, 1};
  for (int i = 0; i < header[3]; ++i) {
    unsigned char b[4];
    if (!in.read(reinterpret_cast<char *>(b), 4))
      throw malformed();
    dims[i] = long(b[0]) << 24 | long(b[1]) << 16 | long(b[2]) << 8 | b[3];
  }
  itemSize = dims[1] * dims[2];
  std::vector<unsigned char> data(std::min(dims[0], limit) * itemSize);
  if (!in.read(reinterpret_cast<char *>(data.data()), data.size()))
    throw malformed();
  return data;
}
} // namespace

int main(int argc, char **argv) {
  if (argc < 5 || argc > 6) {
    std::fprintf(stderr, "usage: kiln-classify model.kmod checkpoint "
                         "images.idx labels.idx [count]\n");
    return 2;
  }
  try {
    long limit = argc == 6 ? std::atol(argv[5]) : 10000, pixels = 0, one = 0;
    std::vector<unsigned char> pixelBytes = readIdx(argv[3], limit, pixels);
    std::vector<unsigned char> labels = readIdx(argv[4], limit, one);
    long count = static_cast<long>(labels.size());
    if (static_cast<long>(pixelBytes.size()) != count * pixels)
      throw std::runtime_error("the image and label files differ in length");

    kiln::Module module = kiln::Module::load(argv[1]);
    std::vector<kiln::Input> inputs = module.inputs("infer");
    if (inputs.size() != 1 || inputs[0].dtype != KILN_F32)
      throw std::runtime_error("infer must take one f32 input");
    kiln::Session session(module, /*seed=*/0);
    session.loadCheckpoint(argv[2]);

    // The images in the shape `infer` takes, batch first.
    std::vector<int64_t> shape = inputs[0].shape;
    shape[0] = count;
    kiln::Tensor images(KILN_F32, shape);
    if (images.byteSize() != pixelBytes.size() * sizeof(float))
      throw std::runtime_error("the model takes images of another size");
    for (size_t i = 0; i < pixelBytes.size(); ++i)
      images.data<float>()[i] = pixelBytes[i] / 255.0f;

    std::vector<kiln::Tensor> outputs =
        session.run("infer", {{inputs[0].name, &images}});
    // The first output is the class probabilities, [count, classes].
    const kiln::Tensor &probs = outputs.front();
    std::vector<int64_t> dims = probs.shape();
    if (probs.dtype() != KILN_F32 || dims.size() != 2 || dims[1] != 10)
      throw std::runtime_error("the first output is not [N, 10]");
    long correct = 0;
    for (long row = 0; row < count; ++row) {
      const float *p = probs.data<float>() + row * dims[1];
      int best = 0;
      for (int c = 1; c < 10; ++c)
        if (p[c] > p[best])
          best = c;
      correct += best == labels[row];
      if (row < 5 && labels[row] < 10)
        std::printf("image %ld: %s (p = %.4f), labelled %s\n", row,
                    kClassNames[best], p[best], kClassNames[labels[row]]);
    }
    std::printf("accuracy: %.2f%% of %ld images\n", 100.0 * correct / count,
                count);
  } catch (const std::exception &error) {
    std::fprintf(stderr, "kiln-classify: %s\n", error.what());
    return 1;
  }
  return 0;
}
