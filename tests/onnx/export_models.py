#!/usr/bin/env python3
"""Exports the models tests/onnx/check_models.py compiles: torchvision's
resnet18, mobilenet_v2 and squeezenet1_1 and PyTorch twins of the zoo
(mlp, lenet, mobilenet), random weights, with torch.onnx.export
(Debian's python3-torch and python3-torchvision), a dynamic batch.

Usage: export_models.py DIR [--only NAME]
"""

import argparse
import os
import sys

import torch
import torchvision
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from check_summary import BiLstm, LeNet, MobileNet  # noqa: E402  (zoo twins)


def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128),
                         nn.ReLU(), nn.Linear(128, 10), nn.Softmax(dim=1))


class GruClassifier(nn.Module):
    """models/gru_classifier.kiln: image rows as a sequence, a GRU, the
    last hidden state classified."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(28, 128, batch_first=True)
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        _, h = self.gru(x.reshape(-1, 28, 28))
        return self.fc(h[0])


class ViewFlatten(nn.Module):
    """The batch read at run time: x.view(x.size(0), -1) exports as
    Shape, Gather, Unsqueeze, Concat, Reshape."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 28 * 28, 10)

    def forward(self, x):
        h = torch.relu(self.conv(x))
        return self.fc(h.view(h.size(0), -1))


# name: (model, one sample's shape)
MODELS = {
    "resnet18": (lambda: torchvision.models.resnet18(weights=None),
                 (3, 224, 224)),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(weights=None),
                     (3, 224, 224)),
    "squeezenet1_1": (lambda: torchvision.models.squeezenet1_1(weights=None),
                      (3, 224, 224)),
    "mlp": (mlp, (784,)),
    "lenet": (LeNet, (1, 28, 28)),
    "mobilenet": (MobileNet, (1, 28, 28)),
    "bilstm_classifier": (BiLstm, (1, 28, 28)),
    "gru_classifier": (GruClassifier, (1, 28, 28)),
    "view_flatten": (ViewFlatten, (1, 28, 28)),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--only")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(0)
    for name, (make, shape) in MODELS.items():
        if args.only and args.only != name:
            continue
        model = make().eval()
        torch.onnx.export(model, torch.randn(1, *shape),
                          os.path.join(args.out, name + ".onnx"),
                          input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "N"},
                                        "output": {0: "N"}},
                          opset_version=13)
        print(f"exported {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
