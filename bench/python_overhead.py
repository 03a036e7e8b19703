#!/usr/bin/env python3
"""The cost of one call from Python: Kiln's `session.run` against ONNX
Runtime's `InferenceSession.run`, on the same tiny model at batch 1.

The model (16 features, a 32-unit ReLU layer, 4 softmax outputs) does
almost no arithmetic, so the time per call is what each engine spends
between Python and its kernels: argument conversion, input checks, output
allocation, the release of the GIL. Kiln's module is compiled in-process
(kiln.compile) and its initial weights are copied into the ONNX graph, so
both compute the same function; the outputs are compared before timing.
Calls alternate between the engines in blocks, at 1 and 2 threads; each
figure is the median over blocks.

Runs in build/bench-venv (`make bench-peers`, PyPI's onnxruntime and onnx)
with the build tree's kiln package on PYTHONPATH.

Usage: python_overhead.py [--json FILE] [--blocks N] [--calls N]
"""

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper

import kiln

FEATURES, HIDDEN, CLASSES = 16, 32, 4

SOURCE = f"""
model tiny
input x : f32[N, {FEATURES}]
param fc1.w : f32[{HIDDEN}, {FEATURES}] = he_normal
param fc1.b : f32[{HIDDEN}] = zeros
param fc2.w : f32[{CLASSES}, {HIDDEN}] = glorot_uniform
param fc2.b : f32[{CLASSES}] = zeros
output probs = softmax(dense(relu(dense(x, fc1.w, fc1.b)), fc2.w, fc2.b))
"""


def onnx_twin(params):
    """The same network as an ONNX graph with Kiln's weights (dense is
    x @ w.T + b, Gemm with transB)."""
    initializers = [numpy_helper.from_array(params[name], name)
                    for name in ("fc1.w", "fc1.b", "fc2.w", "fc2.b")]
    nodes = [
        helper.make_node("Gemm", ["x", "fc1.w", "fc1.b"], ["h"], transB=1),
        helper.make_node("Relu", ["h"], ["r"]),
        helper.make_node("Gemm", ["r", "fc2.w", "fc2.b"], ["logits"],
                         transB=1),
        helper.make_node("Softmax", ["logits"], ["probs"], axis=1),
    ]
    graph = helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                       ["N", FEATURES])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT,
                                       ["N", CLASSES])],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("",
                                                                        17)])
    onnx.checker.check_model(model)
    return model.SerializeToString()


def per_call_seconds(call, calls):
    start = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - start) / calls


def measure(threads, blocks, calls):
    module = kiln.compile(SOURCE, inference_only=True)
    session = kiln.Session(module, seed=0, threads=threads)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    peer = onnxruntime.InferenceSession(onnx_twin(session.params), options,
                                        providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).standard_normal(
        (1, FEATURES)).astype(np.float32)
    ours, theirs = session(x=x), peer.run(None, {"x": x})[0]
    if not np.allclose(ours, theirs, rtol=1e-5, atol=1e-6):
        raise SystemExit(f"Kiln and ONNX Runtime disagree: {ours} vs "
                         f"{theirs}")

    def kiln_call():
        session.run("infer", x=x)

    def peer_call():
        peer.run(None, {"x": x})

    for call in (kiln_call, peer_call):
        per_call_seconds(call, calls)  # warm-up
    kiln_times, peer_times = [], []
    for _ in range(blocks):
        kiln_times.append(per_call_seconds(kiln_call, calls))
        peer_times.append(per_call_seconds(peer_call, calls))
    kiln_s, peer_s = statistics.median(kiln_times), statistics.median(
        peer_times)
    return {"name": "tiny MLP, session.run from Python, batch 1",
            "threads": threads, "kiln_us": kiln_s * 1e6,
            "peer": f"ONNX Runtime {onnxruntime.__version__}",
            "peer_us": peer_s * 1e6, "ratio": peer_s / kiln_s}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json")
    parser.add_argument("--blocks", type=int, default=15)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    rows = [measure(threads, args.blocks, args.calls) for threads in (1, 2)]
    print("| per call from Python | threads | Kiln | peer | peer's | "
          "Kiln / peer |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['name']} | {r['threads']} | {r['kiln_us']:.2f} us | "
              f"{r['peer']} | {r['peer_us']:.2f} us | {r['ratio']:.2f}x |")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(rows, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
