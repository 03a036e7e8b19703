#!/usr/bin/env python3
"""Linear regression on real data against the closed-form solution.

Splits the diabetes data set that Debian's python3-sklearn ships (442
patients, 10 features) into training and test CSV files, trains
models/linear_regression with kiln-run (standardized features, SGD), and
checks that its held-out R² is within 0.02 of ordinary least squares fitted
on the same training split (numpy's lstsq).

Usage: check_linear_regression.py --kilnc PATH --kiln-run PATH --source DIR
"""

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

DATA = "/usr/lib/python3/dist-packages/sklearn/datasets/data"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilnc", required=True)
    parser.add_argument("--kiln-run", required=True)
    parser.add_argument("--source", required=True)
    args = parser.parse_args()

    x = np.loadtxt(gzip.open(os.path.join(DATA, "diabetes_data_raw.csv.gz")))
    y = np.loadtxt(gzip.open(os.path.join(DATA, "diabetes_target.csv.gz")))
    order = np.random.default_rng(0).permutation(len(y))
    test, train = order[:88], order[88:]

    with tempfile.TemporaryDirectory() as work:
        def write(name, rows):
            path = os.path.join(work, name)
            np.savetxt(path, np.column_stack([x[rows], y[rows]]),
                       delimiter=",", fmt="%.6f")
            return path
        kmod = os.path.join(work, "linreg.kmod")
        subprocess.run([args.kilnc, os.path.join(args.source,
                        "models/linear_regression.kiln"), "-o", kmod],
                       check=True)
        result = subprocess.run(
            [args.kiln_run, "train", kmod, "--data", write("train.csv", train),
             "--test-data", write("test.csv", test), "--scale", "standard",
             "--epochs", "300", "--batch", "32", "--lr", "0.02",
             "--validation", "0", "--json"],
            check=True, capture_output=True, text=True)
    ours = json.loads(result.stdout.strip().splitlines()[-1])["test_r2"]

    design = np.column_stack([x[train], np.ones(len(train))])
    coefficients, *_ = np.linalg.lstsq(design, y[train], rcond=None)
    predicted = np.column_stack([x[test], np.ones(len(test))]) @ coefficients
    residual = ((y[test] - predicted) ** 2).sum()
    total = ((y[test] - y[test].mean()) ** 2).sum()
    closed_form = 1 - residual / total
    print(f"held-out R^2: kiln {ours:.4f}, least squares {closed_form:.4f}")
    return 0 if abs(ours - closed_form) <= 0.02 else 1


if __name__ == "__main__":
    sys.exit(main())
