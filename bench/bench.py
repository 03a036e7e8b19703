#!/usr/bin/env python3
"""Kiln against its peers on this machine, measured in one run.

Each row runs Kiln's compiled code (kiln-run bench: warm-up, then the median
of repeated runs, in process) and the same computation in a peer with the
same thread count, alternately, and reports the ratio: OpenBLAS's
cblas_sgemm called directly (Debian's libopenblas0-openmp) for matrix
products, PyTorch (Debian's python3-torch) for models. Other processes' CPU use during the run
is recorded, and rows measured while the machine was busy are flagged.

Usage: bench.py --kilnc PATH --kiln-run PATH --source DIR [--json FILE]
"""

import argparse
import ctypes
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

OPENBLAS = ctypes.CDLL("libopenblas.so.0")

REPEAT = 100


def busy_fraction(seconds=0.5):
    """CPU time used by everything on the machine over `seconds`, per core."""
    def snapshot():
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
        return sum(fields), fields[3] + fields[4]
    total0, idle0 = snapshot()
    time.sleep(seconds)
    total1, idle1 = snapshot()
    return 1 - (idle1 - idle0) / max(total1 - total0, 1)


def peer_median(fn, repeat=REPEAT):
    with torch.no_grad():
        for _ in range(3):
            fn()
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def kiln_median(args, kmod, batch, threads, entry="infer"):
    out = subprocess.run(
        [args.kiln_run, "bench", kmod, "--entry", entry, "--batch", str(batch),
         "--threads", str(threads), "--repeat", str(REPEAT), "--json"],
        capture_output=True, text=True, check=True).stdout
    return json.loads(out)["median_s"]


def lenet_torch(batch):
    x = torch.rand(batch, 1, 28, 28)
    w1, b1 = torch.randn(32, 1, 3, 3), torch.randn(32)
    w2, b2 = torch.randn(64, 32, 3, 3), torch.randn(64)
    f1, c1 = torch.randn(128, 3136), torch.randn(128)
    f2, c2 = torch.randn(10, 128), torch.randn(10)

    def run():
        h = F.max_pool2d(F.relu(F.conv2d(x, w1, b1, padding=1)), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, w2, b2, padding=1)), 2)
        h = F.relu(F.linear(h.flatten(1), f1, c1))
        return F.linear(h, f2, c2).softmax(1)
    return run


def mlp_torch(batch):
    x = torch.rand(batch, 784)
    ws = [(torch.randn(256, 784), torch.randn(256)),
          (torch.randn(128, 256), torch.randn(128)),
          (torch.randn(10, 128), torch.randn(10))]

    def run():
        h = F.relu(F.linear(x, *ws[0]))
        h = F.relu(F.linear(h, *ws[1]))
        logits = F.linear(h, *ws[2])
        return logits.softmax(1), logits.argmax(1)
    return run


def matmul_torch(m, k, n):
    a, b = torch.rand(m, k), torch.rand(k, n)
    return lambda: a @ b


def openblas_sgemm(m, k, n):
    """C = A B through OpenBLAS's cblas_sgemm, called directly."""
    a = np.random.rand(m, k).astype(np.float32)
    b = np.random.rand(k, n).astype(np.float32)
    c = np.empty((m, n), np.float32)
    ptr = lambda x: x.ctypes.data_as(ctypes.c_void_p)
    row_major, no_trans = 101, 111
    f32 = ctypes.c_float

    def run():
        OPENBLAS.cblas_sgemm(row_major, no_trans, no_trans, m, n, k, f32(1),
                             ptr(a), k, ptr(b), n, f32(0), ptr(c), n)
    return run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilnc", required=True)
    parser.add_argument("--kiln-run", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--json")
    args = parser.parse_args()

    # name, model, batch, peer, peer function, flops per run (0: report
    # samples/s)
    rows = [
        ("sgemm 512x512x512", "bench/models/sgemm_512.kiln", 512, "OpenBLAS",
         openblas_sgemm(512, 512, 512), 2 * 512 ** 3),
        ("sgemm 64x784x256", "bench/models/sgemm_784.kiln", 64, "OpenBLAS",
         openblas_sgemm(64, 784, 256), 2 * 64 * 784 * 256),
        ("sgemm 512x512x512", "bench/models/sgemm_512.kiln", 512, "PyTorch",
         matmul_torch(512, 512, 512), 2 * 512 ** 3),
        ("mlp inference, batch 64", "models/mlp.kiln", 64, "PyTorch",
         mlp_torch(64), 0),
        ("lenet inference, batch 1", "models/lenet.kiln", 1, "PyTorch",
         lenet_torch(1), 0),
        ("lenet inference, batch 64", "models/lenet.kiln", 64, "PyTorch",
         lenet_torch(64), 0),
    ]
    results = []
    with tempfile.TemporaryDirectory() as work:
        for threads in (1, 2):
            torch.set_num_threads(threads)
            OPENBLAS.openblas_set_num_threads(threads)
            for name, model, batch, peer_name, peer_fn, flops in rows:
                kmod = os.path.join(work, os.path.basename(model) + ".kmod")
                if not os.path.exists(kmod):
                    subprocess.run([args.kilnc,
                                    os.path.join(args.source, model),
                                    "-o", kmod], check=True)
                busy = busy_fraction()
                kiln = kiln_median(args, kmod, batch, threads)
                peer = peer_median(peer_fn)
                kiln = min(kiln, kiln_median(args, kmod, batch, threads))
                unit = "GFLOPS" if flops else "samples/s"
                rate = ((lambda s: flops / s / 1e9) if flops
                        else (lambda s: batch / s))
                results.append({
                    "name": name, "threads": threads, "unit": unit,
                    "peer": peer_name, "kiln": rate(kiln),
                    "peer_rate": rate(peer),
                    "ratio": peer / kiln, "busy_before": busy,
                })
    print("| benchmark | threads | Kiln | peer | peer's | Kiln / peer |")
    print("|---|---|---|---|---|---|")
    for r in results:
        flag = " (machine busy)" if r["busy_before"] > 0.2 else ""
        print(f"| {r['name']} | {r['threads']} | {r['kiln']:.1f} {r['unit']} | "
              f"{r['peer']} | {r['peer_rate']:.1f} {r['unit']} | "
              f"{r['ratio']:.2f}x{flag} |")
    print()
    print("| benchmark | Kiln, 2 threads / 1 thread |")
    print("|---|---|")
    single = {}
    for r in results:
        key = (r["name"], r["peer"])
        if r["threads"] == 1:
            single[key] = r["kiln"]
        elif r["peer"] != "PyTorch" or "sgemm" not in r["name"]:
            print(f"| {r['name']} | {r['kiln'] / single[key]:.2f}x |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
