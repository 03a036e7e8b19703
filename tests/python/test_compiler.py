"""kiln.compile: the compiler in-process, judged against kilnc itself.

Run by ctest (python-tests), with KILNC naming the kilnc of the same build.
"""

import os
import subprocess

import numpy as np
import pytest

import kiln

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def kilnc(*arguments):
    return subprocess.run([os.environ["KILNC"], *arguments],
                          capture_output=True, text=True)


def test_a_module_compiled_in_process_is_kilncs_to_the_byte(tmp_path):
    model = os.path.join(ROOT, "models", "lenet.kiln")
    assert kilnc(model, "-o", str(tmp_path / "lenet.kmod")).returncode == 0
    module = kiln.compile(model)
    module.save(tmp_path / "in-process.kmod")
    assert (tmp_path / "in-process.kmod").read_bytes() == \
        (tmp_path / "lenet.kmod").read_bytes()


@pytest.mark.parametrize("case", ["shape-mismatch", "several-errors",
                                  "undefined-name", "too-large"])
def test_errors_read_exactly_as_kilnc_prints_them(case, tmp_path):
    path = os.path.join(ROOT, "tests", "lit", "Frontend", "errors",
                        case + ".kiln")
    if not os.path.exists(path):
        pytest.skip(f"no error case {case}")
    printed = kilnc(path, "-o", str(tmp_path / "x.kmod"))
    assert printed.returncode == 1
    with pytest.raises(kiln.CompileError) as error:
        kiln.compile(path)
    assert str(error.value) == printed.stderr.rstrip("\n")
    first = printed.stderr.splitlines()[0]
    assert first == (f"{error.value.file}:{error.value.line}:"
                     f"{error.value.column}: error: {error.value.message}")
    assert isinstance(error.value, kiln.KilnError)


def test_source_text_errors_point_into_the_string():
    with pytest.raises(kiln.CompileError) as error:
        kiln.compile("model m\ninput x : f32[N, 4]\noutput y = relu(z)\n")
    assert (error.value.file, error.value.line, error.value.column) == \
        ("<string>", 3, 17)
    assert error.value.message.startswith("undefined name 'z'")


def test_errors_found_after_the_front_end_are_compile_errors_too():
    # Found by kilnc-fuzzer: a class loss over classes known only at run
    # time cannot be differentiated (an error in autodiff, not a crash).
    source = ("model m\ninput x : f32[N, 4]\ninput label : i32[N]\n"
              "param b : f32[4] = zeros\nscores = dense(x, x, b)\n"
              "loss = hinge(scores, label)\n"
              "train step minimize loss using sgd\n")
    with pytest.raises(kiln.CompileError,
                       match="hinge: cannot be differentiated"):
        kiln.compile(source)


def test_config_and_options_are_kilncs():
    path = os.path.join(ROOT, "models", "logistic_regression.kiln")
    module = kiln.compile(path, config={"features": 4, "classes": 3},
                          inference_only=True, vectorize=False)
    # Without train entries; their loss entries stay, to validate with.
    assert list(module.entries) == ["infer", "step_loss"]
    assert module.entries["infer"]["inputs"][0]["shape"] == (None, 4)
    with pytest.raises(kiln.CompileError,
                       match="'nope', which is not a config"):
        kiln.compile(path, config={"nope": 1})


def test_optimizer_hyperparameters_are_kilncs_optimizer_flag(tmp_path):
    model = os.path.join(ROOT, "models", "logistic_regression.kiln")
    assert kilnc(model, "--optimizer", "momentum=0.5", "--optimizer",
                 "lr=0.02", "-o", str(tmp_path / "flag.kmod")) \
        .returncode == 0
    kiln.compile(model, optimizer={"momentum": 0.5, "lr": 0.02}).save(
        tmp_path / "in-process.kmod")
    assert (tmp_path / "in-process.kmod").read_bytes() == \
        (tmp_path / "flag.kmod").read_bytes()
    with pytest.raises(kiln.CompileError, match="beta1"):
        kiln.compile(model, optimizer={"beta1": 0.5})


def test_a_compiled_model_trains(tmp_path):
    module = kiln.compile(os.path.join(ROOT, "models", "mlp.kiln"))
    session = kiln.Session(module, seed=0)
    rng = np.random.default_rng(1)
    images = rng.random((32, 784), dtype=np.float32)
    labels = (np.arange(32) % 10).astype(np.int32)
    first = session.step(image=images, label=labels)
    for _ in range(10):
        last = session.step(image=images, label=labels)
    assert last < first
    outputs = session(image=images)
    assert outputs["probs"].shape == (32, 10)


def test_a_missing_model_file_is_not_found():
    with pytest.raises(kiln.NotFoundError, match="cannot open"):
        kiln.compile("/nonexistent/model.kiln")


def onnx_model(path, nodes, inputs, outputs, initializers=()):
    onnx = pytest.importorskip("onnx")
    from onnx import helper
    graph = helper.make_graph(nodes, "m", inputs, outputs, list(initializers))
    onnx.save(helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


def test_an_onnx_model_compiles_in_process_as_kilnc_compiles_it(tmp_path):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper
    weight = np.random.default_rng(2).standard_normal((3, 4)).astype(
        np.float32)
    path = onnx_model(
        tmp_path / "linear.onnx",
        [helper.make_node("Gemm", ["x", "w"], ["z"], transB=1),
         helper.make_node("Tanh", ["z"], ["y"])],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])],
        [numpy_helper.from_array(weight, "w")])
    assert kilnc(str(path), "-o", str(tmp_path / "kilnc.kmod")).returncode == 0
    module = kiln.compile(path)
    module.save(tmp_path / "in-process.kmod")
    assert (tmp_path / "in-process.kmod").read_bytes() == \
        (tmp_path / "kilnc.kmod").read_bytes()
    # The initializer is a parameter holding its value.
    session = kiln.Session(module)
    np.testing.assert_array_equal(session.params["w"], weight)
    x = np.random.default_rng(3).standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(session(x=x), np.tanh(x @ weight.T),
                               rtol=1e-5, atol=1e-6)


def test_an_onnx_op_kiln_lacks_is_a_compile_error(tmp_path):
    from onnx import TensorProto, helper
    path = onnx_model(
        tmp_path / "det.onnx",
        [helper.make_node("Det", ["x"], ["y"], name="determinant")],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [])])
    with pytest.raises(kiln.CompileError) as error:
        kiln.compile(path)
    assert error.value.file == str(path)
    assert error.value.message == \
        "unsupported ONNX op 'Det' (opset 17) at node 'determinant'"
    printed = kilnc(str(path), "-o", str(tmp_path / "x.kmod"))
    assert str(error.value) == printed.stderr.rstrip("\n")
