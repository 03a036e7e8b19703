"""kiln.fit: the trainer library's loop (the one `kiln-run train` runs) on
NumPy arrays, with a progress bar and callbacks."""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence, Union

from . import _runtime
from .datasets import (Dataset, PathLike, has_integer_features, optional_path,
                       pair_rows)

if TYPE_CHECKING:
    from . import Session


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
    def loss(self) -> list[float]:
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


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where stderr is not a terminal but
    HTML can be redrawn in place)."""
    shell = sys.modules.get("IPython")
    try:
        return (shell is not None and "ipykernel" in sys.modules and
                shell.get_ipython().__class__.__name__ ==
                "ZMQInteractiveShell")
    except AttributeError:
        return False


class NotebookProgressBar:
    """The progress bar as an HTML <progress> element under the cell,
    updated in place; a line per finished epoch stays."""

    def __init__(self):
        from IPython.display import HTML, display
        self._html, self._display = HTML, display
        self._handle = None
        self._lines = []

    def _show(self, status, done):
        lines = "".join(f"<div>{line}</div>" for line in self._lines)
        html = self._html(f"{lines}<progress value='{done:.3f}' max='1' "
                          f"style='width:30em'></progress> {status}")
        if self._handle is None:
            self._handle = self._display(html, display_id=True)
        else:
            self._handle.update(html)

    def on_step(self, step):
        done = step["samples"] / max(step["train_samples"], 1)
        loss = ", ".join(f"{name} {value:.4f}"
                         for name, value in step["loss"].items())
        self._show(f"epoch {step['epoch']}/{step['epochs']} {done:.0%} "
                   f"{loss}", done)

    def on_epoch(self, epoch):
        loss = ", ".join(f"{name} {value:.4f}"
                         for name, value in epoch["loss"].items())
        scores = ", ".join(f"{key} {value:.4f}"
                           for key, value in (epoch["validation"] or
                                              {}).items()
                           if isinstance(value, (int, float)))
        self._lines.append(f"epoch {epoch['epoch']}: {loss}"
                           + (f"; validation {scores}" if scores else "")
                           + f" ({epoch['seconds']:.1f} s)")
        self._show("", 1.0)


def fit(session: Session, train: Union[Dataset, tuple[Any, Any]], *,
        validation: Optional[tuple[Any, Any]] = None,
        test: Optional[tuple[Any, Any]] = None, epochs: int = 1,
        batch: int = 64, lr: Optional[float] = None,
        schedule: str = "cosine", warmup_steps: int = 0, seed: int = 0,
        entries: Optional[str] = None, patience: int = 0,
        monitor: str = "loss", checkpoint: Optional[PathLike] = None,
        keep_best: Optional[PathLike] = None, resume: bool = False,
        limit: int = 0, noise: Sequence[str] = (),
        callbacks: Iterable[Any] = (),
        progress: Optional[bool] = None) -> History:
    """Trains `session` on `train`: a kiln.datasets.Dataset (its
    validation and test splits are used, its preprocessing saved with the
    checkpoints: exactly `kiln-run train`), or a (features, targets) pair
    of arrays with optional `validation` and `test` pairs.

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
    scored; `limit` trains on that many samples only, `noise` names inputs
    drawn from N(0, 1) each batch. Float32 arrays are read in place,
    others converted once.

    `callbacks` are objects with optional `on_step(step)` and
    `on_epoch(epoch)` methods (dicts as in History; an `on_epoch` returning
    False stops after that epoch); `progress` (default: in a terminal or a
    notebook) draws a progress bar. Ctrl-C stops training after the step
    it is in, raising KeyboardInterrupt; the session keeps what it
    learned. Returns a History.
    """
    settings = {"epochs": epochs, "batch": batch, "lr": lr,
                "schedule": schedule, "warmup_steps": warmup_steps,
                "seed": seed, "entries": entries, "patience": patience,
                "monitor": monitor, "checkpoint": optional_path(checkpoint),
                "keep_best": optional_path(keep_best), "resume": resume,
                "limit": limit, "noise": list(noise)}
    observers = list(callbacks) + _progress_bars(progress)
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
    callbacks = (on_step if step_observers else None,
                 on_epoch if epoch_observers else None, 0.1)
    if isinstance(train, Dataset):
        if validation is not None or test is not None:
            raise TypeError("a Dataset brings its own validation and test "
                            "splits; pass arrays to choose others")
        native = _runtime.fit_data(session._native, train._native,
                                   settings, *callbacks)
    else:
        native = _runtime.fit(session._native, *pair_rows(train, "train"),
                              *pair_rows(validation, "validation"),
                              *pair_rows(test, "test"),
                              has_integer_features(train), settings,
                              *callbacks)
    history = History(native)
    history.seconds = history.seconds or time.monotonic() - started
    return history



def _progress_bars(progress):
    """The progress bar `progress` asks for: True or None (the default)
    draws one in a notebook or a terminal, False none."""
    if progress is False:
        return []
    if in_notebook():
        return [NotebookProgressBar()]
    if progress or sys.stderr.isatty():
        return [ProgressBar()]
    return []
