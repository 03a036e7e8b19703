#!/usr/bin/env python3
"""Docs as tests: runs the command blocks of Markdown files exactly as
written and checks the outputs they quote (as rustdoc and mdBook's test
mode do for code).

Each file runs in a fresh temporary directory that holds what a reader's
checkout holds (links to the source tree's folders and to the build's
`bin/`), with its blocks in order, so a step may use what an earlier one
wrote. Blocks by their info string:

- ```sh: every line is a command (comments included, as bash reads them;
  a line ending in `\\` continues on the next);
- ```console: lines starting with `$ ` are commands, the lines after one
  are the output it must print (stdout and stderr, as a terminal shows
  them); a command whose quoted output is its error may fail;
- either with `no-run` after the language (```sh no-run) is shown, not run:
  commands that take too long for a test run (`make bench`) or that need
  the machine itself (`make deps`);
- ```kiln: a model, which must compile (`kilnc`);
- ```mlir: IR, which must parse and verify (`kiln-opt`);
- other blocks (data, output) are not run.

An output line matches when its text is the same (runs of spaces count as
one) and each number is within 5% (integers below 100 exactly); `...` in a
line matches anything, a line that starts with `...` (`... (epochs 3 to 19
cut)`) stands for any number of lines, and numbers followed by a unit of
time or speed (`s`, `ms`, `samples/s`) are not compared: speeds are not
facts a document can promise.

Usage: run_docs.py --source ROOT --build BUILD_DIR FILE.md...
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

COMMAND_TIMEOUT_S = 600
FENCE = re.compile(r"^```(\S*)(.*)$")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
UNCHECKED_UNIT = re.compile(r"^\s*(?:\w+ )?(?:s\b|ms\b|samples/s|img/s)")


# A reader's shell on a fresh Debian machine: the system's tools first.
READER_ENV = dict(os.environ,
                  PATH="/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")


class Block:
    def __init__(self, path, line, language, options, lines):
        self.path, self.line, self.language = path, line, language
        self.options, self.lines = options, lines

    @property
    def where(self):
        return f"{self.path}:{self.line}"


def blocks_of(path):
    """The fenced blocks of a Markdown file."""
    blocks, current = [], None
    with open(path) as f:
        for number, text in enumerate(f, 1):
            text = text.rstrip("\n")
            match = FENCE.match(text)
            if current is None and match:
                current = Block(path, number, match.group(1),
                                match.group(2).split(), [])
            elif current is not None and text.startswith("```"):
                blocks.append(current)
                current = None
            elif current is not None:
                current.lines.append(text)
    return blocks


def steps_of(block):
    """(command, expected output lines or None) of a block that runs."""
    if block.language in ("kiln", "mlir"):
        # Written to a file by the runner; checked by the tool that reads it.
        name = f"block-{block.line}.{block.language}"
        tool = "build/bin/kilnc" if block.language == "kiln" else \
            "build/bin/kiln-opt"
        output = f" -o block-{block.line}.kmod" if block.language == "kiln" \
            else " > /dev/null"
        text = "\n".join(block.lines).replace("'", "'\\''")
        return [(f"printf '%s\\n' '{text}' > {name} && {tool} {name}{output}",
                 None)]
    if block.language == "sh":
        # A line ending in a backslash goes on on the next, as in bash.
        commands, pending = [], ""
        for line in block.lines:
            if line.endswith("\\"):
                pending += line[:-1]
                continue
            line, pending = pending + line, ""
            if line.strip() and not line.lstrip().startswith("#"):
                commands.append((line, None))
        return commands
    steps = []
    for line in block.lines:
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
    return steps


def numbers_match(expected, actual, unchecked):
    if unchecked:
        return True
    a, b = float(expected), float(actual)
    if "." not in expected and "e" not in expected.lower() and abs(a) < 100:
        return a == b
    return abs(a - b) <= 0.05 * max(abs(a), abs(b)) + 1e-9


def line_matches(expected, actual):
    """Text equal up to spacing, numbers within tolerance, `...` anything."""
    pattern, numbers, position = "", [], 0
    expected = " ".join(expected.split())
    actual = " ".join(actual.split())
    for match in re.finditer(r"\.\.\.|" + NUMBER.pattern, expected):
        pattern += re.escape(expected[position:match.start()])
        if match.group() == "...":
            pattern += ".*?"
        else:
            pattern += "(" + NUMBER.pattern + ")"
            numbers.append((match.group(), bool(UNCHECKED_UNIT.match(
                expected[match.end():]))))
        position = match.end()
    pattern += re.escape(expected[position:])
    found = re.fullmatch(pattern, actual)
    if not found:
        return False
    return all(numbers_match(e, a, unchecked) for (e, unchecked), a in
               zip(numbers, found.groups()))


def output_matches(expected, actual):
    """The first difference, or None. A line starting with `...` skips to
    the line that matches the next expected one."""
    actual = [line for line in actual if line.strip()]
    expected = [line for line in expected if line.strip()]
    i = 0
    for k, line in enumerate(expected):
        if line.strip().startswith("..."):
            following = expected[k + 1] if k + 1 < len(expected) else None
            if following is None:
                return None
            while i < len(actual) and not line_matches(following, actual[i]):
                i += 1
            continue
        if i >= len(actual):
            return f"expected `{line}`, the output ended"
        if not line_matches(line, actual[i]):
            return f"expected `{line}`\n       got `{actual[i]}`"
        i += 1
    if i < len(actual):
        return f"unexpected output `{actual[i]}`"
    return None


def prepare(work, source, build):
    """A reader's checkout: the source folders and the build's tools."""
    for name in os.listdir(source):
        if name in (".git", "build") or name.startswith("."):
            continue
        os.symlink(os.path.join(source, name), os.path.join(work, name))
    os.makedirs(os.path.join(work, "build"))
    os.symlink(os.path.join(build, "bin"), os.path.join(work, "build", "bin"))


def run_file(path, source, build):
    failures, commands = [], 0
    with tempfile.TemporaryDirectory() as work:
        prepare(work, source, build)
        for block in blocks_of(path):
            if block.language not in ("sh", "console", "kiln", "mlir") or \
                    "no-run" in block.options:
                continue
            for command, expected in steps_of(block):
                commands += 1
                try:
                    result = subprocess.run(
                        ["bash", "-o", "pipefail", "-c", command], cwd=work,
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        text=True, env=READER_ENV, timeout=COMMAND_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    failures.append(f"{block.where}: `{command}` ran past "
                                    f"{COMMAND_TIMEOUT_S} s")
                    continue
                # A command may fail where the document shows its error.
                if result.returncode != 0 and not expected:
                    failures.append(
                        f"{block.where}: `{command}` failed with status "
                        f"{result.returncode}:\n{result.stdout.strip()[-1500:]}")
                    continue
                if expected is not None:
                    difference = output_matches(
                        expected, result.stdout.splitlines())
                    if difference:
                        failures.append(f"{block.where}: `{command}`: "
                                        f"{difference}")
    return commands, failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    parser.add_argument("--build", required=True)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    total_failures = 0
    for path in args.files:
        commands, failures = run_file(os.path.abspath(path),
                                      os.path.abspath(args.source),
                                      os.path.abspath(args.build))
        for failure in failures:
            print("FAIL " + failure)
        print(f"{os.path.relpath(path, args.source)}: {commands} commands, "
              f"{len(failures)} failed")
        total_failures += len(failures)
    return 1 if total_failures else 0


if __name__ == "__main__":
    sys.exit(main())
