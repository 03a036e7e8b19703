/*===- kiln_train.h - The trainer's C API -------------------------*- C -*-===*
 *
 * Trains a session of the core C API (kiln.h) on a data set: the fit loop of
 * libkiln_train (epochs, seeded shuffles, the model's learning rate on a
 * cosine schedule, validation each epoch, checkpoints, early stopping, the
 * final test), with a callback after every epoch. Link kiln_train.
 *
 * Errors are returned as in kiln.h: NULL is success, else a kiln_error the
 * caller frees (kiln_error_code: KILN_STATUS_INVALID_ARGUMENT for bad
 * options or data that cannot be read or does not fit the model,
 * KILN_STATUS_FAILED_PRECONDITION when training cannot go on, such as a
 * loss that became NaN or a checkpoint that cannot be written,
 * KILN_STATUS_OUT_OF_MEMORY). Strings passed in are copied; nothing the
 * caller owns is kept after a call returns.
 *
 * Thread safety: kiln_train_fit runs the session on its thread pool and
 * calls the callback on the calling thread; the session must not be used
 * from another thread until it returns.
 *
 *===----------------------------------------------------------------------===*/

#ifndef KILN_KILN_TRAIN_H
#define KILN_KILN_TRAIN_H

#include "kiln/kiln.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Set struct_size to sizeof(kiln_fit_options) (kiln_fit_options_init
 * does, with the defaults): fields added later keep their defaults for
 * callers built against this header. */
typedef struct kiln_fit_options {
  size_t struct_size;
  int64_t epochs;        /* passes over the training split (default 1) */
  int64_t batch;         /* samples per step; 0 is the full batch (64) */
  double learning_rate;  /* the base rate; NaN (default): the model's */
  uint64_t seed;         /* shuffling and noise (default 0) */
  int64_t limit;         /* train on the first N samples (0: all) */
  int64_t test_limit;    /* test on the first N samples (0: all) */
  const char *checkpoint; /* written after every epoch (NULL: none) */
  int64_t patience;      /* early stopping on the validation loss (0: off) */
} kiln_fit_options;

KILN_API void kiln_fit_options_init(kiln_fit_options *options);

typedef struct kiln_epoch_report {
  int64_t epoch;              /* 1-based */
  int64_t epochs;
  double train_loss;          /* the first train entry's mean loss */
  int validated;              /* 0 when the split has no validation */
  double validation_loss;
  double validation_accuracy; /* classifiers; else 0 */
  double seconds;
} kiln_epoch_report;

/* After every epoch; return nonzero to stop training after it. */
typedef int (*kiln_epoch_callback)(void *user_data,
                                   const kiln_epoch_report *report);

typedef struct kiln_fit_result {
  int64_t epochs_run;
  int64_t steps;             /* of the first train entry, in total */
  double test_loss;
  double test_accuracy;      /* classifiers; else 0 */
  double train_samples_per_second;
} kiln_fit_result;

/* Trains `session` on `data` ("fashion-mnist", "diabetes", "sklearn:NAME",
 * "words", a .csv file) as kiln-run train does: its last samples validate
 * (5,000 for Fashion-MNIST, else a tenth), a seeded share tests. `options`
 * may be NULL (the defaults), as may `on_epoch`; `result` may be NULL. */
KILN_API kiln_error *kiln_train_fit(kiln_session *session, const char *data,
                                    const kiln_fit_options *options,
                                    kiln_epoch_callback on_epoch,
                                    void *user_data, kiln_fit_result *result);

/* Samples in the caller's arrays, read in place during the call (never
 * copied; they must stay unchanged until it returns, and may be freed
 * after it): `count` samples of `width` features each, and
 * `target_width` targets each (0 means 1) - a classifier's class indices
 * as floats, or a regression's values. `tokens` nonzero: the features are
 * token ids for an integer input (a sequence model). */
typedef struct kiln_samples {
  const float *features;
  const float *targets;
  int64_t count;
  int64_t width;
  int64_t target_width;
  int tokens;
} kiln_samples;

/* As kiln_train_fit, on the caller's samples: the last `validation` of
 * `train` validate every epoch (0: none), `test` scores the result. */
KILN_API kiln_error *
kiln_train_fit_samples(kiln_session *session, const kiln_samples *train,
                       int64_t validation, const kiln_samples *test,
                       const kiln_fit_options *options,
                       kiln_epoch_callback on_epoch, void *user_data,
                       kiln_fit_result *result);

#ifdef __cplusplus
}
#endif

#endif /* KILN_KILN_TRAIN_H */
