# Writes a safetensors file with only struct/json, the way other tools do
# (keys sorted, header padded with spaces to 8 bytes).
import json, struct, sys

tensors = {
    "fc.w": ("F32", [2, 3], struct.pack("<6f", 1, 2, 3, 4, 5, 6)),
    "fc.b": ("F32", [3], struct.pack("<3f", 0.5, -0.5, 0.25)),
    "steps": ("I64", [], struct.pack("<q", 7)),
}
header, body = {}, b""
for name in sorted(tensors):
    dtype, shape, raw = tensors[name]
    header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(body), len(body) + len(raw)]}
    body += raw
header["__metadata__"] = {"format": "pt"}
text = json.dumps(header).encode()
text += b" " * (-len(text) % 8)
open(sys.argv[1], "wb").write(struct.pack("<Q", len(text)) + text + body)
