#!/usr/bin/env python3
"""Fine-tuning an imported model: the zoo's LeNet twin, trained briefly in
PyTorch and exported to ONNX, gets a train entry from kilnc
(--train-loss=softmax_cross_entropy), takes one SGD step in Kiln and in
PyTorch from the same weights on the same batch (losses and weights within
1e-4), then `kiln-run train` fine-tunes it on Fashion-MNIST and must beat
the accuracy it started from.

Runs under Debian's Python (torch, onnx) with the kiln package on
PYTHONPATH. Usage: check_finetune.py --kilnc PATH --kiln-run PATH
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from check_summary import LeNet  # noqa: E402

import kiln  # noqa: E402

TOLERANCE = 1e-4


def relative(ours, theirs):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else theirs
    return float(np.abs(np.asarray(ours) - theirs).max() /
                 max(np.abs(theirs).max(), 1e-12))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilnc", required=True)
    parser.add_argument("--kiln-run", required=True)
    args = parser.parse_args()
    torch.manual_seed(0)
    data = kiln.datasets.fashion_mnist()
    images, labels = data.train

    # A briefly trained twin: 60 Adam steps of PyTorch.
    twin = LeNet()
    optimizer = torch.optim.Adam(twin.parameters(), lr=1e-3)
    for step in range(60):
        x = torch.from_numpy(images[step * 64:(step + 1) * 64].copy())
        y = torch.from_numpy(labels[step * 64:(step + 1) * 64].copy()).long()
        optimizer.zero_grad()
        F.cross_entropy(twin(x), y).backward()
        optimizer.step()
    twin.eval()

    with tempfile.TemporaryDirectory() as work:
        onnx_path = os.path.join(work, "lenet.onnx")
        torch.onnx.export(twin, torch.randn(1, 1, 28, 28), onnx_path,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "N"},
                                        "logits": {0: "N"}},
                          opset_version=13)

        # One SGD step each, from the same weights, on the same batch.
        module = kiln.compile(onnx_path, train_loss="softmax_cross_entropy",
                              train_optimizer="sgd", optimizer={"lr": 0.05})
        session = kiln.Session(module, threads=1)
        x = images[5000:5064].copy()
        y = labels[5000:5064].copy()
        ours = session.step(input=x, label=y)
        sgd = torch.optim.SGD(twin.parameters(), lr=0.05)
        sgd.zero_grad()
        loss = F.cross_entropy(twin(torch.from_numpy(x)),
                               torch.from_numpy(y).long())
        loss.backward()
        sgd.step()
        worst = abs(ours - loss.item()) / abs(loss.item())
        print(f"one step: loss {ours:.6f} in Kiln, {loss.item():.6f} in "
              f"PyTorch ({worst:.2e} apart)")
        params = session.params
        for name, value in twin.named_parameters():
            difference = relative(params[name], value)
            worst = max(worst, difference)
            print(f"  {name}: {difference:.2e} apart after the step")

        # Fine-tuning with kiln-run train, from the exported weights.
        kmod = os.path.join(work, "lenet.kmod")
        subprocess.run([args.kilnc, onnx_path, "--train-loss",
                        "softmax_cross_entropy", "-o", kmod], check=True)
        start = kiln.evaluate(kiln.Session(kiln.load(kmod)), data)["accuracy"]
        printed = subprocess.run(
            [args.kiln_run, "train", kmod, "--data", "fashion-mnist",
             "--epochs", "1", "--limit", "20000", "--json"],
            check=True, capture_output=True, text=True).stdout
        tuned = json.loads(printed.splitlines()[-1])["test_accuracy"]
        print(f"kiln-run train: test accuracy {start:.2%} as exported, "
              f"{tuned:.2%} after one epoch on 20,000 images")
    ok = worst <= TOLERANCE and tuned > start
    print(f"fine-tuning {'works' if ok else 'FAILED'}: step within "
          f"{worst:.2e} (tolerance {TOLERANCE:g}), accuracy "
          f"{start:.2%} -> {tuned:.2%}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
