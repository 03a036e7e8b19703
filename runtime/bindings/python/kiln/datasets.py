"""The data sets `kiln-run` reads, split and preprocessed by the same code.

    >>> data = kiln.datasets.fashion_mnist()
    >>> x, y = data.train          # 55,000 images [n, 1, 28, 28], labels
    >>> data.validation.x.shape    # the last 5,000 of the training split
    (5000, 1, 28, 28)
    >>> kiln.fit(session, data)    # validation and test splits included

Every loader takes kiln-run's data options as keywords: `seed` (the
shuffle before a split), `test_fraction`, `validation` (samples held out
of the training split), `split` ((train, validation, test) shares),
`stratify`, `scale` ("standard" or "minmax", fitted on the training split
only), `one_hot` (CSV columns), `limit`. A split's arrays are read-only
views of the samples Kiln read (no copy), valid as long as you hold them.
"""

from __future__ import annotations

import json
import os
from typing import Any, NamedTuple, Optional, Sequence, Union

import numpy as np

from . import _runtime

__all__ = ["Dataset", "Split", "load", "fashion_mnist", "words",
           "diabetes", "sklearn", "from_arrays"]

# Images the readers return as rows, by data set: their shape per sample.
_IMAGE_SHAPES = {"fashion-mnist": (1, 28, 28)}


class Split(NamedTuple):
    """One split's samples: features `x` and targets `y` (class labels as
    int32, other targets as float32)."""
    x: np.ndarray
    y: np.ndarray


class Dataset:
    """Samples split into train, validation and test, and what was fitted
    to preprocess them (kiln-run train's --data and its options)."""

    def __init__(self, native, name, image_shape=None):
        self._native = native
        self.name = name
        self.image_shape = image_shape

    def _split(self, on):
        x, y = self._native.split(on)
        if self.image_shape:
            x = x.reshape((len(x),) + self.image_shape)
        x.flags.writeable = False
        y.flags.writeable = False
        return Split(x, y)

    @property
    def train(self) -> Split:
        """The samples to train on."""
        return self._split("train")

    @property
    def validation(self) -> Split:
        """The samples held out of training to validate each epoch."""
        return self._split("validation")

    @property
    def test(self) -> Split:
        """The samples that judge the trained model."""
        return self._split("test")

    @property
    def classes(self) -> int:
        """The number of classes (0 for numeric targets)."""
        return self._native.classes

    @property
    def class_names(self) -> list[str]:
        """A CSV target's class names (label i is class_names[i]); [] when
        the labels were numbers."""
        return list(self._native.class_names)

    @property
    def preprocessing(self) -> dict:
        """The fitted transform: columns, scaling, split, as a dict."""
        return json.loads(self._native.preprocessing)

    @property
    def hints(self) -> list[str]:
        """Advice on the data (an unscaled large feature), if any."""
        return list(self._native.hints)

    def __repr__(self):
        sizes = ", ".join(f"{on} {len(self._native.split(on)[0]):,}"
                          for on in ("train", "validation", "test"))
        kind = f"{self.classes} classes" if self.classes else "regression"
        return f"<kiln.datasets.Dataset {self.name!r}: {sizes}; {kind}>"


def _stratify(value):
    return -1 if value is None else int(bool(value))


PathLike = Union[str, os.PathLike]


def load(data: PathLike, *, targets: Optional[PathLike] = None,
         target_column: Optional[str] = None,
         test_data: Optional[PathLike] = None,
         test_targets: Optional[PathLike] = None,
         test_fraction: float = 0.2, validation: Optional[int] = None,
         scale: Optional[str] = None, one_hot: Sequence[str] = (),
         split: Optional[Sequence[float]] = None,
         stratify: Optional[bool] = None, seed: int = 0, limit: int = 0,
         pixel_range: tuple[float, float] = (0.0, 1.0),
         sequence_steps: int = 16,
         data_dir: Optional[PathLike] = None) -> Dataset:
    """Reads the data set `data` names, as kiln-run's --data does:
    "fashion-mnist", "diabetes", "words" or "words:FILE", "sklearn:NAME"
    (a CSV set python3-sklearn ships), a .csv file (`target_column` by
    name or index, default the last) or a .npy file of features (with a
    .npy of `targets`). A file that is missing raises NotFoundError, a
    malformed one InvalidArgumentError (with file and line for CSV)."""
    if isinstance(data, os.PathLike):
        data = os.fspath(data)
    settings = {
        "targets": optional_path(targets), "target_column": target_column,
        "test_data": optional_path(test_data),
        "test_targets": optional_path(test_targets),
        "test_fraction": test_fraction,
        "validation": -1 if validation is None else validation,
        "scale": scale, "one_hot": list(one_hot),
        "split": list(split) if split else None,
        "stratify": _stratify(stratify), "seed": seed, "limit": limit,
        "pixel_low": pixel_range[0], "pixel_high": pixel_range[1],
        "sequence_steps": sequence_steps,
        "data_dir": optional_path(data_dir),
    }
    native = _runtime.prepare_data(data, settings)
    return Dataset(native, data, _IMAGE_SHAPES.get(data))


def optional_path(value: Optional[PathLike]) -> Optional[str]:
    return None if value is None else os.fspath(value)


def fashion_mnist(*, validation: int = 5000,
                  pixel_range: tuple[float, float] = (0.0, 1.0),
                  seed: int = 0, data_dir: Optional[PathLike] = None,
                  **options: Any) -> Dataset:
    """Fashion-MNIST from Debian's dataset-fashion-mnist: 60,000 training
    images (the last `validation` held out, after a shuffle with `seed`)
    and 10,000 test images, pixels scaled to `pixel_range`, as float32
    [n, 1, 28, 28] with int32 labels 0-9."""
    return load("fashion-mnist", validation=validation,
                pixel_range=pixel_range, seed=seed, data_dir=data_dir,
                **options)


def words(path: Optional[PathLike] = None, *, sequence_steps: int = 16,
          test_fraction: float = 0.1, **options: Any) -> Dataset:
    """Words (Debian's wamerican, or a file of one word per line) as
    next-character sequences: int32 tokens [n, sequence_steps] and the
    same shifted by one as targets."""
    return load("words" + (f":{os.fspath(path)}" if path else ""),
                sequence_steps=sequence_steps, test_fraction=test_fraction,
                **options)


def diabetes(**options: Any) -> Dataset:
    """scikit-learn's diabetes regression set (442 patients, 10 features,
    disease progression a year later)."""
    return load("diabetes", **options)


def sklearn(name: str, **options: Any) -> Dataset:
    """A CSV data set python3-sklearn ships ("iris", "wine_data",
    "breast_cancer", ...), its last column the target."""
    return load(f"sklearn:{name}", **options)


def rows(array):
    """float32 rows, one per sample: a view when the array already is."""
    array = np.asarray(array)
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    return np.ascontiguousarray(array.reshape(len(array), -1),
                                dtype=np.float32)


def pair_rows(data, what):
    """A (features, targets) pair as row arrays; (None, None) for None."""
    if data is None:
        return None, None
    if not isinstance(data, tuple) or len(data) != 2:
        raise TypeError(f"{what} must be a (features, targets) pair of "
                        "arrays or a kiln.datasets.Dataset")
    return rows(data[0]), rows(data[1])


def has_integer_features(pair):
    return np.issubdtype(np.asarray(pair[0]).dtype, np.integer)


def from_arrays(train: tuple[Any, Any],
                validation: Optional[tuple[Any, Any]] = None,
                test: Optional[tuple[Any, Any]] = None) -> Dataset:
    """A Dataset of (features, targets) pairs of arrays (copied once), for
    kiln.fit, kiln.evaluate and kiln.tune. Integer features are tokens."""
    native = _runtime.data_from_arrays(
        *pair_rows(train, "train"), *pair_rows(validation, "validation"),
        *pair_rows(test, "test"), has_integer_features(train))
    shape = np.asarray(train[0]).shape[1:]
    return Dataset(native, "arrays", shape if len(shape) > 1 else None)
