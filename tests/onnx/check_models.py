#!/usr/bin/env python3
"""Compiles every DIR/*.onnx with kilnc and compares Kiln's outputs with
ONNX Runtime's on the same random batch: at most 1e-4 apart relative to
the largest output, or the check fails.

Usage: check_models.py DIR --kilnc PATH [--batch 2]
(run with the test venv's Python: onnxruntime, and the kiln package on
PYTHONPATH)
"""

import argparse
import glob
import os
import subprocess
import sys

import numpy as np
import onnxruntime

import kiln

TOLERANCE = 1e-4


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--kilnc", required=True)
    parser.add_argument("--batch", type=int, default=2)
    args = parser.parse_args()
    worst = 0.0
    print("| model | module | largest difference, relative | verdict |")
    print("|---|---|---|---|")
    ok = True
    for path in sorted(glob.glob(os.path.join(args.dir, "*.onnx"))):
        name = os.path.basename(path)[:-len(".onnx")]
        kmod = path[:-len(".onnx")] + ".kmod"
        subprocess.run([args.kilnc, path, "-o", kmod], check=True)
        module = kiln.load(kmod)
        session = kiln.Session(module, threads=2)
        sample = module.entries["infer"]["inputs"][0]["shape"][1:]
        x = np.random.default_rng(0).standard_normal(
            (args.batch, *sample)).astype(np.float32)
        ours = session(input=x)
        peer = onnxruntime.InferenceSession(
            path, providers=["CPUExecutionProvider"])
        theirs = peer.run(None, {"input": x})[0]
        difference = float(np.abs(ours - theirs).max() /
                           max(np.abs(theirs).max(), 1e-30))
        good = ours.shape == theirs.shape and difference <= TOLERANCE
        ok &= good
        worst = max(worst, difference)
        size = os.path.getsize(kmod) / 1e6
        print(f"| {name} | {size:.1f} MB | {difference:.2e} | "
              f"{'matches' if good else 'DIFFERS'} |")
    print(f"ONNX Runtime {onnxruntime.__version__}; worst {worst:.2e} "
          f"(tolerance {TOLERANCE:g})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
