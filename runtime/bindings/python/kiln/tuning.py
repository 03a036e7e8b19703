"""kiln.tune: a hyperparameter search in this process (`kiln-run tune`'s
in-process trials)."""

from __future__ import annotations

import math
import os
import sys
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Union

from . import _runtime
from .datasets import Dataset, from_arrays

if TYPE_CHECKING:
    from . import Module


class TuneResult:
    """The trials of a search and their ranking.

    `trials` are dicts in the order they ran: "index" (from 1),
    "settings" ({name: value as text}), "ok", "failure", "validation" and
    "test" scores, "score" (the ranking metric's validation value),
    "seconds". `ranking` lists indices into `trials`, best first.
    """

    def __init__(self, native):
        self.metric = native["metric"]
        self.trials = list(native["trials"])
        self.ranking = list(native["ranking"])

    @property
    def best(self) -> dict[str, Any]:
        """The best trial."""
        return self.trials[self.ranking[0]]

    def __repr__(self):
        lines = [f"<kiln.TuneResult: {len(self.trials)} trials, by "
                 f"validation {self.metric}"]
        for rank, index in enumerate(self.ranking, 1):
            trial = self.trials[index]
            settings = " ".join(f"{k}={v}"
                                for k, v in trial["settings"].items())
            score = ("failed: " + trial["failure"] if not trial["ok"]
                     else f"{trial['score']:.6g}")
            lines.append(f"  {rank}. {settings}: {score}")
        return "\n".join(lines) + ">"


def _parameter(name, values):
    """kiln-run tune's NAME=V1,V2 or NAME=LOW..HIGH."""
    if isinstance(values, tuple) and len(values) == 2 and \
            all(isinstance(v, (int, float)) for v in values):
        return f"{name}={values[0]}..{values[1]}"
    if isinstance(values, (list, tuple)):
        return f"{name}={','.join(str(v) for v in values)}"
    raise TypeError(f"search['{name}'] must be a list of values or a "
                    "(low, high) range")


def tune(module: Module, data: Union[Dataset, tuple[Any, Any]],
         search: Mapping[str, Any], *, trials: int = 0, seed: int = 0,
         metric: Optional[str] = None,
         out: Optional[Union[str, os.PathLike]] = None, threads: int = 0,
         epochs: int = 1, batch: int = 64, lr: Optional[float] = None,
         schedule: str = "cosine", progress: Optional[bool] = None,
         on_trial: Optional[Callable[[dict], Any]] = None,
         **fit_options: Any) -> TuneResult:
    """Trains `module` once per setting of `search` and ranks the trials
    by their validation score.

    `search` maps a run-time setting ("lr", "batch", "epochs") to the
    values to try (a list) or, for a random search of `trials` trials, a
    (low, high) range (log-uniform across a factor of 100 or more). With
    `trials` 0 every combination of the lists runs (a grid). `data` is a
    kiln.datasets.Dataset or a (features, targets) pair of arrays (its
    validation split scores the trials: give a Dataset with one). `metric`
    ranks ("accuracy" for classifiers, else "r2", else the loss by
    default); settings not searched are the keywords' (`epochs`, `batch`,
    `lr`, and kiln.fit's others). With `out`, the best trial's checkpoint
    is kept as out/best.ckpt. `on_trial(trial)` is called as each trial
    ends (a dict as in `TuneResult.trials`, with "trials" and "metric");
    `progress` (default: in a terminal) prints a line per trial. Ctrl-C
    stops the trial it is in and ends the search with KeyboardInterrupt.
    Settings compiled into the model (configs,
    optimizer hyperparameters) need one module per value: compile each
    with kiln.compile(config=...), or use `kiln-run tune`.
    """
    if not isinstance(data, Dataset):
        data = from_arrays(data)
    parameters = [_parameter(name, values) for name, values in
                  search.items()]
    settings = dict(fit_options, epochs=epochs, batch=batch, lr=lr,
                    schedule=schedule)
    if out is not None:
        os.makedirs(out, exist_ok=True)
    if progress is None:
        progress = sys.stderr.isatty()
    observers = ([on_trial] if on_trial else []) + \
        ([_print_trial] if progress else [])

    def each_trial(trial):
        for observer in observers:
            observer(trial)

    native = _runtime.tune(module._native, data._native, parameters, trials,
                           seed, metric or "", os.fspath(out or ""),
                           threads, settings,
                           each_trial if observers else None)
    return TuneResult(native)


def _print_trial(trial):
    settings = " ".join(f"{k}={v}" for k, v in trial["settings"].items())
    score = (f"validation {trial['metric']} {trial['score']:.6g}"
             if trial["ok"] and not math.isnan(trial["score"])
             else "failed: " + trial["failure"])
    sys.stderr.write(f"trial {trial['index']}/{trial['trials']} {settings}: "
                     f"{score} ({trial['seconds']:.1f} s)\n")
