#!/usr/bin/env python3
"""Feeds `nnc check` and `nnc run` damaged versions of real scripts and
asserts that nnc never dies from a signal: every run must exit 0 or 1
(exit 124 from the per-run timeout is tolerated for `run`, which may loop).

Damage kinds: truncation at random byte offsets, shuffled lines, random
bytes spliced in, and pure random bytes. Deterministic for a given seed.

usage: mutate.py NNC SEED SCRIPT... [--variants N]
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile


def variants(source: bytes, rng: random.Random, count: int):
    lines = source.split(b"\n")
    for _ in range(count):
        kind = rng.randrange(4)
        if kind == 0:
            yield "truncated", source[: rng.randrange(len(source) + 1)]
        elif kind == 1:
            shuffled = lines[:]
            rng.shuffle(shuffled)
            yield "shuffled", b"\n".join(shuffled)
        elif kind == 2:
            data = bytearray(source)
            for _ in range(rng.randrange(1, 8)):
                data[rng.randrange(len(data) + 1):0] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 6)))
            yield "spliced", bytes(data)
        else:
            yield "random", bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("nnc")
    parser.add_argument("seed", type=int)
    parser.add_argument("scripts", nargs="+")
    parser.add_argument("--variants", type=int, default=12)
    args = parser.parse_args()
    nnc = os.path.abspath(args.nnc)

    rng = random.Random(args.seed)
    failures = 0
    runs = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "damaged.nn")
        for script in args.scripts:
            with open(script, "rb") as f:
                source = f.read()
            for kind, data in variants(source, rng, args.variants):
                with open(path, "wb") as f:
                    f.write(data)
                for command in ("check", "run"):
                    runs += 1
                    try:
                        proc = subprocess.run([nnc, command, path], stdout=subprocess.DEVNULL,
                                              stderr=subprocess.PIPE, timeout=10, cwd=tmp)
                        code = proc.returncode
                    except subprocess.TimeoutExpired:
                        code = 124 if command == "run" else -1
                    if code not in (0, 1, 124):
                        failures += 1
                        print(f"FAIL: nnc {command} exited {code} on a {kind} variant of {script}")
                        print(f"      input: {data[:200]!r}")
    print(f"{runs} runs, {failures} crashes")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
