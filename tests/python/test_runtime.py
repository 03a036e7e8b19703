"""The Python package's runtime side: modules, sessions, arrays in and out
without copies, and every error class as the exception its kind calls for.

Run by ctest (python-tests) with the build tree's package on the path and
KILNC naming the compiler that makes the fixture modules.
"""

import gc
import os
import subprocess
import sys

import numpy as np
import pytest

import kiln


def compile_model(tmp_path, source_name, *settings):
    """A model of the zoo compiled by kilnc into tmp_path."""
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    output = tmp_path / (source_name + ".kmod")
    command = [os.environ["KILNC"],
               os.path.join(root, "models", source_name + ".kiln"),
               "-o", str(output)]
    for setting in settings:
        command += ["--set", setting]
    subprocess.run(command, check=True)
    return output


@pytest.fixture(scope="module")
def logistic(tmp_path_factory):
    """Logistic regression on 4 features, 3 classes: its .kmod path."""
    return compile_model(tmp_path_factory.mktemp("logistic"),
                         "logistic_regression", "features=4", "classes=3")


@pytest.fixture
def batch():
    rng = np.random.default_rng(0)
    return (rng.standard_normal((16, 4)).astype(np.float32),
            (np.arange(16) % 3).astype(np.int32))


def test_modules_describe_their_entries(logistic):
    module = kiln.load(logistic)
    assert module.name == "logistic_regression"
    assert module.inference_entry == "infer"
    assert module.param_names == ["w", "b"]
    step = module.entries["step"]
    assert step["train"]
    assert step["inputs"] == [
        {"name": "x", "dtype": "float32", "shape": (None, 4)},
        {"name": "label", "dtype": "int32", "shape": (None,)}]
    assert step["outputs"][0]["name"] == "loss"
    assert module.entries["step_loss"]["loss_of"] == "step"


def test_a_module_loads_from_bytes_and_saves_identical(logistic, tmp_path):
    data = logistic.read_bytes()
    module = kiln.load(data)
    module.save(tmp_path / "copy.kmod")
    assert (tmp_path / "copy.kmod").read_bytes() == data


def test_training_lowers_the_loss_and_checkpoints_restore_it(
        logistic, batch, tmp_path):
    module = kiln.load(logistic)
    session = kiln.Session(module, seed=3)
    x, y = batch
    losses = [session.step(x=x, label=y) for _ in range(20)]
    assert losses[-1] < losses[0] * 0.9
    assert session.step_count("step") == 20
    session.save(tmp_path / "s.ckpt")
    restored = kiln.Session.from_checkpoint(module, tmp_path / "s.ckpt")
    assert restored.step_count("step") == 20
    np.testing.assert_array_equal(restored(x=x), session(x=x))
    for name, value in session.params.items():
        np.testing.assert_array_equal(restored.params[name], value)


def test_parameters_are_set_from_and_read_as_arrays(logistic):
    module = kiln.load(logistic)
    session = kiln.Session(module)
    weights = np.arange(12, dtype=np.float32).reshape(3, 4)
    session.set_param("w", weights)
    np.testing.assert_array_equal(session.params["w"], weights)


def test_inputs_are_read_in_place(batch):
    x, y = batch
    # The address the runtime reads is the array's own: no copy on the way
    # in (the runtime's own tests show it reads there, in place).
    assert kiln._runtime._data_address(x) == x.ctypes.data
    assert kiln._runtime._data_address(y) == y.ctypes.data
    view = x[2:6]  # a C-contiguous view into x's memory
    assert kiln._runtime._data_address(view) == view.ctypes.data


def test_other_layouts_are_copied_once_and_read_only_arrays_read(
        logistic, batch):
    session = kiln.Session(kiln.load(logistic), seed=4)
    x, _ = batch
    expected = session(x=x)
    fortran = np.asfortranarray(x)
    assert not fortran.flags.c_contiguous
    np.testing.assert_array_equal(session(x=fortran), expected)
    strided = np.repeat(x, 2, axis=0)[::2]
    np.testing.assert_array_equal(session(x=strided), expected)
    frozen = x.copy()
    frozen.flags.writeable = False
    np.testing.assert_array_equal(session(x=frozen), expected)
    np.testing.assert_array_equal(session(x=x.tolist()), expected)


def test_outputs_own_kiln_memory_that_outlives_the_session(logistic, batch):
    module = kiln.load(logistic)
    session = kiln.Session(module)
    session.set_param("w", np.ones((3, 4), np.float32))
    x, _ = batch
    probs = session(x=x)
    expected = probs.copy()
    assert probs.shape == (16, 3) and probs.dtype == np.float32
    assert not probs.flags["OWNDATA"] and probs.base is not None
    del session, module
    gc.collect()
    # Still Kiln's memory, still valid: the array keeps it alive.
    np.testing.assert_array_equal(probs, expected)
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-6)


def test_a_wrong_dtype_is_a_value_error_naming_the_input(logistic, batch):
    session = kiln.Session(kiln.load(logistic))
    x, _ = batch
    with pytest.raises(ValueError) as error:
        session(x=x.astype(np.float64))
    assert str(error.value) == \
        "input 'x' must be float32 [N, 4], got float64 [16, 4]"
    assert isinstance(error.value, kiln.InvalidArgumentError)
    assert isinstance(error.value, kiln.KilnError)


def test_a_wrong_shape_is_a_value_error_with_both_shapes(logistic):
    session = kiln.Session(kiln.load(logistic))
    with pytest.raises(ValueError,
                       match=r"input 'x' must have shape \[N, 4\], "
                             r"got \[2, 5\]"):
        session(x=np.zeros((2, 5), np.float32))


def test_a_missing_input_and_a_label_out_of_range(logistic, batch):
    session = kiln.Session(kiln.load(logistic))
    x, y = batch
    with pytest.raises(kiln.InvalidArgumentError,
                       match="entry 'step' needs input 'label'"):
        session.step(x=x)
    with pytest.raises(kiln.InvalidArgumentError,
                       match=r"input 'label' has value 7 .* \[0, 3\)"):
        session.step(x=x, label=np.full(16, 7, np.int32))


def test_unknown_names_are_lookup_errors(logistic, batch):
    session = kiln.Session(kiln.load(logistic))
    with pytest.raises(LookupError, match="no entry 'nope'; its entries "
                                          "are 'infer', 'step'"):
        session.run("nope", x=batch[0])
    with pytest.raises(kiln.NotFoundError, match="no parameter 'v'"):
        session.set_param("v", np.zeros(3, np.float32))
    with pytest.raises(kiln.NotFoundError, match="cannot open"):
        kiln.load("/nonexistent/model.kmod")


def test_damaged_files_are_corrupt_errors(logistic, tmp_path):
    data = bytearray(logistic.read_bytes())
    with pytest.raises(kiln.CorruptError, match="not a Kiln module"):
        kiln.load(b"garbage" * 20)
    data[len(data) // 2] ^= 0xFF
    with pytest.raises(kiln.CorruptError):
        kiln.load(bytes(data))
    session = kiln.Session(kiln.load(logistic))
    (tmp_path / "bad.ckpt").write_bytes(b"not a checkpoint" * 8)
    with pytest.raises(kiln.CorruptError):
        session.restore(tmp_path / "bad.ckpt")


def test_a_checkpoint_of_another_model_is_refused(logistic, tmp_path):
    other = kiln.load(compile_model(tmp_path, "linear_regression"))
    kiln.Session(other).save(tmp_path / "other.ckpt")
    session = kiln.Session(kiln.load(logistic))
    before = session.params
    with pytest.raises(kiln.PreconditionError):
        session.restore(tmp_path / "other.ckpt")
    for name, value in session.params.items():
        np.testing.assert_array_equal(value, before[name])


def test_a_save_that_cannot_be_written_raises(logistic, tmp_path):
    session = kiln.Session(kiln.load(logistic))
    with pytest.raises(kiln.PreconditionError):
        session.save(tmp_path / "missing-dir" / "s.ckpt")


def test_out_of_memory_is_a_memory_error(tmp_path):
    """A model whose parameters (40 GB) do not fit under a 6 GB address
    space limit: MemoryError with Kiln's message, and the interpreter goes
    on (checked in a child process that has the limit)."""
    source = ("model huge\ninput x : f32[N, 100000]\n"
              "param w : f32[100000, 100000] = zeros\n"
              "output y = dense(x, w)\n")
    kiln.compile(source, inference_only=True).save(tmp_path / "huge.kmod")
    child = (
        "import resource, kiln\n"
        "resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))\n"
        f"module = kiln.load({str(tmp_path / 'huge.kmod')!r})\n"
        "try:\n"
        "    kiln.Session(module)\n"
        "except MemoryError as error:\n"
        "    print('MemoryError:', error)\n"
        "print('still running')\n")
    result = subprocess.run([sys.executable, "-c", child],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "MemoryError: out of memory" in result.stdout
    assert "still running" in result.stdout
