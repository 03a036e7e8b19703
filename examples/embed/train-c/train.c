/* Trains a compiled model on Fashion-MNIST from C, through kiln.h and
 * kiln_train.h: a callback prints every epoch and may stop training.
 * Usage: kiln-train-example-c model.kmod EPOCHS LIMIT [STOP_AFTER] */
#include "kiln/kiln.h"
#include "kiln/kiln_train.h"

#include <stdio.h>
#include <stdlib.h>

static int print_epoch(void *stop_after, const kiln_epoch_report *report) {
  printf("epoch %lld/%lld: train loss %.4f, validation loss %.4f, "
         "accuracy %.2f%%\n",
         (long long)report->epoch, (long long)report->epochs,
         report->train_loss, report->validation_loss,
         100 * report->validation_accuracy);
  return report->epoch == *(long long *)stop_after; /* nonzero: stop */
}

static int failed(kiln_error *error) {
  fprintf(stderr, "kiln-train-example-c: %s\n", kiln_error_message(error));
  kiln_error_free(error);
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s model.kmod EPOCHS LIMIT [STOP_AFTER]\n",
            argv[0]);
    return 1;
  }
  kiln_module *module = NULL;
  kiln_session *session = NULL;
  kiln_error *error = kiln_module_load_file(argv[1], &module);
  if (error)
    return failed(error);
  if ((error = kiln_session_create(module, /*seed=*/0, 0, &session))) {
    kiln_module_free(module);
    return failed(error);
  }
  kiln_fit_options options;
  kiln_fit_options_init(&options);
  options.epochs = atoll(argv[2]);
  options.limit = atoll(argv[3]);
  long long stop_after = argc > 4 ? atoll(argv[4]) : 0;
  kiln_fit_result result;
  error = kiln_train_fit(session, "fashion-mnist", &options, print_epoch,
                         &stop_after, &result);
  if (!error)
    printf("%lld epochs, %lld steps: test accuracy %.2f%%\n",
           (long long)result.epochs_run, (long long)result.steps,
           100 * result.test_accuracy);
  kiln_session_free(session);
  kiln_module_free(module);
  return error ? failed(error) : 0;
}
