/*===- classify.c - Embedding the Kiln runtime from C -----------------------===*
 *
 * The C API version of examples/embed/cpp: load a .kmod, run its `infer`
 * entry on a batch of two gray 28 x 28 images (or the inputs a model with
 * another input shape needs: see the C++ example), print each image's most
 * likely class. Links libkiln_runtime only.
 *
 *   kiln-classify-c model.kmod [checkpoint]
 *
 *===----------------------------------------------------------------------===*/

#include "kiln/kiln.h"

#include <stdio.h>

static int report(kiln_error *error) {
  fprintf(stderr, "kiln-classify-c: %s\n", kiln_error_message(error));
  kiln_error_free(error);
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: kiln-classify-c model.kmod [checkpoint]\n");
    return 2;
  }
  kiln_module *module = NULL;
  kiln_error *error = kiln_module_load_file(argv[1], &module);
  if (error)
    return report(error);
  kiln_session *session = NULL;
  error = kiln_session_create(module, /*seed=*/0, /*threads=*/0, &session);
  /* The session keeps the module alive. */
  kiln_module_free(module);
  if (error)
    return report(error);
  if (argc == 3 && (error = kiln_session_load_checkpoint(session, argv[2]))) {
    kiln_session_free(session);
    return report(error);
  }

  /* Two gray images, [2, 1, 28, 28] for LeNet or [2, 784] for the MLP:
   * the entry checks the shape and says which it wants. */
  const int64_t imageShape[] = {2, 1, 28, 28}, flatShape[] = {2, 784};
  float pixels[2 * 784];
  for (int i = 0; i < 2 * 784; ++i)
    pixels[i] = 0.5f;
  const char *names[] = {"image"};
  kiln_tensor *images = NULL;
  kiln_tensor *outputs[4];
  size_t outputCount = 0;
  for (int attempt = 0; attempt < 2; ++attempt) {
    error = kiln_tensor_create(KILN_F32, attempt ? flatShape : imageShape,
                               attempt ? 2 : 4, pixels, &images);
    if (error)
      break;
    const kiln_tensor *inputs[] = {images};
    error = kiln_session_run(session, "infer", names, inputs, 1, outputs, 4,
                             &outputCount);
    kiln_tensor_free(images);
    if (!error)
      break;
    if (attempt == 0)
      kiln_error_free(error);
  }
  if (error) {
    kiln_session_free(session);
    return report(error);
  }

  /* The first output: probabilities [2, classes]. */
  const int64_t *shape = kiln_tensor_shape(outputs[0]);
  const float *probs = (const float *)kiln_tensor_data(outputs[0]);
  for (int64_t row = 0; row < shape[0]; ++row) {
    int64_t best = 0;
    for (int64_t c = 1; c < shape[1]; ++c)
      if (probs[row * shape[1] + c] > probs[row * shape[1] + best])
        best = c;
    printf("image %lld: class %lld (p = %.4f)\n", (long long)row,
           (long long)best, probs[row * shape[1] + best]);
  }
  for (size_t i = 0; i < outputCount; ++i)
    kiln_tensor_free(outputs[i]);
  kiln_session_free(session);
  return 0;
}
