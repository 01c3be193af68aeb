#!/usr/bin/env python3
"""Regenerates the CHECK lines of IR lit tests (test/ir/*.nnir) from what
nnc-opt prints now, in the spirit of LLVM's update_test_checks.py.

    scripts/update-ir-checks.py test/ir/cse.nnir [more files]

For each file: takes the first RUN line that ends in `| FileCheck %s`, drops
every `// CHECK` line, runs the RUN command (with `%s` the file without its
CHECK lines, nnc-opt from build/tools or $NNC_TOOLS), and writes after each
function of the input the output for it: `// CHECK-LABEL:` for its `func`
line, `// CHECK-NEXT:` for the lines that follow. When the output of a
`// -----` piece is not one function per input function (--print-after-all
prints more), all its checks go at the end of the piece, `// CHECK:` for
lines outside functions. Review the diff before
committing: the checks say what the code does, not what it should do.
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.environ.get("NNC_TOOLS", os.path.join(ROOT, "build", "tools"))
SPLIT = "// -----"


def run_line(lines):
    for line in lines:
        m = re.match(r"\s*// RUN: (.*)\|\s*FileCheck %s\s*$", line)
        if m:
            return m.group(1)
    sys.exit("no `// RUN: ... | FileCheck %s` line")


def pieces(lines):
    out, current = [], []
    for line in lines:
        if line.rstrip() == SPLIT:
            out.append(current)
            current = []
        else:
            current.append(line)
    out.append(current)
    return out


def escape(text):
    # FileCheck reads `[[` as the start of a variable; nested dense literals have it.
    return text.replace("[[", "{{\\[\\[}}")


def functions(lines):
    """The [first, last] line indices of each `func ... }` in lines."""
    spans, start = [], None
    for i, line in enumerate(lines):
        if line.startswith("func "):
            start = i
        elif line == "}" and start is not None:
            spans.append((start, i))
            start = None
    return spans


def checks(output):
    result, in_function = [], False
    for line in output:
        if not line.strip():
            continue
        if line.startswith("func "):
            result.append("// CHECK-LABEL: " + line)
            in_function = True
        elif in_function:
            result.append("// CHECK-NEXT:  " + line)
        else:
            result.append("// CHECK:       " + line)
        if line == "}":
            in_function = False
    return result


def with_checks(piece, output):
    """The piece with the checks of each function after it when the output
    has one function per input function, else all checks at its end."""
    while piece and not piece[-1].strip():
        piece.pop()
    ins, outs = functions(piece), functions(output)
    preamble = output[:outs[0][0]] if outs else output
    if len(ins) != len(outs) or any(line.strip() for line in preamble):
        return piece + [""] + checks(output)
    text, done = [], 0
    for (first, last), (out_first, out_last) in zip(ins, outs):
        text += piece[done:last + 1] + [""] + checks(output[out_first:out_last + 1])
        done = last + 1
    return text + piece[done:]


def update(path):
    with open(path) as f:
        lines = [line.rstrip("\n") for line in f]
    command = run_line(lines)
    inputs = [line for line in lines if not re.match(r"\s*// CHECK", line)]
    with tempfile.TemporaryDirectory() as tmp:
        # The same file name, so that locations in the output read `{{.*}}name.nnir`.
        input_path = os.path.join(tmp, os.path.basename(path))
        with open(input_path, "w") as f:
            f.write("\n".join(inputs) + "\n")
        env = dict(os.environ, PATH=TOOLS + os.pathsep + os.environ["PATH"])
        result = subprocess.run(["bash", "-o", "pipefail", "-c", command.replace("%s", input_path)], env=env,
                                capture_output=True, text=True)
    output = [escape(line).replace(input_path, "{{.*}}" + os.path.basename(path)) for line in result.stdout.splitlines()]
    if result.returncode != 0:
        sys.exit(f"{path}: the RUN command failed:\n{result.stderr}")
    in_pieces, out_pieces = pieces(inputs), pieces(output)
    if len(in_pieces) != len(out_pieces):
        sys.exit(f"{path}: {len(in_pieces)} input pieces but {len(out_pieces)} outputs")
    text = []
    for i, (piece, output) in enumerate(zip(in_pieces, out_pieces)):
        text += with_checks(piece, output)
        text += [""] if i + 1 == len(in_pieces) else ["", SPLIT]
    with open(path, "w") as f:
        f.write("\n".join(text).rstrip("\n") + "\n")


if __name__ == "__main__":
    for p in sys.argv[1:]:
        update(p)
