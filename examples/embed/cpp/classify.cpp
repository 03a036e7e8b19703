//===- classify.cpp - Embedding the Kiln runtime in an application --------===//
//
// The smallest useful application of a compiled model: load a .kmod, fill
// a batch of images, run the `infer` entry on every core, and read the
// class probabilities back. It links libkiln_runtime only: no LLVM, no
// MLIR, no Python.
//
//   kilnc models/mlp.kiln -o mlp.kmod
//   kiln-classify mlp.kmod [images.npy]
//
// Without an .npy file the batch is two images of constant gray.
//
//===----------------------------------------------------------------------===//

#include "kiln/runtime/Module.h"
#include "kiln/runtime/Npy.h"
#include "kiln/runtime/Session.h"

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

using namespace kiln::rt;

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: kiln-classify model.kmod [images.npy]\n");
    return 2;
  }
  std::string error;
  std::unique_ptr<Module> module = Module::loadFile(argv[1], error);
  if (!module) {
    std::fprintf(stderr, "kiln-classify: %s\n", error.c_str());
    return 1;
  }
  const EntrySpec *entry = module->findEntry("infer");
  if (!entry) {
    std::fprintf(stderr, "kiln-classify: the module has no infer entry\n");
    return 1;
  }
  const ArgumentSpec *imageArgument = nullptr;
  for (const ArgumentSpec &argument : entry->arguments)
    if (argument.role == ArgumentSpec::Role::Input)
      imageArgument = &argument;
  if (!imageArgument) {
    std::fprintf(stderr, "kiln-classify: the infer entry takes no input\n");
    return 1;
  }

  // The batch: from the file, or two gray images of the entry's shape
  // (its first dimension is the dynamic batch).
  Tensor images;
  if (argc == 3) {
    if (!readNpy(argv[2], images, error)) {
      std::fprintf(stderr, "kiln-classify: %s\n", error.c_str());
      return 1;
    }
  } else {
    std::vector<int64_t> shape = imageArgument->type.shape;
    shape[0] = 2;
    images = Tensor(DType::F32, shape);
    for (int64_t i = 0; i < images.numElements(); ++i)
      images.data<float>()[i] = 0.5f;
  }

  // Parameters drawn from the module's initializers with seed 0; a trained
  // model would load its checkpoint here instead.
  Session session(*module, /*seed=*/0, /*threads=*/0);
  std::vector<Tensor> outputs;
  if (!session.run("infer", {{imageArgument->name, images}}, outputs,
                   error)) {
    std::fprintf(stderr, "kiln-classify: %s\n", error.c_str());
    return 1;
  }

  // The first output is the class probabilities, [batch, classes].
  const Tensor &probs = outputs.front();
  if (probs.dtype != DType::F32 || probs.shape.size() != 2) {
    std::fprintf(stderr, "kiln-classify: the first output is not [N, C]\n");
    return 1;
  }
  int64_t classes = probs.shape[1];
  for (int64_t row = 0; row < probs.shape[0]; ++row) {
    const float *p = probs.data<float>() + row * classes;
    int64_t best = 0;
    double total = 0;
    for (int64_t c = 0; c < classes; ++c) {
      total += p[c];
      if (p[c] > p[best])
        best = c;
    }
    std::printf("image %lld: class %lld (p = %.4f), probabilities sum to "
                "%.4f\n",
                static_cast<long long>(row), static_cast<long long>(best),
                p[best], total);
  }
  return 0;
}
