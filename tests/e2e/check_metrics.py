#!/usr/bin/env python3
"""kiln-run's preprocessing and metrics against scikit-learn's.

Trains models/logistic_regression on the breast-cancer set that Debian's
python3-sklearn ships (standardized, a stratified 60/20/20 split), then
checks:
- the held-out ROC AUC is at least 0.98, and the ROC and PR plots are PNGs;
- every metric `kiln-run eval --json` reports (accuracy, per-class and
  macro precision, recall and F1, confusion matrix, ROC AUC, average
  precision, the ROC curve) equals scikit-learn's on the same predictions
  to 1e-6, and the loss equals its log loss;
- the split is stratified and the standardization was fitted on the
  training rows only (scikit-learn's StandardScaler on those rows);
- `kiln-run infer` with the checkpoint applies the same standardization to
  raw features, from a .npy or a CSV file;
- the regression metrics (MSE, MAE, R²) of models/linear_regression on the
  diabetes CSV equal scikit-learn's.

Usage: check_metrics.py --kilnc PATH --kiln-run PATH --source DIR
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from sklearn import metrics
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.preprocessing import StandardScaler

TOLERANCE = 1e-6
failures = []


def close(what, ours, theirs, tolerance=TOLERANCE, relative=0):
    ours, theirs = np.asarray(ours, float), np.asarray(theirs, float)
    if ours.shape != theirs.shape or not np.allclose(
            ours, theirs, rtol=relative, atol=tolerance):
        failures.append(f"{what}: kiln {ours.tolist()} sklearn "
                        f"{theirs.tolist()}")
    else:
        print(f"ok   {what}")


def run(*command):
    return subprocess.run(command, check=True, capture_output=True,
                          text=True).stdout


def read_predictions(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    header, body = rows[0], np.array(rows[1:], dtype=float)
    return header, body


def check_classification(args, work):
    kmod = os.path.join(work, "logreg.kmod")
    checkpoint = os.path.join(work, "logreg.ckpt")
    run(args.kilnc, os.path.join(args.source, "models/logistic_regression.kiln"),
        "--set", "features=30", "--set", "classes=2", "-o", kmod)
    run(args.kiln_run, "train", kmod, "--data", "sklearn:breast_cancer",
        "--scale", "standard", "--split", "0.6,0.2,0.2", "--seed", "3",
        "--epochs", "10", "--batch", "32", "--lr", "0.05",
        "--checkpoint", checkpoint)
    predictions = os.path.join(work, "test.csv")
    plots = os.path.join(work, "plots")
    report = json.loads(run(args.kiln_run, "eval", kmod, "--checkpoint",
                            checkpoint, "--json", "--predictions", predictions,
                            "--plot", plots))
    header, body = read_predictions(predictions)
    assert header == ["row", "label", "p0", "p1"], header
    rows, labels, probabilities = body[:, 0].astype(int), body[:, 1].astype(int), body[:, 2:]
    predicted = probabilities.argmax(axis=1)
    score = probabilities[:, 1]

    data = load_breast_cancer()
    close("labels are the data set's", labels, data.target[rows], 0)
    print(f"test samples {len(rows)}, ROC AUC {report['roc_auc']:.4f}")
    if report["roc_auc"] < 0.98:
        failures.append(f"ROC AUC {report['roc_auc']} < 0.98")
    close("accuracy", report["accuracy"], metrics.accuracy_score(labels, predicted))
    precision, recall, f1, support = metrics.precision_recall_fscore_support(
        labels, predicted, zero_division=0)
    close("precision", report["precision"], precision)
    close("recall", report["recall"], recall)
    close("f1", report["f1"], f1)
    close("support", report["support"], support, 0)
    for name, ours in (("precision", "macro_precision"),
                       ("recall", "macro_recall"), ("f1", "macro_f1")):
        theirs = metrics.precision_recall_fscore_support(
            labels, predicted, average="macro", zero_division=0)
        index = ["precision", "recall", "f1"].index(name)
        close(f"macro {name}", report[ours], theirs[index])
    close("confusion matrix", report["confusion"],
          metrics.confusion_matrix(labels, predicted), 0)
    close("ROC AUC", report["roc_auc"], metrics.roc_auc_score(labels, score))
    close("average precision", report["average_precision"],
          metrics.average_precision_score(labels, score))
    fpr, tpr, _ = metrics.roc_curve(labels, score, drop_intermediate=False)
    close("ROC curve fpr", report["roc"]["fpr"], fpr)
    close("ROC curve tpr", report["roc"]["tpr"], tpr)
    # The model's own loss, in float32, against log loss in float64.
    close("loss", report["losses"]["loss"],
          metrics.log_loss(labels, probabilities, labels=[0, 1]), 1e-4)
    for plot in ("roc.png", "pr.png", "confusion.png"):
        with open(os.path.join(plots, plot), "rb") as f:
            if f.read(8) != b"\x89PNG\r\n\x1a\n":
                failures.append(f"{plot} is not a PNG")

    # The split: stratified, and the scaler fitted on the training rows.
    train_file = os.path.join(work, "train.csv")
    train_report = json.loads(run(args.kiln_run, "eval", kmod, "--checkpoint",
                                  checkpoint, "--json", "--on", "train",
                                  "--predictions", train_file))
    train_rows = read_predictions(train_file)[1][:, 0].astype(int)
    share = lambda r: data.target[r].mean()
    if abs(share(train_rows) - share(rows)) > 0.01:
        failures.append(f"not stratified: benign share {share(train_rows)} "
                        f"in training, {share(rows)} in test")
    scaler = StandardScaler().fit(data.data[train_rows])
    fitted = train_report["preprocessing"]
    # Kiln reads the features as float32, scikit-learn as float64.
    close("standardization mean", fitted["shift"], scaler.mean_, 0, 1e-6)
    close("standardization deviation", fitted["scale"], scaler.scale_, 0, 1e-6)
    if set(train_rows) & set(rows):
        failures.append("training and test rows overlap")

    # Inference applies the checkpoint's standardization to raw features.
    raw = os.path.join(work, "raw.npy")
    np.save(raw, data.data[rows].astype(np.float32))
    probs = os.path.join(work, "probs.npy")
    run(args.kiln_run, "infer", kmod, "--checkpoint", checkpoint,
        "--input", f"x={raw}", "--output", f"probs={probs}")
    close("infer on raw .npy features", np.load(probs), probabilities, 1e-6)
    table = os.path.join(work, "raw.csv")
    with open(table, "w") as f:
        f.write(",".join(f"f{i}" for i in range(30)) + "\n")
        for row in data.data[rows]:
            f.write(",".join(repr(float(v)) for v in row) + "\n")
    run(args.kiln_run, "infer", kmod, "--checkpoint", checkpoint,
        "--input", f"x={table}", "--output", f"probs={probs}")
    close("infer on a raw CSV file", np.load(probs), probabilities, 1e-6)


def check_regression(args, work):
    kmod = os.path.join(work, "linreg.kmod")
    checkpoint = os.path.join(work, "linreg.ckpt")
    run(args.kilnc, os.path.join(args.source, "models/linear_regression.kiln"),
        "-o", kmod)
    data = os.path.join(work, "diabetes.csv")
    x, y = load_diabetes(return_X_y=True, scaled=False)
    np.savetxt(data, np.column_stack([x, y]), delimiter=",", fmt="%.6g",
               header=",".join([f"x{i}" for i in range(10)] + ["progression"]),
               comments="")
    run(args.kiln_run, "train", kmod, "--data", data, "--target", "progression",
        "--scale", "minmax", "--epochs", "5", "--batch", "16", "--lr", "0.05",
        "--checkpoint", checkpoint)
    predictions = os.path.join(work, "regression.csv")
    report = json.loads(run(args.kiln_run, "eval", kmod, "--checkpoint",
                            checkpoint, "--json", "--predictions", predictions))
    header, body = read_predictions(predictions)
    assert header == ["row", "target", "prediction"], header
    target, predicted = body[:, 1], body[:, 2]
    close("targets are the data set's", target, y[body[:, 0].astype(int)], 1e-3)
    close("MSE", report["mse"], metrics.mean_squared_error(target, predicted),
          TOLERANCE, 1e-8)
    close("MAE", report["mae"], metrics.mean_absolute_error(target, predicted),
          TOLERANCE, 1e-8)
    close("R^2", report["r2"], metrics.r2_score(target, predicted))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilnc", required=True)
    parser.add_argument("--kiln-run", required=True)
    parser.add_argument("--source", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        check_classification(args, work)
        check_regression(args, work)
    for failure in failures:
        print("FAIL", failure)
    print(f"{0 if failures else 1} passed, {1 if failures else 0} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
