#!/usr/bin/env python3
"""Reads what `kiln-run train --log-dir` writes with TensorBoard's own event
reader (PyPI tensorboard, from the venv `make venv` builds under build/):
every step's loss and learning rate, every epoch's validation scores and
throughput, and checks them against the JSON lines of the same run."""
import argparse
import json
import subprocess
import sys
import tempfile

from tensorboard.backend.event_processing import event_accumulator


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilnc", required=True)
    parser.add_argument("--kiln-run", required=True)
    parser.add_argument("--model", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([args.kilnc, args.model, "-o", f"{tmp}/m.kmod"],
                       check=True)
        epochs, limit, batch = 3, 1000, 50
        run = subprocess.run(
            [args.kiln_run, "train", f"{tmp}/m.kmod", "--data",
             "fashion-mnist", "--epochs", str(epochs), "--limit", str(limit),
             "--batch", str(batch), "--validation", "500", "--lr", "0.05",
             "--warmup", "5", "--json", "--log-dir", f"{tmp}/logs"],
            check=True, capture_output=True, text=True)
        lines = [json.loads(line) for line in run.stdout.splitlines()]
        per_epoch = [line for line in lines if "epoch" in line]
        events = event_accumulator.EventAccumulator(
            f"{tmp}/logs", size_guidance={event_accumulator.SCALARS: 0})
        events.Reload()
        tags = set(events.Tags()["scalars"])
        expected = {"train/loss", "learning_rate", "epoch/train_loss",
                    "validation/loss", "validation/accuracy",
                    "samples_per_second"}
        failures = []
        if not expected <= tags:
            failures.append(f"tags {sorted(tags)} lack "
                            f"{sorted(expected - tags)}")
        else:
            steps_per_epoch = limit // batch
            losses = events.Scalars("train/loss")
            if [e.step for e in losses] != list(
                    range(1, epochs * steps_per_epoch + 1)):
                failures.append("train/loss is not one value per step")
            rates = [e.value for e in events.Scalars("learning_rate")]
            # Warm-up: the rate grows over the first five steps, then the
            # cosine schedule takes it towards zero.
            if not (rates[0] < rates[4] and rates[-1] < rates[5]):
                failures.append(f"learning rate curve {rates[:6]}..."
                                f"{rates[-1]} is not warm-up then decay")
            for key in ("loss", "accuracy"):
                logged = [e.value for e in events.Scalars(f"validation/{key}")]
                printed = [line["validation"][key] for line in per_epoch]
                if len(logged) != epochs or any(
                        abs(a - b) > 1e-6 * max(1, abs(b))
                        for a, b in zip(logged, printed)):
                    failures.append(f"validation/{key} {logged} != JSON "
                                    f"{printed}")
            mean = [e.value for e in events.Scalars("epoch/train_loss")]
            printed = [line["train"]["loss"] for line in per_epoch]
            if any(abs(a - b) > 1e-6 for a, b in zip(mean, printed)):
                failures.append(f"epoch/train_loss {mean} != {printed}")
            # The epoch mean is the mean of the epoch's step losses.
            first = [e.value for e in losses[:steps_per_epoch]]
            if abs(sum(first) / len(first) - mean[0]) > 1e-5:
                failures.append("epoch 1's mean loss is not its steps' mean")
            if any(e.value <= 0 for e in events.Scalars("samples_per_second")):
                failures.append("samples_per_second is not positive")
        for failure in failures:
            print("FAIL:", failure)
        if failures:
            sys.exit(1)
        print(f"tensorboard reads {len(tags)} scalar tags, "
              f"{len(events.Scalars('train/loss'))} steps, {epochs} epochs")


if __name__ == "__main__":
    main()
