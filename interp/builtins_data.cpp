// Data-loading builtins, the primitives the `data` module is written with:
//   read_idx(path)              an IDX file (gzip-compressed or plain) as a tensor
//   read_csv(path, label_column = none, header = none)
//                               a CSV file of numbers as f32 features (and i32 labels)
//   permutation(n, seed = none) a random permutation of 0..n-1 (i32)
//   file_exists(path)           whether a regular file can be opened for reading
//
// IDX element types map to tensor dtypes: 0x08 (u8) and 0x0B (i16) → i32,
// 0x09 (i8) → i8, 0x0C (i32) → i32, 0x0D (f32) → f32, 0x0E (f64) → f64.
// While checking (abstract mode) read_idx reads only the header and
// read_csv nothing.
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "interp/builtins.h"
#include "runtime/io/csv.h"
#include "runtime/io/files.h"
#include "interp/interpreter.h"
#include "interp/objects.h"
#include "runtime/tensor.h"

namespace nnc {

namespace {

struct GzCloser {
    void operator()(gzFile f) const {
        if (f) gzclose(f);
    }
};
using GzHandle = std::unique_ptr<gzFile_s, GzCloser>;

bool is_regular_file(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

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

Value read_idx_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    if (in.mode() == Interpreter::Mode::Trace) throw TraceFailure{a.call_range(), "`read_idx` reads a file at every call"};
    if (a.value("path").is_unknown()) throw UnknownArgument{};
    const std::string path = a.str("path");
    const bool eager = in.mode() == Interpreter::Mode::Eager;
    auto fail = [&](const std::string& what) { a.fail("path", "cannot read IDX file `" + path + "`: " + what); };

    if (!is_regular_file(path)) {
        if (!eager) throw UnknownArgument{};
        struct stat st;
        if (::stat(path.c_str(), &st) != 0) fail(std::strerror(errno));
        fail("not a regular file");
    }
    GzHandle file(gzopen(path.c_str(), "rb"));
    if (!file) {
        if (!eager) throw UnknownArgument{};
        fail(std::strerror(errno ? errno : ENOENT));
    }
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
    if (!eager) return Value(AbstractTensor{TensorType::of(type->dtype, shape)});

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
    return Value(t);
}

// read_csv: every column but `label_column` becomes an f32 feature column
// (f32[rows, columns]); with a label column (an index, negative from the
// end, or a header name) the result is (features, labels: i32[rows]).
Value read_csv_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    if (in.mode() == Interpreter::Mode::Trace) throw TraceFailure{a.call_range(), "`read_csv` reads a file at every call"};
    if (in.mode() != Interpreter::Mode::Eager) throw UnknownArgument{};
    const std::string path = a.str("path");
    std::optional<bool> header;
    if (!a.is_none("header")) header = a.boolean("header");
    const Value& label = a.value("label_column");
    if (!label.is_none() && !label.is<int64_t>() && !label.is<std::string>())
        a.fail("label_column", "expected a column index (int) or name (str), got " + type_name(label));
    std::string text, error;
    if (!read_whole_file(path, text, error)) a.fail("path", error);
    // "data.csv:3:7: message", or "data.csv: message" for the whole file.
    auto located = [&](const CsvError& e) {
        std::string at = path;
        if (e.line) at += ":" + std::to_string(e.line) + (e.column ? ":" + std::to_string(e.column) : "");
        return at + ": " + e.what();
    };
    CsvTable table;
    try {
        table = split_csv(text, header);
    } catch (const CsvError& e) {
        a.fail("path", located(e));
    }
    const int64_t columns = table.columns, rows = table.rows();
    auto column_name = [&](int64_t c) {
        return "column " + std::to_string(c + 1) + (table.header.empty() ? "" : ", `" + table.header[size_t(c)] + "`");
    };
    std::optional<int64_t> label_index;
    if (label.is<int64_t>()) {
        int64_t k = label.as<int64_t>();
        if (k < -columns || k >= columns)
            a.fail("label_column", "column " + std::to_string(k) + " is out of range: `" + path + "` has " + std::to_string(columns) +
                                       " columns");
        label_index = k < 0 ? k + columns : k;
    } else if (label.is<std::string>()) {
        const std::string& name = label.as<std::string>();
        if (table.header.empty())
            a.fail("label_column", "`" + path + "` has no header line to find column `" + name + "` in; pass the column's index");
        for (size_t c = 0; c < table.header.size(); ++c)
            if (table.header[c] == name) label_index = int64_t(c);
        if (!label_index) {
            std::string names;
            for (const std::string& h : table.header) names += (names.empty() ? "`" : ", `") + h + "`";
            a.fail("label_column", "`" + path + "` has no column `" + name + "` (its columns: " + names + ")");
        }
    }
    if (label_index && columns == 1) a.fail("label_column", "the label column is the only column of `" + path + "`");
    const int64_t features = columns - (label_index ? 1 : 0);
    Tensor x = Tensor::empty(DType::F32, {rows, features});
    Tensor y = Tensor::empty(DType::I32, {label_index ? rows : 0});
    float* xp = x.data<float>();
    int32_t* yp = y.data<int32_t>();
    int64_t c = 0;
    try {
        for (int64_t r = 0; r < rows; ++r) {
            for (c = 0; c < columns; ++c) {
                const CsvField& f = table.fields[size_t(r * columns + c)];
                if (c == label_index) {
                    int64_t v = csv_integer(f);
                    if (v < INT32_MIN || v > INT32_MAX) throw CsvError(f.line, f.column, "the label " + std::to_string(v) + " is outside the i32 range");
                    yp[r] = int32_t(v);
                } else {
                    *xp++ = csv_float(f);
                }
            }
        }
    } catch (const CsvError& e) {
        a.fail("path", located(e) + " (" + column_name(c) + ")");
    }
    if (!label_index) return Value(x);
    return make_tuple({Value(x), Value(y)});
}

// SplitMix64: a small, well-mixed generator; the permutation depends only on
// the seed and n.
struct SplitMix64 {
    uint64_t state;
    uint64_t next() {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, bound), without modulo bias (Lemire's method).
    uint64_t below(uint64_t bound) {
        __uint128_t m = __uint128_t(next()) * bound;
        uint64_t low = uint64_t(m);
        if (low < bound) {
            uint64_t threshold = -bound % bound;
            while (low < threshold) {
                m = __uint128_t(next()) * bound;
                low = uint64_t(m);
            }
        }
        return uint64_t(m >> 64);
    }
};

Value permutation_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    if (in.mode() == Interpreter::Mode::Trace)
        throw TraceFailure{a.call_range(), "`permutation` is computed on the host at every call"};
    int64_t n = a.integer("n");
    if (n < 0) a.fail("n", "the size must be non-negative, got " + std::to_string(n));
    if (n > INT32_MAX) a.fail("n", "the size must fit an i32 index, got " + std::to_string(n));
    int64_t seed = a.is_none("seed") ? static_cast<int64_t>(in.next_host_seed(a.call_range())) : a.integer("seed");
    if (in.mode() != Interpreter::Mode::Eager) return Value(AbstractTensor{TensorType::of(DType::I32, {n})});
    Tensor t;
    try {
        t = Tensor::empty(DType::I32, {n});
    } catch (const RuntimeError& e) {
        a.fail("n", e.what());
    }
    int32_t* p = t.data<int32_t>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<int32_t>(i);
    SplitMix64 rng{static_cast<uint64_t>(seed) * 0xD1B54A32D192ED03ull + 0x5851F42D4C957F2Dull};
    for (int64_t i = n - 1; i > 0; --i) std::swap(p[i], p[rng.below(uint64_t(i) + 1)]);
    return Value(t);
}

// While checking, a missing file is not an error yet (it may exist when the
// program runs): the answer is then unknown.
Value file_exists_builtin(BuiltinArgs& a) {
    if (a.value("path").is_unknown()) throw UnknownArgument{};
    if (a.interp().mode() == Interpreter::Mode::Trace)
        throw TraceFailure{a.call_range(), "`file_exists` looks at the file system at every call"};
    std::string path = a.str("path");
    bool ok = is_regular_file(path) && ::access(path.c_str(), R_OK) == 0;
    if (!ok && a.interp().mode() != Interpreter::Mode::Eager) throw UnknownArgument{};
    return Value(ok);
}

const BuiltinSpec kDataBuiltins[] = {
    {"read_idx", "path", read_idx_builtin},
    {"read_csv", "path, label_column = none, header = none", read_csv_builtin},
    {"permutation", "n, seed = none", permutation_builtin},
    {"file_exists", "path", file_exists_builtin},
};

}  // namespace

std::span<const BuiltinSpec> data_builtins() { return kDataBuiltins; }

}  // namespace nnc
