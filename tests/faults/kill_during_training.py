#!/usr/bin/env python3
"""kill -9 at random moments of `kiln-run train` while it writes
checkpoints: every checkpoint left behind is intact (`kiln-run verify`),
and resuming from it until training ends gives the parameters of a run
that was never interrupted, bit for bit.

  kill_during_training.py --kilnc K --kiln-run R --source SRC --kills N
"""
import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np

EPOCHS = 12


def train_command(args, work, checkpoint, resume):
    return [args.kiln_run, "train", f"{work}/model.kmod", "--data",
            f"{work}/data.csv", "--epochs", str(EPOCHS), "--batch", "32",
            "--checkpoint", checkpoint, "--threads", "1"] + (
                ["--resume"] if resume else [])


def params(args, work, checkpoint, out):
    subprocess.run([args.kiln_run, "infer", f"{work}/model.kmod",
                    "--checkpoint", checkpoint, "--raw", "--input",
                    f"x={work}/x.npy", "--dump-params", out],
                   check=True, stdout=subprocess.DEVNULL)
    return {name: np.load(f"{out}/{name}") for name in sorted(os.listdir(out))}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilnc", required=True)
    parser.add_argument("--kiln-run", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="kiln-kill-")
    subprocess.run([args.kilnc, f"{args.source}/models/logistic_regression.kiln",
                    "--set", "features=8", "--set", "classes=3", "-o",
                    f"{work}/model.kmod"], check=True)
    data = np.random.default_rng(0)
    x = data.standard_normal((6000, 8)).astype(np.float32)
    y = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5).astype(int)
    with open(f"{work}/data.csv", "w") as out:
        out.write(",".join(f"f{i}" for i in range(8)) + ",class\n")
        for row, label in zip(x, y):
            out.write(",".join(f"{v:.5f}" for v in row) + f",{label}\n")
    np.save(f"{work}/x.npy", x[:2])

    # The reference: one uninterrupted run, and how long it takes.
    started = time.monotonic()
    subprocess.run(train_command(args, work, f"{work}/whole.ckpt", False),
                   check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    duration = time.monotonic() - started
    expected = params(args, work, f"{work}/whole.ckpt", f"{work}/whole")

    checkpoint = f"{work}/killed.ckpt"
    kills = restarts = 0
    while True:
        resume = os.path.exists(checkpoint)
        process = subprocess.Popen(train_command(args, work, checkpoint, resume),
                                   stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
        if kills < args.kills:
            try:
                process.wait(timeout=rng.uniform(0, duration))
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
                process.wait()
                kills += 1
        stderr = process.communicate()[1].decode()
        restarts += 1
        if process.returncode not in (0, -signal.SIGKILL):
            sys.exit(f"run {restarts} failed ({process.returncode}): {stderr}")
        # Whatever the moment of the kill, the checkpoint is whole (or not
        # written yet), and no temporary file is left that a reader takes.
        if os.path.exists(checkpoint):
            check = subprocess.run([args.kiln_run, "verify", checkpoint],
                                   capture_output=True, text=True)
            if check.returncode != 0:
                sys.exit(f"after kill {kills}: {check.stderr}")
        if process.returncode == 0:
            break
        if restarts > 10 * (args.kills + 5):
            sys.exit("training never finished")

    got = params(args, work, checkpoint, f"{work}/resumed")
    for name, value in expected.items():
        if not np.array_equal(value, got[name]):
            sys.exit(f"{name}: resumed after {kills} kills differs from the "
                     f"uninterrupted run by {np.abs(value - got[name]).max()}")
    print(f"{kills} kills over {restarts} runs: every checkpoint intact, "
          f"the resumed parameters equal the uninterrupted run's")


if __name__ == "__main__":
    main()
