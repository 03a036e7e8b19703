#!/usr/bin/env python3
"""Kiln against its peers on this machine, measured in one run.

Each row runs Kiln's compiled code (kiln-run bench: warm-up, then the median
of repeated runs, in process) and the same computation in a peer with the
same thread count, alternately, and reports the ratio: OpenBLAS's
cblas_sgemm called directly (Debian's libopenblas0-openmp) for matrix
products, PyTorch (Debian's python3-torch) for models. Other processes' CPU use during the run
is measured during each row (the machine's CPU time minus this process's
and its children's); a row measured while other processes kept more than a
quarter of a core busy is measured again, up to twice, and flagged if it
stays noisy. Then each optimization is switched off in turn (its kilnc
flag) to show what it brings, and `kilnc` compile times of the zoo models
close the report.

Usage: bench.py --kilnc PATH --kiln-run PATH --source DIR [--json FILE]
"""

import argparse
import ctypes
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

OPENBLAS = ctypes.CDLL("libopenblas.so.0")

REPEAT = 100


def machine_cpu_seconds():
    """CPU time every process on the machine has used so far."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal (guest time is already
    # counted in user)
    busy = sum(fields[:8]) - fields[3] - fields[4]
    return busy / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds():
    """CPU time of this process and the kiln-run processes it waited for."""
    usage = [resource.getrusage(who) for who in
             (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


def others_cpu(fn):
    """Runs fn(); returns its result and the cores other processes kept
    busy meanwhile (machine CPU time minus ours, per second of wall time)."""
    machine, own, start = machine_cpu_seconds(), own_cpu_seconds(), time.time()
    result = fn()
    wall = max(time.time() - start, 1e-9)
    others = ((machine_cpu_seconds() - machine) -
              (own_cpu_seconds() - own)) / wall
    return result, max(others, 0.0)


def peer_median(fn, repeat=REPEAT, training=False):
    with torch.set_grad_enabled(training):
        for _ in range(3):
            fn()
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def kiln_median(args, kmod, batch, threads, entries=("infer",)):
    """The median time of running `entries` once each (a GAN iteration is
    d_step then g_step)."""
    total = 0
    for entry in entries:
        out = subprocess.run(
            [args.kiln_run, "bench", kmod, "--entry", entry, "--batch",
             str(batch), "--threads", str(threads), "--repeat", str(REPEAT),
             "--json"],
            capture_output=True, text=True, check=True).stdout
        total += json.loads(out)["median_s"]
    return total


# --- training steps in PyTorch: forward, backward and the same optimizer ---

def training_step(model, loss_fn, make_inputs, clip=None, lr=1e-3):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    inputs = make_inputs()

    def run():
        optimizer.zero_grad()
        loss = loss_fn(model, *inputs)
        loss.backward()
        if clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
    return run


def images(batch):
    return torch.rand(batch, 784)


def labels(batch):
    return torch.randint(0, 10, (batch,))


def mlp_train(batch):
    nn = torch.nn
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128),
                          nn.ReLU(), nn.Linear(128, 10))
    return training_step(model, lambda m, x, y: F.cross_entropy(m(x), y),
                         lambda: (images(batch), labels(batch)))


def lenet_train(batch):
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1),
                          nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
    return training_step(model, lambda m, x, y: F.cross_entropy(m(x), y),
                         lambda: (torch.rand(batch, 1, 28, 28), labels(batch)))


class LstmClassifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(28, 128, batch_first=True)
        self.fc = torch.nn.Linear(128, 10)

    def forward(self, x):
        _, (h, _) = self.lstm(x.reshape(-1, 28, 28))
        return self.fc(h[0])


class GruClassifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = torch.nn.GRU(28, 128, batch_first=True)
        self.fc = torch.nn.Linear(128, 10)

    def forward(self, x):
        _, h = self.gru(x.reshape(-1, 28, 28))
        return self.fc(h[0])


class BiLstmClassifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(28, 128, batch_first=True,
                                  bidirectional=True)
        self.fc = torch.nn.Linear(256, 10)

    def forward(self, x):
        _, (h, _) = self.lstm(x.reshape(-1, 28, 28))
        return self.fc(h.transpose(0, 1).reshape(-1, 256))


def sequence_train(model_class):
    def make(batch):
        return training_step(model_class(),
                             lambda m, x, y: F.cross_entropy(m(x), y),
                             lambda: (torch.rand(batch, 1, 28, 28),
                                      labels(batch)),
                             clip=1.0)
    return make


rnn_train = sequence_train(LstmClassifier)
gru_train = sequence_train(GruClassifier)
bilstm_train = sequence_train(BiLstmClassifier)


def sequence_infer(batch):
    model = LstmClassifier()
    x = torch.rand(batch, 1, 28, 28)
    return lambda: model(x).softmax(1)


def autoencoder():
    nn = torch.nn
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 64),
                         nn.ReLU(), nn.Linear(64, 256), nn.ReLU(),
                         nn.Linear(256, 784), nn.Sigmoid())


def autoencoder_train(batch):
    return training_step(autoencoder(), lambda m, x: F.mse_loss(m(x), x),
                         lambda: (images(batch),))


def denoising_train(batch):
    """The denoising autoencoder: Gaussian noise (sigma 0.3) on the input,
    the clean image as the target."""
    return training_step(
        autoencoder(),
        lambda m, x: F.mse_loss(m(x + 0.3 * torch.randn_like(x)), x),
        lambda: (images(batch),))


class Vae(torch.nn.Module):
    def __init__(self):
        super().__init__()
        nn = torch.nn
        self.enc, self.mu = nn.Linear(784, 400), nn.Linear(400, 20)
        self.logvar = nn.Linear(400, 20)
        self.dec1, self.dec2 = nn.Linear(20, 400), nn.Linear(400, 784)

    def forward(self, x):
        h = F.relu(self.enc(x))
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        logits = self.dec2(F.relu(self.dec1(z)))
        recon = F.binary_cross_entropy_with_logits(logits, x,
                                                   reduction="none").sum(1)
        kl = -0.5 * (1 + logvar - mu * mu - logvar.exp()).sum(1)
        return (recon + kl).mean()


def vae_train(batch):
    return training_step(Vae(), lambda m, x: m(x), lambda: (images(batch),))


def gan_train(batch):
    """One iteration: a discriminator step, then a generator step."""
    nn = torch.nn
    generator = nn.Sequential(nn.Linear(64, 256), nn.LeakyReLU(0.2),
                              nn.Linear(256, 512), nn.LeakyReLU(0.2),
                              nn.Linear(512, 784), nn.Tanh())
    discriminator = nn.Sequential(nn.Linear(784, 512), nn.LeakyReLU(0.2),
                                  nn.Linear(512, 256), nn.LeakyReLU(0.2),
                                  nn.Linear(256, 1))
    d_opt = torch.optim.Adam(discriminator.parameters(), lr=2e-4,
                             betas=(0.5, 0.999))
    g_opt = torch.optim.Adam(generator.parameters(), lr=2e-4,
                             betas=(0.5, 0.999))
    real = torch.rand(batch, 784) * 2 - 1
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)
    bce = F.binary_cross_entropy_with_logits

    def run():
        d_opt.zero_grad()
        fake = generator(torch.randn(batch, 64))
        d_loss = (bce(discriminator(real), ones) +
                  bce(discriminator(fake.detach()), zeros))
        d_loss.backward()
        d_opt.step()
        g_opt.zero_grad()
        g_loss = bce(discriminator(generator(torch.randn(batch, 64))), ones)
        g_loss.backward()
        g_opt.step()
    return run


def lenet_torch(batch):
    x = torch.rand(batch, 1, 28, 28)
    w1, b1 = torch.randn(32, 1, 3, 3), torch.randn(32)
    w2, b2 = torch.randn(64, 32, 3, 3), torch.randn(64)
    f1, c1 = torch.randn(128, 3136), torch.randn(128)
    f2, c2 = torch.randn(10, 128), torch.randn(10)

    def run():
        h = F.max_pool2d(F.relu(F.conv2d(x, w1, b1, padding=1)), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, w2, b2, padding=1)), 2)
        h = F.relu(F.linear(h.flatten(1), f1, c1))
        return F.linear(h, f2, c2).softmax(1)
    return run


def mlp_torch(batch):
    x = torch.rand(batch, 784)
    ws = [(torch.randn(256, 784), torch.randn(256)),
          (torch.randn(128, 256), torch.randn(128)),
          (torch.randn(10, 128), torch.randn(10))]

    def run():
        h = F.relu(F.linear(x, *ws[0]))
        h = F.relu(F.linear(h, *ws[1]))
        logits = F.linear(h, *ws[2])
        return logits.softmax(1), logits.argmax(1)
    return run


def onednn_conv(batch, channels, filters, size):
    """A 3x3 convolution with padding 1 straight through oneDNN (Debian's
    libdnnl.so.2, which python3-torch links): torch.mkldnn_convolution
    calls its kernel without autograd or dispatch layers in between."""
    x = torch.rand(batch, channels, size, size)
    w, b = torch.randn(filters, channels, 3, 3), torch.randn(filters)
    return lambda: torch.mkldnn_convolution(x, w, b, (1, 1), (1, 1), (1, 1),
                                            1)


def matmul_torch(m, k, n):
    a, b = torch.rand(m, k), torch.rand(k, n)
    return lambda: a @ b


def openblas_sgemm(m, k, n):
    """C = A B through OpenBLAS's cblas_sgemm, called directly."""
    a = np.random.rand(m, k).astype(np.float32)
    b = np.random.rand(k, n).astype(np.float32)
    c = np.empty((m, n), np.float32)
    ptr = lambda x: x.ctypes.data_as(ctypes.c_void_p)
    row_major, no_trans = 101, 111
    f32 = ctypes.c_float

    def run():
        OPENBLAS.cblas_sgemm(row_major, no_trans, no_trans, m, n, k, f32(1),
                             ptr(a), k, ptr(b), n, f32(0), ptr(c), n)
    return run


# Other processes may use this much of a core during a row before it is
# measured again.
NOISE_CORES = 0.25


def conv_flops(batch, channels, filters, size):
    return 2 * batch * filters * size * size * channels * 9


def rows():
    """name, model, batch, peer, peer function, flops per run (0: report
    samples/s), Kiln's entries (training rows: its train entries)."""
    train = ("step",)
    return [
        ("sgemm 512x512x512", "bench/models/sgemm_512.kiln", 512, "OpenBLAS",
         openblas_sgemm(512, 512, 512), 2 * 512 ** 3),
        ("sgemm 64x784x256", "bench/models/sgemm_784.kiln", 64, "OpenBLAS",
         openblas_sgemm(64, 784, 256), 2 * 64 * 784 * 256),
        ("sgemm 64x784x128", "bench/models/sgemm_784x128.kiln", 64,
         "OpenBLAS", openblas_sgemm(64, 784, 128), 2 * 64 * 784 * 128),
        ("sgemm 512x512x512", "bench/models/sgemm_512.kiln", 512, "PyTorch",
         matmul_torch(512, 512, 512), 2 * 512 ** 3),
        ("lenet conv1 (1->32, 28x28), batch 64",
         "bench/models/lenet_conv1.kiln", 64, "oneDNN",
         onednn_conv(64, 1, 32, 28), conv_flops(64, 1, 32, 28)),
        ("lenet conv2 (32->64, 14x14), batch 64",
         "bench/models/lenet_conv2.kiln", 64, "oneDNN",
         onednn_conv(64, 32, 64, 14), conv_flops(64, 32, 64, 14)),
        ("mlp inference, batch 64", "models/mlp.kiln", 64, "PyTorch",
         mlp_torch(64), 0),
        ("lenet inference, batch 1", "models/lenet.kiln", 1, "PyTorch",
         lenet_torch(1), 0),
        ("lenet inference, batch 64", "models/lenet.kiln", 64, "PyTorch",
         lenet_torch(64), 0),
        ("rnn_classifier inference, batch 1", "models/rnn_classifier.kiln", 1,
         "PyTorch", sequence_infer(1), 0),
        ("rnn_classifier inference, batch 64", "models/rnn_classifier.kiln",
         64, "PyTorch", sequence_infer(64), 0),
        ("mlp training, batch 64", "models/mlp.kiln", 64, "PyTorch",
         mlp_train(64), 0, train),
        ("lenet training, batch 64", "models/lenet.kiln", 64, "PyTorch",
         lenet_train(64), 0, train),
        ("rnn_classifier (LSTM) training, batch 64",
         "models/rnn_classifier.kiln", 64, "PyTorch", rnn_train(64), 0, train),
        ("gru_classifier training, batch 64", "models/gru_classifier.kiln", 64,
         "PyTorch", gru_train(64), 0, train),
        ("bilstm_classifier training, batch 64",
         "models/bilstm_classifier.kiln", 64, "PyTorch", bilstm_train(64), 0,
         train),
        ("autoencoder training, batch 64", "models/autoencoder.kiln", 64,
         "PyTorch", autoencoder_train(64), 0, train),
        ("denoising_autoencoder training, batch 64",
         "models/denoising_autoencoder.kiln", 64, "PyTorch",
         denoising_train(64), 0, train),
        ("vae training, batch 64", "models/vae.kiln", 64, "PyTorch",
         vae_train(64), 0, train),
        ("gan training (d then g), batch 64", "models/gan.kiln", 64, "PyTorch",
         gan_train(64), 0, ("d_step", "g_step")),
    ]


def measure_row(args, kmod, batch, threads, entries, peer_fn, training):
    """Kiln, the peer, Kiln again (the better of Kiln's two), repeated
    while other processes were busy; returns the two times and the noise."""
    for attempt in range(3):
        def run():
            kiln = kiln_median(args, kmod, batch, threads, entries)
            peer = peer_median(peer_fn, training=training)
            kiln = min(kiln, kiln_median(args, kmod, batch, threads, entries))
            return kiln, peer
        (kiln, peer), others = others_cpu(run)
        if others <= NOISE_CORES:
            break
    return kiln, peer, others


# Each optimization switched off in turn (a kilnc flag), on models where it
# matters: Kiln against itself, same run, 2 threads.
ABLATIONS = [
    ("--fuse=false", "models/lenet.kiln", ("step",)),
    ("--fuse=false", "models/mlp.kiln", ("step",)),
    ("--fuse=false", "models/gru_classifier.kiln", ("step",)),
    ("--fuse=false", "models/vae.kiln", ("step",)),
    ("--fuse=false", "models/lenet.kiln", ("infer",)),
    ("--layout=false", "models/lenet.kiln", ("step",)),
    ("--layout=false", "models/lenet.kiln", ("infer",)),
    ("--vectorize=false", "models/mlp.kiln", ("step",)),
]


def ablations(args, work, threads=2, batch=64):
    results = []
    for flag, model, entries in ABLATIONS:
        kmods = {}
        for variant, extra in (("on", []), ("off", [flag])):
            kmods[variant] = os.path.join(work, f"ablation-{variant}.kmod")
            subprocess.run([args.kilnc, os.path.join(args.source, model),
                            "-o", kmods[variant]] + extra, check=True)
        # Alternately, twice each, the better of each pair.
        times = {"on": float("inf"), "off": float("inf")}
        for _ in range(2):
            for variant in ("on", "off"):
                times[variant] = min(times[variant], kiln_median(
                    args, kmods[variant], batch, threads, entries))
        results.append({"flag": flag, "model": os.path.basename(model),
                        "entries": list(entries), "on_s": times["on"],
                        "off_s": times["off"],
                        "speedup": times["off"] / times["on"]})
    return results


def compile_times(args, work):
    """Seconds kilnc takes for each zoo model (the whole pipeline to a
    .kmod, the better of two runs)."""
    times = []
    zoo = os.path.join(args.source, "models")
    for name in sorted(os.listdir(zoo)):
        if not name.endswith(".kiln"):
            continue
        best = float("inf")
        for _ in range(2):
            start = time.perf_counter()
            subprocess.run([args.kilnc, os.path.join(zoo, name), "-o",
                            os.path.join(work, "compile-time.kmod")],
                           check=True)
            best = min(best, time.perf_counter() - start)
        times.append({"model": name[:-len(".kiln")], "seconds": best})
    return times


def python_overhead(args, work):
    """Kiln's session.run against ONNX Runtime's, per call from Python
    (bench/python_overhead.py, in the peers' interpreter)."""
    out = os.path.join(work, "python_overhead.json")
    env = dict(os.environ, PYTHONPATH=os.path.abspath(args.python_package))
    subprocess.run([args.peers_python,
                    os.path.join(args.source, "bench", "python_overhead.py"),
                    "--json", out], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    with open(out) as f:
        return json.load(f)


ONNX_MODELS = ("resnet18", "mobilenet_v2", "squeezenet1_1")


def onnx_models(args, work):
    """torchvision's models exported to ONNX (here, with Debian's torch),
    compiled by kilnc, against ONNX Runtime (bench/onnx_models.py, in the
    peers' interpreter)."""
    folder = os.path.join(work, "onnx")
    for name in ONNX_MODELS:
        subprocess.run([sys.executable,
                        os.path.join(args.source, "tests", "onnx",
                                     "export_models.py"), folder,
                        "--only", name], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = os.path.join(work, "onnx_models.json")
    env = dict(os.environ, PYTHONPATH=os.path.abspath(args.python_package))
    subprocess.run([args.peers_python,
                    os.path.join(args.source, "bench", "onnx_models.py"),
                    folder, "--kilnc", args.kilnc, "--json", out],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    with open(out) as f:
        return json.load(f)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilnc", required=True)
    parser.add_argument("--kiln-run", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--json")
    parser.add_argument("--only", help="run only rows whose name contains "
                        "this text")
    parser.add_argument("--peers-python",
                        help="the interpreter with PyPI's peers (make "
                        "bench-peers), for the per-call overhead rows")
    parser.add_argument("--python-package",
                        help="where the built kiln package is")
    args = parser.parse_args()

    results = []
    table = [r for r in rows() if not args.only or args.only in r[0]]
    with tempfile.TemporaryDirectory() as work:
        for threads in (1, 2):
            torch.set_num_threads(threads)
            OPENBLAS.openblas_set_num_threads(threads)
            for name, model, batch, peer_name, peer_fn, flops, *rest in table:
                entries = rest[0] if rest else ("infer",)
                training = entries != ("infer",)
                kmod = os.path.join(work, os.path.basename(model) + ".kmod")
                if not os.path.exists(kmod):
                    subprocess.run([args.kilnc,
                                    os.path.join(args.source, model),
                                    "-o", kmod], check=True)
                kiln, peer, others = measure_row(args, kmod, batch, threads,
                                                 entries, peer_fn, training)
                unit = "GFLOPS" if flops else "samples/s"
                rate = ((lambda s: flops / s / 1e9) if flops
                        else (lambda s: batch / s))
                results.append({
                    "name": name, "threads": threads, "unit": unit,
                    "peer": peer_name, "kiln": rate(kiln),
                    "peer_rate": rate(peer),
                    "ratio": peer / kiln, "others_cores": others,
                })
        compiles = [] if args.only else compile_times(args, work)
        switched = [] if args.only else ablations(args, work)
        overhead = ([] if args.only or not args.peers_python
                    else python_overhead(args, work))
        imported = ([] if args.only or not args.peers_python
                    else onnx_models(args, work))
    print("| benchmark | threads | Kiln | peer | peer's | Kiln / peer |")
    print("|---|---|---|---|---|---|")
    for r in results:
        flag = (f" (noisy: others used {r['others_cores']:.2f} cores)"
                if r["others_cores"] > NOISE_CORES else "")
        print(f"| {r['name']} | {r['threads']} | {r['kiln']:.1f} {r['unit']} | "
              f"{r['peer']} | {r['peer_rate']:.1f} {r['unit']} | "
              f"{r['ratio']:.2f}x{flag} |")
    print()
    print("| benchmark | Kiln, 2 threads / 1 thread |")
    print("|---|---|")
    single = {}
    for r in results:
        key = (r["name"], r["peer"])
        if r["threads"] == 1:
            single[key] = r["kiln"]
        elif r["peer"] != "PyTorch" or "sgemm" not in r["name"]:
            print(f"| {r['name']} | {r['kiln'] / single[key]:.2f}x |")
    if switched:
        print()
        print("| switched off | model, entry | with | without | "
              "the pass brings |")
        print("|---|---|---|---|---|")
        for a in switched:
            print(f"| `{a['flag']}` | {a['model']} {'+'.join(a['entries'])} | "
                  f"{a['on_s'] * 1e3:.3f} ms | {a['off_s'] * 1e3:.3f} ms | "
                  f"{a['speedup']:.2f}x |")
    if compiles:
        print()
        print("| model | kilnc compile time |")
        print("|---|---|")
        for c in compiles:
            print(f"| {c['model']} | {c['seconds']:.2f} s |")
    if overhead:
        print()
        print("| per call from Python | threads | Kiln | peer | peer's | "
              "Kiln / peer |")
        print("|---|---|---|---|---|---|")
        for r in overhead:
            print(f"| {r['name']} | {r['threads']} | {r['kiln_us']:.2f} us | "
                  f"{r['peer']} | {r['peer_us']:.2f} us | "
                  f"{r['ratio']:.2f}x |")
    if imported:
        print()
        print("| ONNX model | threads | Kiln | peer | peer's | Kiln / peer |")
        print("|---|---|---|---|---|---|")
        for r in imported:
            print(f"| {r['name']} | {r['threads']} | {r['kiln']:.1f} "
                  f"samples/s | {r['peer']} | {r['peer_rate']:.1f} "
                  f"samples/s | {r['ratio']:.2f}x |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": results, "compile_seconds": compiles,
                       "ablations": switched, "python_overhead": overhead,
                       "onnx_models": imported}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
