# .npz archives with only the standard library (zipfile and struct), written
# the way np.savez does (each member opened with force_zip64=True):
#   write DIR   good archives (stored, deflated, positional names) and
#               damaged ones for the error tests
#   read FILE   prints each member's name, dtype, shape and values
import struct, sys, zipfile, zlib

FORMATS = {"<f4": "f", "<f8": "d", "<i4": "i", "<i8": "q", "|b1": "?", "|i1": "b", "<f2": "e"}

def npy(descr, shape, values):
    d = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, repr(tuple(shape)))
    d += " " * (-(10 + len(d) + 1) % 64) + "\n"
    raw = struct.pack("<%d%s" % (len(values), FORMATS[descr]), *values)
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(d)) + d.encode() + raw

def savez(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as z:
        for name, data in members:
            with z.open(name, "w", force_zip64=True) as f:
                f.write(data)

X = npy("<f4", [2, 3], [1.5, 2, 3, 4, 5, 6])
Y = npy("<i8", [3], [1, -2, 1 << 40])

def write(d):
    savez(d + "/stored.npz", [("x.npy", X), ("y.npy", Y)])
    savez(d + "/deflated.npz", [("x.npy", X), ("y.npy", Y)], zipfile.ZIP_DEFLATED)
    savez(d + "/positional.npz", [("arr_0.npy", npy("|b1", [2], [True, False])), ("arr_1.npy", npy("<f8", [], [2.5]))])
    savez(d + "/not-npy.npz", [("x.npy", b"hello")])
    savez(d + "/bzip2.npz", [("x.npy", X)], zipfile.ZIP_BZIP2)
    good = open(d + "/stored.npz", "rb").read()
    deflated = open(d + "/deflated.npz", "rb").read()
    open(d + "/empty.npz", "wb").write(b"")
    open(d + "/magic.npz", "wb").write(b"\x93NUMPY not a zip archive")
    open(d + "/truncated.npz", "wb").write(good[: len(good) // 2])
    open(d + "/no-end.npz", "wb").write(good[:-10])
    # a flipped byte in x's data (stored): the CRC no longer matches
    at = good.index(b"\x93NUMPY") + 130
    open(d + "/crc.npz", "wb").write(good[:at] + bytes([good[at] ^ 0xFF]) + good[at + 1:])
    # garbage instead of y's deflate stream (same length, so the directory still fits)
    (offset,) = struct.unpack("<I", deflated[-6:-2])
    local = deflated.rindex(b"PK\x03\x04", 0, offset)
    name_len, extra_len = struct.unpack("<HH", deflated[local + 26:local + 30])
    start = local + 30 + name_len + extra_len
    open(d + "/bad-deflate.npz", "wb").write(deflated[:start] + b"\xff" * 8 + deflated[start + 8:])
    # a central directory pointing past the end of the archive
    cd_offset = struct.unpack("<I", good[-6:-2])[0]
    open(d + "/bad-directory.npz", "wb").write(good[:-6] + struct.pack("<I", cd_offset + 1000) + good[-2:])
    # the local header of x damaged
    open(d + "/bad-local.npz", "wb").write(b"PK\x03\x04" + b"\x00" * 2 + good[6:30] + b"\xff\xff" + good[32:])
    # y's central entry claims 2**31 - 1 uncompressed bytes from a few compressed ones
    cd = deflated.rindex(b"PK\x01\x02")
    open(d + "/bomb.npz", "wb").write(deflated[:cd + 24] + b"\xff\xff\xff\x7f" + deflated[cd + 28:])

def zip_one(name, method, packed, crc, size, stored_size=None):
    """A one-member archive declaring the sizes given, whatever its data."""
    name = name.encode()
    stored_size = len(packed) if stored_size is None else stored_size
    fields = struct.pack("<HHHHHIIIHH", 20, 0, method, 0, 0x21, crc, stored_size, size, len(name), 0)
    local = b"PK\x03\x04" + fields + name + packed
    central = b"PK\x01\x02" + struct.pack("<H", 20) + fields + struct.pack("<HHHII", 0, 0, 0, 0, 0) + name
    return local + central + b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 1, 1, len(central), len(local), 0)

def deflate_raw(data):
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    return z.compress(data) + z.flush()

def write_lying(d):
    # x.npy deflated, declaring 4 GB uncompressed; 4 MB of padding after the
    # deflate stream make the claim plausible for its compressed size
    padding = b"\0" * 4000000
    open(d + "/lying-deflated.npz", "wb").write(zip_one("x.npy", 8, deflate_raw(X) + padding, zlib.crc32(X), 4000000000))
    # a stored x.npy declaring 4 GB, more than the whole archive
    open(d + "/lying-stored.npz", "wb").write(zip_one("x.npy", 0, X, zlib.crc32(X), 4000000000, stored_size=4000000000))
    # an .npy header that truly describes 4 GB (f4 of 10^9), declared as
    # such, but deflate data that ends after 1 KB of it
    big = npy("<f4", [1000000000], [])
    truncated = big + b"\0" * 1024
    open(d + "/short-deflated.npz", "wb").write(
        zip_one("x.npy", 8, deflate_raw(truncated) + padding, zlib.crc32(truncated), len(big) + 4000000000))

def read(path):
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            data = z.read(info)
            (n,) = struct.unpack("<H", data[8:10])
            h = eval(data[10:10 + n].decode())
            count = 1
            for s in h["shape"]:
                count *= s
            values = struct.unpack("<%d%s" % (count, FORMATS[h["descr"]]), data[10 + n:])
            print(info.filename, info.compress_type, h["descr"], h["shape"], list(values))

if sys.argv[1] == "write":
    write(sys.argv[2])
    write_lying(sys.argv[2])
else:
    read(sys.argv[2])
