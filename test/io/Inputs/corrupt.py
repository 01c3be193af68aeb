# Writes damaged safetensors files into the directory argv[1].
import json, struct, sys

d = sys.argv[1]

def st(header, body, length=None):
    text = json.dumps(header).encode() if isinstance(header, dict) else header
    return struct.pack("<Q", len(text) if length is None else length) + text + body

good = {"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
files = {
    "empty": b"",
    "short": b"\x01\x02\x03",
    "truncated": st(good, b"\0\0\0\0"),
    "huge-length": st(good, b"\0" * 8, length=1 << 62),
    "bad-json": st(b'{"x": {"dtype": "F32", "shape": [2], ', b"\0" * 8),
    "not-object": st(b"[1, 2, 3]", b""),
    "out-of-range": st({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 800]}}, b"\0" * 8),
    "reversed": st({"x": {"dtype": "F32", "shape": [0], "data_offsets": [8, 0]}}, b"\0" * 8),
    "overlap": st({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                   "y": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, b"\0" * 8),
    "bad-dtype": st({"x": {"dtype": "U16", "shape": [4], "data_offsets": [0, 8]}}, b"\0" * 8),
    "size-mismatch": st({"x": {"dtype": "F64", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 8),
    "neg-shape": st({"x": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}, b"\0" * 8),
    "overflow": st({"x": {"dtype": "F32", "shape": [1 << 40, 1 << 40], "data_offsets": [0, 8]}}, b"\0" * 8),
    "no-dtype": st({"x": {"shape": [2], "data_offsets": [0, 8]}}, b"\0" * 8),
    "duplicate": st(b'{"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, '
                    b'"x": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}', b"\0" * 8),
}
for name, data in files.items():
    open("%s/%s.safetensors" % (d, name), "wb").write(data)
