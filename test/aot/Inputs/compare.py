"""Compares the tensors of two safetensors files (same names and shapes,
values within a relative tolerance), or the numbers of two text files."""
import json
import re
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64}


def load(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        out[name] = np.frombuffer(data[8 + n + b:8 + n + end], DTYPES[e["dtype"]]).reshape(e["shape"])
    return out


def close(a, b, rtol):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= rtol * np.maximum(1.0, np.abs(b))))


def main():
    rtol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-6
    a_path, b_path = sys.argv[1], sys.argv[2]
    if a_path.endswith(".safetensors"):
        a, b = load(a_path), load(b_path)
        if sorted(a) != sorted(b):
            sys.exit(f"different tensors: {sorted(a)} vs {sorted(b)}")
        for name in a:
            if not close(a[name], b[name], rtol):
                sys.exit(f"`{name}` differs: max |a - b| = {np.max(np.abs(a[name] - b[name]))}")
        print(f"{len(a)} tensors match")
    else:
        number = re.compile(r"-?\d+\.?\d*(?:e[-+]?\d+)?")
        a = [float(v) for v in number.findall(open(a_path).read())]
        b = [float(v) for v in number.findall(open(b_path).read())]
        if len(a) != len(b) or not close(a, b, rtol):
            sys.exit(f"numbers differ:\n{a}\n{b}")
        print(f"{len(a)} numbers match")


main()
