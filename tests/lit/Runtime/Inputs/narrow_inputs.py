"""Feeds .npy files of every element type NumPy users hand in to kiln-run
infer and checks what the model saw against NumPy's own reading of them.

usage: narrow_inputs.py KILN_RUN MODULE DIR
"""

import os
import subprocess
import sys

import numpy as np

kiln_run, module, work = sys.argv[1:]
rng = np.random.default_rng(0)


def run(**arrays):
    feeds = []
    for name, array in arrays.items():
        path = os.path.join(work, f"{name}.npy")
        np.save(path, array)
        feeds += ["--input", f"{name}={path}"]
    out = os.path.join(work, "out")
    result = subprocess.run([kiln_run, "infer", module, "--output-dir", out,
                             *feeds], capture_output=True, text=True)
    if result.returncode != 0:
        return None, result.stderr.strip()
    return {k: np.load(os.path.join(out, f"{k}.npy"))
            for k in ("y", "l", "i", "m")}, None


base = dict(x=np.zeros((5, 4), np.float32), label=np.zeros(5, np.int32),
            ids=np.zeros(5, np.int64), mask=np.zeros(5, bool))

# Features: floats of every width and byte order as they are, uint8 pixels
# scaled to [0, 1].
pixels = rng.integers(0, 256, (5, 4)).astype(np.uint8)
for x, expected in [(pixels, pixels / 255.0),
                    (rng.standard_normal((5, 4)).astype(np.float16), None),
                    (rng.standard_normal((5, 4)).astype(">f4"), None),
                    (rng.standard_normal((5, 4)).astype(np.float64), None)]:
    outputs, error = run(**{**base, "x": x})
    assert error is None, error
    expected = x.astype(np.float64) if expected is None else expected
    assert np.allclose(outputs["y"], expected, rtol=1e-6, atol=1e-7), \
        (x.dtype, outputs["y"], expected)
    print(f"x as {x.dtype.str}: ok")

# Labels and ids: every integer type, read exactly.
for dtype in (np.uint8, np.int8, np.uint16, np.int16, np.int32, np.int64,
              ">i4"):
    values = rng.integers(0, 120, 5).astype(dtype)
    outputs, error = run(**{**base, "label": values, "ids": values})
    assert error is None, error
    assert (outputs["l"] == values.astype(np.int64)).all(), (dtype, outputs)
    assert (outputs["i"] == values.astype(np.int64)).all(), (dtype, outputs)
    print(f"labels as {np.dtype(dtype).str}: ok")

# Masks: bool, or integers that are 0 and 1.
for mask in (np.array([1, 0, 1, 1, 0], bool),
             np.array([1, 0, 1, 1, 0], np.uint8)):
    outputs, error = run(**{**base, "mask": mask})
    assert error is None, error
    assert (outputs["m"] == mask.astype(np.int64)).all(), outputs
    print(f"mask as {mask.dtype.str}: ok")

# What has no single meaning is refused with the conversion to make.
for name, value in [("x", np.zeros((5, 4), np.int16)),
                    ("label", np.zeros(5, np.float32)),
                    ("label", np.full(5, 2**40, np.int64)),
                    ("mask", np.full(5, 3, np.uint8))]:
    _, error = run(**{**base, name: value})
    assert error is not None, (name, value.dtype)
    print(error)
