#!/usr/bin/env python3
"""Every zoo workload trains on real data.

Each model trains briefly with kiln-run on a small real subset (Fashion-MNIST
from Debian's dataset-fashion-mnist, the word list of Debian's wamerican,
python3-sklearn's diabetes data) and must improve by the stated margin:
its mean training loss in the last epoch at most `margin` times the first
epoch's. A GAN's losses do not fall; its discriminator must beat chance
(d_loss below 2 ln 2, where it starts) and both losses stay finite.

Usage: check_workloads.py --kilnc PATH --kiln-run PATH --source DIR [--only M...]
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

FASHION = ["--data", "fashion-mnist"]

# model: (train options, margin)
WORKLOADS = {
    "mlp": (FASHION + ["--limit", "3000", "--epochs", "3"], 0.7),
    "lenet": (FASHION + ["--limit", "1500", "--epochs", "3"], 0.7),
    "logistic_regression": (FASHION + ["--limit", "3000", "--epochs", "3"], 0.8),
    "linear_svm": (FASHION + ["--limit", "3000", "--epochs", "3"], 0.8),
    "rnn_classifier": (FASHION + ["--limit", "3000", "--epochs", "3"], 0.8),
    "gru_classifier": (FASHION + ["--limit", "3000", "--epochs", "3"], 0.8),
    "bilstm_classifier": (FASHION + ["--limit", "1500", "--epochs", "3"], 0.8),
    "autoencoder": (FASHION + ["--limit", "3000", "--epochs", "3"], 0.7),
    "denoising_autoencoder": (FASHION + ["--limit", "3000", "--epochs", "3"], 0.7),
    "vae": (FASHION + ["--limit", "3000", "--epochs", "3"], 0.8),
    "char_lstm": (["--data", "words", "--limit", "3000", "--epochs", "3"], 0.8),
    "linear_regression": (["--data", "diabetes", "--scale", "standard",
                           "--lr", "0.02", "--epochs", "5", "--batch", "16",
                           "--validation", "40"], 0.5),
    "gan": (FASHION + ["--pixel-range", "-1,1", "--limit", "3000",
                       "--epochs", "2"], None),
    "dcgan": (FASHION + ["--pixel-range", "-1,1", "--limit", "640",
                         "--epochs", "2"], None),
}


def check(args, name, work):
    options, margin = WORKLOADS[name]
    kmod = os.path.join(work, name + ".kmod")
    subprocess.run([args.kilnc, os.path.join(args.source, "models",
                                             name + ".kiln"), "-o", kmod],
                   check=True)
    # Scored on small held-out sets: the point is that training works.
    result = subprocess.run([args.kiln_run, "train", kmod, "--json",
                             "--threads", "2", "--validation", "500",
                             "--test-limit", "1000"] + options,
                            capture_output=True, text=True)
    if result.returncode != 0:
        return f"kiln-run failed: {result.stderr.strip()}"
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    epochs = [line["train"] for line in lines if "epoch" in line]
    losses = {key: [epoch[key] for epoch in epochs] for key in epochs[0]}
    if not all(math.isfinite(v) for series in losses.values() for v in series):
        return f"a loss is not finite: {losses}"
    summary = ", ".join(f"{key} {' -> '.join(f'{v:.4f}' for v in series)}"
                        for key, series in losses.items())
    if margin is None:
        if losses["d_loss"][-1] >= 2 * math.log(2):
            return f"the discriminator does not beat chance: {summary}"
        return None, summary
    first, last = next(iter(losses.values()))[0], next(iter(losses.values()))[-1]
    if last > margin * first:
        return f"loss fell less than the margin {margin}: {summary}"
    return None, summary


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilnc", required=True)
    parser.add_argument("--kiln-run", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory() as work:
        for name in args.only or WORKLOADS:
            outcome = check(args, name, work)
            if isinstance(outcome, tuple):
                print(f"ok   {name}: {outcome[1]}", flush=True)
            else:
                print(f"FAIL {name}: {outcome}", flush=True)
                failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
