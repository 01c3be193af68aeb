# .npy files with only struct: `write PATH` writes an f32[2, 3] and an
# i64[4] file; `read PATH` prints the header dict and the values.
import ast, struct, sys

def write(path, descr, shape, raw, fortran=False):
    d = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, repr(tuple(shape)))
    d += " " * (-(10 + len(d) + 1) % 64) + "\n"
    open(path, "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(d)) + d.encode() + raw)

if sys.argv[1] == "write":
    write(sys.argv[2] + "/a.npy", "<f4", [2, 3], struct.pack("<6f", 1.5, 2, 3, 4, 5, 6))
    write(sys.argv[2] + "/b.npy", "<i8", [4], struct.pack("<4q", 1, -2, 3, 1 << 40))
    write(sys.argv[2] + "/fortran.npy", "<f4", [2, 2], struct.pack("<4f", 1, 2, 3, 4), fortran=True)
    write(sys.argv[2] + "/u16.npy", "<u2", [2], struct.pack("<2H", 1, 2))
    write(sys.argv[2] + "/short.npy", "<f4", [3], struct.pack("<2f", 1, 2))
else:
    data = open(sys.argv[2], "rb").read()
    assert data[:6] == b"\x93NUMPY" and data[6:8] == b"\x01\x00"
    (n,) = struct.unpack("<H", data[8:10])
    assert (10 + n) % 64 == 0, "header not 64-byte aligned"
    h = ast.literal_eval(data[10:10 + n].decode())
    fmt = {"<f4": "f", "<f8": "d", "<i4": "i", "<i8": "q", "|b1": "?", "|i1": "b", "<f2": "e"}[h["descr"]]
    count = 1
    for s in h["shape"]:
        count *= s
    print(h["descr"], h["fortran_order"], h["shape"], list(struct.unpack("<%d%s" % (count, fmt), data[10 + n:])))
