#!/usr/bin/env python3
"""Runs each script with `nnc run` (fn calls traced to IR) and with
`nnc run --eager` (op by op) and requires identical output and exit status.

usage: compare_modes.py NNC SCRIPT...
"""
import subprocess
import sys


def run(nnc, args, script):
    p = subprocess.run([nnc, "run", *args, script], capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout


def main() -> int:
    nnc, scripts = sys.argv[1], sys.argv[2:]
    differ = 0
    for script in scripts:
        compiled, eager = run(nnc, [], script), run(nnc, ["--eager"], script)
        if compiled != eager:
            differ += 1
            print(f"DIFFER: {script}\n--- compiled (exit {compiled[0]}):\n{compiled[1]}--- eager (exit {eager[0]}):\n{eager[1]}")
    print(f"{len(scripts)} scripts, {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
