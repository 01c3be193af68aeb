"""Damages every kernel cache entry in a directory one way:
empty | truncate | flip | random | raw-object (the bare object, as older
nnc versions stored it)."""
import os
import random
import sys

directory, how = sys.argv[1], sys.argv[2]
rng = random.Random(7)
for name in os.listdir(directory):
    path = os.path.join(directory, name)
    data = open(path, "rb").read()
    if how == "empty":
        data = b""
    elif how == "truncate":
        data = data[: len(data) // 2]
    elif how == "flip":
        i = rng.randrange(24, len(data))
        data = data[:i] + bytes([data[i] ^ 0x40]) + data[i + 1 :]
    elif how == "random":
        data = bytes(rng.randrange(256) for _ in range(len(data)))
    elif how == "raw-object":
        data = data[24:]
    open(path, "wb").write(data)
