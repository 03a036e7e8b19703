/*===- classify.c - Embedding the Kiln runtime from C -----------------------===*
 *
 * The C API version of examples/embed/cpp: load a .kmod, run its `infer`
 * entry on a batch of two gray images of the shape it takes, print each
 * image's most likely class. Links libkiln_runtime only.
 *
 *   kiln-classify-c model.kmod [checkpoint]
 *
 *===----------------------------------------------------------------------===*/

#include "kiln/kiln.h"

#include <stdio.h>

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: kiln-classify-c model.kmod [checkpoint]\n");
    return 2;
  }
  kiln_module *module = NULL;
  kiln_session *session = NULL;
  kiln_tensor *images = NULL;
  kiln_tensor *outputs[4];
  size_t outputCount = 0;
  int status = 1;

  kiln_error *error = kiln_module_load_file(argv[1], &module);
  if (!error)
    error = kiln_session_create(module, /*seed=*/0, /*threads=*/0, &session);
  if (!error && argc == 3)
    error = kiln_session_load_checkpoint(session, argv[2]);

  /* Two gray images of the shape `infer` takes (its first dimension is the
   * dynamic batch). */
  const char *name = NULL;
  kiln_dtype dtype = KILN_F32;
  size_t rank = 0;
  const int64_t *declared = NULL;
  if (!error)
    error = kiln_module_input(module, "infer", 0, &name, &dtype, &rank,
                              &declared);
  int64_t shape[8];
  size_t pixels = 1;
  if (!error && (rank == 0 || rank > 8 || dtype != KILN_F32)) {
    fprintf(stderr, "kiln-classify-c: infer must take f32 images\n");
    goto done;
  }
  for (size_t i = 0; !error && i < rank; ++i) {
    shape[i] = i == 0 ? 2 : declared[i];
    pixels *= (size_t)shape[i];
  }
  if (!error)
    error = kiln_tensor_create(KILN_F32, shape, rank, NULL, &images);
  if (!error) {
    float *data = (float *)kiln_tensor_data(images);
    for (size_t i = 0; i < pixels; ++i)
      data[i] = 0.5f;
    const char *names[] = {name};
    const kiln_tensor *inputs[] = {images};
    error = kiln_session_run(session, "infer", names, inputs, 1, outputs, 4,
                             &outputCount);
  }
  if (error) {
    fprintf(stderr, "kiln-classify-c: %s\n", kiln_error_message(error));
    kiln_error_free(error);
    goto done;
  }

  /* The first output: probabilities [2, classes]. */
  const int64_t *dims = kiln_tensor_shape(outputs[0]);
  const float *probs = (const float *)kiln_tensor_data(outputs[0]);
  for (int64_t row = 0; row < dims[0]; ++row) {
    int64_t best = 0;
    for (int64_t c = 1; c < dims[1]; ++c)
      if (probs[row * dims[1] + c] > probs[row * dims[1] + best])
        best = c;
    printf("image %lld: class %lld (p = %.4f)\n", (long long)row,
           (long long)best, probs[row * dims[1] + best]);
  }
  status = 0;

done:
  for (size_t i = 0; i < outputCount; ++i)
    kiln_tensor_free(outputs[i]);
  kiln_tensor_free(images);
  kiln_session_free(session);
  kiln_module_free(module);
  return status;
}
