"""The Python examples run as a reader would run them, and do what their
output says."""

import os
import re
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def test_train_mlp_learns_fashion_mnist_and_reloads_identically():
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, "examples", "python",
                                      "train_mlp.py")],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    tested = re.search(r"^test accuracy: ([\d.]+)%", result.stdout, re.M)
    again = re.search(r"test accuracy ([\d.]+)%$", result.stdout, re.M)
    # One epoch of the zoo's MLP: PyTorch's twin reaches about 84%.
    assert float(tested.group(1)) >= 80
    assert again.group(1) == tested.group(1)
