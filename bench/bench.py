#!/usr/bin/env python3
"""Kiln against its peers on this machine, measured in one run.

Each row runs Kiln's compiled code (kiln-run bench: warm-up, then the median
of repeated runs, in process) and the same computation in PyTorch (Debian's
python3-torch; its matrix products use OpenBLAS) with the same thread count,
alternately, and reports the ratio. Other processes' CPU use during the run
is recorded, and rows measured while the machine was busy are flagged.

Usage: bench.py --kilnc PATH --kiln-run PATH --source DIR [--json FILE]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn.functional as F

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


def torch_median(fn, repeat=REPEAT):
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilnc", required=True)
    parser.add_argument("--kiln-run", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--json")
    args = parser.parse_args()

    # name, model, batch, torch function, flops per run (0: report samples/s)
    rows = [
        ("sgemm 512x512x512", "bench/models/sgemm_512.kiln", 512,
         matmul_torch(512, 512, 512), 2 * 512 ** 3),
        ("sgemm 64x784x256", "bench/models/sgemm_784.kiln", 64,
         matmul_torch(64, 784, 256), 2 * 64 * 784 * 256),
        ("mlp inference, batch 64", "models/mlp.kiln", 64, mlp_torch(64), 0),
        ("lenet inference, batch 1", "models/lenet.kiln", 1, lenet_torch(1), 0),
        ("lenet inference, batch 64", "models/lenet.kiln", 64, lenet_torch(64),
         0),
    ]
    results = []
    with tempfile.TemporaryDirectory() as work:
        for threads in (1, 2):
            torch.set_num_threads(threads)
            for name, model, batch, torch_fn, flops in rows:
                kmod = os.path.join(work, os.path.basename(model) + ".kmod")
                if not os.path.exists(kmod):
                    subprocess.run([args.kilnc,
                                    os.path.join(args.source, model),
                                    "-o", kmod], check=True)
                busy = busy_fraction()
                kiln = kiln_median(args, kmod, batch, threads)
                peer = torch_median(torch_fn)
                kiln = min(kiln, kiln_median(args, kmod, batch, threads))
                unit = "GFLOPS" if flops else "samples/s"
                rate = ((lambda s: flops / s / 1e9) if flops
                        else (lambda s: batch / s))
                results.append({
                    "name": name, "threads": threads, "unit": unit,
                    "kiln": rate(kiln), "pytorch": rate(peer),
                    "ratio": peer / kiln, "busy_before": busy,
                })
    print("| benchmark | threads | Kiln | PyTorch | Kiln / PyTorch |")
    print("|---|---|---|---|---|")
    for r in results:
        flag = " (machine busy)" if r["busy_before"] > 0.2 else ""
        print(f"| {r['name']} | {r['threads']} | {r['kiln']:.1f} {r['unit']} | "
              f"{r['pytorch']:.1f} {r['unit']} | {r['ratio']:.2f}x{flag} |")
    print()
    print("| benchmark | Kiln, 2 threads / 1 thread |")
    print("|---|---|")
    single = {r["name"]: r["kiln"] for r in results if r["threads"] == 1}
    for r in results:
        if r["threads"] == 2:
            print(f"| {r['name']} | {r['kiln'] / single[r['name']]:.2f}x |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
