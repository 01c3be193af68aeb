#!/usr/bin/env python3
"""Runs each script three ways and requires the same output and exit status:
`nnc run` (fn calls traced, fused and compiled to native code), `nnc run
--no-jit` (the traced IR interpreted with the reference kernels) and `nnc
run --eager` (op by op).

Printed numbers are compared with a tolerance: compiled kernels may sum in
another order and use their own exp/log/tanh (a few ulp from libm), so a
number may differ by rtol 1e-5 / atol 1e-6 after printing's rounding
(printing keeps 6 significant digits, so that is one unit of the last
printed digit). Everything else must match exactly.

usage: compare_modes.py NNC SCRIPT...
"""
import re
import subprocess
import sys

NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?inf|nan")
RTOL, ATOL = 1e-5, 1e-6


def run(nnc, args, script):
    p = subprocess.run([nnc, "run", *args, script], capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout


def same_number(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    # One unit in the last printed digit of either number.
    digits = lambda s: 10.0 ** (-(len(s.split("e")[0].split(".")[1]) if "." in s else 0))
    exponent = lambda s: 10.0 ** int(s.split("e")[1]) if "e" in s.lower() else 1.0
    unit = max(digits(a.lower()) * exponent(a.lower()), digits(b.lower()) * exponent(b.lower()))
    return abs(x - y) <= max(ATOL, RTOL * max(abs(x), abs(y)), unit * 1.0001)


def same_output(a: str, b: str) -> bool:
    if NUMBER.sub("#", a) != NUMBER.sub("#", b):
        return False
    return all(same_number(x, y) for x, y in zip(NUMBER.findall(a), NUMBER.findall(b)))


def main() -> int:
    nnc, scripts = sys.argv[1], sys.argv[2:]
    differ = 0
    for script in scripts:
        eager = run(nnc, ["--eager"], script)
        for mode in (["--no-jit"], []):
            other = run(nnc, mode, script)
            if other[0] != eager[0] or not same_output(other[1], eager[1]):
                differ += 1
                name = " ".join(mode) or "compiled"
                print(f"DIFFER: {script}\n--- {name} (exit {other[0]}):\n{other[1]}--- eager (exit {eager[0]}):\n{eager[1]}")
    print(f"{len(scripts)} scripts, {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
