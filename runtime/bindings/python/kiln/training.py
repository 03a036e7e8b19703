"""kiln.fit: the trainer library's loop (the one `kiln-run train` runs) on
NumPy arrays, with a progress bar and callbacks."""

import json
import sys
import time

import numpy as np

from . import _runtime


class History:
    """What a fit did: per epoch its training loss and validation scores,
    then the test scores.

    `epochs` is a list of dicts: "epoch", "loss" ({loss name: mean}),
    "validation" (scores, or None), "improved", "seconds",
    "samples_per_second", "learning_rate". `test` holds the test scores
    (None without test data): "accuracy" for classifiers, "mse" and "r2"
    for regression, and each loss.
    """

    def __init__(self, native):
        self.epochs = []
        for epoch in native["epochs"]:
            epoch = dict(epoch)
            if epoch["validation"] is not None:
                epoch["validation"] = json.loads(epoch["validation"])
            self.epochs.append(epoch)
        self.test = json.loads(native["test"]) if native["test"] else None
        self.steps = native["steps"]
        self.batch = native["batch"]
        self.stopped_early = native["stopped_early"]
        self.best = native["best"] or None
        self.samples_per_second = native["samples_per_second"]
        self.seconds = native["seconds"]

    @property
    def loss(self):
        """The first loss's mean over each epoch."""
        return [next(iter(e["loss"].values())) for e in self.epochs]

    def __repr__(self):
        test = f", test {self.test}" if self.test else ""
        return (f"<kiln.History: {len(self.epochs)} epochs, loss "
                f"{self.loss[-1]:.4f}{test}>" if self.epochs
                else "<kiln.History: no epochs>")


class ProgressBar:
    """One line per epoch, redrawn in place: the share of the epoch done,
    the running loss and the speed; the epoch's summary when it ends."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr

    def on_step(self, step):
        width = 24
        done = step["samples"] / max(step["train_samples"], 1)
        bar = "=" * int(done * width)
        loss = ", ".join(f"{name} {value:.4f}"
                         for name, value in step["loss"].items())
        speed = step["samples"] / step["seconds"] if step["seconds"] else 0
        self.stream.write(f"\repoch {step['epoch']}/{step['epochs']} "
                          f"[{bar:<{width}}] {done:4.0%}  {loss}  "
                          f"{speed:,.0f} samples/s")
        self.stream.flush()

    def on_epoch(self, epoch):
        scores = ""
        if epoch["validation"]:
            scores = "  validation " + ", ".join(
                f"{key} {value:.4f}"
                for key, value in epoch["validation"].items()
                if isinstance(value, (int, float)))
        self.stream.write(f"  ({epoch['seconds']:.1f} s){scores}\n")
        self.stream.flush()


def _rows(array, integer_features=False):
    """float32 rows, one per sample: a view when the array already is."""
    array = np.asarray(array)
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    return np.ascontiguousarray(array.reshape(len(array), -1),
                                dtype=np.float32)


def _pair(data, what):
    if data is None:
        return None, None
    if not isinstance(data, tuple) or len(data) != 2:
        raise TypeError(f"{what} must be a (features, targets) pair of "
                        "arrays")
    return _rows(data[0]), _rows(data[1])


def fit(session, train, *, validation=None, test=None, epochs=1, batch=64,
        lr=None, schedule="cosine", warmup_steps=0, seed=0, entries=None,
        patience=0, monitor="loss", checkpoint=None, keep_best=None,
        resume=False, callbacks=(), progress=None):
    """Trains `session` on `train`, a (features, targets) pair of arrays.

    Features have a row per sample (any shape after the first axis: a
    batch of images [n, 1, 28, 28] is fed as the model's input takes it);
    targets are class indices for classifiers, values for regression. The
    loop is the trainer library's, as `kiln-run train` runs it: shuffled
    with `seed` each epoch, `batch` samples a step, the learning rate
    (`lr`, default the model's) on a `schedule` ("cosine", "step",
    "constant") after `warmup_steps`, `validation` scored after every
    epoch (with `patience` epochs of no improvement in `monitor`, training
    stops), a `checkpoint` written after every epoch (`resume` continues
    from it), `keep_best` a checkpoint of the best epoch, then `test`
    scored. Float32 arrays are read in place, others converted once.

    `callbacks` are objects with optional `on_step(step)` and
    `on_epoch(epoch)` methods (dicts as in History; an `on_epoch` returning
    False stops after that epoch); `progress` (default: when stderr is a
    terminal) draws a progress bar. Ctrl-C stops training after the step
    it is in, raising KeyboardInterrupt; the session keeps what it
    learned. Returns a History.
    """
    x, y = _pair(train, "train")
    xv, yv = _pair(validation, "validation")
    xt, yt = _pair(test, "test")
    integer_features = np.issubdtype(np.asarray(train[0]).dtype, np.integer)
    settings = {"epochs": epochs, "batch": batch, "lr": lr,
                "schedule": schedule, "warmup_steps": warmup_steps,
                "seed": seed, "entries": entries, "patience": patience,
                "monitor": monitor, "checkpoint": checkpoint,
                "keep_best": keep_best, "resume": resume}
    if progress is None:
        progress = sys.stderr.isatty()
    observers = list(callbacks) + ([ProgressBar()] if progress else [])
    step_observers = [o for o in observers if hasattr(o, "on_step")]
    epoch_observers = [o for o in observers if hasattr(o, "on_epoch")]

    def on_step(step):
        for observer in step_observers:
            observer.on_step(step)

    def on_epoch(epoch):
        epoch = dict(epoch)
        if epoch["validation"] is not None:
            epoch["validation"] = json.loads(epoch["validation"])
        verdicts = [observer.on_epoch(epoch) for observer in epoch_observers]
        return all(verdict is not False for verdict in verdicts)

    started = time.monotonic()
    native = _runtime.fit(session._native, x, y, xv, yv, xt, yt,
                          integer_features, settings,
                          on_step if step_observers else None,
                          on_epoch if epoch_observers else None, 0.1)
    history = History(native)
    history.seconds = history.seconds or time.monotonic() - started
    return history
