#!/usr/bin/env python3
"""Inference of exported ONNX models in Kiln against ONNX Runtime, in one
run: each DIR/*.onnx compiled by kilnc, both engines on the same batch
with the same thread count, calls alternating, the median of each.

Runs in build/bench-venv (PyPI onnxruntime) with the kiln package on
PYTHONPATH; bench/bench.py exports the models first (Debian's torch).

Usage: onnx_models.py DIR --kilnc PATH [--json FILE] [--seconds S]
"""

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import onnxruntime

import kiln


def median_seconds(call, budget):
    """Median time of `call` over at least 3 runs and about `budget` s."""
    call()  # warm-up
    times, started = [], time.perf_counter()
    while len(times) < 3 or (time.perf_counter() - started < budget
                             and len(times) < 200):
        begin = time.perf_counter()
        call()
        times.append(time.perf_counter() - begin)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--kilnc", required=True)
    parser.add_argument("--json")
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--batches", default="1,16")
    args = parser.parse_args()
    rows = []
    for path in sorted(glob.glob(os.path.join(args.dir, "*.onnx"))):
        name = os.path.basename(path)[:-len(".onnx")]
        kmod = path[:-len(".onnx")] + ".kmod"
        subprocess.run([args.kilnc, path, "-o", kmod], check=True)
        module = kiln.load(kmod)
        sample = module.entries["infer"]["inputs"][0]["shape"][1:]
        for threads in (1, 2):
            session = kiln.Session(module, threads=threads)
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            peer = onnxruntime.InferenceSession(
                path, options, providers=["CPUExecutionProvider"])
            for batch in map(int, args.batches.split(",")):
                x = np.random.default_rng(0).standard_normal(
                    (batch, *sample)).astype(np.float32)
                kiln_s = median_seconds(lambda: session(input=x),
                                        args.seconds)
                peer_s = median_seconds(
                    lambda: peer.run(None, {"input": x}), args.seconds)
                rows.append({"name": f"{name} inference, batch {batch}",
                             "threads": threads,
                             "kiln": batch / kiln_s,
                             "peer": f"ONNX Runtime "
                                     f"{onnxruntime.__version__}",
                             "peer_rate": batch / peer_s,
                             "ratio": peer_s / kiln_s})
    print("| ONNX model | threads | Kiln | peer | peer's | Kiln / peer |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['name']} | {r['threads']} | {r['kiln']:.1f} samples/s "
              f"| {r['peer']} | {r['peer_rate']:.1f} samples/s | "
              f"{r['ratio']:.2f}x |")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(rows, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
