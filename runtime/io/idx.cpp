// Reading IDX files (see idx.h): the header first, checked against the
// file's size before anything is allocated, then the data in chunks,
// big-endian elements converted to the tensor's dtype.
#include "runtime/io/idx.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "runtime/io/files.h"

namespace nnc {

namespace {

struct GzCloser {
    void operator()(gzFile f) const {
        if (f) gzclose(f);
    }
};
using GzHandle = std::unique_ptr<gzFile_s, GzCloser>;

struct IdxType {
    DType dtype;
    int size;   // bytes per element in the file
    const char* name;
};

std::optional<IdxType> idx_type(unsigned code) {
    switch (code) {
    case 0x08: return IdxType{DType::I32, 1, "unsigned byte"};
    case 0x09: return IdxType{DType::I8, 1, "signed byte"};
    case 0x0B: return IdxType{DType::I32, 2, "short"};
    case 0x0C: return IdxType{DType::I32, 4, "int"};
    case 0x0D: return IdxType{DType::F32, 4, "float"};
    case 0x0E: return IdxType{DType::F64, 8, "double"};
    default: return std::nullopt;
    }
}

// Reads up to n bytes; returns the count read, or -1 on a read error.
int64_t read_some(gzFile f, unsigned char* out, int64_t n) {
    int64_t total = 0;
    while (total < n) {
        unsigned chunk = static_cast<unsigned>(std::min<int64_t>(n - total, 1 << 30));
        int got = gzread(f, out + total, chunk);
        if (got < 0) return -1;
        if (got == 0) break;
        total += got;
    }
    return total;
}

// zlib's message for the last error, without the "path: " it starts with.
std::string gz_error(gzFile f, const std::string& path) {
    int code = 0;
    const char* msg = gzerror(f, &code);
    if (code == Z_ERRNO) return std::strerror(errno);
    std::string m = msg && *msg ? msg : "read error";
    if (m.rfind(path + ": ", 0) == 0) m.erase(0, path.size() + 2);
    return "corrupt gzip data (" + m + ")";
}

uint64_t physical_memory() {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return UINT64_MAX;
    return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page);
}

}  // namespace

IdxFile read_idx(const std::string& path, bool header_only) {
    auto fail = [&](const std::string& what, bool unreadable = false) {
        throw IdxError{"cannot read IDX file `" + path + "`: " + what, unreadable};
    };
    if (!is_regular_file(path)) {
        struct stat st;
        if (::stat(path.c_str(), &st) != 0) fail(std::strerror(errno), true);
        fail("not a regular file", true);
    }
    GzHandle file(gzopen(path.c_str(), "rb"));
    if (!file) fail(std::strerror(errno ? errno : ENOENT), true);
    gzbuffer(file.get(), 1 << 20);

    unsigned char magic[4];
    int64_t got = read_some(file.get(), magic, 4);
    if (got < 0) fail(gz_error(file.get(), path));
    if (got < 4) fail("truncated: the file is shorter than the 4-byte magic number");
    if (magic[0] != 0 || magic[1] != 0) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "wrong magic number %02x %02x %02x %02x (expected 00 00 <type> <rank>)",
                      magic[0], magic[1], magic[2], magic[3]);
        fail(buf);
    }
    auto type = idx_type(magic[2]);
    if (!type) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "unsupported element type 0x%02x (expected 08, 09, 0B, 0C, 0D or 0E)", magic[2]);
        fail(buf);
    }
    int rank = magic[3];
    if (rank == 0) fail("the header declares no dimensions");
    std::vector<unsigned char> header(4 * static_cast<size_t>(rank));
    got = read_some(file.get(), header.data(), static_cast<int64_t>(header.size()));
    if (got < 0) fail(gz_error(file.get(), path));
    if (got < static_cast<int64_t>(header.size()))
        fail("truncated: the header declares " + std::to_string(rank) + " dimensions but the file ends inside it");
    Shape shape;
    uint64_t numel = 1;
    bool overflow = false;
    for (int i = 0; i < rank; ++i) {
        const unsigned char* p = &header[4 * i];
        uint64_t d = (uint64_t(p[0]) << 24) | (uint64_t(p[1]) << 16) | (uint64_t(p[2]) << 8) | uint64_t(p[3]);
        shape.push_back(static_cast<int64_t>(d));
        if (d != 0 && numel > (uint64_t(1) << 62) / d) overflow = true;
        numel *= d;
    }
    if (overflow || numel * uint64_t(type->size) > physical_memory() ||
        numel * uint64_t(dtype_size(type->dtype)) > physical_memory())
        fail("too large for memory: the header declares shape " + shape_str(shape));
    const uint64_t data_bytes = numel * uint64_t(type->size);
    // A plain file's size is known: report truncation before allocating.
    // A gzip file inflates to at most kMaxDeflateRatio times its size, so a
    // header declaring more is a lie found before allocating too.
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) {
        if (!gzdirect(file.get())) {
            constexpr uint64_t kMaxDeflateRatio = 1032;   // deflate's limit: 258 bytes per 2-bit code
            const uint64_t at_most = kMaxDeflateRatio * uint64_t(st.st_size);
            if (data_bytes > at_most)
                fail("truncated: the header declares shape " + shape_str(shape) + " (" + std::to_string(data_bytes) +
                     " bytes of data) but a gzip file of " + std::to_string(st.st_size) + " bytes inflates to at most " +
                     std::to_string(at_most));
        } else {
            const uint64_t expected = 4 + header.size() + data_bytes;
            if (uint64_t(st.st_size) < expected)
                fail("truncated: the header declares shape " + shape_str(shape) + " (" + std::to_string(expected) +
                     " bytes) but the file has " + std::to_string(st.st_size) + " bytes");
            if (uint64_t(st.st_size) > expected)
                fail("the header declares shape " + shape_str(shape) + " (" + std::to_string(expected) +
                     " bytes) but the file has " + std::to_string(st.st_size) + " bytes (trailing data)");
        }
    }
    if (header_only) return {type->dtype, shape, Tensor()};

    Tensor t;
    try {
        t = Tensor::empty(type->dtype, shape);
    } catch (const RuntimeError& e) {
        fail(std::string("too large for memory: ") + e.what());
    }
    // Read in chunks, converting big-endian file elements to the tensor's dtype.
    const int64_t esize = type->size;
    const int64_t chunk_elems = std::max<int64_t>(1, (int64_t(1) << 22) / esize);
    std::vector<unsigned char> buf(static_cast<size_t>(std::min<int64_t>(int64_t(numel), chunk_elems) * esize));
    int64_t done = 0;
    while (done < int64_t(numel)) {
        int64_t n = std::min<int64_t>(int64_t(numel) - done, chunk_elems);
        int64_t r = read_some(file.get(), buf.data(), n * esize);
        if (r < 0) fail(gz_error(file.get(), path));
        if (r < n * esize)
            fail("truncated: the header declares shape " + shape_str(shape) + " (" + std::to_string(data_bytes) +
                 " data bytes) but the data ends after " + std::to_string(done * esize + r) + " bytes");
        const unsigned char* p = buf.data();
        switch (magic[2]) {
        case 0x08: {
            int32_t* out = t.data<int32_t>() + done;
            for (int64_t i = 0; i < n; ++i) out[i] = p[i];
            break;
        }
        case 0x09: {
            int8_t* out = t.data<int8_t>() + done;
            for (int64_t i = 0; i < n; ++i) out[i] = static_cast<int8_t>(p[i]);
            break;
        }
        case 0x0B: {
            int32_t* out = t.data<int32_t>() + done;
            for (int64_t i = 0; i < n; ++i) out[i] = static_cast<int16_t>(uint16_t((p[2 * i] << 8) | p[2 * i + 1]));
            break;
        }
        case 0x0C:
        case 0x0D: {
            uint32_t* out = static_cast<uint32_t*>(t.raw()) + done;
            for (int64_t i = 0; i < n; ++i) {
                const unsigned char* q = p + 4 * i;
                out[i] = (uint32_t(q[0]) << 24) | (uint32_t(q[1]) << 16) | (uint32_t(q[2]) << 8) | uint32_t(q[3]);
            }
            break;
        }
        case 0x0E: {
            uint64_t* out = static_cast<uint64_t*>(t.raw()) + done;
            for (int64_t i = 0; i < n; ++i) {
                uint64_t v = 0;
                for (int k = 0; k < 8; ++k) v = (v << 8) | p[8 * i + k];
                out[i] = v;
            }
            break;
        }
        }
        done += n;
    }
    unsigned char extra;
    int64_t more = read_some(file.get(), &extra, 1);
    if (more < 0) fail(gz_error(file.get(), path));
    if (more > 0)
        fail("the header declares shape " + shape_str(shape) + " (" + std::to_string(data_bytes) +
             " data bytes) but the file holds more data (trailing bytes)");
    return {type->dtype, shape, t};
}


}  // namespace nnc
