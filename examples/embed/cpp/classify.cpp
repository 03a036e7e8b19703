//===- classify.cpp - Embedding the Kiln runtime in a C++ application -----===//
//
// The smallest useful application of a compiled model, through the C++
// wrapper kiln/kiln.hpp: load a .kmod, fill a batch of images of the shape
// its `infer` entry takes, run it on every core, and read the class
// probabilities back. It links libkiln_runtime only: no LLVM, no MLIR, no
// Python.
//
//   kilnc models/mlp.kiln -o mlp.kmod
//   kiln-classify mlp.kmod [checkpoint]
//
// The batch is two images of constant gray; the parameters are drawn with
// seed 0 unless a checkpoint is given.
//
//===----------------------------------------------------------------------===//

#include "kiln/kiln.hpp"

#include <cstdio>
#include <vector>

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: kiln-classify model.kmod [checkpoint]\n");
    return 2;
  }
  try {
    kiln::Module module = kiln::Module::load(argv[1]);
    std::vector<kiln::Input> inputs = module.inputs("infer");
    if (inputs.size() != 1 || inputs[0].dtype != KILN_F32) {
      std::fprintf(stderr, "kiln-classify: infer must take one f32 input\n");
      return 1;
    }
    kiln::Session session(module, /*seed=*/0);
    if (argc == 3)
      session.loadCheckpoint(argv[2]);

    // Two gray images of the input's shape (its first dimension is the
    // dynamic batch).
    std::vector<int64_t> shape = inputs[0].shape;
    shape[0] = 2;
    kiln::Tensor images(KILN_F32, shape);
    size_t pixels = images.byteSize() / sizeof(float);
    for (size_t i = 0; i < pixels; ++i)
      images.data<float>()[i] = 0.5f;

    std::vector<kiln::Tensor> outputs =
        session.run("infer", {{inputs[0].name, &images}});
    // The first output is the class probabilities, [batch, classes].
    const kiln::Tensor &probs = outputs.front();
    std::vector<int64_t> dims = probs.shape();
    if (probs.dtype() != KILN_F32 || dims.size() != 2) {
      std::fprintf(stderr, "kiln-classify: the first output is not [N, C]\n");
      return 1;
    }
    for (int64_t row = 0; row < dims[0]; ++row) {
      const float *p = probs.data<float>() + row * dims[1];
      int64_t best = 0;
      double total = 0;
      for (int64_t c = 0; c < dims[1]; ++c) {
        total += p[c];
        if (p[c] > p[best])
          best = c;
      }
      std::printf("image %lld: class %lld (p = %.4f), probabilities sum to "
                  "%.4f\n",
                  static_cast<long long>(row), static_cast<long long>(best),
                  p[best], total);
    }
  } catch (const kiln::Error &error) {
    std::fprintf(stderr, "kiln-classify: %s\n", error.what());
    return 1;
  }
  return 0;
}
