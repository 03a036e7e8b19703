"""Kiln: compiled neural networks that train and run on the CPU.

    >>> import kiln
    >>> module = kiln.compile("models/lenet.kiln")    # or kiln.load(".kmod")
    >>> session = kiln.Session(module, seed=0)
    >>> probs = session(image=images)           # the inference entry
    >>> loss = session.step(image=x, label=y)    # one training step
    >>> session.save("lenet.ckpt")

Arrays go in without copies (NumPy arrays, or anything with the buffer
protocol or DLPack: C-contiguous, on the CPU, of the input's dtype) and come
out as NumPy arrays over memory Kiln allocated. Failures raise `KilnError`
or one of its subclasses, which also derive from the matching built-in
exception (`InvalidArgumentError` is a `ValueError`, `NotFoundError` a
`LookupError`; out of memory is `MemoryError`).
"""

from __future__ import annotations

import os
import re
from typing import Any, Mapping, Optional, Union

import numpy as np

from . import _compiler, _runtime
from ._runtime import (CorruptError, InvalidArgumentError, KilnError,
                       NotFoundError, PreconditionError)
from . import datasets
from .evaluation import evaluate
from .training import History, NotebookProgressBar, ProgressBar, fit
from .tuning import TuneResult, tune

__all__ = ["Module", "Session", "compile", "load", "fit", "evaluate",
           "tune", "datasets", "History", "TuneResult", "ProgressBar",
           "NotebookProgressBar", "KilnError",
           "CompileError", "InvalidArgumentError", "NotFoundError",
           "CorruptError", "PreconditionError"]


class CompileError(KilnError, _compiler.CompileFailure):
    """A model the compiler refused.

    `str(error)` is what kilnc prints: every error as file:line:col, the
    source line and a caret. `file`, `line`, `column` and `message` are
    those of the first error (line and column None when it has none).
    """

    _LOCATED = re.compile(r"^(.*?):(\d+):(\d+): error: (.*)$", re.M)
    _UNLOCATED = re.compile(r"^(.*?): error: (.*)$", re.M)

    def __init__(self, diagnostics):
        super().__init__(diagnostics.rstrip("\n"))
        self.diagnostics = diagnostics
        located = self._LOCATED.search(diagnostics)
        if located:
            self.file, line, column, self.message = located.groups()
            self.line, self.column = int(line), int(column)
        else:
            unlocated = self._UNLOCATED.search(diagnostics)
            self.file, self.message = unlocated.groups() if unlocated \
                else (None, diagnostics.strip())
            self.line = self.column = None


def compile(source_or_path: Union[str, os.PathLike], *,
            target_cpu: Optional[str] = None,
            target_features: Optional[str] = None, fuse: bool = True,
            layout: bool = True, vectorize: bool = True,
            inference_only: bool = False,
            config: Optional[Mapping[str, Any]] = None,
            optimizer: Optional[Mapping[str, float]] = None,
            train_loss: Optional[str] = None,
            train_output: Optional[str] = None,
            train_optimizer: str = "adam") -> Module:
    """Compiles a .kiln model (its text or a path) or an ONNX model (a
    path ending in .onnx) to a loaded Module.

    The options are kilnc's: `target_cpu`/`target_features` (default this
    host), `fuse`, `layout` and `vectorize` (each optimization can be left
    out), `inference_only` (no train entries), `config` ({name: value}
    overriding the model's `config` lines, as `--set`), `optimizer`
    ({hyperparameter: number} of every train entry's optimizer, as
    `--optimizer`). For an ONNX model, `train_loss` adds a train entry
    `step` (kilnc --train-loss: "softmax_cross_entropy" against a new
    input `label`, "mse" against `target`, ...) on `train_output` (default
    the first output) with `train_optimizer`, so it can be fine-tuned. A
    model with errors raises CompileError.
    """
    if isinstance(source_or_path, os.PathLike) or (
            isinstance(source_or_path, str) and "\n" not in source_or_path
            and source_or_path.endswith((".kiln", ".onnx"))):
        filename = os.fspath(source_or_path)
        onnx = filename.lower().endswith(".onnx")
        try:
            with open(filename, "rb" if onnx else "r") as file:
                source = file.read()
        except FileNotFoundError:
            raise NotFoundError(f"cannot open '{filename}': no such file") \
                from None
    else:
        source, filename = source_or_path, "<string>"
    settings = {name: str(value) for name, value in (config or {}).items()}
    try:
        data = _compiler.compile(source, filename, target_cpu,
                                 target_features, fuse, layout, vectorize,
                                 inference_only, settings,
                                 {name: float(value) for name, value in
                                  (optimizer or {}).items()},
                                 train_loss or "", train_output or "",
                                 train_optimizer)
    except _compiler.CompileFailure as failure:
        raise CompileError(str(failure)) from None
    return Module(_runtime.Module.from_bytes(data))


class Module:
    """A compiled model: its entries, their signatures and native code."""

    def __init__(self, native: _runtime.Module):
        self._native = native
        # Signatures never change; built once, as Session.run reads them
        # on every call.
        self._entries = native.entries
        self._output_names = {name: tuple(o["name"] for o in e["outputs"])
                              for name, e in self._entries.items()}
        self._input_dtypes = {name: {i["name"]: i["dtype"]
                                     for i in e["inputs"]}
                              for name, e in self._entries.items()}

    @property
    def name(self) -> str:
        """The model's name (its `model` line)."""
        return self._native.name

    @property
    def target_cpu(self) -> str:
        """The CPU the code was compiled for."""
        return self._native.target_cpu

    @property
    def entries(self) -> dict[str, dict]:
        """Entry name to {"inputs", "outputs": [{"name", "dtype", "shape"}],
        "train": bool, "loss_of": str}; None in a shape is the batch."""
        return self._entries

    @property
    def param_names(self) -> list[str]:
        """The parameters (buffers included), in the module's order."""
        return list(self._native.param_names)

    @property
    def inference_entry(self) -> Optional[str]:
        """The entry that computes the model's outputs, or None."""
        return self._native.inference_entry

    def save(self, path: Union[str, os.PathLike]) -> None:
        """Writes the module's bytes to `path`."""
        with open(path, "wb") as out:
            out.write(self._native.bytes)

    def __repr__(self):
        return (f"<kiln.Module {self.name!r}: entries "
                f"{', '.join(self.entries)}>")


def load(path_or_bytes: Union[str, os.PathLike, bytes]) -> Module:
    """Loads a .kmod module from a path or from its bytes.

    The whole file is verified (header, checksum, structure, this CPU's
    features) before any of its code is loaded; loading runs the module's
    machine code, so load only modules you trust.
    """
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        data = bytes(path_or_bytes)
    else:
        path = os.fspath(path_or_bytes)
        try:
            with open(path, "rb") as file:
                data = file.read()
        except FileNotFoundError:
            raise NotFoundError(f"cannot open '{path}': no such file") \
                from None
    return Module(_runtime.Module.from_bytes(data))


class Session:
    """A module's parameters and optimizer state, and runs of its entries.

    Parameters start from the module's initializers, drawn with `seed`;
    entries run on `threads` threads (0: KILN_NUM_THREADS, else one per
    core). A session must not be used by two threads at once.
    """

    def __init__(self, module: Module, *, seed: int = 0, threads: int = 0):
        if not isinstance(module, Module):
            raise TypeError("Session needs a kiln.Module (kiln.load or "
                            "kiln.compile)")
        self.module = module
        self._native = _runtime.Session(module._native, seed, threads)

    def run(self, entry: str, *, learning_rate: Optional[float] = None,
            step: int = 0, **inputs: Any) -> dict[str, np.ndarray]:
        """Runs `entry` on the named inputs; its outputs by name.

        A train entry's first output is its loss; it updates the
        parameters and counts one more step (`learning_rate` overrides the
        model's for this step). `step` keys the random draws of other
        entries.
        """
        outputs = self._native.run(
            self.module._native, entry,
            _as_arrays(inputs, self.module._input_dtypes.get(entry, {})),
            learning_rate, step)
        return dict(zip(self.module._output_names[entry], outputs))

    def __call__(self, **inputs: Any) -> Union[np.ndarray,
                                               dict[str, np.ndarray]]:
        """The inference entry's outputs: one array, or a dict of them."""
        entry = self.module.inference_entry
        if entry is None:
            raise NotFoundError(f"module '{self.module.name}' has no "
                                "inference entry")
        outputs = self.run(entry, **inputs)
        return next(iter(outputs.values())) if len(outputs) == 1 \
            else outputs

    def step(self, entry: Optional[str] = None, *,
             learning_rate: Optional[float] = None, **inputs: Any) -> float:
        """One training step of `entry` (the only train entry when None);
        its loss as a float."""
        if entry is None:
            trains = [n for n, e in self.module.entries.items() if e["train"]]
            if len(trains) != 1:
                raise InvalidArgumentError(
                    "name the train entry: the module has "
                    f"{', '.join(trains) or 'none'}")
            entry = trains[0]
        outputs = self.run(entry, learning_rate=learning_rate, **inputs)
        return float(next(iter(outputs.values())))

    def step_count(self, entry: str) -> int:
        """How many steps train entry `entry` has taken."""
        return self._native.step_count(entry)

    @property
    def params(self) -> dict[str, np.ndarray]:
        """Parameter name to a copy of its current value."""
        return {name: self._native.get_param(name)
                for name in self.module.param_names}

    def set_param(self, name: str, value: Any) -> None:
        """Replaces parameter `name` (same dtype and shape)."""
        self._native.set_param(name, np.ascontiguousarray(value))

    def save(self, path: Union[str, os.PathLike]) -> None:
        """Saves parameters, optimizer state and step counts to a
        checkpoint, atomically (an old file stays intact on failure)."""
        self._native.save(os.fspath(path))

    def restore(self, path: Union[str, os.PathLike]) -> None:
        """Restores a checkpoint of this module (checked before a byte of
        it is used)."""
        self._native.restore(os.fspath(path))

    @classmethod
    def from_checkpoint(cls, module: Module, path: Union[str, os.PathLike],
                        *, threads: int = 0) -> Session:
        """A session of `module` restored from checkpoint `path`."""
        session = cls(module, threads=threads)
        session.restore(path)
        return session


def _as_arrays(inputs, dtypes):
    """Inputs as arrays the runtime reads in place: C-contiguous NumPy
    arrays and DLPack tensors pass as they are; other layouts are copied
    once to C order (keeping their dtype, which must be the input's);
    lists and scalars become arrays of the input's dtype."""
    arrays = {}
    for name, value in inputs.items():
        if isinstance(value, np.ndarray):
            if not value.flags.c_contiguous:
                value = np.ascontiguousarray(value)
        elif not hasattr(value, "__dlpack__"):
            value = np.asarray(value, dtype=dtypes.get(name))
        arrays[name] = value
    return arrays
