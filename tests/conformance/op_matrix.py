#!/usr/bin/env python3
"""The op conformance matrix: every op of the language, forward and both
gradients, against PyTorch.

The cases are generated, not written out: for each op, shapes over the
sizes that reach every code path (below, at and past vector widths and
register tiles), every rank and axis the op allows, broadcasting both
ways, and for the convolution family kernels, strides, padding, dilation
and groups with outputs of odd size. All cases of one op go into one
module, compiled by the real kilnc pipeline (once per configuration:
default, and with fusion, layout or vectorization switched off, so a pass
can be blamed) and run by the runtime at several batch sizes.

How a case is checked. Operands without a batch dimension are parameters;
an operand with one is an input `x` used as `x * s`, with `s` a parameter
of the non-batch shape, so its gradient shows in `s`'s. The module's
inference entry gives every case's results; its training entry minimises
sum(result * cotangent) over every case and float result, with random
cotangents, by one SGD step at learning rate 1, so each parameter moves by
exactly its gradient. PyTorch computes the same in float64.

Usage: op_matrix.py --kilnc PATH --kiln-run PATH [--full] [--ops a,b]
                    [--configurations default,no-fusion,...] [--jobs N]
"""

import argparse
import collections
import concurrent.futures
import itertools
import math
import os
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

SIZES = [1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 100, 127, 128, 255,
         256, 1000, 1024]
SLICE_SIZES = [1, 7, 16, 33, 100, 1024]
BATCHES = [1, 3, 64]
SLICE_BATCHES = [1, 64]
CONFIGURATIONS = {
    "default": [],
    "no-fusion": ["--fuse=false"],
    "no-layout": ["--layout=false"],
    "no-vectorize": ["--vectorize=false"],
}
RTOL = 1e-3
N = None  # the dynamic batch in a shape


class Operand:
    """A tensor argument of a case. `values` is its domain: normal,
    positive, nonzero, probability, or ("index", bound) for integers."""

    def __init__(self, shape, values="normal", dtype="f32"):
        self.shape, self.values, self.dtype = tuple(shape), values, dtype

    @property
    def batched(self):
        return N in self.shape

    @property
    def integer(self):
        return self.dtype in ("i32", "i64")

    def concrete(self, batch):
        return tuple(batch if d is N else d for d in self.shape)

    def draw(self, rng, batch):
        shape = self.concrete(batch)
        if self.integer:
            _, bound = self.values
            return rng.integers(0, bound, shape).astype(self.dtype.replace(
                "i", "int"))
        sample = {
            "normal": lambda: rng.standard_normal(shape),
            "positive": lambda: rng.uniform(0.5, 2.0, shape),
            "nonzero": lambda: rng.uniform(0.5, 2.0, shape) *
            rng.choice([-1, 1], shape),
            "probability": lambda: rng.uniform(0.05, 0.95, shape),
        }[self.values]()
        return np.asarray(sample, np.float64 if self.dtype == "f64"
                          else np.float32)


class Case:
    """One use of an op: a kiln expression over operands {0}, {1}, ... and
    PyTorch's computation of the same. `buffers` are indices of operands
    that are batch-norm running statistics (buffers the step updates);
    `grad` is False for results that have no gradient to check."""

    def __init__(self, label, text, operands, reference, results=1,
                 grad=True, training=False, buffers=(), check=None,
                 min_batch=1, gradient_floor=0.0):
        self.label, self.text, self.operands = label, text, operands
        # Below min_batch the reference is undefined (batch statistics of
        # one value) and the case is not compared.
        self.min_batch = min_batch
        # Where the exact gradient vanishes (an invariance), rounding is
        # judged against this absolute scale instead of the gradient's.
        self.gradient_floor = gradient_floor
        self.reference, self.results, self.grad = reference, results, grad
        self.training, self.buffers, self.check = training, buffers, check


def shape_text(shape):
    return ", ".join("N" if d is N else str(d) for d in shape)


# ---------------------------------------------------------------------------
# The cases, op by op.


def elementwise_shapes(sizes):
    """[N, s] for every size, then every rank without and with a batch."""
    return [(N, s) for s in sizes] + [(), (5,), (3, 7), (2, 3, 4),
                                      (2, 3, 2, 5), (N, 2, 3, 5)]


UNARY = {
    "neg": ("neg({0})", torch.neg, "normal"),
    "abs": ("abs({0})", torch.abs, "nonzero"),
    "exp": ("exp({0})", torch.exp, "normal"),
    "log": ("log({0})", torch.log, "positive"),
    "sqrt": ("sqrt({0})", torch.sqrt, "positive"),
    "rsqrt": ("rsqrt({0})", torch.rsqrt, "positive"),
    "relu": ("relu({0})", F.relu, "nonzero"),
    "sigmoid": ("sigmoid({0})", torch.sigmoid, "normal"),
    "tanh": ("tanh({0})", torch.tanh, "normal"),
    "softplus": ("softplus({0})", F.softplus, "normal"),
    "erf": ("erf({0})", torch.erf, "normal"),
    "leaky_relu": ("leaky_relu({0}, alpha=0.2)",
                   lambda x: F.leaky_relu(x, 0.2), "nonzero"),
    "elu": ("elu({0}, alpha=0.7)", lambda x: F.elu(x, 0.7), "nonzero"),
    "gelu": ("gelu({0})", F.gelu, "normal"),
    "gelu_tanh": ("gelu({0}, approximation=tanh)",
                  lambda x: F.gelu(x, approximate="tanh"), "normal"),
    "clamp": ("clamp({0}, min=-0.5, max=0.7)",
              lambda x: torch.clamp(x, -0.5, 0.7), "normal"),
    "clamp_min": ("clamp({0}, min=0.1)", lambda x: torch.clamp(x, min=0.1),
                  "normal"),
    # Ops whose value is constant or blocks the gradient, in an expression
    # that still has a gradient to check.
    "stop_gradient": ("{0} * stop_gradient({0})",
                      lambda x: x * x.detach(), "normal"),
    "zeros_like": ("{0} + zeros_like({0})", lambda x: x, "normal"),
    "ones_like": ("{0} * ones_like({0})", lambda x: x, "normal"),
    "full_like": ("{0} - full_like({0}, value=2.5)", lambda x: x - 2.5,
                  "normal"),
}


def unary_cases(op, sizes):
    text, fn, values = UNARY[op]
    cases = [Case(f"{op}[{shape_text(shape)}]", text, [Operand(shape, values)], fn)
             for shape in elementwise_shapes(sizes)]
    cases.append(Case(f"{op} f64", text,
                      [Operand((N, 17), values, "f64")], fn))
    return cases


BINARY = {
    "add": ("{0} + {1}", torch.add, "normal"),
    "sub": ("{0} - {1}", torch.sub, "normal"),
    "mul": ("{0} * {1}", torch.mul, "normal"),
    "div": ("{0} / {1}", torch.div, "nonzero"),
    "pow": ("pow({0}, {1})", torch.pow, "positive"),
    "minimum": ("minimum({0}, {1})", torch.minimum, "normal"),
    "maximum": ("maximum({0}, {1})", torch.maximum, "normal"),
}


def binary_cases(op, sizes):
    text, fn, values = BINARY[op]
    first = "positive" if op == "pow" else "normal"
    pairs = [((N, s), (N, s)) for s in sizes]
    pairs += [((N, s), (s,)) for s in sizes[::2]]
    pairs += [((s,), (N, s)) for s in sizes[1::2]]
    pairs += [((N, 1), (1, 9)), ((N, 6), (N, 1)), ((3, 1), (1, 5)),
              ((4, 1, 6), (5, 1)), ((2, 3), ()), ((), (N, 4)),
              ((N, 2, 3, 4), (3, 1)), ((7,), (7,))]
    cases = [Case(f"{op}[{shape_text(a)}] x [{shape_text(b)}]", text,
                  [Operand(a, first), Operand(b, values)], fn)
             for a, b in pairs]
    cases.append(Case(f"{op} f64", text, [Operand((N, 5), first, "f64"),
                                          Operand((5,), values, "f64")], fn))
    # A number operand takes the tensor's element type.
    number = {"add": ("{0} + 1.5", lambda x: x + 1.5),
              "sub": ("2.5 - {0}", lambda x: 2.5 - x),
              "mul": ("{0} * -3", lambda x: x * -3),
              "div": ("1 / {0}", lambda x: 1 / x),
              "pow": ("pow({0}, 3)", lambda x: x ** 3),
              "minimum": ("minimum({0}, 0.25)",
                          lambda x: torch.clamp(x, max=0.25)),
              "maximum": ("maximum(-0.25, {0})",
                          lambda x: torch.clamp(x, min=-0.25))}[op]
    cases.append(Case(f"{op} number", number[0],
                      [Operand((N, 33), values if op != "pow" else first)],
                      number[1]))
    return cases


COMPARISONS = {"<": torch.lt, "<=": torch.le, ">": torch.gt, ">=": torch.ge,
               "==": torch.eq, "!=": torch.ne}


def compare_cases(sizes):
    """Comparisons as masks (forward) and through where (both gradients)."""
    cases = []
    for (symbol, fn), s in zip(COMPARISONS.items(), itertools.cycle(sizes)):
        cases.append(Case(f"cast({symbol}) [N, {s}]",
                          f"cast({{0}} {symbol} {{1}}, dtype=f32)",
                          [Operand((N, s)), Operand((s,))],
                          lambda a, b, fn=fn: fn(a, b).double(), grad=False))
        cases.append(Case(f"where({symbol}) [N, {s}]",
                          f"where({{0}} {symbol} {{1}}, {{0}}, {{1}} * 2)",
                          [Operand((N, s)), Operand((N, s))],
                          lambda a, b, fn=fn: torch.where(fn(a, b), a, 2 * b)))
    # Equality that holds somewhere: a value against itself rounded.
    cases.append(Case("where(==) ties", "where({0} == {0}, {0}, 0 * {0})",
                      [Operand((N, 8))], lambda a: a))
    cases.append(Case("where broadcast", "where({0} > 0, {1}, {2})",
                      [Operand((N, 1)), Operand((N, 6)), Operand((6,))],
                      lambda c, a, b: torch.where(c > 0, a, b)))
    return cases


def cast_cases(sizes):
    cases = []
    for s in sizes[:6]:
        cases.append(Case(f"cast i32 [N, {s}]", "cast({0} * 10, dtype=i32)",
                          [Operand((N, s))],
                          lambda x: (x * 10).to(torch.int32), grad=False))
    cases += [
        Case("cast f64 round trip", "cast(cast({0}, dtype=f64) * 2, dtype=f32)",
             [Operand((N, 9))], lambda x: x * 2),
        Case("cast i1", "cast(cast({0}, dtype=i1), dtype=f32)",
             [Operand((N, 5), ("index", 3), "i32")],
             lambda x: (x != 0).double(), grad=False),
        Case("cast i64 to f32", "cast({0}, dtype=f32) * 0.5",
             [Operand((N, 5), ("index", 9), "i64")],
             lambda x: x.double() * 0.5, grad=False),
    ]
    return cases


def reduction_cases(op, sizes):
    fns = {"sum": lambda x, a, k: x.sum(a, keepdim=k),
           "mean": lambda x, a, k: x.mean(a, keepdim=k),
           "max": lambda x, a, k: x.amax(a, keepdim=k),
           "min": lambda x, a, k: x.amin(a, keepdim=k),
           "logsumexp": lambda x, a, k: torch.logsumexp(x, a, keepdim=k)}
    fn = fns[op]
    cases = []
    for s in sizes:
        cases.append(Case(f"{op}[N, {s}] axes=[1]",
                          f"{op}({{0}}, axes=[1])", [Operand((N, s))],
                          lambda x: fn(x, (1,), False)))
    for shape, axes, keep in [((N, 4, 9), [1], False), ((N, 4, 9), [2], True),
                              ((N, 4, 9), [1, 2], False),
                              ((N, 4, 9), [-1], False),
                              ((N, 17), [0], False), ((N, 3, 5), [0, 2], True),
                              ((6, 7), [0], True), ((6, 7), [], False),
                              ((2, 3, 4, 5), [1, 3], False),
                              ((2, 3, 4, 5), [0, 1, 2, 3], True)]:
        axes_text = f"axes=[{', '.join(map(str, axes))}], " if axes else ""
        dims = tuple(axes) if axes else tuple(range(len(shape)))
        cases.append(Case(f"{op}[{shape_text(shape)}] axes={axes} keepdims={keep}",
                          f"{op}({{0}}, {axes_text}keepdims={str(keep).lower()})",
                          [Operand(shape)],
                          lambda x, d=dims, k=keep: fn(x, d, k)))
    cases.append(Case(f"{op} whole batch", f"{op}({{0}})",
                      [Operand((N, 31))],
                      lambda x: fn(x, (0, 1), False)))
    return cases


def arg_cases(op, sizes):
    fn = torch.argmax if op == "argmax" else torch.argmin
    cases = [Case(f"{op}[N, {s}]", f"{op}({{0}}, axis=1)", [Operand((N, s))],
                  lambda x: fn(x, 1), grad=False) for s in sizes]
    cases += [Case(f"{op}[N, 4, 9] axis={a} keepdims={k}",
                   f"{op}({{0}}, axis={a}, keepdims={str(k).lower()})",
                   [Operand((N, 4, 9))],
                   lambda x, a=a, k=k: fn(x, a, keepdim=k), grad=False)
              for a, k in [(0, False), (1, True), (2, False), (-1, True)]]
    return cases


def softmax_cases(op, sizes):
    fn = torch.softmax if op == "softmax" else torch.log_softmax
    cases = [Case(f"{op}[N, {s}]", f"{op}({{0}})", [Operand((N, s))],
                  lambda x: fn(x, -1)) for s in sizes]
    cases += [Case(f"{op}[{shape_text(shape)}] axis={a}", f"{op}({{0}}, axis={a})",
                   [Operand(shape)], lambda x, a=a: fn(x, a))
              for shape, a in [((N, 5, 7), 1), ((N, 5, 7), -1), ((N, 6), 0),
                               ((3, 4, 5, 6), 2), ((9,), 0)]]
    return cases


def shape_cases(op):
    """reshape, flatten, transpose, broadcast_to, concat, slice, pad."""
    table = {
        "reshape": [
            ("[N, 12] to [-1, 3, 4]", "reshape({0}, shape=[-1, 3, 4])",
             [(N, 12)], lambda x: x.reshape(-1, 3, 4)),
            ("[N, 2, 3] to [-1, 6]", "reshape({0}, shape=[-1, 6])",
             [(N, 2, 3)], lambda x: x.reshape(-1, 6)),
            ("[6, 4] to [2, 12]", "reshape({0}, shape=[2, 12])", [(6, 4)],
             lambda x: x.reshape(2, 12)),
            ("[24] to [2, 3, 4]", "reshape({0}, shape=[2, -1, 4])", [(24,)],
             lambda x: x.reshape(2, -1, 4)),
            ("[N, 1024] to [-1, 32, 32]", "reshape({0}, shape=[-1, 32, 32])",
             [(N, 1024)], lambda x: x.reshape(-1, 32, 32)),
        ],
        "flatten": [
            ("[N, 3, 4, 5]", "flatten({0})", [(N, 3, 4, 5)],
             lambda x: x.flatten(1)),
            ("[N, 3, 4, 5] 2..3", "flatten({0}, start_dim=2)", [(N, 3, 4, 5)],
             lambda x: x.flatten(2)),
            ("[N, 3, 4, 5] 1..2", "flatten({0}, start_dim=1, end_dim=2)",
             [(N, 3, 4, 5)], lambda x: x.flatten(1, 2)),
            ("[2, 3, 4] all", "flatten({0}, start_dim=0)", [(2, 3, 4)],
             lambda x: x.flatten(0)),
        ],
        "transpose": [
            ("[7, 9] (1, 0)", "transpose({0}, perm=[1, 0])", [(7, 9)],
             lambda x: x.permute(1, 0)),
            ("[N, 17] (1, 0)", "transpose({0}, perm=[1, 0])", [(N, 17)],
             lambda x: x.permute(1, 0)),
            ("[N, 4, 9] (0, 2, 1)", "transpose({0}, perm=[0, 2, 1])",
             [(N, 4, 9)], lambda x: x.permute(0, 2, 1)),
            ("[N, 2, 3, 4] (0, 2, 3, 1)", "transpose({0}, perm=[0, 2, 3, 1])",
             [(N, 2, 3, 4)], lambda x: x.permute(0, 2, 3, 1)),
            ("[2, 3, 4, 5] (3, 1, 0, 2)", "transpose({0}, perm=[3, 1, 0, 2])",
             [(2, 3, 4, 5)], lambda x: x.permute(3, 1, 0, 2)),
            ("[33, 64] (1, 0)", "transpose({0}, perm=[1, 0])", [(33, 64)],
             lambda x: x.permute(1, 0)),
        ],
        "broadcast_to": [
            ("[7] to [3, 7]", "broadcast_to({0}, shape=[3, 7])", [(7,)],
             lambda x: x.expand(3, 7)),
            ("[N, 1, 5] to [-1, 4, 5]", "broadcast_to({0}, shape=[-1, 4, 5])",
             [(N, 1, 5)], lambda x: x.expand(-1, 4, 5)),
            ("[3, 1] to [2, 3, 6]", "broadcast_to({0}, shape=[2, 3, 6])",
             [(3, 1)], lambda x: x.expand(2, 3, 6)),
            ("[] to [4, 4]", "broadcast_to({0}, shape=[4, 4])", [()],
             lambda x: x.expand(4, 4)),
        ],
        "concat": [
            ("[N, 3] [N, 5] axis 1", "concat({0}, {1}, axis=1)",
             [(N, 3), (N, 5)], lambda a, b: torch.cat([a, b], 1)),
            ("three [N, 16] axis -1", "concat({0}, {1}, {2}, axis=-1)",
             [(N, 16), (N, 1), (N, 17)], lambda a, b, c: torch.cat([a, b, c], -1)),
            ("[2, 4] [5, 4] axis 0", "concat({0}, {1}, axis=0)",
             [(2, 4), (5, 4)], lambda a, b: torch.cat([a, b], 0)),
            ("[N, 2, 3, 3] [N, 1, 3, 3] axis 1", "concat({0}, {1}, axis=1)",
             [(N, 2, 3, 3), (N, 1, 3, 3)], lambda a, b: torch.cat([a, b], 1)),
            ("[N, 4, 2] [N, 4, 6] axis 2", "concat({0}, {1}, axis=2)",
             [(N, 4, 2), (N, 4, 6)], lambda a, b: torch.cat([a, b], 2)),
            ("one value twice", "concat({0}, {0}, axis=1)", [(N, 7)],
             lambda a: torch.cat([a, a], 1)),
        ],
        "slice": [
            ("[N, 17] 2:9", "slice({0}, axes=[1], starts=[2], ends=[9])",
             [(N, 17)], lambda x: x[:, 2:9]),
            ("[N, 17] -5:", "slice({0}, axes=[1], starts=[-5], "
             "ends=[1000000])", [(N, 17)], lambda x: x[:, -5:]),
            ("[N, 17] 1:16:3", "slice({0}, axes=[1], starts=[1], ends=[16], "
             "steps=[3])", [(N, 17)], lambda x: x[:, 1:16:3]),
            ("[N, 16] 0::2", "slice({0}, axes=[1], starts=[0], ends=[16], "
             "steps=[2])", [(N, 16)], lambda x: x[:, 0::2]),
            ("[8, 9] two axes", "slice({0}, axes=[0, 1], starts=[1, 2], "
             "ends=[7, -1], steps=[2, 1])", [(8, 9)], lambda x: x[1:7:2, 2:-1]),
            ("[N, 4, 6, 5] axes 2 3", "slice({0}, axes=[2, -1], "
             "starts=[1, 0], ends=[5, 3])", [(N, 4, 6, 5)],
             lambda x: x[:, :, 1:5, 0:3]),
            ("[N, 10] 3:4", "slice({0}, axes=[1], starts=[3], ends=[4])",
             [(N, 10)], lambda x: x[:, 3:4]),
        ],
        "pad": [
            ("[N, 5] 1 2", "pad({0}, low=[0, 1], high=[0, 2])", [(N, 5)],
             lambda x: F.pad(x, (1, 2))),
            ("[3, 4] value", "pad({0}, low=[2, 0], high=[1, 3], value=1.5)",
             [(3, 4)], lambda x: F.pad(x, (0, 3, 2, 1), value=1.5)),
            ("[N, 2, 5, 5] spatial", "pad({0}, low=[0, 0, 1, 2], "
             "high=[0, 0, 2, 1])", [(N, 2, 5, 5)],
             lambda x: F.pad(x, (2, 1, 1, 2))),
            ("[N, 3] channels", "pad({0}, low=[0, 3], high=[0, 0])", [(N, 3)],
             lambda x: F.pad(x, (3, 0))),
        ],
    }
    return [Case(f"{op} {label}", text, [Operand(s) for s in shapes], fn)
            for label, text, shapes, fn in table[op]]


def gather_cases():
    cases = []
    for vocabulary, width, tokens in [(3, 4, (N, 5)), (17, 8, (N, 2)),
                                      (50, 1, (N,)), (1000, 16, (N, 3)),
                                      (5, 33, (N, 4, 2))]:
        cases.append(Case(f"gather [{vocabulary}, {width}] by {list(tokens)}",
                          "gather({0}, {1})",
                          [Operand((vocabulary, width)),
                           Operand(tokens, ("index", vocabulary), "i32")],
                          lambda t, i: t[i.long()]))
    cases.append(Case("gather axis 1", "gather({0}, {1}, axis=1)",
                      [Operand((4, 9)), Operand((N,), ("index", 9), "i64")],
                      lambda t, i: t[:, i.long()]))
    return cases


def one_hot_cases():
    return [Case(f"one_hot depth {d}", f"one_hot({{0}}, depth={d})",
                 [Operand(shape, ("index", d), "i32")],
                 lambda i, d=d: F.one_hot(i.long(), d).double(), grad=False)
            for d, shape in [(1, (N,)), (10, (N,)), (33, (N, 3))]]


def full_cases():
    return [Case("full plus", "{0} + full(shape=[3, 4], value=0.5)",
                 [Operand((N, 3, 4))], lambda x: x + 0.5),
            Case("full f64", "cast(full(shape=[2], value=-1.25, dtype=f64), "
                 "dtype=f32) * {0}", [Operand((2,))], lambda x: -1.25 * x)]


def matmul_cases(sizes):
    cases = []
    # Every size as rows, inner and columns, paired with sizes from the
    # other end of the list.
    for m, k, n in zip(sizes, reversed(sizes), sizes[len(sizes) // 2:] +
                       sizes[:len(sizes) // 2]):
        if m * k + k * n > 300_000:
            k = min(k, 64)
        cases.append(Case(f"matmul [{m}, {k}] x [{k}, {n}]", "matmul({0}, {1})",
                          [Operand((m, k)), Operand((k, n))], torch.matmul))
    for ta, tb in [(True, False), (False, True), (True, True)]:
        a = (9, 5) if ta else (5, 9)
        b = (7, 9) if tb else (9, 7)
        cases.append(Case(f"matmul transpose_a={ta} transpose_b={tb}",
                          f"matmul({{0}}, {{1}}, transpose_a={str(ta).lower()}, "
                          f"transpose_b={str(tb).lower()})",
                          [Operand(a), Operand(b)],
                          lambda x, y, ta=ta, tb=tb:
                          (x.mT if ta else x) @ (y.mT if tb else y)))
    cases += [
        Case("matmul batched [N, 4, 8] x [N, 8, 3]", "matmul({0}, {1})",
             [Operand((N, 4, 8)), Operand((N, 8, 3))], torch.matmul),
        Case("matmul batched x shared [N, 5, 16] x [16, 9]",
             "matmul({0}, {1})", [Operand((N, 5, 16)), Operand((16, 9))],
             torch.matmul),
        Case("matmul batched transpose_b", "matmul({0}, {1}, transpose_b=true)",
             [Operand((N, 3, 8)), Operand((N, 6, 8))],
             lambda x, y: x @ y.mT),
        Case("matmul [N, 33] x [33, 17]", "matmul({0}, {1})",
             [Operand((N, 33)), Operand((33, 17))], torch.matmul),
    ]
    return cases


def dense_cases(sizes):
    cases = []
    for features, outputs in zip(sizes, sizes[3:] + sizes[:3]):
        if features * outputs > 300_000:
            outputs = 10
        cases.append(Case(f"dense [N, {features}] -> {outputs}",
                          "dense({0}, {1}, {2})",
                          [Operand((N, features)), Operand((outputs, features)),
                           Operand((outputs,))], F.linear))
    cases.append(Case("dense static batch", "dense({0}, {1}, {2})",
                      [Operand((5, 8)), Operand((3, 8)), Operand((3,))],
                      F.linear))
    cases.append(Case("dense without bias", "dense({0}, {1})",
                      [Operand((N, 8)), Operand((8, 8))], F.linear))
    cases.append(Case("dense over [N, 3, 5]", "dense({0}, {1}, {2})",
                      [Operand((N, 3, 5)), Operand((4, 5)), Operand((4,))],
                      F.linear))
    cases.append(Case("dense f64", "dense({0}, {1}, {2})",
                      [Operand((N, 6), dtype="f64"),
                       Operand((3, 6), dtype="f64"),
                       Operand((3,), dtype="f64")], F.linear))
    return cases


def conv_geometries(full):
    """(channels, size, filters, kernel, stride, padding, dilation, groups)
    over the options' combinations; spatial sizes odd and even."""
    spatial = [1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33] if full else [3, 8, 17]
    out = []
    combos = itertools.product([1, 2, 3, 5], [1, 2, 3], [0, 1, 2], [1, 2])
    for i, (kernel, stride, padding, dilation) in enumerate(combos):
        if not full and i % 4:
            continue
        channels = [1, 2, 3, 4, 8, 16, 17][i % 7]
        size = spatial[i % len(spatial)]
        span = dilation * (kernel - 1) + 1
        if size + 2 * padding < span:
            size = span
        groups = [1, channels, 1, 2 if channels % 2 == 0 else 1][i % 4]
        filters = groups * [1, 2, 3][i % 3]
        out.append((channels, size, filters, kernel, stride, padding,
                    dilation, groups))
    # Rectangular kernels, strides and padding.
    out.append((3, (9, 6), 4, (3, 1), (2, 1), (1, 0), (1, 2), 1))
    out.append((4, (7, 10), 4, (2, 3), (1, 3), (0, 1), 1, 4))
    return out


def pair(value):
    return value if isinstance(value, tuple) else (value, value)


def option(value):
    value = pair(value)
    return str(value[0]) if value[0] == value[1] else \
        f"[{value[0]}, {value[1]}]"


def conv_cases(full):
    cases = []
    for c, size, f, k, s, p, d, g in conv_geometries(full):
        h, w = pair(size)
        kh, kw = pair(k)
        bias = len(cases) % 2 == 0
        text = ("conv2d({0}, {1}" + (", {2}" if bias else "") +
                f", stride={option(s)}, padding={option(p)}, "
                f"dilation={option(d)}, groups={g})")
        operands = [Operand((N, c, h, w)), Operand((f, c // g, kh, kw))]
        if bias:
            operands.append(Operand((f,)))
        cases.append(Case(
            f"conv2d C={c} {h}x{w} F={f} k={k} s={s} p={p} d={d} g={g}",
            text, operands,
            lambda x, wt, b=None, s=s, p=p, d=d, g=g:
            F.conv2d(x, wt, b, pair(s), pair(p), pair(d), g)))
    cases.append(Case("conv2d static batch", "conv2d({0}, {1}, padding=1)",
                      [Operand((2, 3, 5, 5)), Operand((4, 3, 3, 3))],
                      lambda x, wt: F.conv2d(x, wt, padding=1)))
    return cases


def conv_transpose_cases(full):
    cases = []
    for c, size, f, k, s, p, d, g in conv_geometries(full):
        h, w = pair(size)
        kh, kw = pair(k)
        # Output padding below both stride and dilation, as PyTorch needs.
        extra = tuple(min(1, st - 1, dl - 1) if i % 2 else
                      max(0, min(st, dl) - 1)
                      for i, (st, dl) in enumerate(zip(pair(s), pair(d))))
        # Padding that leaves an output of at least one pixel:
        # (in - 1) * s - 2 p + d (k - 1) + output_padding + 1 >= 1.
        pad = tuple(min(a, ((n - 1) * st + dl * (kk - 1) + o) // 2)
                    for a, n, st, dl, kk, o in
                    zip(pair(p), (h, w), pair(s), pair(d), (kh, kw), extra))
        bias = len(cases) % 2 == 1
        text = ("conv_transpose2d({0}, {1}" + (", {2}" if bias else "") +
                f", stride={option(s)}, padding={option(pad)}, "
                f"output_padding={option(extra)}, dilation={option(d)}, "
                f"groups={g})")
        operands = [Operand((N, c, h, w)), Operand((c, f // g, kh, kw))]
        if bias:
            operands.append(Operand((f,)))
        cases.append(Case(
            f"conv_transpose2d C={c} {h}x{w} F={f} k={k} s={s} p={pad} "
            f"op={extra} d={d} g={g}", text, operands,
            lambda x, wt, b=None, s=s, p=pad, o=extra, d=d, g=g:
            F.conv_transpose2d(x, wt, b, pair(s), pair(p), pair(o), g,
                               pair(d))))
    return cases


def pool_cases(op, full):
    cases = []
    spatial = [2, 3, 7, 8, 15, 16, 17, 32, 33] if full else [3, 8, 17]
    geometries = itertools.product([1, 2, 3], [None, 1, 2, 3], [0, 1])
    for i, (k, s, p) in enumerate(geometries):
        if 2 * p > k:
            continue
        size = max(spatial[i % len(spatial)], k)
        c = [1, 3, 8, 16][i % 4]
        stride = "" if s is None else f", stride={s}"
        if op == "max_pool2d":
            d = 2 if i % 5 == 0 and size >= 2 * k else 1
            text = f"max_pool2d({{0}}, kernel={k}{stride}, padding={p}, " \
                   f"dilation={d})"
            fn = (lambda x, k=k, s=s, p=p, d=d:
                  F.max_pool2d(x, k, s, p, d))
        else:
            include = i % 2 == 0
            text = f"avg_pool2d({{0}}, kernel={k}{stride}, padding={p}, " \
                   f"count_include_pad={str(include).lower()})"
            fn = (lambda x, k=k, s=s, p=p, include=include:
                  F.avg_pool2d(x, k, s, p, count_include_pad=include))
        cases.append(Case(f"{text.format('x')} [N, {c}, {size}, {size}]",
                          text, [Operand((N, c, size, size))], fn))
    cases.append(Case(f"{op} static batch", f"{op}({{0}}, kernel=2)",
                      [Operand((2, 3, 6, 5))],
                      lambda x: (F.max_pool2d if op == "max_pool2d" else
                                 F.avg_pool2d)(x, 2)))
    cases.append(Case(f"{op} rectangular",
                      f"{op}({{0}}, kernel=[2, 3], stride=[1, 2])",
                      [Operand((N, 2, 6, 9))],
                      lambda x: (F.max_pool2d if op == "max_pool2d" else
                                 F.avg_pool2d)(x, (2, 3), (1, 2))))
    return cases


def map_cases(op):
    if op == "global_avg_pool2d":
        return [Case(f"global_avg_pool2d [N, {c}, {h}, {w}]",
                     "global_avg_pool2d({0})", [Operand((N, c, h, w))],
                     lambda x: x.mean((2, 3), keepdim=True))
                for c, h, w in [(1, 1, 1), (3, 7, 7), (16, 8, 8), (17, 4, 9),
                                (64, 2, 2)]]
    return [Case(f"upsample_nearest2d {scale} [N, {c}, {h}, {w}]",
                 f"upsample_nearest2d({{0}}, scale={option(scale)})",
                 [Operand((N, c, h, w))],
                 lambda x, s=scale: F.interpolate(x, scale_factor=pair(s),
                                                  mode="nearest"))
            for scale, c, h, w in [(2, 1, 3, 3), (3, 4, 2, 5), ((1, 2), 2, 4, 4),
                                   ((2, 3), 8, 7, 1)]]


def batch_norm_cases(full):
    cases = []
    spatial = list(range(1, 34)) + [64] if full else [1, 7, 8, 16, 33]
    channels = [1, 2, 3, 8, 16, 17, 32, 64]
    for i, size in enumerate(spatial):
        c = channels[i % len(channels)]
        if size * size * c > 40_000:
            c = 4
        cases.append(Case(
            f"batch_norm [N, {c}, {size}, {size}]",
            "batch_norm({0}, {1}, {2}, {3}, {4})",
            [Operand((N, c, size, size)), Operand((c,)), Operand((c,)),
             Operand((c,)), Operand((c,), "positive")],
            lambda x, g, b, m, v, training: F.batch_norm(
                x, m, v, g, b, training=training),
            training=True, buffers=(3, 4), min_batch=2 if size == 1 else 1,
            # One value per channel: the normalised input does not depend on
            # the input's scale, whose gradient is zero.
            gradient_floor=1.0 if size == 1 else 0.0))
    cases.append(Case(
        "batch_norm static batch", "batch_norm({0}, {1}, {2}, {3}, {4})",
        [Operand((4, 3, 5, 5)), Operand((3,)), Operand((3,)), Operand((3,)),
         Operand((3,), "positive")],
        lambda x, g, b, m, v, training: F.batch_norm(x, m, v, g, b,
                                                     training=training),
        training=True, buffers=(3, 4)))
    for c in [1, 16, 64]:
        cases.append(Case(
            f"batch_norm [N, {c}] momentum epsilon",
            "batch_norm({0}, {1}, {2}, {3}, {4}, momentum=0.3, epsilon=0.01)",
            [Operand((N, c)), Operand((c,)), Operand((c,)), Operand((c,)),
             Operand((c,), "positive")],
            lambda x, g, b, m, v, training: F.batch_norm(
                x, m, v, g, b, training=training, momentum=0.3, eps=0.01),
            training=True, buffers=(3, 4), min_batch=2))
    return cases


def layer_norm_cases(sizes):
    cases = [Case(f"layer_norm [N, {s}]", "layer_norm({0}, {1}, {2})",
                  [Operand((N, s)), Operand((s,)), Operand((s,))],
                  lambda x, g, b: F.layer_norm(x, g.shape, g, b))
             for s in sizes]
    cases += [
        Case("layer_norm [N, 4, 6] axis 1", "layer_norm({0}, {1}, {2}, axis=1)",
             [Operand((N, 4, 6)), Operand((4, 6)), Operand((4, 6))],
             lambda x, g, b: F.layer_norm(x, g.shape, g, b)),
        Case("layer_norm [N, 3, 16] epsilon",
             "layer_norm({0}, {1}, {2}, epsilon=0.1)",
             [Operand((N, 3, 16)), Operand((16,)), Operand((16,))],
             lambda x, g, b: F.layer_norm(x, g.shape, g, b, 0.1)),
        Case("layer_norm [5, 8] no batch", "layer_norm({0}, {1}, {2})",
             [Operand((5, 8)), Operand((8,)), Operand((8,))],
             lambda x, g, b: F.layer_norm(x, g.shape, g, b)),
    ]
    return cases


def recurrent_cases(cell, full):
    gates = {"rnn": 1, "gru": 3, "lstm": 4}[cell]
    results = 3 if cell == "lstm" else 2
    cases = []
    shapes = [(1, 1, 1), (3, 2, 8), (5, 7, 16), (2, 17, 3), (4, 8, 33)]
    if full:
        shapes += [(6, 32, 17), (2, 64, 8)]
    for i, (tokens, features, hidden) in enumerate(shapes):
        for directions in (1, 2):
            initial = i % 2 == 1
            operands = [Operand((N, tokens, features)),
                        Operand((directions, gates * hidden, features)),
                        Operand((directions, gates * hidden, hidden)),
                        Operand((directions, gates * hidden)),
                        Operand((directions, gates * hidden))]
            if initial:
                operands += [Operand((directions, N, hidden))] * (
                    2 if cell == "lstm" else 1)
            arguments = ", ".join(f"{{{j}}}" for j in range(len(operands)))
            option_text = ", bidirectional=true" if directions == 2 else ""
            cases.append(Case(
                f"{cell} T={tokens} F={features} H={hidden} D={directions}"
                f"{' with initial state' if initial else ''}",
                f"{cell}({arguments}{option_text})", operands,
                lambda *a, cell=cell: harness.recurrent_reference(cell, *a),
                results=results))
    # No dynamic batch: the sequence is a parameter of static shape.
    cases.append(Case(f"{cell} static batch", f"{cell}({{0}}, {{1}}, {{2}}, "
                      f"{{3}}, {{4}}, bidirectional=true)",
                      [Operand((3, 4, 5)), Operand((2, gates * 6, 5)),
                       Operand((2, gates * 6, 6)), Operand((2, gates * 6)),
                       Operand((2, gates * 6))],
                      lambda *a, cell=cell: harness.recurrent_reference(cell, *a),
                      results=results))
    return cases


def loss_cases(op):
    reductions = ["mean", "sum", "none"]
    cases = []
    for i, (reduction, classes) in enumerate(
            itertools.product(reductions, [1, 2, 10, 33])):
        k = f", reduction={reduction}"
        if op in ("softmax_cross_entropy", "nll", "hinge"):
            label = Operand((N,), ("index", classes), ["i32", "i64"][i % 2])
            fn = {"softmax_cross_entropy": F.cross_entropy,
                  "nll": F.nll_loss,
                  "hinge": lambda x, y, reduction: F.multi_margin_loss(
                      x, y, margin=0.5, reduction=reduction)}[op]
            extra = ", margin=0.5" if op == "hinge" else ""
            inner = "log_softmax({0})" if op == "nll" else "{0}"
            cases.append(Case(
                f"{op} C={classes} {reduction}",
                f"{op}({inner}, {{1}}{k}{extra})",
                [Operand((N, classes)), label],
                lambda x, y, fn=fn, r=reduction, nll=op == "nll":
                fn(torch.log_softmax(x, 1) if nll else x, y.long(),
                   reduction=r)))
        else:
            shape = (N, classes)
            fn = {"mse": F.mse_loss, "l1": F.l1_loss,
                  "bce": F.binary_cross_entropy,
                  "bce_with_logits": F.binary_cross_entropy_with_logits}[op]
            inner = "sigmoid({0})" if op == "bce" else "{0}"
            cases.append(Case(
                f"{op} [N, {classes}] {reduction}",
                f"{op}({inner}, {{1}}{k})",
                [Operand(shape), Operand(shape, "probability")],
                lambda x, t, fn=fn, r=reduction, bce=op == "bce":
                fn(torch.sigmoid(x) if bce else x, t, reduction=r)))
    cases.append(Case(f"{op} default reduction",
                      f"{op}({{0}}, {{1}})" if op not in ("bce", "nll") else
                      f"{op}({'sigmoid' if op == 'bce' else 'log_softmax'}"
                      f"({{0}}), {{1}})",
                      [Operand((N, 5)),
                       Operand((N,), ("index", 5), "i32")
                       if op in ("softmax_cross_entropy", "nll", "hinge")
                       else Operand((N, 5), "probability")],
                      lambda x, t: loss_default(op, x, t)))
    return cases


def loss_default(op, x, t):
    if op == "softmax_cross_entropy":
        return F.cross_entropy(x, t.long())
    if op == "nll":
        return F.nll_loss(torch.log_softmax(x, 1), t.long())
    if op == "hinge":
        return F.multi_margin_loss(x, t.long())
    if op == "bce":
        return F.binary_cross_entropy(torch.sigmoid(x), t)
    return {"mse": F.mse_loss, "l1": F.l1_loss,
            "bce_with_logits": F.binary_cross_entropy_with_logits}[op](x, t)


def random_cases():
    """Samplers against their distributions (no gradient)."""
    def moments(mean, std):
        def check(ours, batch):
            n = ours.size
            got_mean, got_std = float(ours.mean()), float(ours.std())
            tolerance = 6 * std / math.sqrt(n)
            if abs(got_mean - mean) > tolerance or \
                    abs(got_std - std) > 6 * std / math.sqrt(n / 2) + 1e-3:
                return f"mean {got_mean:.4f} std {got_std:.4f}, " \
                       f"expected {mean} and {std}"
            return None
        return check

    def zeros_and_ones(ours, batch):
        mean = float(ours.mean())
        if not np.isin(ours, (0, 1)).all() or not 0.4 < mean < 0.6:
            return f"not 0/1 samples of mean 0.5 (mean {mean:.3f})"
        return None

    def dropout_identity(x):
        return x
    return [
        Case("random_normal like", "random_normal(like={0}, mean=1, std=2)",
             [Operand((N, 4096))], None, grad=False, check=moments(1, 2)),
        Case("random_normal shape", "random_normal(shape=[64, 256])", [],
             None, grad=False, check=moments(0, 1)),
        Case("random_uniform like", "random_uniform(like={0}, low=-1, high=3)",
             [Operand((N, 4096))], None, grad=False,
             check=moments(1, 4 / math.sqrt(12))),
        Case("bernoulli", "bernoulli({0})", [Operand((N, 2048), "probability")],
             None, grad=False, check=zeros_and_ones),
        # Inference entries leave dropout out.
        Case("dropout at inference", "dropout({0}, rate=0.5)",
             [Operand((N, 33))], dropout_identity, grad=False),
    ]


def build_cases(full):
    sizes = SIZES if full else SLICE_SIZES
    ops = {}
    for op in UNARY:
        ops[op] = unary_cases(op, sizes)
    for op in BINARY:
        ops[op] = binary_cases(op, sizes)
    ops["compare_where"] = compare_cases(sizes)
    ops["cast"] = cast_cases(sizes)
    for op in ("sum", "mean", "max", "min", "logsumexp"):
        ops[op] = reduction_cases(op, sizes)
    for op in ("argmax", "argmin"):
        ops[op] = arg_cases(op, sizes)
    for op in ("softmax", "log_softmax"):
        ops[op] = softmax_cases(op, sizes)
    for op in ("reshape", "flatten", "transpose", "broadcast_to", "concat",
               "slice", "pad"):
        ops[op] = shape_cases(op)
    ops["gather"] = gather_cases()
    ops["one_hot"] = one_hot_cases()
    ops["full"] = full_cases()
    ops["matmul"] = matmul_cases(sizes)
    ops["dense"] = dense_cases(sizes)
    ops["conv2d"] = conv_cases(full)
    ops["conv_transpose2d"] = conv_transpose_cases(full)
    for op in ("max_pool2d", "avg_pool2d"):
        ops[op] = pool_cases(op, full)
    for op in ("global_avg_pool2d", "upsample_nearest2d"):
        ops[op] = map_cases(op)
    ops["batch_norm"] = batch_norm_cases(full)
    ops["layer_norm"] = layer_norm_cases(sizes)
    for cell in ("rnn", "gru", "lstm"):
        ops[cell] = recurrent_cases(cell, full)
    for op in ("mse", "l1", "bce", "bce_with_logits", "softmax_cross_entropy",
               "nll", "hinge"):
        ops[op] = loss_cases(op)
    ops["random"] = random_cases()
    return ops


# ---------------------------------------------------------------------------
# One module per op.


class Module:
    """The .kiln source of an op's cases and the names in it."""

    def __init__(self, op, cases):
        self.op, self.cases = op, cases
        lines = [f"model conformance_{op}"]
        self.operand_names = []  # per case: the names of its operands
        self.scales = {}  # batched operand name -> its scale parameter
        self.result_names = []  # per case: its results
        self.cotangents = {}  # result name -> cotangent input name
        for k, case in enumerate(cases):
            names, uses = [], []
            for j, operand in enumerate(case.operands):
                name = f"c{k}_{j}"
                names.append(name)
                if j in case.buffers:
                    lines.append(f"buffer {name} : {operand.dtype}"
                                 f"[{shape_text(operand.shape)}] = zeros")
                    uses.append(name)
                elif operand.batched or operand.integer:
                    lines.append(f"input {name} : {operand.dtype}"
                                 f"[{shape_text(operand.shape)}]")
                    if operand.integer or not case.grad:
                        uses.append(name)
                    else:
                        scale = f"s{k}_{j}"
                        rest = [d for d in operand.shape if d is not N]
                        lines.append(f"param {scale} : {operand.dtype}"
                                     f"[{shape_text(rest)}] = ones")
                        self.scales[name] = scale
                        # An axis-wise scale when the batch is not first.
                        uses.append(f"({name} * {scale})" if
                                    operand.shape[0] is N else
                                    f"({name} * reshape({scale}, shape="
                                    f"[{shape_text(axis_shape(operand))}]))")
                else:
                    lines.append(f"param {name} : {operand.dtype}"
                                 f"[{shape_text(operand.shape)}] = zeros")
                    uses.append(name)
            self.operand_names.append(names)
            expression = case.text.format(*uses)
            results = [f"o{k}_{r}" for r in range(case.results)]
            self.result_names.append(results)
            lines.append(f"{', '.join(results)} = {expression}")
            for r in results:
                lines.append(f"output {r}")
        self.source_head = lines

    def source(self, result_shapes):
        """The full source, once the results' shapes (with N) and dtypes
        are known from the reference."""
        lines = list(self.source_head)
        terms = []
        for k, case in enumerate(self.cases):
            if not case.grad:
                continue
            for r, name in enumerate(self.result_names[k]):
                shape, dtype = result_shapes[name]
                if dtype not in ("f32", "f64"):
                    continue
                cotangent = f"g{k}_{r}"
                self.cotangents[name] = cotangent
                lines.append(f"input {cotangent} : {dtype}"
                             f"[{shape_text(shape)}]")
                term = f"sum({name} * {cotangent})"
                terms.append(term if dtype == "f32" else
                             f"cast({term}, dtype=f32)")
        if terms:
            lines.append("loss = " + " + ".join(terms))
            lines.append("train step minimize loss using sgd(lr=1)")
        return "\n".join(lines) + "\n"


def axis_shape(operand):
    """The scale of an operand whose batch is not its first dimension,
    shaped to broadcast over it: 1 where the batch is."""
    return [1 if d is N else d for d in operand.shape]


TORCH_DTYPES = {torch.float32: "f32", torch.float64: "f64",
                torch.int32: "i32", torch.int64: "i64", torch.bool: "i1"}


def as_tuple(value):
    return value if isinstance(value, tuple) else (value,)


def to_torch(value):
    if value.dtype in (np.float32, np.float64):
        return torch.tensor(value, dtype=torch.float64)
    return torch.tensor(value)


class Evaluation:
    """The reference of one batch: results, and after `backward`, the
    gradient of every parameter and the updated buffers."""

    def __init__(self, module, values, batch, training):
        self.results, self.buffers = {}, {}
        self.leaves = {}
        self.skipped = set()
        for k, case in enumerate(module.cases):
            if batch < case.min_batch:
                self.skipped.update(module.result_names[k] +
                                    module.operand_names[k])
                self.skipped.update(module.scales.get(name) for name in
                                    module.operand_names[k])
            if case.reference is None or batch < case.min_batch:
                continue
            tensors = []
            for j, operand in enumerate(case.operands):
                name = module.operand_names[k][j]
                tensor = to_torch(values[name])
                if j in case.buffers:
                    self.buffers[name] = tensor
                elif tensor.is_floating_point() and case.grad:
                    if name in module.scales:
                        scale_name = module.scales[name]
                        scale = to_torch(values[scale_name]).requires_grad_()
                        self.leaves[scale_name] = scale
                        shape = axis_shape(operand) if operand.shape[0] \
                            is not N else scale.shape
                        tensor = tensor * scale.reshape(shape)
                    else:
                        tensor = tensor.requires_grad_()
                        self.leaves[name] = tensor
                tensors.append(tensor)
            kwargs = {"training": training} if case.training else {}
            outputs = as_tuple(case.reference(*tensors, **kwargs))
            for name, output in zip(module.result_names[k], outputs):
                self.results[name] = output

    def backward(self, cotangents):
        loss = 0
        for name, cotangent in cotangents.items():
            if name not in self.skipped:
                loss = loss + (self.results[name] * cotangent).sum()
        if self.leaves:
            loss.backward()
        return {name: leaf.grad for name, leaf in self.leaves.items()}


def result_shapes(module, values_at):
    """Each result's shape, with N where it follows the batch, and dtype:
    from the reference at two batch sizes."""
    two = Evaluation(module, values_at(2), 2, False).results
    five = Evaluation(module, values_at(5), 5, False).results
    shapes = {}
    for k, case in enumerate(module.cases):
        # The reference computes in f64; a float result has the element
        # type of the case's float operands.
        wide = any(o.dtype == "f64" for o in case.operands)
        for name in module.result_names[k]:
            if name not in two:
                continue
            a, b = two[name].shape, five[name].shape
            shape = tuple(N if x != y else x for x, y in zip(a, b))
            dtype = TORCH_DTYPES[two[name].dtype]
            if two[name].is_floating_point():
                dtype = "f64" if wide else "f32"
            shapes[name] = (shape, dtype)
    for k, case in enumerate(module.cases):
        if case.reference is None:
            for name in module.result_names[k]:
                shapes[name] = (None, "none")
    return shapes


def draw_values(module, rng_seed, batch):
    """Parameters (fixed by the seed) and inputs (per batch)."""
    params = np.random.default_rng(rng_seed)
    inputs = np.random.default_rng(rng_seed * 1000 + batch)
    values = {}
    for k, case in enumerate(module.cases):
        for j, operand in enumerate(case.operands):
            name = module.operand_names[k][j]
            if operand.batched or operand.integer:
                values[name] = operand.draw(inputs, batch)
                if name in module.scales:
                    rest = tuple(d for d in operand.shape if d is not N)
                    values[module.scales[name]] = params.uniform(
                        0.5, 1.5, rest).astype(values[name].dtype)
            else:
                values[name] = operand.draw(params, batch)
    return values


def check_module(args, op, cases, configuration, work):
    """Failures of one op's module under one configuration: a list of
    (case label, message)."""
    module = Module(op, cases)
    seed = sum(map(ord, op))
    shapes = result_shapes(module, lambda b: draw_values(module, seed, b))
    source = module.source(shapes)
    base = os.path.join(work, f"{op}-{configuration}")
    # Without vectorization LLVM optimizes naive scalar loop nests, for
    # minutes on the convolution modules (74 transposed convolutions: 4.4
    # CPU minutes, all but 30 s of it in LLVM); that is slow, not a hang.
    failure = harness.compile_module(
        args.kilnc, source, base, CONFIGURATIONS[configuration],
        timeout=1800 if configuration == "no-vectorize" else
        harness.COMMAND_TIMEOUT_S)
    if failure:
        return [(f"{op} (module)", failure)], source
    failures = []
    label_of = {name: case.label for k, case in enumerate(cases)
                for name in module.result_names[k] + module.operand_names[k]}
    label_of.update({module.scales[name]: label_of[name]
                     for name in module.scales})
    floor_of = {name: case.gradient_floor for k, case in enumerate(cases)
                for name in module.operand_names[k] +
                [module.scales.get(n) for n in module.operand_names[k]]}
    for batch in (BATCHES if args.full else SLICE_BATCHES):
        values = draw_values(module, seed, batch)
        rng = np.random.default_rng(seed + batch)
        place = f"{base}-b{batch}"
        inputs = inputs_of(module, cases)
        params_dir = place + "-params"
        harness.save_arrays(params_dir, {name: value for name, value
                                         in values.items()
                                         if name not in inputs})
        feeds = harness.save_arrays(place + "-inputs", {
            name: value for name, value in values.items() if name in inputs})
        # The training entry takes the inputs of the cases in its loss.
        step_feeds = harness.save_arrays(place + "-step-inputs", {
            name: values[name] for name in inputs_of(module, cases, True)})
        outputs = place + "-out"
        failure = harness.run_entry(args.kiln_run, base + ".kmod", params_dir,
                                    feeds, output_dir=outputs)
        if failure:
            return failures + [(f"{op} batch {batch}", failure)], source
        reference = Evaluation(module, values, batch, training=False)
        for k, case in enumerate(cases):
            for name in module.result_names[k]:
                path = os.path.join(outputs, name + ".npy")
                if not os.path.exists(path):
                    failures.append((case.label, f"no output {name}"))
                    continue
                ours = np.load(path)
                if case.check:
                    problem = case.check(ours, batch)
                    if problem:
                        failures.append((case.label, f"batch {batch}: "
                                         f"{problem}"))
                    continue
                if case.reference is None or name in reference.skipped:
                    continue
                expected = reference.results[name].detach().numpy()
                error = harness.relative_error(ours, expected)
                if error > RTOL:
                    failures.append((case.label, f"batch {batch}: output "
                                     f"{name} relative error {error:.2e}"
                                     + shape_note(ours, expected)))
        if not module.cotangents:
            continue
        cotangents = {}
        for name, cotangent in module.cotangents.items():
            shape, dtype = shapes[name]
            cotangents[cotangent] = rng.standard_normal(
                tuple(batch if d is N else d for d in shape)).astype(
                    np.float64 if dtype == "f64" else np.float32)
        step_feeds += harness.save_arrays(place + "-cotangents", cotangents)
        after = place + "-after"
        failure = harness.run_entry(args.kiln_run, base + ".kmod", params_dir,
                                    step_feeds, entry="step",
                                    dump_params=after)
        if failure:
            return failures + [(f"{op} batch {batch}", failure)], source
        training = Evaluation(module, values, batch, training=True)
        gradients = training.backward(
            {name: to_torch(cotangents[c])
             for name, c in module.cotangents.items()})
        for name, gradient in gradients.items():
            if gradient is None:
                gradient = torch.zeros_like(to_torch(values[name]))
            ours = values[name].astype(np.float64) - \
                np.load(os.path.join(after, name + ".npy"))
            expected = gradient.numpy()
            scale = max(float(np.abs(expected).max(initial=0)) +
                        1e-4 * float(np.abs(values[name]).max(initial=0)),
                        floor_of[name])
            error = harness.relative_error(ours, expected, scale)
            if error > RTOL:
                failures.append((label_of[name], f"batch {batch}: gradient "
                                 f"of {name} relative error {error:.2e}"))
        for name, updated in training.buffers.items():
            if name in training.skipped:
                continue
            ours = np.load(os.path.join(after, name + ".npy"))
            error = harness.relative_error(ours, updated.numpy())
            if error > RTOL:
                failures.append((label_of[name], f"batch {batch}: running "
                                 f"statistic {name} relative error "
                                 f"{error:.2e}"))
    return failures, source


def inputs_of(module, cases, in_loss=False):
    """The inputs of every case, or of those in the training loss."""
    names = set()
    for k, case in enumerate(cases):
        if in_loss and not (case.grad and any(
                name in module.cotangents
                for name in module.result_names[k])):
            continue
        for j, operand in enumerate(case.operands):
            if (operand.batched or operand.integer) and j not in case.buffers:
                names.add(module.operand_names[k][j])
    return names


def shape_note(ours, expected):
    return "" if ours.shape == expected.shape else \
        f" (shape {list(ours.shape)}, expected {list(expected.shape)})"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilnc", required=True)
    parser.add_argument("--kiln-run", required=True)
    parser.add_argument("--full", action="store_true",
                        help="every size, batch and configuration (make "
                        "conformance); without it the slice make test runs")
    parser.add_argument("--ops", help="comma-separated ops to run")
    parser.add_argument("--configurations",
                        help="comma-separated, from " +
                        ", ".join(CONFIGURATIONS))
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--keep", help="directory to keep the modules in")
    args = parser.parse_args()
    torch.set_default_dtype(torch.float64)
    ops = build_cases(args.full)
    if args.ops:
        unknown = set(args.ops.split(",")) - set(ops)
        if unknown:
            parser.error(f"unknown ops {sorted(unknown)}; known: "
                         f"{', '.join(ops)}")
        ops = {op: ops[op] for op in args.ops.split(",")}
    configurations = args.configurations.split(",") if args.configurations \
        else (list(CONFIGURATIONS) if args.full else ["default"])
    # Configuration by configuration: the default pipeline's results first.
    jobs = [(op, c) for c in configurations for op in ops]
    work_context = tempfile.TemporaryDirectory() if not args.keep else None
    work = args.keep or work_context.name
    os.makedirs(work, exist_ok=True)
    failed = collections.defaultdict(list)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = pool.map(
            lambda job: (job, check_module(args, job[0], ops[job[0]], job[1],
                                           work)), jobs)
        for (op, configuration), (failures, source) in results:
            for label, message in failures:
                failed[(op, configuration)].append((label, message))
                print(f"FAIL {op} [{configuration}] {label}: {message}")
            print(f"{op} [{configuration}]: {len(ops[op])} cases, "
                  f"{len(failures)} failed", flush=True)
    print(f"\n{'op':24} {'cases':>6}  " +
          "  ".join(f"{c:>12}" for c in configurations))
    total_cases = 0
    for op, cases in ops.items():
        total_cases += len(cases)
        print(f"{op:24} {len(cases):6}  " + "  ".join(
            f"{'ok' if not failed[(op, c)] else str(len(failed[(op, c)])) + ' failed':>12}"
            for c in configurations))
    bad = sum(1 for job in jobs if failed[job])
    print(f"{len(ops)} ops, {total_cases} cases, {len(configurations)} "
          f"configuration(s), batches "
          f"{BATCHES if args.full else SLICE_BATCHES}: "
          f"{len(jobs) - bad} modules passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
