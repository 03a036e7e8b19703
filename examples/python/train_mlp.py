"""Compile a model, train it on Fashion-MNIST, test it, save and reload it:
Kiln from Python, in-process.

    PYTHONPATH=build/python build/venv/bin/python examples/python/train_mlp.py

Reads Debian's dataset-fashion-mnist (60,000 training and 10,000 test
images of clothing in 10 classes) with NumPy; each step hands Kiln views of
the arrays, which it reads in place.
"""

import gzip
import os
import sys
import tempfile

import numpy as np

import kiln

DATA = "/usr/share/datasets/fashion-mnist"
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def read_idx(name):
    """An IDX file of Debian's Fashion-MNIST as a NumPy array."""
    with gzip.open(os.path.join(DATA, name)) as file:
        data = file.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big")
             for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(kind):
    """Images as float32 rows of 784 pixels in [0, 1], labels as int32."""
    images = read_idx(f"{kind}-images-idx3-ubyte.gz")
    labels = read_idx(f"{kind}-labels-idx1-ubyte.gz")
    return (images.reshape(len(images), -1).astype(np.float32) / 255,
            labels.astype(np.int32))


def accuracy(session, images, labels, batch=1000):
    correct = 0
    for start in range(0, len(images), batch):
        outputs = session(image=images[start:start + batch])
        correct += int((outputs["class"] == labels[start:start + batch])
                       .sum())
    return correct / len(images)


def main():
    module = kiln.compile(os.path.join(ROOT, "models", "mlp.kiln"))
    print(f"compiled {module.name} for {module.target_cpu}: entries "
          f"{', '.join(module.entries)}")
    train_images, train_labels = load("train")
    test_images, test_labels = load("t10k")

    session = kiln.Session(module, seed=0)
    order = np.random.default_rng(0).permutation(len(train_images))
    batch, losses = 64, []
    for start in range(0, len(order) - batch + 1, batch):
        rows = order[start:start + batch]
        losses.append(session.step(image=train_images[rows],
                                   label=train_labels[rows]))
    print(f"one epoch, {len(losses)} steps: loss {np.mean(losses[:50]):.3f} "
          f"(first 50) -> {np.mean(losses[-50:]):.3f} (last 50)")
    tested = accuracy(session, test_images, test_labels)
    print(f"test accuracy: {tested:.1%}")

    with tempfile.TemporaryDirectory() as work:
        module.save(os.path.join(work, "mlp.kmod"))
        session.save(os.path.join(work, "mlp.ckpt"))
        reloaded = kiln.Session.from_checkpoint(
            kiln.load(os.path.join(work, "mlp.kmod")),
            os.path.join(work, "mlp.ckpt"))
    again = accuracy(reloaded, test_images, test_labels)
    print(f"reloaded from its checkpoint: test accuracy {again:.1%}")
    first = reloaded(image=test_images[:5])["class"]
    print(f"first five test images: predicted {first.tolist()}, "
          f"labelled {test_labels[:5].tolist()}")
    return 0 if again == tested else 1


if __name__ == "__main__":
    sys.exit(main())
