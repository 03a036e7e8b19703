/*===- classify.c - Embedding the Kiln runtime from C -----------------------===*
 *
 * Classifies Fashion-MNIST test images with a trained model through the C
 * API: load a .kmod and its trained parameters (a checkpoint written by
 * `kiln-run train`), read images and labels from IDX files, run the `infer`
 * entry on all of them in one batch, and print the first few
 * classifications and the accuracy. Links libkiln_runtime only.
 *
 *   kilnc models/lenet.kiln -o lenet.kmod
 *   kiln-run train lenet.kmod --data fashion-mnist --checkpoint lenet.ckpt
 *   zcat /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz > images
 *   zcat /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz > labels
 *   kiln-classify-c lenet.kmod lenet.ckpt images labels [count]
 *
 *===----------------------------------------------------------------------===*/

#include "kiln/kiln.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const kClassNames[10] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

/* Reads an IDX file of unsigned bytes: its first dimension and the number
 * of bytes per item, and at most `limit` items. NULL on error. */
static unsigned char *readIdx(const char *path, long limit, long *count,
                              long *itemSize) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    fprintf(stderr, "kiln-classify-c: cannot open '%s'\n", path);
    return NULL;
  }
  unsigned char header[4];
  unsigned char *data = NULL;
  if (fread(header, 1, 4, file) != 4 || header[0] || header[1] ||
      header[2] != 0x08 || header[3] < 1 || header[3] > 3)
    goto malformed;
  long dims[3] = {0, 1, 1};
  for (int i = 0; i < header[3]; ++i) {
    unsigned char b[4];
    if (fread(b, 1, 4, file) != 4)
      goto malformed;
    dims[i] = (long)b[0] << 24 | (long)b[1] << 16 | (long)b[2] << 8 | b[3];
  }
  *count = dims[0] < limit ? dims[0] : limit;
  *itemSize = dims[1] * dims[2];
  data = malloc((size_t)(*count * *itemSize));
  if (!data || fread(data, 1, (size_t)(*count * *itemSize), file) !=
                   (size_t)(*count * *itemSize))
    goto malformed;
  fclose(file);
  return data;
malformed:
  fprintf(stderr, "kiln-classify-c: '%s' is not an uncompressed IDX file "
                  "of bytes\n", path);
  free(data);
  fclose(file);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 5 || argc > 6) {
    fprintf(stderr, "usage: kiln-classify-c model.kmod checkpoint "
                    "images.idx labels.idx [count]\n");
    return 2;
  }
  long limit = argc == 6 ? atol(argv[5]) : 10000;
  kiln_module *module = NULL;
  kiln_session *session = NULL;
  kiln_tensor *images = NULL;
  kiln_tensor *outputs[4];
  size_t outputCount = 0;
  int status = 1;
  long count = 0, pixels = 0, labelCount = 0, one = 0;
  unsigned char *pixelBytes = readIdx(argv[3], limit, &count, &pixels);
  unsigned char *labels =
      pixelBytes ? readIdx(argv[4], limit, &labelCount, &one) : NULL;
  if (!labels)
    goto done;
  if (labelCount != count) {
    fprintf(stderr, "kiln-classify-c: %ld images but %ld labels\n", count,
            labelCount);
    goto done;
  }

  kiln_error *error = kiln_module_load_file(argv[1], &module);
  if (!error)
    error = kiln_session_create(module, /*seed=*/0, /*threads=*/0, &session);
  if (!error)
    error = kiln_session_load_checkpoint(session, argv[2]);

  /* The images in the shape `infer` takes, its dynamic batch dimension
   * first: [count, 1, 28, 28] for a CNN, [count, 784] for an MLP. */
  const char *name = NULL;
  kiln_dtype dtype = KILN_F32;
  size_t rank = 0;
  const int64_t *declared = NULL;
  if (!error)
    error = kiln_module_input(module, "infer", 0, &name, &dtype, &rank,
                              &declared);
  int64_t shape[8];
  long perImage = 1;
  if (!error && (rank == 0 || rank > 8 || dtype != KILN_F32)) {
    fprintf(stderr, "kiln-classify-c: infer must take f32 images\n");
    goto done;
  }
  for (size_t i = 0; !error && i < rank; ++i) {
    shape[i] = i == 0 ? count : declared[i];
    perImage *= i == 0 ? 1 : (long)declared[i];
  }
  if (!error && perImage != pixels) {
    fprintf(stderr, "kiln-classify-c: the model takes %ld pixels per image, "
                    "the file has %ld\n", perImage, pixels);
    goto done;
  }
  if (!error)
    error = kiln_tensor_create(KILN_F32, shape, rank, NULL, &images);
  if (!error) {
    float *data = (float *)kiln_tensor_data(images);
    for (long i = 0; i < count * pixels; ++i)
      data[i] = pixelBytes[i] / 255.0f; /* as kiln-run train scales them */
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

  /* The first output: class probabilities [count, 10]. */
  const int64_t *dims = kiln_tensor_shape(outputs[0]);
  const float *probs = (const float *)kiln_tensor_data(outputs[0]);
  long correct = 0;
  for (int64_t row = 0; row < dims[0]; ++row) {
    int64_t best = 0;
    for (int64_t c = 1; c < dims[1]; ++c)
      if (probs[row * dims[1] + c] > probs[row * dims[1] + best])
        best = c;
    correct += best == labels[row];
    if (row < 5 && best < 10 && labels[row] < 10)
      printf("image %lld: %s (p = %.4f), labelled %s\n", (long long)row,
             kClassNames[best], probs[row * dims[1] + best],
             kClassNames[labels[row]]);
  }
  printf("accuracy: %.2f%% of %ld images\n", 100.0 * correct / count, count);
  status = 0;

done:
  for (size_t i = 0; i < outputCount; ++i)
    kiln_tensor_free(outputs[i]);
  kiln_tensor_free(images);
  kiln_session_free(session);
  kiln_module_free(module);
  free(pixelBytes);
  free(labels);
  return status;
}
