"""Writes small IDX files (plain and gzip) into the directory given as argv[1],
for the tests of read_idx and the data module."""
import gzip
import os
import struct
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

FORMATS = {0x08: "B", 0x09: "b", 0x0B: "h", 0x0C: "i", 0x0D: "f", 0x0E: "d"}


def idx(code, dims, values):
    head = bytes([0, 0, code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)
    return head + struct.pack(">%d%s" % (len(values), FORMATS[code]), *values)


def write(name, data, gz=False):
    if gz:
        with gzip.open(os.path.join(out, name), "wb") as f:
            f.write(data)
    else:
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


images = idx(0x08, [3, 2, 2], [0, 51, 102, 255, 1, 2, 3, 4, 255, 255, 0, 0])
labels = idx(0x08, [3], [7, 0, 9])
write("images.idx", images)
write("labels.idx", labels)
write("images.idx.gz", images, gz=True)
write("labels.idx.gz", labels, gz=True)
write("labels4.idx", idx(0x08, [4], [1, 2, 3, 4]))
write("i8.idx", idx(0x09, [4], [-128, -1, 0, 127]))
write("i16.idx", idx(0x0B, [2, 2], [-32768, -2, 300, 32767]))
write("i32.idx", idx(0x0C, [3], [-2147483648, 65536, 2147483647]))
write("f32.idx", idx(0x0D, [2], [0.5, -1.25]))
write("f64.idx.gz", idx(0x0E, [2], [1e-300, -3.5]), gz=True)
write("empty.idx", idx(0x08, [0, 5], []))
# Broken files.
write("truncated.idx", idx(0x08, [10], list(range(10)))[:-5])
write("truncated.idx.gz", idx(0x08, [10], list(range(10)))[:-5], gz=True)
write("truncated-header.idx", bytes([0, 0, 8, 3, 0, 0]))
# A gzip file whose header declares 20 GB of f64 (more than it can inflate to).
write("lying.idx.gz", bytes([0, 0, 0x0E, 2]) + struct.pack(">II", 50000, 50000), gz=True)
write("trailing.idx", idx(0x08, [2], [1, 2]) + b"\x00")
write("trailing.idx.gz", idx(0x08, [2], [1, 2]) + b"\x00", gz=True)
write("bad-magic.idx", bytes([1, 2, 8, 1, 0, 0, 0, 1, 5]))
write("bad-type.idx", bytes([0, 0, 7, 1, 0, 0, 0, 1, 5]))
write("no-dims.idx", bytes([0, 0, 8, 0]))
write("huge.idx", bytes([0, 0, 0x0E, 3]) + struct.pack(">III", 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF))
write("short.idx", bytes([0, 0]))
os.makedirs(os.path.join(out, "a-directory.idx"), exist_ok=True)
# A corrupt gzip stream (valid magic, garbage body).
write("corrupt.idx.gz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\xff" * 40)
