#!/usr/bin/env python3
"""Runs the ONNX backend test suite against Kiln.

Every case is a directory with model.onnx and test_data_set_*/ holding
input_N.pb and output_N.pb (TensorProtos). For each case, kilnc compiles
the model and kiln-run runs its inference entry on the inputs, each in its
own process (a signal from either is reported as a crash, a Kiln bug);
the outputs are compared with the expected ones at the suite's own
tolerances (rtol 1e-3, atol 1e-7, as onnx.backend.test's runner).

Outcomes: pass; fail (ran, wrong numbers or shapes); unsupported (kilnc
says an op, attribute or type is not supported); error (another compile
or run error); crash; timeout.

    backend_suite.py --kilnc build/bin/kilnc --kiln-run build/bin/kiln-run \\
        --suite debian-node=/usr/share/libonnx-testdata/data/node ...
        [--json results.json] [--markdown table.md] [--jobs 2]
        [--expect tests/onnx/expected-passes.txt] [--write-expected FILE]
        [--only SUBSTRING]

--expect fails the run when a listed case does not pass (the regression
guard `make test` runs); --write-expected records the passing cases.

Needs onnx (to read the TensorProtos) and numpy: runs in build/bench-venv.
"""

import argparse
import collections
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import numpy_helper

RTOL, ATOL = 1e-3, 1e-7


def op_types():
    """ONNX op type names, longest first (to match case names)."""
    names = {schema.name for schema in onnx.defs.get_all_schemas_with_history()}
    return sorted(names, key=len, reverse=True)


def snake(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def op_of_case(case, model, known):
    """The op a case tests: from its name (test_<op>_...), else the
    model's first node."""
    stem = case[len("test_"):] if case.startswith("test_") else case
    for name in known:
        for spelling in (snake(name), name.lower()):
            if stem == spelling or stem.startswith(spelling + "_"):
                return name
    return model.graph.node[0].op_type if model.graph.node else "?"


def read_tensor(path):
    tensor = onnx.TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    return numpy_helper.to_array(tensor)


def classify_compile_failure(stderr):
    if "unsupported ONNX op" in stderr or "is not supported" in stderr \
            or "does not support" in stderr or "not supported" in stderr:
        return "unsupported"
    return "error"


def first_line(text):
    for line in text.splitlines():
        if "error" in line:
            return line.strip()[:300]
    return text.strip().splitlines()[0][:300] if text.strip() else ""


def run_tool(command, timeout, failure_outcome, classify=None):
    """Runs a Kiln tool: None when it succeeded, else (outcome, detail). A
    signal, or a signal kilnc caught and reported as an internal compiler
    error, is a crash."""
    tool = os.path.basename(command[0])
    try:
        done = subprocess.run(command, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", tool
    if done.returncode < 0:
        return "crash", f"{tool}: signal {-done.returncode}"
    if "internal compiler error" in done.stderr:
        return "crash", first_line(done.stderr)
    if done.returncode != 0:
        outcome = classify(done.stderr) if classify else failure_outcome
        return outcome, first_line(done.stderr)
    return None


def run_case(args, suite, case_dir, work, known):
    case = os.path.basename(case_dir)
    model_path = os.path.join(case_dir, "model.onnx")
    result = {"suite": suite, "case": case, "op": "?", "outcome": "error",
              "detail": ""}
    try:
        model = onnx.load(model_path, load_external_data=False)
    except Exception as error:  # a case the onnx package itself cannot read
        result["detail"] = f"onnx cannot load the model: {error}"
        return result
    result["op"] = op_of_case(case, model, known)
    kmod = os.path.join(work, f"{suite}-{case}.kmod")
    failed = run_tool([args.kilnc, model_path, "-o", kmod], args.timeout,
                      "error", classify_compile_failure)
    if failed:
        result.update(outcome=failed[0], detail=failed[1])
        return result
    initializers = {init.name for init in model.graph.initializer}
    inputs = [i.name for i in model.graph.input if i.name not in initializers]
    outputs = [o.name for o in model.graph.output]
    data_sets = sorted(d for d in os.listdir(case_dir)
                       if d.startswith("test_data_set"))
    for data_set in data_sets:
        folder = os.path.join(case_dir, data_set)
        command = [args.kiln_run, "infer", kmod, "--threads", "1"]
        given = sorted(f for f in os.listdir(folder)
                       if f.startswith("input_"))
        for index, name in enumerate(inputs):
            path = os.path.join(folder, f"input_{index}.pb")
            if not os.path.exists(path):
                continue
            npy = os.path.join(work, f"{suite}-{case}-in{index}.npy")
            np.save(npy, read_tensor(path))
            command += ["--input", f"{name}={npy}"]
        if len(given) > len(inputs):
            result.update(outcome="error",
                          detail="the case has more inputs than the graph")
            return result
        produced = []
        for index, name in enumerate(outputs):
            npy = os.path.join(work, f"{suite}-{case}-out{index}.npy")
            produced.append(npy)
            command += ["--output", f"{name}={npy}"]
        failed = run_tool(command, args.timeout, "error")
        if failed:
            result.update(outcome=failed[0], detail=failed[1])
            return result
        for index, npy in enumerate(produced):
            expected = read_tensor(os.path.join(folder,
                                                f"output_{index}.pb"))
            actual = np.load(npy)
            if actual.shape != expected.shape:
                result.update(outcome="fail", detail=(
                    f"output {index}: shape {actual.shape}, expected "
                    f"{expected.shape}"))
                return result
            if expected.dtype == np.bool_ or \
                    np.issubdtype(expected.dtype, np.integer):
                same = np.array_equal(actual.astype(expected.dtype),
                                      expected)
            else:
                same = np.allclose(actual, expected, rtol=RTOL, atol=ATOL,
                                   equal_nan=True)
            if not same:
                worst = np.max(np.abs(actual.astype(np.float64) -
                                      expected.astype(np.float64)))
                result.update(outcome="fail", detail=(
                    f"output {index}: max difference {worst:.3g}"))
                return result
    result.update(outcome="pass", detail="")
    return result


def cases_of(directory):
    return sorted(os.path.join(directory, name)
                  for name in os.listdir(directory)
                  if os.path.exists(os.path.join(directory, name,
                                                 "model.onnx")))


OUTCOMES = ("pass", "fail", "unsupported", "error", "crash", "timeout")


def markdown(results, suites):
    lines = ["| set | cases | pass | fail | unsupported | error | crash | "
             "timeout | pass rate |", "|---|---|---|---|---|---|---|---|---|"]
    for suite in suites:
        mine = [r for r in results if r["suite"] == suite]
        counts = collections.Counter(r["outcome"] for r in mine)
        rate = counts["pass"] / len(mine) if mine else 0
        lines.append(f"| {suite} | {len(mine)} | " +
                     " | ".join(str(counts[o]) for o in OUTCOMES) +
                     f" | {rate:.1%} |")
    lines += ["", "| op | cases | pass | fail | unsupported | error | "
              "crash | timeout |", "|---|---|---|---|---|---|---|---|"]
    by_op = collections.defaultdict(list)
    for r in results:
        by_op[r["op"]].append(r)
    for op in sorted(by_op):
        counts = collections.Counter(r["outcome"] for r in by_op[op])
        lines.append(f"| {op} | {len(by_op[op])} | " +
                     " | ".join(str(counts[o]) for o in OUTCOMES) + " |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilnc", required=True)
    parser.add_argument("--kiln-run", required=True)
    parser.add_argument("--suite", action="append", required=True,
                        help="NAME=DIRECTORY of cases")
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--json")
    parser.add_argument("--markdown")
    parser.add_argument("--only")
    parser.add_argument("--expect")
    parser.add_argument("--write-expected")
    args = parser.parse_args()

    known = op_types()
    work_cases = []
    for spec in args.suite:
        name, directory = spec.split("=", 1)
        for case_dir in cases_of(directory):
            key = f"{name}/{os.path.basename(case_dir)}"
            if args.only and args.only not in key:
                continue
            work_cases.append((name, case_dir))
    expected = set()
    if args.expect:
        with open(args.expect) as f:
            expected = {line.strip() for line in f
                        if line.strip() and not line.startswith("#")}
        work_cases = [(s, d) for s, d in work_cases
                      if f"{s}/{os.path.basename(d)}" in expected]

    started = time.monotonic()
    results = []
    with tempfile.TemporaryDirectory() as work, \
            concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(run_case, args, suite, case_dir, work, known)
                   for suite, case_dir in work_cases]
        for future in concurrent.futures.as_completed(futures):
            results.append(future.result())
    results.sort(key=lambda r: (r["suite"], r["case"]))
    seconds = time.monotonic() - started

    suites = list(dict.fromkeys(s.split("=", 1)[0] for s in args.suite))
    table = markdown(results, suites)
    print(table)
    print(f"{len(results)} cases in {seconds:.0f} s")
    for r in results:
        if r["outcome"] in ("crash", "timeout"):
            print(f"{r['outcome']}: {r['suite']}/{r['case']}: {r['detail']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"seconds": seconds, "results": results}, f, indent=1)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table)
    if args.write_expected:
        with open(args.write_expected, "w") as f:
            f.write("# ONNX backend cases Kiln passes; make test runs them "
                    "(tests/onnx/backend_suite.py --expect).\n")
            for r in results:
                if r["outcome"] == "pass":
                    f.write(f"{r['suite']}/{r['case']}\n")
    if expected:
        missing = [f"{r['suite']}/{r['case']}" for r in results
                   if r["outcome"] != "pass"]
        for name in missing:
            print(f"REGRESSION: {name} no longer passes")
        return 1 if missing else 0
    return 1 if any(r["outcome"] == "crash" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
