"""The Python examples run as a reader would run them, and do what their
output says."""

import json
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


def test_train_lenet_reaches_87_percent_with_kiln_run_trains_loss(tmp_path):
    """One epoch of LeNet from Python: at least 87% on the test images, and
    the very loss `kiln-run train` prints for the same model, data and
    seed."""
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, "examples", "python",
                                      "train_lenet.py"),
         "--out", str(tmp_path)], capture_output=True, text=True,
        timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    loss = re.search(r"^epoch 1: train loss ([\d.]+)", result.stdout, re.M)
    tested = re.search(r"^test accuracy: ([\d.]+)%", result.stdout, re.M)
    assert float(tested.group(1)) >= 87
    assert "the same outputs" in result.stdout

    printed = subprocess.run(
        [os.environ["KILN_RUN"], "train", str(tmp_path / "lenet.kmod"),
         "--data", "fashion-mnist", "--epochs", "1", "--seed", "0",
         "--json"], check=True, capture_output=True, text=True).stdout
    epoch = json.loads(printed.splitlines()[0])
    assert loss.group(1) == f"{epoch['train']['loss']:.6f}"
    summary = json.loads(printed.splitlines()[-1])
    assert tested.group(1) == f"{summary['test_accuracy'] * 100:.2f}"
