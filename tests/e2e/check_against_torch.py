#!/usr/bin/env python3
"""Compares Kiln's compiled inference with PyTorch on the same parameters.

For each model (the op-family models in tests/e2e/ops and the zoo in
models/), the script compiles it with kilnc, runs its infer entry with
kiln-run at batch sizes 1, 7 and 64 on random inputs, lets kiln-run write
the parameters it initialized, runs an independent PyTorch implementation
of the same model on those parameters and inputs, and checks every output:
floats to a relative error of 1e-4 (scaled by the output's magnitude),
integers exactly. Exits non-zero on any mismatch.

Usage: check_against_torch.py --kilnc PATH --kiln-run PATH --source DIR
                              [--only NAME ...] [--batches 1,7,64]
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
RTOL = 1e-4


def normal(*shape):
    return lambda rng, n: rng.standard_normal(
        [n if d == "N" else d for d in shape]).astype(np.float32)


def unit(*shape):
    return lambda rng, n: rng.random(
        [n if d == "N" else d for d in shape]).astype(np.float32)


def ints(high, *shape, dtype=np.int32):
    return lambda rng, n: rng.integers(
        0, high, [n if d == "N" else d for d in shape]).astype(dtype)


def t(array):
    return torch.from_numpy(np.ascontiguousarray(array))


def load_rnn(module, p, prefix, directions):
    """Copies Kiln's [D, G*H, F] recurrent weights into a torch module."""
    with torch.no_grad():
        for d in range(directions):
            suffix = "_reverse" if d else ""
            getattr(module, "weight_ih_l0" + suffix).copy_(p[prefix + "wi"][d])
            getattr(module, "weight_hh_l0" + suffix).copy_(p[prefix + "wh"][d])
            getattr(module, "bias_ih_l0" + suffix).copy_(p[prefix + "bi"][d])
            getattr(module, "bias_hh_l0" + suffix).copy_(p[prefix + "bh"][d])
    return module


# --- op families -------------------------------------------------------------

def ref_elementwise(p, i):
    x, y, k = i["x"], i["y"], i["k"]
    return {
        "o_neg": -x, "o_abs": x.abs(), "o_exp": x.exp(),
        "o_log": (x.abs() + 0.5).log(), "o_sqrt": x.abs().sqrt(),
        "o_rsqrt": (x.abs() + 0.1).rsqrt(), "o_relu": F.relu(x),
        "o_sigmoid": torch.sigmoid(x), "o_tanh": torch.tanh(x),
        "o_softplus": F.softplus(x), "o_leaky": F.leaky_relu(x, 0.1),
        "o_elu": F.elu(x, 0.7), "o_gelu": F.gelu(x),
        "o_gelu_tanh": F.gelu(x, approximate="tanh"),
        "o_clamp": x.clamp(-0.5, 0.5),
        "o_arith": (x + y) * 2 - x / (y.abs() + 1),
        "o_pow": torch.pow(x.abs() + 0.1, y),
        "o_minmax": torch.minimum(x, y) + torch.maximum(x, y),
        "o_where": torch.where(x > y, x, y),
        "o_cast": k.float() + (x > 0).float(),
        "o_int": k * k - k,
    }


def ref_reductions(p, i):
    x = i["x"]
    return {
        "o_sum": x.sum((1, 2)), "o_mean": x.mean(1, keepdim=True),
        "o_max": x.amax(2), "o_min": x.min(), "o_lse": x.logsumexp(1),
        "o_softmax": x.softmax(1), "o_log_softmax": x.log_softmax(-1),
        "o_argmax": x.argmax(1), "o_argmin": x.argmin(2),
    }


def ref_shape(p, i):
    x, ids = i["x"], i["ids"].long()
    return {
        "o_reshape": x.reshape(-1, 4, 6), "o_flatten": x.flatten(1),
        "o_transpose": x.permute(0, 3, 1, 2),
        "o_broadcast": x.sum((2, 3), keepdim=True).expand(-1, 2, 3, 4),
        "o_concat": torch.cat([x, x * 2], 2),
        "o_slice": x[:, :, 1:3, -3::2],
        "o_pad": F.pad(x, (2, 1, 1, 0, 0, 1, 0, 0), value=-1),
        "o_gather": p["table"][ids],
        "o_one_hot": F.one_hot(ids, 10).float(),
    }


def ref_contractions(p, i):
    a, b, c = i["a"], i["b"], i["c"]
    return {
        "o_matmul": a @ b, "o_matmul_t": a @ a.transpose(-1, -2),
        "o_matmul_ta": b.T @ b, "o_dense": F.linear(c, p["w"], p["bias"]),
        "o_dense3": F.linear(a, p["w3"]),
    }


def ref_conv(p, i):
    x = i["x"]
    return {
        "o_conv": F.conv2d(x, p["w"], p["b"], stride=2, padding=1),
        "o_conv_dilated": F.conv2d(x, p["w"], dilation=2),
        "o_conv_rect": F.conv2d(i["r"], p["wr"], p["br"], padding=(2, 1)),
        "o_conv_rect_dilated": F.conv2d(i["r"], p["wr"], padding=(1, 2),
                                        dilation=(1, 2)),
        "o_conv_grouped": F.conv2d(x, p["wg"], groups=2, padding=1),
        "o_conv_t": F.conv_transpose2d(x, p["wt"], p["bt"], stride=2, padding=1),
        "o_conv_t_op": F.conv_transpose2d(x, p["wt"], stride=2, padding=1,
                                          output_padding=1),
        "o_maxpool": F.max_pool2d(x, 3, 2, 1),
        "o_avgpool": F.avg_pool2d(x, 2),
        "o_avgpool_pad": F.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
        "o_gap": F.adaptive_avg_pool2d(x, 1),
        "o_up": F.interpolate(x, scale_factor=2, mode="nearest"),
    }


def ref_norm(p, i):
    return {
        "o_bn": F.batch_norm(i["x"], p["mean"], p["var"], p["g"], p["o"],
                             training=False, eps=1e-3),
        "o_ln": F.layer_norm(i["s"], (6,), p["lg"], p["lo"]),
    }


def ref_recurrent(p, i):
    x, h0, c0 = i["x"], i["h0"], i["c0"]
    rnn = load_rnn(torch.nn.RNN(5, 4, batch_first=True), p, "r.", 1)
    gru = load_rnn(torch.nn.GRU(5, 4, batch_first=True, bidirectional=True),
                   p, "g.", 2)
    lstm = load_rnn(torch.nn.LSTM(5, 4, batch_first=True, bidirectional=True),
                    p, "l.", 2)
    rs, rh = rnn(x)
    gs, gh = gru(x, h0)
    ls, (lh, lc) = lstm(x, (h0, c0))
    return {"o_rnn_seq": rs, "o_rnn_h": rh, "o_gru_seq": gs, "o_gru_h": gh,
            "o_lstm_seq": ls, "o_lstm_h": lh, "o_lstm_c": lc}


def ref_losses(p, i):
    pr, tg, label = i["p"], i["t"], i["label"].long()
    return {
        "o_mse": F.mse_loss(pr, tg), "o_l1": F.l1_loss(pr, tg, reduction="sum"),
        "o_bce": F.binary_cross_entropy(torch.sigmoid(pr), torch.sigmoid(tg),
                                        reduction="none"),
        "o_bce_logits": F.binary_cross_entropy_with_logits(pr, torch.sigmoid(tg)),
        "o_ce": F.cross_entropy(pr, label),
        "o_ce_none": F.cross_entropy(pr, label, reduction="none"),
        "o_nll": F.nll_loss(pr.log_softmax(-1), label, reduction="sum"),
        "o_hinge": F.multi_margin_loss(pr, label, margin=1.5),
    }


# --- the model zoo -----------------------------------------------------------

def ref_mlp(p, i):
    h = F.relu(F.linear(i["image"], p["fc1.w"], p["fc1.b"]))
    h = F.relu(F.linear(h, p["fc2.w"], p["fc2.b"]))
    logits = F.linear(h, p["fc3.w"], p["fc3.b"])
    return {"probs": logits.softmax(1), "class": logits.argmax(1)}


def ref_lenet(p, i):
    h = F.max_pool2d(F.relu(F.conv2d(i["image"], p["conv1.w"], p["conv1.b"],
                                     padding=1)), 2)
    h = F.max_pool2d(F.relu(F.conv2d(h, p["conv2.w"], p["conv2.b"],
                                     padding=1)), 2)
    h = F.relu(F.linear(h.flatten(1), p["fc1.w"], p["fc1.b"]))
    return {"probs": F.linear(h, p["fc2.w"], p["fc2.b"]).softmax(1)}


def conv_bn_relu(p, prefix, x, **conv):
    h = F.conv2d(x, p[prefix + ".w"], **conv)
    return F.relu(F.batch_norm(h, p[prefix + ".m"], p[prefix + ".v"],
                               p[prefix + ".g"], p[prefix + ".b"],
                               training=False))


def ref_cifar_cnn(p, i):
    h = i["image"]
    for block in ("c1", "c2", "c3"):
        h = F.max_pool2d(conv_bn_relu(p, block, h, padding=1), 2)
    return {"logits": F.linear(h.flatten(1), p["fc.w"], p["fc.b"])}


def ref_mobilenet(p, i):
    def separable(block, x, stride):
        h = conv_bn_relu(p, block + ".dw", x, stride=stride, padding=1,
                         groups=x.shape[1])
        return conv_bn_relu(p, block + ".pw", h)
    stem = conv_bn_relu(p, "stem", i["image"], padding=1)
    h1 = separable("block1", stem, 2)
    h2 = h1 + separable("block2", h1, 1)
    h3 = separable("block3", h2, 2)
    logits = F.linear(h3.mean((2, 3)), p["fc.w"], p["fc.b"])
    return {"probs": logits.softmax(1)}


def ref_recurrent_classifier(kind, bidirectional):
    def ref(p, i):
        cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
        net = load_rnn(cls(28, 128, batch_first=True,
                           bidirectional=bidirectional),
                       {"x.wi": p[kind + ".w_ih"], "x.wh": p[kind + ".w_hh"],
                        "x.bi": p[kind + ".b_ih"], "x.bh": p[kind + ".b_hh"]},
                       "x.", 2 if bidirectional else 1)
        out = net(i["image"].reshape(-1, 28, 28))
        h = out[1][0] if kind == "lstm" else out[1]
        last = h.permute(1, 0, 2).reshape(h.shape[1], -1)
        return {"probs": F.linear(last, p["fc.w"], p["fc.b"]).softmax(1)}
    return ref


def ref_char_lstm(p, i):
    net = load_rnn(torch.nn.LSTM(32, 256, batch_first=True),
                   {"x.wi": p["lstm.w_ih"], "x.wh": p["lstm.w_hh"],
                    "x.bi": p["lstm.b_ih"], "x.bh": p["lstm.b_hh"]}, "x.", 1)
    seq, _ = net(p["embed.table"][i["chars"].long()])
    return {"next": F.linear(seq, p["out.w"], p["out.b"]).softmax(2)}


def coder(p, prefix, x, last):
    h = F.relu(F.linear(x, p[prefix + ".w1"], p[prefix + ".b1"]))
    return last(F.linear(h, p[prefix + ".w2"], p[prefix + ".b2"]))


def ref_autoencoder(output):
    def ref(p, i):
        code = coder(p, "encoder", i["image"], F.relu)
        return {output: coder(p, "decoder", code, torch.sigmoid)}
    return ref


def ref_vae(p, i):
    h = F.relu(F.linear(i["noise"], p["decoder.w1"], p["decoder.b1"]))
    return {"sample": torch.sigmoid(F.linear(h, p["decoder.w2"],
                                             p["decoder.b2"]))}


def ref_gan(p, i):
    h = F.leaky_relu(F.linear(i["z"], p["generator.w1"], p["generator.b1"]), 0.2)
    h = F.leaky_relu(F.linear(h, p["generator.w2"], p["generator.b2"]), 0.2)
    return {"sample": torch.tanh(F.linear(h, p["generator.w3"],
                                          p["generator.b3"]))}


def ref_dcgan(p, i):
    g = "generator."
    h = F.relu(F.linear(i["z"], p[g + "fc.w"], p[g + "fc.b"]).reshape(-1, 128, 7, 7))
    h = F.conv_transpose2d(h, p[g + "up1.w"], p[g + "up1.b"], stride=2, padding=1)
    h = F.relu(F.batch_norm(h, p[g + "bn.mean"], p[g + "bn.var"],
                            p[g + "bn.scale"], p[g + "bn.offset"], training=False))
    h = F.conv_transpose2d(h, p[g + "up2.w"], p[g + "up2.b"], stride=2, padding=1)
    return {"sample": torch.tanh(h)}


def ref_linear(output, post):
    def ref(p, i):
        return {output: post(F.linear(i["x"], p["w"], p["b"]))}
    return ref


# name -> (source relative to --source, inputs, reference)
MODELS = {
    "elementwise": ("tests/e2e/ops/elementwise.kiln",
                    {"x": normal("N", 6), "y": normal(6), "k": ints(7, "N", 6)},
                    ref_elementwise),
    "reductions": ("tests/e2e/ops/reductions.kiln", {"x": normal("N", 5, 4)},
                   ref_reductions),
    "shape": ("tests/e2e/ops/shape.kiln",
              {"x": normal("N", 2, 3, 4), "ids": ints(10, "N", 5)}, ref_shape),
    "contractions": ("tests/e2e/ops/contractions.kiln",
                     {"a": normal("N", 3, 5), "b": normal(5, 4),
                      "c": normal("N", 7)}, ref_contractions),
    "conv": ("tests/e2e/ops/conv.kiln",
             {"x": normal("N", 4, 9, 9), "r": normal("N", 8, 6, 11)},
             ref_conv),
    "norm": ("tests/e2e/ops/norm.kiln",
             {"x": normal("N", 4, 5, 5), "s": normal("N", 7, 6)}, ref_norm),
    "recurrent": ("tests/e2e/ops/recurrent.kiln",
                  {"x": normal("N", 6, 5), "h0": normal(2, "N", 4),
                   "c0": normal(2, "N", 4)}, ref_recurrent),
    "losses": ("tests/e2e/ops/losses.kiln",
               {"p": normal("N", 5), "t": normal("N", 5),
                "label": ints(5, "N")}, ref_losses),
    "mlp": ("models/mlp.kiln", {"image": unit("N", 784)}, ref_mlp),
    "lenet": ("models/lenet.kiln", {"image": unit("N", 1, 28, 28)}, ref_lenet),
    "cifar_cnn": ("tests/e2e/ops/cifar_cnn.kiln",
                  {"image": unit("N", 3, 32, 32)}, ref_cifar_cnn),
    "mobilenet": ("models/mobilenet.kiln", {"image": unit("N", 1, 28, 28)},
                  ref_mobilenet),
    "rnn_classifier": ("models/rnn_classifier.kiln",
                       {"image": unit("N", 1, 28, 28)},
                       ref_recurrent_classifier("lstm", False)),
    "gru_classifier": ("models/gru_classifier.kiln",
                       {"image": unit("N", 1, 28, 28)},
                       ref_recurrent_classifier("gru", False)),
    "bilstm_classifier": ("models/bilstm_classifier.kiln",
                          {"image": unit("N", 1, 28, 28)},
                          ref_recurrent_classifier("lstm", True)),
    "char_lstm": ("models/char_lstm.kiln", {"chars": ints(64, "N", 16)},
                  ref_char_lstm),
    "autoencoder": ("models/autoencoder.kiln", {"image": unit("N", 784)},
                    ref_autoencoder("reconstruction")),
    "denoising_autoencoder": ("models/denoising_autoencoder.kiln",
                              {"image": unit("N", 784)},
                              ref_autoencoder("clean")),
    "vae": ("models/vae.kiln",
            {"image": unit("N", 784), "noise": normal("N", 20)}, ref_vae),
    "gan": ("models/gan.kiln", {"z": normal("N", 64)}, ref_gan),
    "dcgan": ("models/dcgan.kiln", {"z": normal("N", 64)}, ref_dcgan),
    "linear_regression": ("models/linear_regression.kiln",
                          {"x": normal("N", 10)},
                          ref_linear("y", lambda v: v)),
    "logistic_regression": ("models/logistic_regression.kiln",
                            {"x": unit("N", 784)},
                            ref_linear("probs", lambda v: v.softmax(1))),
    "linear_svm": ("models/linear_svm.kiln", {"x": unit("N", 784)},
                   ref_linear("class", lambda v: v.argmax(1))),
}


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(" ".join(command) + "\n" + result.stderr)
    return result.stdout


def compare(name, ours, reference):
    if ours.shape != tuple(reference.shape):
        return f"shape {ours.shape}, PyTorch {tuple(reference.shape)}"
    if not np.issubdtype(ours.dtype, np.floating):
        mismatches = int((ours != reference).sum())
        return f"{mismatches} elements differ" if mismatches else None
    scale = max(float(np.abs(reference).max()), 1e-6)
    error = float(np.abs(ours - reference).max()) / scale
    return f"relative error {error:.2e}" if error > RTOL else None


def check(args, name, work):
    source, inputs, reference = MODELS[name]
    kmod = os.path.join(work, name + ".kmod")
    # Inference only: every zoo model, whether or not its train entry can
    # be differentiated yet.
    run([args.kilnc, os.path.join(args.source, source), "--inference-only",
         "-o", kmod])
    failures = []
    for batch in args.batches:
        rng = np.random.default_rng(batch)
        feeds = {k: make(rng, batch) for k, make in inputs.items()}
        # Serial, odd and even thread counts, whatever the machine has.
        threads = {1: 1, 7: 3}.get(batch, 2)
        command = [args.kiln_run, "infer", kmod,
                   "--dump-params", os.path.join(work, name + "-params"),
                   "--seed", "3", "--threads", str(threads)]
        for key, value in feeds.items():
            path = os.path.join(work, f"{name}-{key}.npy")
            np.save(path, value)
            command += ["--input", f"{key}={path}"]
        params_dir = os.path.join(work, name + "-params")
        output_dir = os.path.join(work, f"{name}-outputs-{batch}")
        run(command + ["--output-dir", output_dir])
        params = {f[:-4]: t(np.load(os.path.join(params_dir, f)))
                  for f in os.listdir(params_dir)}
        with torch.no_grad():
            expected = reference(params, {k: t(v) for k, v in feeds.items()})
        for output, ref in expected.items():
            problem = compare(output,
                              np.load(os.path.join(output_dir, output + ".npy")),
                              ref.numpy())
            if problem:
                failures.append(f"{name}.{output} at batch {batch}: {problem}")
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilnc", required=True)
    parser.add_argument("--kiln-run", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--batches", default="1,7,64")
    args = parser.parse_args()
    args.batches = [int(b) for b in args.batches.split(",")]
    names = args.only or list(MODELS)
    failures, passed = [], 0
    with tempfile.TemporaryDirectory() as work:
        for name in names:
            problems = check(args, name, work)
            print(("FAIL " if problems else "ok   ") + name, flush=True)
            for problem in problems:
                print("     " + problem)
            failures += problems
            passed += not problems
    print(f"{passed} passed, {len(names) - passed} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
