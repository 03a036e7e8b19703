#!/usr/bin/env python3
"""Differential testing with generated models (in the spirit of NNSmith).

Each seed gives a reproducible random DAG of ops with consistent shapes:
dense layers and activations, residual adds and products, concatenated
branches, shared weights, broadcasting against parameters, layer norm,
softmax, attention blocks (activation x activation matmuls), convolution
stacks with stride, padding, dilation and groups, batch norm, pooling, one
or two losses and several outputs. The generator writes the model as
.kiln source and builds a PyTorch twin from the same description. Kiln
compiles the source (any compiler failure on the valid model is a
failure; a signal is a crash) and runs its inference entry and one SGD
step from the same parameters and inputs; the twin, in f64, gives the
reference outputs and updated parameters.

A failing seed is shrunk: the same seed with fewer ops (the generator draws
op by op, so a shorter model is a prefix of the longer one) down to the
smallest that still fails, and its .kiln file is printed.

Usage: random_models.py --kilnc PATH --kiln-run PATH --count N [--first S]
"""

import argparse
import collections
import concurrent.futures
import os
import random
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

SIZES = [1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 64, 100]
ACTIVATIONS = {
    "relu": F.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
    "softplus": F.softplus, "erf": torch.erf,
    "gelu": F.gelu, "elu": F.elu,
    "gelu(approximation=tanh)": lambda x: F.gelu(x, approximate="tanh"),
    "leaky_relu(alpha=0.1)": lambda x: F.leaky_relu(x, 0.1),
}
LR = 0.1
RTOL = 2e-3


class Value:
    def __init__(self, name, shape, fn):
        self.name, self.shape, self.fn = name, tuple(shape), fn


class Model:
    """A generated model: .kiln lines and the twin's functions, op by op."""

    def __init__(self, seed, max_ops):
        self.rng = random.Random(seed)
        self.seed, self.max_ops = seed, max_ops
        self.lines, self.params, self.buffers = [], {}, {}
        self.values, self.features = [], collections.Counter()
        self.counter = 0
        # Batches below, at and past the 8-row register tile and the dot
        # form's threshold.
        self.batch = self.rng.choice([1, 3, 9, 17])
        # Some models have no dynamic batch: every shape is static.
        self.batch_text = str(self.batch) if self.rng.random() < 0.15 \
            else "N"

    # Names and declarations.
    def fresh(self, prefix):
        self.counter += 1
        return f"{prefix}{self.counter}"

    def param(self, shape, init="normal", buffer=False):
        name = self.fresh("p")
        kind = "buffer" if buffer else "param"
        self.lines.append(f"{kind} {name} : f32[{', '.join(map(str, shape))}]"
                          f" = {init}")
        if buffer:
            self.buffers[name] = (tuple(shape), init)
        else:
            self.params[name] = tuple(shape)
        return name

    def bind(self, expression, shape, fn, feature):
        name = self.fresh("v")
        self.lines.append(f"{name} = {expression}")
        value = Value(name, shape, fn)
        self.values.append(value)
        self.features[feature] += 1
        return value

    def pick(self, rank=None, shape=None):
        choices = [v for v in self.values
                   if not (v.name == "x" and hasattr(self, "vocabulary")) and
                   (rank is None or len(v.shape) == rank) and
                   (shape is None or v.shape == shape)]
        return self.rng.choice(choices) if choices else None

    # Ops on features [N, F].
    def dense(self, x):
        out = self.rng.choice(SIZES)
        w = self.param([out, x.shape[1]])
        if self.rng.random() < 0.7:
            b = self.param([out])
            return self.bind(f"dense({x.name}, {w}, {b})", (None, out),
                             lambda e, p: F.linear(e[x.name], p[w], p[b]),
                             "dense")
        return self.bind(f"dense({x.name}, {w})", (None, out),
                         lambda e, p: F.linear(e[x.name], p[w]), "dense")

    def activation(self, x):
        kiln = self.rng.choice(list(ACTIVATIONS))
        fn = ACTIVATIONS[kiln]
        call, _, options = kiln.partition("(")
        text = f"{call}({x.name}" + (", " + options if options else ")")
        return self.bind(text, x.shape, lambda e, p: fn(e[x.name]),
                         "activation:" + call)

    def binary(self, x):
        other = self.pick(shape=x.shape)
        if other is None or other is x:
            return None
        op, fn = self.rng.choice([("+", torch.add), ("-", torch.sub),
                                  ("*", torch.mul)])
        return self.bind(f"{x.name} {op} {other.name}", x.shape,
                         lambda e, p: fn(e[x.name], e[other.name]),
                         "residual" if op == "+" else "binary")

    def broadcast(self, x):
        shape = [x.shape[-1]] if self.rng.random() < 0.5 else \
            [1] * (len(x.shape) - 1) + [x.shape[-1]]
        s = self.param(shape)
        return self.bind(f"{x.name} * {s}", x.shape,
                         lambda e, p: e[x.name] * p[s], "broadcast")

    def concat(self, x):
        other = self.pick(rank=2)
        if other is None:
            return None
        return self.bind(f"concat({x.name}, {other.name}, axis=1)",
                         (None, x.shape[1] + other.shape[1]),
                         lambda e, p: torch.cat([e[x.name], e[other.name]], 1),
                         "concat")

    def layer_norm(self, x):
        g, b = self.param([x.shape[-1]]), self.param([x.shape[-1]])
        return self.bind(f"layer_norm({x.name}, {g}, {b})", x.shape,
                         lambda e, p: F.layer_norm(e[x.name], (x.shape[-1],),
                                                   p[g], p[b]),
                         "layer_norm")

    def softmax(self, x):
        return self.bind(f"softmax({x.name})", x.shape,
                         lambda e, p: torch.softmax(e[x.name], -1), "softmax")

    def shared_dense(self, x):
        """The same weight applied to two values of one width."""
        other = self.pick(shape=x.shape)
        out = self.rng.choice(SIZES)
        w = self.param([out, x.shape[1]])
        a = self.bind(f"dense({x.name}, {w})", (None, out),
                      lambda e, p: F.linear(e[x.name], p[w]), "shared_weight")
        if other is None or other is x:
            return a
        b = self.bind(f"dense({other.name}, {w})", (None, out),
                      lambda e, p: F.linear(e[other.name], p[w]),
                      "shared_weight")
        return self.bind(f"{a.name} + {b.name}", (None, out),
                         lambda e, p: e[a.name] + e[b.name], "residual")

    def attention(self, x):
        """Self-attention over [N, T, D] = x reshaped: softmax(q k^T) v."""
        tokens = self.rng.choice([2, 3, 4])
        width = self.rng.choice([4, 8, 16])
        wq = self.param([tokens * width, x.shape[1]])
        h = self.bind(f"reshape(dense({x.name}, {wq}), [-1, {tokens}, {width}])",
                      (None, tokens, width),
                      lambda e, p: F.linear(e[x.name], p[wq]).reshape(
                          -1, tokens, width), "attention")
        s = self.bind(f"softmax(matmul({h.name}, {h.name}, transpose_b=true) "
                      f"* {1 / width ** 0.5})",
                      (None, tokens, tokens),
                      lambda e, p: torch.softmax(
                          e[h.name] @ e[h.name].transpose(1, 2) /
                          width ** 0.5, -1), "attention")
        o = self.bind(f"matmul({s.name}, {h.name})", (None, tokens, width),
                      lambda e, p: e[s.name] @ e[h.name], "attention")
        return self.bind(f"flatten({o.name})", (None, tokens * width),
                         lambda e, p: e[o.name].flatten(1), "attention")

    # Sequences [N, T, F]: recurrent layers, embeddings.
    def recurrent_layer(self, seq):
        """One rnn/gru/lstm layer (maybe bidirectional) over `seq`."""
        cell = self.rng.choice(["rnn", "gru", "lstm"])
        gates = {"rnn": 1, "gru": 3, "lstm": 4}[cell]
        directions = self.rng.choice([1, 2])
        hidden = self.rng.choice([1, 3, 8, 16])
        features, tokens = seq.shape[2], seq.shape[1]
        w_ih = self.param([directions, gates * hidden, features])
        w_hh = self.param([directions, gates * hidden, hidden])
        b_ih = self.param([directions, gates * hidden])
        b_hh = self.param([directions, gates * hidden])
        out = self.fresh("v")
        extra = self.fresh("v"), self.fresh("v")
        bound = [out, extra[0]] + ([extra[1]] if cell == "lstm" else [])
        options = ", bidirectional=true" if directions == 2 else ""
        self.lines.append(f"{', '.join(bound)} = {cell}({seq.name}, {w_ih}, "
                          f"{w_hh}, {b_ih}, {b_hh}{options})")

        def fn(e, p):
            return harness.recurrent_reference(
                cell, e[seq.name], p[w_ih], p[w_hh], p[b_ih], p[b_hh])[0]
        value = Value(out, (None, tokens, directions * hidden), fn)
        self.values.append(value)
        self.features[f"{cell}{'_bidirectional' if directions == 2 else ''}"] += 1
        return value

    def recurrent(self, x):
        """x [N, F] as a sequence of T steps, one or two stacked layers,
        flattened back."""
        tokens = next((t for t in (4, 3, 2) if x.shape[1] % t == 0), None)
        if tokens is None:
            return None
        seq = self.bind(f"reshape({x.name}, [-1, {tokens}, {x.shape[1] // tokens}])",
                        (None, tokens, x.shape[1] // tokens),
                        lambda e, p: e[x.name].reshape(-1, tokens,
                                                       x.shape[1] // tokens),
                        "sequence")
        seq = self.recurrent_layer(seq)
        if self.rng.random() < 0.3:
            seq = self.recurrent_layer(seq)
            self.features["stacked_recurrent"] += 1
        return self.bind(f"flatten({seq.name})",
                         (None, seq.shape[1] * seq.shape[2]),
                         lambda e, p: e[seq.name].flatten(1), "flatten")

    # Ops on maps [N, C, H, W].
    def conv(self, x):
        c, h, w = x.shape[1:]
        kernel = self.rng.choice([1, 2, 3])
        stride = self.rng.choice([1, 1, 2])
        dilation = self.rng.choice([1, 1, 2])
        padding = self.rng.choice([0, 1])
        span = dilation * (kernel - 1) + 1
        if min(h, w) + 2 * padding < span:
            return None
        groups = self.rng.choice([g for g in [1, 1, 2, c] if c % g == 0])
        per_group = self.rng.choice([1, 2, 3, 4])
        filters = groups * per_group
        weight = self.param([filters, c // groups, kernel, kernel])
        bias = self.param([filters]) if self.rng.random() < 0.5 else None
        out = [(s + 2 * padding - span) // stride + 1 for s in (h, w)]
        text = (f"conv2d({x.name}, {weight}" + (f", {bias}" if bias else "") +
                f", stride={stride}, padding={padding}, dilation={dilation}, "
                f"groups={groups})")
        feature = "depthwise_conv" if groups == c and c > 1 else \
            "grouped_conv" if groups > 1 else "conv"
        return self.bind(text, (None, filters, *out),
                         lambda e, p: F.conv2d(e[x.name], p[weight],
                                               p[bias] if bias else None,
                                               stride, padding, dilation,
                                               groups), feature)

    def batch_norm(self, x):
        c = x.shape[1]
        if self.batch * x.shape[2] * x.shape[3] < 2:
            return None  # Batch statistics of one value are undefined.
        g, b = self.param([c], "ones"), self.param([c], "zeros")
        m = self.param([c], "zeros", buffer=True)
        v = self.param([c], "ones", buffer=True)

        def fn(e, p):
            return F.batch_norm(e[x.name], p[m], p[v], p[g], p[b],
                                training=e["@training"])
        return self.bind(f"batch_norm({x.name}, {g}, {b}, {m}, {v})", x.shape,
                         fn, "batch_norm")

    def pool(self, x):
        h, w = x.shape[2:]
        if min(h, w) < 2:
            return None
        kind = self.rng.choice(["max", "avg"])
        fn = F.max_pool2d if kind == "max" else F.avg_pool2d
        return self.bind(f"{kind}_pool2d({x.name}, kernel=2)",
                         (None, x.shape[1], h // 2, w // 2),
                         lambda e, p: fn(e[x.name], 2), kind + "_pool")

    def to_features(self, x):
        if self.rng.random() < 0.5:
            return self.bind(f"flatten(global_avg_pool2d({x.name}))",
                             (None, x.shape[1]),
                             lambda e, p: e[x.name].mean((2, 3)),
                             "global_avg_pool")
        size = x.shape[1] * x.shape[2] * x.shape[3]
        return self.bind(f"flatten({x.name})", (None, size),
                         lambda e, p: e[x.name].flatten(1), "flatten")

    def generate(self):
        rng = self.rng
        start = rng.random()
        images = start < 0.4
        if start > 0.85:
            return self.generate_from_tokens()
        if images:
            shape = (None, rng.choice([1, 2, 3, 4]), rng.choice([5, 7, 8, 9]),
                     rng.choice([5, 6, 8]))
        else:
            shape = (None, rng.choice(SIZES))
        self.inputs = {"x": shape}
        self.lines.append(f"input x : f32[{self.batch_text}, "
                          f"{', '.join(map(str, shape[1:]))}]")
        self.values.append(Value("x", shape, lambda e, p: e["x"]))
        return self.generate_ops(self.values[0])

    def generate_from_tokens(self):
        """Token ids [N, T] through an embedding table, maybe a recurrent
        layer, then the usual ops."""
        rng = self.rng
        tokens, vocabulary = rng.choice([2, 5]), rng.choice([3, 17, 50])
        width = rng.choice([4, 8])
        self.vocabulary = vocabulary
        self.inputs = {"x": (None, tokens)}
        self.lines.append(f"input x : i32[{self.batch_text}, {tokens}]")
        self.values.append(Value("x", (None, tokens), lambda e, p: e["x"]))
        table = self.param([vocabulary, width])
        seq = self.bind(f"gather({table}, x)", (None, tokens, width),
                        lambda e, p: p[table][e["x"].long()], "embedding")
        if rng.random() < 0.5:
            seq = self.recurrent_layer(seq)
        return self.generate_ops(
            self.bind(f"flatten({seq.name})",
                      (None, seq.shape[1] * seq.shape[2]),
                      lambda e, p: e[seq.name].flatten(1), "flatten"))

    def generate_ops(self, current):
        rng = self.rng
        for _ in range(self.max_ops):
            if len(current.shape) == 4:
                step = rng.choice([self.conv, self.conv, self.batch_norm,
                                   self.activation, self.pool, self.binary,
                                   self.to_features])
            else:
                step = rng.choice([self.dense, self.dense, self.activation,
                                   self.activation, self.binary,
                                   self.broadcast, self.concat,
                                   self.layer_norm, self.softmax,
                                   self.shared_dense, self.attention,
                                   self.recurrent])
            result = step(current)
            if result is not None:
                current = result
        if len(current.shape) == 4:
            current = self.to_features(current)
        # Losses: a classifier head's, sometimes plus a second loss on
        # another value and a weight penalty.
        classes = rng.choice([2, 3, 10])
        head = self.dense_to(current, classes)
        self.lines.append(f"input label : i32[{self.batch_text}]")
        self.inputs["label"] = (None,)
        self.head_loss = rng.choice(["softmax_cross_entropy",
                                     "softmax_cross_entropy", "nll", "hinge"])
        logits = f"log_softmax({head.name})" if self.head_loss == "nll" \
            else head.name
        self.lines.append(f"ce = {self.head_loss}({logits}, label)")
        self.features["loss:" + self.head_loss] += 1
        losses = ["ce"]
        self.regression = None
        if rng.random() < 0.4:
            target = self.pick(rank=2)
            self.inputs["target"] = target.shape
            self.regression_loss = rng.choice(["mse", "l1", "bce_with_logits"])
            self.lines.append(f"input target : f32[{self.batch_text}, "
                              f"{target.shape[1]}]")
            self.lines.append(f"reg = {self.regression_loss}({target.name}, "
                              f"target)")
            self.features["loss:" + self.regression_loss] += 1
            losses.append("reg")
            self.regression = target
        self.penalty = None
        if rng.random() < 0.2:
            self.penalty = rng.choice(sorted(self.params))
            self.lines.append(f"penalty = sum({self.penalty} * "
                              f"{self.penalty})")
            self.features["loss:weight_penalty"] += 1
            losses.append("penalty")
        self.lines.append("loss = " + " + 0.5 * ".join(losses))
        self.head = head
        self.outputs = [head] + ([current] if current is not head else [])
        self.lines.append(f"output logits = {head.name}")
        if current is not head and rng.random() < 0.5:
            self.lines.append(f"output hidden = {current.name}")
        else:
            self.outputs = [head]
        self.lines.append(f"train step minimize loss using sgd(lr={LR})")
        return f"model m{self.seed}\n" + "\n".join(self.lines) + "\n"

    def dense_to(self, x, out):
        w, b = self.param([out, x.shape[1]]), self.param([out])
        return self.bind(f"dense({x.name}, {w}, {b})", (None, out),
                         lambda e, p: F.linear(e[x.name], p[w], p[b]),
                         "dense")

    # The twin.
    def evaluate(self, params, inputs, training):
        env = dict(inputs)
        env["@training"] = training
        for value in self.values[1:]:
            env[value.name] = value.fn(env, params)
        head, label = env[self.head.name], inputs["label"].long()
        loss = {"softmax_cross_entropy": lambda: F.cross_entropy(head, label),
                "nll": lambda: F.nll_loss(torch.log_softmax(head, 1), label),
                "hinge": lambda: F.multi_margin_loss(head, label)}[
                    self.head_loss]()
        if self.regression is not None:
            value, target = env[self.regression.name], inputs["target"]
            loss = loss + 0.5 * {
                "mse": F.mse_loss, "l1": F.l1_loss,
                "bce_with_logits": F.binary_cross_entropy_with_logits}[
                    self.regression_loss](value, target)
        if self.penalty is not None:
            loss = loss + 0.5 * (params[self.penalty] ** 2).sum()
        return env, loss


def compare(what, ours, reference, scale=None):
    error = harness.relative_error(ours, reference, scale)
    return [] if error <= RTOL else [f"{what}: relative error {error:.2e}"]


def check(args, seed, max_ops, work):
    """Failures of one generated model ([] when it passes)."""
    model = Model(seed, max_ops)
    source = model.generate()
    base = os.path.join(work, f"m{seed}-{max_ops}")
    failure = harness.compile_module(args.kilnc, source, base)
    if failure:
        return model, [failure]

    rng = np.random.default_rng(seed)
    params = {name: rng.standard_normal(shape).astype(np.float32) * 0.5
              for name, shape in model.params.items()}
    for name, (shape, init) in model.buffers.items():
        params[name] = (np.zeros if init == "zeros" else np.ones)(
            shape, np.float32)
    if hasattr(model, "vocabulary"):
        x = rng.integers(0, model.vocabulary,
                         (model.batch,) + model.inputs["x"][1:]).astype(np.int32)
    else:
        x = rng.standard_normal(
            (model.batch,) + model.inputs["x"][1:]).astype(np.float32)
    inputs = {"x": x,
        "label": rng.integers(0, model.head.shape[1],
                              model.batch).astype(np.int32)}
    if "target" in model.inputs:
        shape = (model.batch,) + model.inputs["target"][1:]
        inputs["target"] = (rng.uniform(0, 1, shape) if
                            model.regression_loss == "bce_with_logits" else
                            rng.standard_normal(shape)).astype(np.float32)
    pdir = base + "-params"
    harness.save_arrays(pdir, params)
    feeds = harness.save_arrays(base + "-inputs", inputs)
    failures = []

    # Inference, with the running statistics.
    out = base + "-out"
    failure = harness.run_entry(args.kiln_run, base + ".kmod", pdir,
                                feeds[:2], output_dir=out)
    torch_params = {k: torch.tensor(v, dtype=torch.float64)
                    for k, v in params.items()}
    torch_inputs = {k: torch.tensor(v).double() if v.dtype == np.float32
                    else torch.tensor(v) for k, v in inputs.items()}
    if failure:
        return model, [failure]
    env, _ = model.evaluate(torch_params, torch_inputs, training=False)
    names = {"logits": model.head}
    if len(model.outputs) > 1:
        names["hidden"] = model.outputs[1]
    for output, value in names.items():
        path = os.path.join(out, output + ".npy")
        if os.path.exists(path):
            failures += compare(f"output {output}", np.load(path),
                                env[value.name].detach().numpy())

    # One SGD step: the updated parameters.
    after = base + "-after"
    failure = harness.run_entry(args.kiln_run, base + ".kmod", pdir, feeds,
                                entry="step", dump_params=after)
    if failure:
        return model, failures + [failure]
    trained = {k: torch_params[k].clone().requires_grad_(True)
               for k in model.params}
    _, loss = model.evaluate({**torch_params, **trained}, torch_inputs,
                             training=True)
    loss.backward()
    updates = {name: (LR * tensor.grad).numpy()
               for name, tensor in trained.items() if tensor.grad is not None}
    largest = max((float(np.abs(u).max()) for u in updates.values()),
                  default=0.0)
    for name, update in updates.items():
        ours = params[name] - np.load(os.path.join(after, name + ".npy"))
        scale = float(np.abs(update).max()) + \
            1e-4 * float(np.abs(params[name]).max())
        # A gradient that cancels to zero exactly (a bias or offset right
        # before batch norm) is, in float32, the rounding residue of the
        # gradients flowing through it: measure it against those.
        if float(np.abs(update).max()) <= 1e-9 * largest:
            scale = max(scale, largest)
        failures += compare(f"update of {name}", ours, update, scale=scale)
    return model, failures


def checked(args, seed, max_ops, work):
    """check(), with a failure of the test itself reported as one."""
    try:
        return check(args, seed, max_ops, work)
    except Exception as exception:  # noqa: BLE001 - reported, not hidden
        return Model(seed, max_ops), [f"test error: {exception!r}"]


def shrink(args, seed, max_ops, work):
    """The fewest ops with which `seed` still fails."""
    smallest = max_ops
    for ops in range(0, max_ops):
        _, failures = checked(args, seed, ops, work)
        if failures:
            smallest = ops
            break
    model = Model(seed, smallest)
    return smallest, model.generate()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilnc")
    parser.add_argument("--kiln-run")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--first", type=int, default=1)
    parser.add_argument("--max-ops", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--write-sources", metavar="DIR",
                        help="only write each model's .kiln file to DIR "
                             "(the compiler fuzzer's seeds)")
    args = parser.parse_args()
    seeds = range(args.first, args.first + args.count)
    if args.write_sources:
        for seed in seeds:
            path = os.path.join(args.write_sources, f"m{seed}.kiln")
            with open(path, "w") as out:
                out.write(Model(seed, args.max_ops).generate())
        return 0
    if not args.kilnc or not args.kiln_run:
        parser.error("--kilnc and --kiln-run are required")
    features, failed = collections.Counter(), []
    with tempfile.TemporaryDirectory() as work, \
            concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = pool.map(lambda s: (s, *checked(args, s, args.max_ops,
                                                  work)), seeds)
        for done, (seed, model, failures) in enumerate(results, 1):
            features.update(model.features)
            if failures:
                failed.append(seed)
                print(f"FAIL seed {seed}:")
                for failure in failures:
                    print("     " + failure)
            if done % 100 == 0:
                print(f"... {done} models: {done - len(failed)} passed, "
                      f"{len(failed)} failed", flush=True)
        for seed in failed:
            ops, source = shrink(args, seed, args.max_ops, work)
            print(f"\nseed {seed} shrunk to {ops} ops "
                  f"(random_models.py --first {seed} --count 1 "
                  f"--max-ops {ops}):\n{source}")
    print("\nfeature counts over the generated models:")
    for feature, count in sorted(features.items()):
        print(f"  {feature:28} {count}")
    print(f"{args.count - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
