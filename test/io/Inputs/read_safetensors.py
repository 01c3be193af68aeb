# Parses a safetensors file with only struct/json and prints each tensor:
# name, dtype, shape and its values (floats rounded), in file order.
import json, struct, sys

FORMATS = {"BOOL": "?", "I8": "b", "I32": "i", "I64": "q", "F16": "e", "F32": "f", "F64": "d"}
SIZES = {"BOOL": 1, "I8": 1, "I32": 4, "I64": 8, "F16": 2, "BF16": 2, "F32": 4, "F64": 8}

data = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", data[:8])
header = json.loads(data[8:8 + n])
body = data[8 + n:]
print("metadata", header.pop("__metadata__", None))
for name, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
    b, end = e["data_offsets"]
    raw = body[b:end]
    count = len(raw) // SIZES[e["dtype"]]
    if e["dtype"] == "BF16":
        vals = [struct.unpack("<f", b"\0\0" + raw[2 * i:2 * i + 2])[0] for i in range(count)]
    else:
        vals = list(struct.unpack("<%d%s" % (count, FORMATS[e["dtype"]]), raw))
    vals = [round(v, 4) if isinstance(v, float) else v for v in vals]
    print(name, e["dtype"], e["shape"], vals)
