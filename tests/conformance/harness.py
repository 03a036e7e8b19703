"""What the conformance suites share: running kilnc and kiln-run on a
generated module, writing its arrays, comparing with a reference, and the
reference recurrences (PyTorch's rnn, gru and lstm written out step by
step).

A compiler failure on a valid model is a failure; a signal or an internal
compiler error is a crash; a command still running after
COMMAND_TIMEOUT_S is a hang.
"""

import os
import subprocess

import numpy as np
import torch

COMMAND_TIMEOUT_S = 300


def run(command, timeout=COMMAND_TIMEOUT_S):
    """(status, output); status None when the command hung."""
    try:
        result = subprocess.run(command, capture_output=True, text=True,
                                timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"no result after {timeout} s (a hang)"
    return result.returncode, result.stdout + result.stderr


def classify(status, log):
    """The kind of a failed command: hang, crash or plain error."""
    if status is None:
        return "hang"
    if status < 0 or "internal compiler error" in log:
        return "crash"
    return "error"


def compile_module(kilnc, source, base, options=(),
                   timeout=COMMAND_TIMEOUT_S):
    """Writes `source` to BASE.kiln and compiles it to BASE.kmod; the
    failure's description, or None."""
    with open(base + ".kiln", "w") as f:
        f.write(source)
    status, log = run([kilnc, base + ".kiln", "-o", base + ".kmod",
                       *options], timeout)
    if status == 0:
        return None
    kind = classify(status, log)
    return f"{'compile error' if kind == 'error' else kind}: " \
           f"{log.strip()[-2000:]}"


def save_arrays(directory, arrays):
    """Writes each array to DIRECTORY/<name>.npy; the --input flags that
    feed them."""
    os.makedirs(directory, exist_ok=True)
    feeds = []
    for name, value in arrays.items():
        path = os.path.join(directory, name + ".npy")
        np.save(path, value)
        feeds += ["--input", f"{name}={path}"]
    return feeds


def run_entry(kiln_run, kmod, params_dir, feeds, entry="infer",
              output_dir=None, dump_params=None):
    """Runs one entry of a module once; the failure, or None."""
    command = [kiln_run, "infer", kmod, "--entry", entry, "--params",
               params_dir, *feeds]
    if output_dir:
        command += ["--output-dir", output_dir]
    if dump_params:
        command += ["--dump-params", dump_params]
    status, log = run(command)
    if status == 0:
        return None
    return f"{entry} {classify(status, log)}: {log.strip()[-2000:]}"


def relative_error(ours, reference, scale=None):
    """Largest elementwise difference relative to the reference's largest
    element (or `scale`)."""
    reference = np.asarray(reference, np.float64)
    ours = np.asarray(ours, np.float64)
    if ours.shape != reference.shape:
        return float("inf")
    if reference.size == 0:
        return 0.0
    scale = max(float(np.abs(reference).max()) if scale is None else scale,
                1e-3)
    return float(np.abs(ours - reference).max()) / scale


def recurrent_reference(cell, x, w_ih, w_hh, b_ih, b_hh, h0=None, c0=None):
    """PyTorch's rnn/gru/lstm: (sequence [N, T, D*H], h_n [D, N, H][, c_n])."""
    directions, hidden = w_ih.shape[0], w_hh.shape[2]
    sequences, finals, cells = [], [], []
    for d in range(directions):
        h = x.new_zeros(x.shape[0], hidden) if h0 is None else h0[d]
        c = x.new_zeros(x.shape[0], hidden) if c0 is None else c0[d]
        steps = range(x.shape[1]) if d == 0 else reversed(range(x.shape[1]))
        out = [None] * x.shape[1]
        for t in steps:
            gi = x[:, t] @ w_ih[d].T + b_ih[d]
            gh = h @ w_hh[d].T + b_hh[d]
            if cell == "rnn":
                h = torch.tanh(gi + gh)
            elif cell == "gru":
                ir, iz, in_ = gi.chunk(3, 1)
                hr, hz, hn = gh.chunk(3, 1)
                r, z = torch.sigmoid(ir + hr), torch.sigmoid(iz + hz)
                n = torch.tanh(in_ + r * hn)
                h = (1 - z) * n + z * h
            else:
                i, f, g, o = (gi + gh).chunk(4, 1)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                h = torch.sigmoid(o) * torch.tanh(c)
            out[t] = h
        sequences.append(torch.stack(out, 1))
        finals.append(h)
        cells.append(c)
    results = (torch.cat(sequences, 2), torch.stack(finals))
    return results + (torch.stack(cells),) if cell == "lstm" else results
