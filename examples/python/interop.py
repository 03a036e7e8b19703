"""The same LeNet in PyTorch and in Kiln: PyTorch's initial weights copied
into Kiln, the same batches of Fashion-MNIST, a few Adam steps each, and
the losses, outputs and weights compared.

Outputs and losses are compared element by element; weights after the
steps by the norm of their difference relative to theirs. (Adam's first
steps move a weight by about lr * g / (|g| + eps): where a gradient is
near eps = 1e-8, a rounding difference in g moves that one weight by a
visible part of lr, so a handful of weights of fc1 differ by ~1e-5 while
the other 400,000 agree to 1e-7. The maximum is printed too.)

    PYTHONPATH=build/python /usr/bin/python3 examples/python/interop.py

Tensors cross without copies both ways: PyTorch tensors go into Kiln as
they are (DLPack), and Kiln's outputs become PyTorch tensors over Kiln's
memory with torch.from_dlpack. Needs PyTorch (Debian's python3-torch).
"""

import argparse
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import kiln

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


class LeNet(nn.Module):
    """models/lenet.kiln, layer for layer."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(3136, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, image):
        h = F.max_pool2d(F.relu(self.conv1(image)), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        return self.fc2(F.relu(self.fc1(h.flatten(1))))


def relative_difference(ours, theirs):
    """The largest difference, relative to the largest value."""
    ours, theirs = np.asarray(ours), theirs.detach().numpy()
    return float(np.abs(ours - theirs).max() /
                 max(np.abs(theirs).max(), 1e-12))


def relative_norm_difference(ours, theirs):
    """||ours - theirs|| / ||theirs||."""
    ours, theirs = np.asarray(ours), theirs.detach().numpy()
    return float(np.linalg.norm(ours - theirs) /
                 max(np.linalg.norm(theirs), 1e-12))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--tolerance", type=float, default=1e-4)
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)

    twin = LeNet()
    module = kiln.compile(os.path.join(ROOT, "models", "lenet.kiln"))
    session = kiln.Session(module, threads=1)
    # Kiln's parameter names are PyTorch's: conv1.w is conv1.weight.
    torch_params = {name.replace(".weight", ".w").replace(".bias", ".b"):
                    value for name, value in twin.named_parameters()}
    assert sorted(torch_params) == sorted(module.param_names)
    for name, value in torch_params.items():
        session.set_param(name, value.detach())

    data = kiln.datasets.fashion_mnist()
    images, labels = data.train
    worst = 0.0

    # Writable copies: PyTorch warns about tensors over read-only memory.
    probs = session(image=torch.from_numpy(images[:args.batch].copy()))
    as_tensor = torch.from_dlpack(probs)  # Kiln's memory, no copy
    assert as_tensor.data_ptr() == probs.ctypes.data
    with torch.no_grad():
        expected = F.softmax(twin(torch.from_numpy(
            images[:args.batch].copy())), dim=1)
    difference = relative_difference(probs, expected)
    worst = max(worst, difference)
    print(f"forward: probabilities differ by {difference:.2e} (relative)")

    optimizer = torch.optim.Adam(twin.parameters(), lr=1e-3)
    for step in range(args.steps):
        batch = slice(step * args.batch, (step + 1) * args.batch)
        x = torch.from_numpy(images[batch].copy())
        y = torch.from_numpy(labels[batch].copy())
        ours = session.step(image=x, label=y)
        optimizer.zero_grad()
        loss = F.cross_entropy(twin(x), y.long())
        loss.backward()
        optimizer.step()
        difference = abs(ours - loss.item()) / abs(loss.item())
        worst = max(worst, difference)
        print(f"step {step + 1}: loss {ours:.6f} in Kiln, {loss.item():.6f} "
              f"in PyTorch ({difference:.2e} apart)")

    params = session.params
    for name, value in torch_params.items():
        difference = relative_norm_difference(params[name], value)
        worst = max(worst, difference)
        print(f"after {args.steps} steps {name}: {difference:.2e} apart "
              f"(largest difference "
              f"{relative_difference(params[name], value):.2e})")
    verdict = "agree" if worst <= args.tolerance else "DISAGREE"
    print(f"Kiln and PyTorch {verdict}: at most {worst:.2e} apart "
          f"(tolerance {args.tolerance:g})")
    return 0 if worst <= args.tolerance else 1


if __name__ == "__main__":
    raise SystemExit(main())
