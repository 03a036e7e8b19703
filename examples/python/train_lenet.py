"""LeNet-5 on Fashion-MNIST from Python: compile, train, evaluate, save,
reload, predict, all in this process.

    PYTHONPATH=build/python build/venv/bin/python examples/python/train_lenet.py

The data set, its split (5,000 training images held out to validate each
epoch) and the training loop are the ones `kiln-run train --data
fashion-mnist` uses, so at the same seed this prints the losses it prints.
"""

import argparse
import os
import tempfile

import numpy as np

import kiln

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="where the module and checkpoint go "
                        "(default a temporary folder)")
    args = parser.parse_args()
    out = args.out or tempfile.mkdtemp(prefix="kiln-lenet-")
    os.makedirs(out, exist_ok=True)

    module = kiln.compile(os.path.join(ROOT, "models", "lenet.kiln"))
    print(f"compiled {module.name} for {module.target_cpu}")
    data = kiln.datasets.fashion_mnist(seed=args.seed)
    print(data)

    session = kiln.Session(module, seed=args.seed)
    checkpoint = os.path.join(out, "lenet.ckpt")
    history = kiln.fit(session, data, epochs=args.epochs, batch=args.batch,
                       seed=args.seed, checkpoint=checkpoint)
    for epoch in history.epochs:
        print(f"epoch {epoch['epoch']}: train loss "
              f"{epoch['loss']['loss']:.6f}, validation accuracy "
              f"{epoch['validation']['accuracy']:.4f}")

    scores = kiln.evaluate(session, data)
    print(f"test accuracy: {scores['accuracy']:.2%} "
          f"({scores['samples']:,} images)")
    for name, recall in zip(scores["classes"], scores["recall"]):
        print(f"  {name:<12} {recall:.1%} found")

    kmod = os.path.join(out, "lenet.kmod")
    module.save(kmod)
    reloaded = kiln.Session.from_checkpoint(kiln.load(kmod), checkpoint)
    images, labels = data.test
    predicted = reloaded(image=images[:8]).argmax(axis=1)
    print("first test images:", ", ".join(
        f"{scores['classes'][p]}{'' if p == t else ' (wrong)'}"
        for p, t in zip(predicted, labels[:8])))
    same = np.array_equal(reloaded(image=images), session(image=images))
    print(f"reloaded from {kmod} and {checkpoint}: "
          f"{'the same' if same else 'DIFFERENT'} outputs")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
