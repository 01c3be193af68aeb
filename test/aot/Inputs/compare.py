"""Compares the tensors of two safetensors files (same names and shapes,
values within a relative tolerance), or the numbers of two text files.
Standard library only."""
import json
import re
import struct
import sys

FORMATS = {"F32": "f", "F64": "d", "I32": "i", "I64": "q"}


def load(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        fmt = FORMATS[e["dtype"]]
        count = (end - b) // struct.calcsize(fmt)
        out[name] = (e["shape"], struct.unpack("<%d%s" % (count, fmt), data[8 + n + b:8 + n + end]))
    return out


def worst(a, b, rtol):
    """The largest difference beyond the tolerance, or None when all are within."""
    bad = [abs(x - y) for x, y in zip(a, b) if abs(x - y) > rtol * max(1.0, abs(y))]
    return max(bad) if bad else None


def main():
    rtol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-6
    a_path, b_path = sys.argv[1], sys.argv[2]
    if a_path.endswith(".safetensors"):
        a, b = load(a_path), load(b_path)
        if sorted(a) != sorted(b):
            sys.exit(f"different tensors: {sorted(a)} vs {sorted(b)}")
        for name in a:
            if a[name][0] != b[name][0]:
                sys.exit(f"`{name}` has shape {a[name][0]} vs {b[name][0]}")
            w = worst(a[name][1], b[name][1], rtol)
            if w is not None:
                sys.exit(f"`{name}` differs: max |a - b| = {w}")
        print(f"{len(a)} tensors match")
    else:
        number = re.compile(r"-?\d+\.?\d*(?:e[-+]?\d+)?")
        a = [float(v) for v in number.findall(open(a_path).read())]
        b = [float(v) for v in number.findall(open(b_path).read())]
        if len(a) != len(b) or worst(a, b, rtol) is not None:
            sys.exit(f"numbers differ:\n{a}\n{b}")
        print(f"{len(a)} numbers match")


main()
