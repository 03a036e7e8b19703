"""kiln.datasets, kiln.evaluate and kiln.tune: kiln-run's data, scores and
search from Python, checked against kiln-run itself and against data read
independently with NumPy."""

import gc
import json
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import kiln

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "examples", "python"))
from train_mlp import load as read_fashion_mnist  # noqa: E402


@pytest.fixture(scope="module")
def fashion():
    return kiln.datasets.fashion_mnist()


@pytest.fixture(scope="module")
def mlp_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("mlp") / "mlp.kmod"
    subprocess.run([os.environ["KILNC"],
                    os.path.join(ROOT, "models", "mlp.kiln"), "-o",
                    str(path)], check=True)
    return path


def kiln_run(*args):
    return subprocess.run([os.environ["KILN_RUN"], *map(str, args)],
                          check=True, capture_output=True,
                          text=True).stdout


def json_lines(text):
    return [json.loads(line) for line in text.splitlines()
            if line.startswith("{")]


def test_fashion_mnist_is_debians_files_split_as_kiln_run_splits(fashion):
    images, labels = read_fashion_mnist("train")
    test_images, test_labels = read_fashion_mnist("t10k")
    x, y = fashion.train
    assert x.shape == (55000, 1, 28, 28) and x.dtype == np.float32
    assert y.shape == (55000,) and y.dtype == np.int32
    np.testing.assert_array_equal(x.reshape(55000, -1), images[:55000])
    np.testing.assert_array_equal(y, labels[:55000])
    xv, yv = fashion.validation
    np.testing.assert_array_equal(xv.reshape(5000, -1), images[55000:])
    np.testing.assert_array_equal(yv, labels[55000:])
    xt, yt = fashion.test
    np.testing.assert_array_equal(xt.reshape(10000, -1), test_images)
    np.testing.assert_array_equal(yt, test_labels)
    assert fashion.classes == 10


def test_split_arrays_are_read_only_views_that_outlive_the_dataset():
    data = kiln.datasets.fashion_mnist()
    x, y = data.test
    assert not x.flags.owndata and not x.flags.writeable
    with pytest.raises(ValueError):
        x[0, 0, 0, 0] = 1
    del data
    gc.collect()
    np.testing.assert_array_equal(x.reshape(10000, -1),
                                  read_fashion_mnist("t10k")[0])


def test_read_only_views_go_straight_into_a_session(fashion, mlp_path):
    session = kiln.Session(kiln.load(mlp_path))
    x = fashion.test.x[:16].reshape(16, 784)
    assert kiln._runtime._data_address(x) == x.ctypes.data
    assert session(image=x)["probs"].shape == (16, 10)


def test_fit_on_a_dataset_is_kiln_run_train(tmp_path, mlp_path):
    printed = json_lines(kiln_run(
        "train", mlp_path, "--data", "fashion-mnist", "--epochs", 2,
        "--limit", 2000, "--seed", 3, "--json"))
    session = kiln.Session(kiln.load(mlp_path), seed=3)
    history = kiln.fit(session, kiln.datasets.fashion_mnist(seed=3),
                       epochs=2, limit=2000, seed=3, progress=False)
    for ours, theirs in zip(history.epochs, printed[:-1], strict=True):
        assert ours["loss"] == theirs["train"]
        assert ours["validation"] == theirs["validation"]
    assert history.test["loss"] == pytest.approx(printed[-1]["test_loss"],
                                                 rel=1e-12)
    assert history.test["accuracy"] == printed[-1]["test_accuracy"]


def test_evaluate_is_kiln_run_eval(tmp_path, mlp_path, fashion):
    checkpoint = tmp_path / "mlp.ckpt"
    session = kiln.Session(kiln.load(mlp_path), seed=1)
    kiln.fit(session, fashion, limit=3000, checkpoint=checkpoint,
             progress=False)
    ours = kiln.evaluate(session, fashion)
    theirs = json.loads(kiln_run("eval", mlp_path, "--checkpoint",
                                 checkpoint, "--json"))
    assert ours == theirs
    validation = kiln.evaluate(session, fashion, on="validation")
    assert validation["samples"] == 5000


def test_evaluate_on_arrays_counts_what_the_model_gets_right(mlp_path,
                                                             fashion):
    session = kiln.Session(kiln.load(mlp_path), seed=2)
    kiln.fit(session, fashion, limit=2000, progress=False)
    x, y = fashion.test
    x = x[:1000].reshape(1000, 784)
    scores = kiln.evaluate(session, (x, y[:1000]))
    predicted = session(image=x)["probs"].argmax(axis=1)
    assert scores["samples"] == 1000
    assert scores["accuracy"] == pytest.approx((predicted == y[:1000])
                                               .mean())
    confusion = np.zeros((10, 10), int)
    np.add.at(confusion, (y[:1000], predicted), 1)
    assert scores["confusion"] == confusion.tolist()


def test_from_arrays_trains_as_the_arrays_do(mlp_path, fashion):
    (x, y), (xv, yv) = fashion.train, fashion.validation
    x, xv = x[:1000].reshape(1000, 784), xv[:500].reshape(500, 784)
    module = kiln.load(mlp_path)
    by_pairs = kiln.fit(kiln.Session(module), (x, y[:1000]),
                        validation=(xv, yv[:500]), progress=False)
    data = kiln.datasets.from_arrays((x, y[:1000]), (xv, yv[:500]))
    assert len(data.validation.x) == 500
    by_dataset = kiln.fit(kiln.Session(module), data, progress=False)
    assert by_pairs.epochs[0]["loss"] == by_dataset.epochs[0]["loss"]
    assert by_pairs.epochs[0]["validation"] == \
        by_dataset.epochs[0]["validation"]


def test_a_dataset_brings_its_own_splits(mlp_path, fashion):
    with pytest.raises(TypeError, match="own validation and test"):
        kiln.fit(kiln.Session(kiln.load(mlp_path)), fashion,
                 validation=fashion.validation)


def test_csv_sets_scale_on_the_training_split_only():
    data = kiln.datasets.diabetes(scale="standard", seed=5)
    x = data.train.x
    np.testing.assert_allclose(x.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(x.std(axis=0), 1, atol=1e-4)
    assert data.classes == 0 and data.train.y.dtype == np.float32
    assert abs(data.test.x.mean()) > 1e-4
    assert data.preprocessing["scaling"] == "standard"
    iris = kiln.datasets.sklearn("iris")
    assert iris.class_names == ["setosa", "versicolor", "virginica"]
    assert len(iris.train.x) + len(iris.validation.x) + len(iris.test.x) \
        == 150


def test_words_are_token_sequences():
    data = kiln.datasets.words(sequence_steps=12)
    x, y = data.train
    assert x.dtype == np.int32 and x.shape[1] == 12
    assert (x[:, 0] == 1).all()  # every word starts with the start token
    np.testing.assert_array_equal(x[:, 1:], y[:, :-1])


def test_data_errors_name_what_is_wrong(tmp_path):
    with pytest.raises(kiln.NotFoundError, match="cannot open"):
        kiln.datasets.load(tmp_path / "none.csv")
    with pytest.raises(kiln.InvalidArgumentError, match="unknown data"):
        kiln.datasets.load("imagenet")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3,x\n4,5\n")
    with pytest.raises(kiln.InvalidArgumentError, match=r"bad.csv:3"):
        kiln.datasets.load(bad)
    with pytest.raises(kiln.NotFoundError,
                       match="did you mean 'sklearn:iris'"):
        kiln.datasets.sklearn("irsi")
    with pytest.raises(kiln.InvalidArgumentError, match="scale must be"):
        kiln.datasets.diabetes(scale="log")


def test_tune_ranks_trials_that_are_plain_fits(mlp_path, fashion):
    module = kiln.load(mlp_path)
    result = kiln.tune(module, fashion, {"lr": [0.0003, 0.003]},
                       limit=1500, progress=False)
    assert result.metric == "accuracy"
    assert [t["settings"] for t in result.trials] == [{"lr": "0.0003"},
                                                      {"lr": "0.003"}]
    scores = [t["score"] for t in result.trials]
    assert result.best["score"] == max(scores)
    # Each trial is a fit of its own: the same as fitting with its setting.
    for trial in result.trials:
        session = kiln.Session(module)
        history = kiln.fit(session, fashion, limit=1500,
                           lr=float(trial["settings"]["lr"]),
                           progress=False)
        assert history.epochs[-1]["validation"]["accuracy"] == \
            trial["score"]


def test_tune_random_search_and_its_errors(mlp_path, fashion):
    module = kiln.load(mlp_path)
    result = kiln.tune(module, fashion, {"batch": (16, 128)}, trials=2,
                       limit=500, seed=4, progress=False)
    batches = [int(t["settings"]["batch"]) for t in result.trials]
    assert len(batches) == 2 and all(16 <= b <= 128 for b in batches)
    with pytest.raises(kiln.InvalidArgumentError,
                       match="compiled into the model"):
        kiln.tune(module, fashion, {"config.hidden1": [64, 128]},
                  progress=False)
    with pytest.raises(TypeError, match="list of values"):
        kiln.tune(module, fashion, {"lr": 0.1}, progress=False)


def test_ctrl_c_ends_a_search_in_the_trial_it_is_in(mlp_path, fashion):
    module = kiln.load(mlp_path)
    seen = []
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            # Ten trials of 20 epochs each would take minutes.
            kiln.tune(module, fashion, {"lr": [1e-4 * k for k in
                                               range(1, 11)]},
                      epochs=20, progress=False, on_trial=seen.append)
    finally:
        timer.cancel()
    assert time.monotonic() - started < 30
    assert len(seen) <= 1
