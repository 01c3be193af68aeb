# Writes large safetensors headers into the directory argv[1]:
# many.safetensors, 200,000 f32[1] tensors `t0` ... `t199999` (14 MB);
# long-name.safetensors, one tensor with a 2 MB name and a bad dtype;
# long-token.safetensors, a header that breaks off in a 2 MB string.
import json, struct, sys

d = sys.argv[1]
count = 200000


def st(header_text, body):
    header_text += b" " * (-len(header_text) % 8)
    return struct.pack("<Q", len(header_text)) + header_text + body


many = {"t%d" % i: {"dtype": "F32", "shape": [1], "data_offsets": [4 * i, 4 * i + 4]} for i in range(count)}
files = {
    "many": st(json.dumps(many, separators=(",", ":")).encode(), b"\0" * (4 * count)),
    "long-name": st(json.dumps({"n" * 2000000: {"dtype": "U16", "shape": [1], "data_offsets": [0, 2]}}).encode(), b"\0" * 8),
    "long-token": st(b'{"' + b"s" * 2000000 + b'\x01": 1}', b""),
}
for name, data in files.items():
    open("%s/%s.safetensors" % (d, name), "wb").write(data)
