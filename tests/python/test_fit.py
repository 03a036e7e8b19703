"""kiln.fit: the trainer library's loop on NumPy arrays, its callbacks,
Ctrl-C, and its errors."""

import json
import os
import signal
import subprocess
import sys
import threading
import types

import numpy as np
import pytest

import kiln

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


@pytest.fixture(scope="module")
def mlp_module():
    return kiln.compile(os.path.join(ROOT, "models", "mlp.kiln"))


@pytest.fixture(scope="module")
def blobs():
    """Three well separated classes in 784 dimensions: 3,000 samples to
    train on, 600 to validate and 600 to test."""
    rng = np.random.default_rng(0)
    centers = rng.standard_normal((3, 784)).astype(np.float32)
    labels = rng.integers(0, 3, 4200).astype(np.int32)
    features = centers[labels] + \
        0.8 * rng.standard_normal((4200, 784)).astype(np.float32)
    return ((features[:3000], labels[:3000]),
            (features[3000:3600], labels[3000:3600]),
            (features[3600:], labels[3600:]))


def test_fit_trains_validates_and_tests(mlp_module, blobs):
    train, validation, test = blobs
    session = kiln.Session(mlp_module, seed=0)
    history = kiln.fit(session, train, validation=validation, test=test,
                       epochs=2, batch=32, progress=False)
    assert len(history.epochs) == 2
    assert history.loss[1] < history.loss[0]
    assert history.epochs[1]["validation"]["accuracy"] > 0.95
    assert history.test["accuracy"] > 0.95
    assert history.steps == 2 * -(-3000 // 32)
    assert session.step_count("step") == history.steps


def test_the_same_seed_trains_the_same(mlp_module, blobs):
    train, _, _ = blobs
    losses = []
    for _ in range(2):
        session = kiln.Session(mlp_module, seed=4)
        losses.append(kiln.fit(session, train, epochs=1, seed=9,
                               progress=False).loss)
    assert losses[0] == losses[1]


def test_callbacks_see_steps_and_epochs_and_can_stop(mlp_module, blobs):
    train, validation, _ = blobs

    class Recorder:
        def __init__(self):
            self.steps, self.epochs = [], []

        def on_step(self, step):
            self.steps.append(step)

        def on_epoch(self, epoch):
            self.epochs.append(epoch)
            return False  # stop after the first

    recorder = Recorder()
    history = kiln.fit(kiln.Session(mlp_module), train,
                       validation=validation, epochs=5,
                       callbacks=[recorder], progress=False)
    assert len(history.epochs) == 1 and len(recorder.epochs) == 1
    assert recorder.steps and recorder.steps[-1]["samples"] == 3000
    assert "accuracy" in recorder.epochs[0]["validation"]


def test_a_callbacks_exception_ends_the_fit_with_it(mlp_module, blobs):
    class Failing:
        def on_epoch(self, epoch):
            raise RuntimeError("from the callback")

    with pytest.raises(RuntimeError, match="from the callback"):
        kiln.fit(kiln.Session(mlp_module), blobs[0], epochs=3,
                 callbacks=[Failing()], progress=False)


def test_ctrl_c_stops_after_the_step_it_is_in(mlp_module, blobs):
    session = kiln.Session(mlp_module)
    # SIGINT while the loop runs, as Ctrl-C in a terminal sends it.
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            kiln.fit(session, blobs[0], epochs=1000, batch=32,
                     progress=False)
    finally:
        timer.cancel()
    steps = session.step_count("step")
    assert 0 < steps < 1000 * 94
    # The session keeps what it learned and goes on working.
    assert session(image=blobs[2][0][:4])["probs"].shape == (4, 10)


def test_bad_data_is_a_value_error(mlp_module, blobs):
    features, labels = blobs[0]
    session = kiln.Session(mlp_module)
    with pytest.raises(ValueError, match="3000 rows but the targets 2999"):
        kiln.fit(session, (features, labels[:-1]), progress=False)
    with pytest.raises(kiln.InvalidArgumentError):
        kiln.fit(session, (features[:, :100], labels), progress=False)
    with pytest.raises(kiln.InvalidArgumentError, match="schedule"):
        kiln.fit(session, (features, labels), schedule="linear",
                 progress=False)


def test_fit_is_kiln_run_train_at_the_same_seed(tmp_path):
    """The same loop on the same data: the same losses, to the last digit
    JSON prints, as `kiln-run train` on Debian's Fashion-MNIST."""
    sys.path.insert(0, os.path.join(ROOT, "examples", "python"))
    from train_mlp import load
    module_path = tmp_path / "mlp.kmod"
    subprocess.run([os.environ["KILNC"], os.path.join(ROOT, "models",
                                                      "mlp.kiln"),
                    "-o", str(module_path)], check=True)
    printed = subprocess.run(
        [os.environ["KILN_RUN"], "train", str(module_path), "--data",
         "fashion-mnist", "--epochs", "2", "--limit", "2000", "--seed", "3",
         "--json"], check=True, capture_output=True, text=True).stdout
    epochs = [json.loads(line) for line in printed.splitlines()
              if line.startswith('{"epoch"')]
    # kiln-run's split: the first 55,000 training images train (here the
    # first 2,000 of them), the last 5,000 validate.
    images, labels = load("train")
    session = kiln.Session(kiln.load(module_path), seed=3)
    history = kiln.fit(session, (images[:2000], labels[:2000]),
                       validation=(images[55000:], labels[55000:]),
                       epochs=2, seed=3, progress=False)
    for ours, theirs in zip(history.epochs, epochs, strict=True):
        assert ours["loss"] == theirs["train"]
        assert ours["validation"] == theirs["validation"]


def test_in_a_notebook_the_progress_bar_is_html_redrawn_in_place(
        monkeypatch, mlp_module, blobs):
    """Under a Jupyter kernel (IPython's display machinery, faked here)
    fit draws one HTML progress bar and updates it, keeping a line per
    epoch."""
    shown = []

    class Handle:
        def update(self, html):
            shown.append(("update", html.data))

    class HTML:
        def __init__(self, data):
            self.data = data

    def display(html, display_id=False):
        assert display_id
        shown.append(("display", html.data))
        return Handle()

    class ZMQInteractiveShell:
        pass

    display_module = types.ModuleType("IPython.display")
    display_module.HTML, display_module.display = HTML, display
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = ZMQInteractiveShell
    ipython.display = display_module
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display_module)
    monkeypatch.setitem(sys.modules, "ipykernel",
                        types.ModuleType("ipykernel"))
    train, validation, _ = blobs
    kiln.fit(kiln.Session(mlp_module), train, validation=validation,
             epochs=2)
    assert shown[0][0] == "display"
    assert all(kind == "update" for kind, _ in shown[1:])
    assert "<progress" in shown[-1][1]
    assert "epoch 1:" in shown[-1][1] and "epoch 2:" in shown[-1][1]
    assert "validation loss" in shown[-1][1]
