"""Writes the small ONNX models the importer's lit tests compile, with
onnx.helper (Debian's python3-onnx): DIR/NAME.onnx for each below."""

import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def model(name, nodes, inputs, outputs, initializers=(), opset=17):
    graph = helper.make_graph(nodes, name, inputs, outputs,
                              list(initializers))
    return helper.make_model(graph,
                             opset_imports=[helper.make_opsetid("", opset)])


def tensor(name, shape, kind=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, kind, shape)


def weights(name, shape, seed):
    values = np.random.default_rng(seed).standard_normal(shape)
    return numpy_helper.from_array(values.astype(np.float32), name)


def batch_model(outputs):
    """x.view(x.size(0), -1) as PyTorch exports it, with a dynamic batch."""
    return model("batch", [
        helper.make_node("Shape", ["x"], ["shape"], name="shape"),
        helper.make_node("Constant", [], ["zero"],
                         value=numpy_helper.from_array(np.array([0]))),
        helper.make_node("Gather", ["shape", "zero"], ["batch"]),
        helper.make_node("Constant", [], ["rest"],
                         value=numpy_helper.from_array(np.array([-1]))),
        helper.make_node("Concat", ["batch", "rest"], ["new_shape"], axis=0),
        helper.make_node("Reshape", ["x", "new_shape"], ["y"]),
    ], [tensor("x", ["N", 3, 4])],
        [{"y": tensor("y", ["N", 12]),
          "shape": tensor("shape", [3], TensorProto.INT64)}[o]
         for o in outputs])


MODELS = {
    # x [N, 4] -> Gemm (PyTorch's Linear) -> Relu -> Flatten -> Softmax.
    "mlp": model("mlp", [
        helper.make_node("Gemm", ["x", "fc1.weight", "fc1.bias"], ["h"],
                         transB=1, name="fc1"),
        helper.make_node("Relu", ["h"], ["r"], name="relu"),
        helper.make_node("Shape", ["fc1.weight"], ["s"], name="shape"),
        helper.make_node("Softmax", ["r"], ["probs"], axis=1,
                         name="softmax"),
    ], [tensor("x", ["N", 4])], [tensor("probs", ["N", 8])],
        [weights("fc1.weight", (8, 4), 0), weights("fc1.bias", (8,), 1)]),
    # A shape computed in the graph, folded when it compiles.
    "computed-shape": model("computed", [
        helper.make_node("Shape", ["x"], ["shape"]),
        helper.make_node("Constant", [], ["zero"],
                         value=numpy_helper.from_array(np.array([0]))),
        helper.make_node("Gather", ["shape", "zero"], ["first"]),
        helper.make_node("Constant", [], ["rest"],
                         value=numpy_helper.from_array(np.array([-1]))),
        helper.make_node("Concat", ["first", "rest"], ["new_shape"], axis=0),
        helper.make_node("Reshape", ["x", "new_shape"], ["y"]),
    ], [tensor("x", [2, 3, 4])], [tensor("y", [2, 12])]),
    # An empty result (Shape's start after its end): zero-element tensors
    # compile and run.
    "empty": model("empty", [
        helper.make_node("Shape", ["x"], ["y"], start=2, end=1),
    ], [tensor("x", [3, 4, 5])], [tensor("y", [0], TensorProto.INT64)]),
    # The batch's size read at run time: folds into Reshape, nowhere else.
    "batch-reshape": batch_model(["y"]),
    "batch-shape": batch_model(["shape"]),
    "unsupported": model("unsupported", [
        helper.make_node("Det", ["x"], ["y"], name="determinant"),
    ], [tensor("x", [3, 3])], [tensor("y", [])]),
    "mismatch": model("mismatch", [
        helper.make_node("MatMul", ["a", "b"], ["y"], name="product"),
    ], [tensor("a", [2, 3]), tensor("b", [4, 5])], [tensor("y", [2, 5])]),
    "runtime-shape": model("runtime-shape", [
        helper.make_node("Reshape", ["x", "shape"], ["y"], name="reshape"),
    ], [tensor("x", [2, 6]), tensor("shape", [2], TensorProto.INT64)],
        [tensor("y", [3, 4])]),
    "float16": model("float16", [
        helper.make_node("Relu", ["x"], ["y"]),
    ], [tensor("x", [2], TensorProto.FLOAT16)],
        [tensor("y", [2], TensorProto.FLOAT16)]),
}

for name, proto in MODELS.items():
    onnx.save(proto, f"{sys.argv[1]}/{name}.onnx")
with open(f"{sys.argv[1]}/garbage.onnx", "wb") as f:
    f.write(b"\x08\x07this is not a model")
