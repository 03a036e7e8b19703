"""kiln.evaluate: `kiln-run eval`'s scores of a trained session."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Sequence, Union

from . import _runtime
from .datasets import Dataset, from_arrays

if TYPE_CHECKING:
    from . import Session


def evaluate(session: Session, data: Union[Dataset, tuple[Any, Any]], *,
             on: str = "test", positive: int = 1,
             noise: Sequence[str] = ()) -> dict[str, Any]:
    """Scores `session` on `data`: a kiln.datasets.Dataset (its split
    `on`: "test", "validation", "train" or "all") or a (features,
    targets) pair of arrays (all of it).

    Returns what `kiln-run eval --json` prints, as a dict: "losses" (each
    train entry's loss), and for a classifier "accuracy", per-class and
    macro "precision", "recall" and "f1", the "confusion" matrix (and for
    two classes, with `positive` the positive class, "roc_auc" and
    "average_precision"); for a regression "mse", "mae" and "r2".
    """
    if not isinstance(data, Dataset):
        data, on = from_arrays(data), "train"
    return json.loads(_runtime.evaluate(session._native, data._native, on,
                                        positive, list(noise)))
