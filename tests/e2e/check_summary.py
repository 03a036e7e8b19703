#!/usr/bin/env python3
"""Checks `kilnc --summary` against counts made independently in PyTorch.

For zoo models with a PyTorch twin here (LeNet, the MobileNet-style CNN, a
bidirectional LSTM classifier), the trainable parameter count must equal
PyTorch's `sum(p.numel() for p in model.parameters())`, the buffer count
its batch-norm running statistics, and the FLOPs per sample of every
convolution, dense layer and LSTM what forward hooks on the PyTorch twin
count for one sample (2 per multiply-add, 1 per bias add, as fvcore does;
an LSTM's gate products likewise, plus its pointwise cell update). The
rows must also come in source order, name their bindings, and
`kiln-run info --summary` on the compiled module must print the same
table.

Usage: check_summary.py --kilnc PATH --kiln-run PATH --source DIR
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

import torch
import torch.nn as nn


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(3136, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.max_pool2d(torch.relu(self.conv2(x)), 2)
        return self.fc2(torch.relu(self.fc1(x.flatten(1))))


def separable(channels_in, channels_out, stride):
    return nn.Sequential(
        nn.Conv2d(channels_in, channels_in, 3, stride, 1, groups=channels_in,
                  bias=False),
        nn.BatchNorm2d(channels_in), nn.ReLU(),
        nn.Conv2d(channels_in, channels_out, 1, bias=False),
        nn.BatchNorm2d(channels_out), nn.ReLU())


class MobileNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1, bias=False),
                                  nn.BatchNorm2d(32), nn.ReLU())
        self.block1 = separable(32, 64, 2)
        self.block2 = separable(64, 64, 1)
        self.block3 = separable(64, 128, 2)
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        h1 = self.block1(self.stem(x))
        h3 = self.block3(h1 + self.block2(h1))
        return self.fc(h3.mean((2, 3)))


class BiLstm(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 128, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(256, 10)

    def forward(self, x):
        _, (h, _) = self.lstm(x.reshape(-1, 28, 28))
        return self.fc(h.transpose(0, 1).reshape(-1, 256))


TWINS = {"lenet": LeNet, "mobilenet": MobileNet,
         "bilstm_classifier": BiLstm}


def hook_flops(model):
    """FLOPs per sample of each contraction, in the order PyTorch runs them."""
    counts = []

    def count(module, inputs, output):
        if isinstance(module, nn.Conv2d):
            taps = module.in_channels // module.groups * \
                module.kernel_size[0] * module.kernel_size[1]
            flops = 2 * output.numel() * taps
            counts.append(("conv2d", flops + (output.numel()
                                              if module.bias is not None
                                              else 0)))
        elif isinstance(module, nn.Linear):
            counts.append(("dense", 2 * output.numel() * module.in_features +
                           output.numel()))
        elif isinstance(module, nn.LSTM):
            steps = inputs[0].shape[1]
            directions = 2 if module.bidirectional else 1
            gates = 4 * module.hidden_size
            per_step = 2 * gates * (module.input_size + module.hidden_size) \
                + 2 * gates + (4 + 3) * module.hidden_size
            counts.append(("lstm", steps * directions * per_step))

    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear, nn.LSTM)):
            module.register_forward_hook(count)
    model(torch.zeros(1, 1, 28, 28))
    return counts


ROW = re.compile(r"^  (\d+):(\d+)\s+(?:(\S+(?:, \S+)*)\s+)?"
                 r"([a-z_0-9]+)\s+((?:[a-z0-9]+\[[^\]]*\](?:, )?)+)\s+"
                 r"([\d,]+)\s+([\d,]+)$")


def parse(text):
    rows, totals = [], {}
    for line in text.splitlines():
        match = ROW.match(line)
        if match:
            rows.append({"line": int(match[1]), "op": match[4],
                         "binding": match[3] or "",
                         "params": int(match[6].replace(",", "")),
                         "flops": int(match[7].replace(",", ""))})
        match = re.match(r"parameters: ([\d,]+) trainable"
                         r"(?:, ([\d,]+) in buffers)?", line)
        if match:
            totals["trainable"] = int(match[1].replace(",", ""))
            totals["buffers"] = int((match[2] or "0").replace(",", ""))
    return rows, totals


def check(name, args, work):
    failures = []
    source = os.path.join(args.source, "models", name + ".kiln")
    text = subprocess.run([args.kilnc, "--summary", source], check=True,
                          capture_output=True, text=True).stdout
    rows, totals = parse(text)
    twin = TWINS[name]()
    trainable = sum(p.numel() for p in twin.parameters())
    buffers = sum(b.numel() for n, b in twin.named_buffers()
                  if not n.endswith("num_batches_tracked"))
    if totals.get("trainable") != trainable:
        failures.append(f"trainable {totals.get('trainable')}, PyTorch "
                        f"counts {trainable}")
    if totals.get("buffers") != buffers:
        failures.append(f"buffers {totals.get('buffers')}, PyTorch has "
                        f"{buffers}")
    if sum(row["params"] for row in rows) != trainable:
        failures.append("the rows' parameters do not add up to the total")
    if not rows or not rows[0]["binding"]:
        failures.append("the first row names no binding")
    ours = [(row["op"], row["flops"]) for row in rows
            if row["op"] in ("conv2d", "dense", "lstm")]
    theirs = hook_flops(twin)
    if ours != theirs:
        failures.append(f"contraction FLOPs {ours}, PyTorch hooks count "
                        f"{theirs}")

    module = os.path.join(work, name + ".kmod")
    subprocess.run([args.kilnc, source, "-o", module], check=True)
    printed = subprocess.run([args.kiln_run, "info", module, "--summary"],
                             check=True, capture_output=True,
                             text=True).stdout
    if printed != text:
        failures.append("kiln-run info --summary prints another table:\n" +
                        printed)
    print(f"{name}: {len(rows)} rows, {trainable} parameters, "
          f"{sum(f for _, f in theirs)} contraction FLOPs per sample: "
          f"{'ok' if not failures else 'FAIL'}")
    for failure in failures:
        print("  " + failure)
    return not failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilnc", required=True)
    parser.add_argument("--kiln-run", required=True)
    parser.add_argument("--source", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        results = [check(name, args, work) for name in TWINS]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
