// The .npy format (npy.h).
#include "runtime/io/npy.h"

#include <bit>
#include <cstring>
#include <optional>
#include <set>

namespace nnc {

static_assert(std::endian::native == std::endian::little, "file formats assume a little-endian host");

namespace {

// The most of an .npz entry read for its .npy header before its declared
// size is trusted (NumPy itself reads no header over 10,000 bytes).
constexpr uint64_t kMaxNpyHeaderBytes = 1 << 16;

// A minimal reader of the header dict: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
struct NpyHeaderParser {
    std::string_view s;
    size_t i = 0;
    void ws() {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    }
    bool eat(char c) {
        ws();
        if (i < s.size() && s[i] == c) {
            ++i;
            return true;
        }
        return false;
    }
    bool string(std::string& out) {
        ws();
        if (i >= s.size() || (s[i] != '\'' && s[i] != '"')) return false;
        char q = s[i++];
        size_t start = i;
        while (i < s.size() && s[i] != q) ++i;
        if (i >= s.size()) return false;
        out = s.substr(start, i - start);
        ++i;
        return true;
    }
    bool word(std::string_view w) {
        ws();
        if (s.substr(i, w.size()) != w) return false;
        i += w.size();
        return true;
    }
};

// What a .npy header describes.
struct NpyLayout {
    std::string descr;
    DType dtype;
    Shape shape;
    uint64_t data_offset;   // where the data starts, after the header
    uint64_t data_bytes;    // what the dtype and shape need
};

// The layout a .npy file of `file_size` bytes declares in its header, read
// from `head`, the file's first bytes (the header at least); throws
// NpyError whose message begins with `subject` ("`a.npy`").
NpyLayout parse_npy_header(std::string_view head, uint64_t file_size, const std::string& subject) {
    auto bad = [&](const std::string& why) -> void { throw NpyError{subject + " is not a valid .npy file: " + why}; };
    if (head.size() < 10 || head.substr(0, 6) != "\x93NUMPY") bad("it does not start with the .npy magic string");
    int major = uint8_t(head[6]);
    size_t hlen = 0, hstart = 0;
    if (major == 1) {
        hlen = uint8_t(head[8]) | (size_t(uint8_t(head[9])) << 8);
        hstart = 10;
    } else if (major == 2 || major == 3) {
        if (head.size() < 12) bad("the header is truncated");
        hlen = uint8_t(head[8]) | (size_t(uint8_t(head[9])) << 8) | (size_t(uint8_t(head[10])) << 16) | (size_t(uint8_t(head[11])) << 24);
        hstart = 12;
    } else {
        bad("unsupported format version " + std::to_string(major));
    }
    if (hlen > file_size - hstart) bad("the header length " + std::to_string(hlen) + " exceeds the file size");
    if (hlen > head.size() - hstart)
        bad("the header is " + std::to_string(hlen) + " bytes, more than the " + std::to_string(head.size() - hstart) + " nnc reads");
    std::string_view header = head.substr(hstart, hlen);
    NpyHeaderParser p{header};
    std::string descr;
    std::optional<bool> fortran;
    std::optional<Shape> shape;
    if (!p.eat('{')) bad("the header is not a dict");
    while (!p.eat('}')) {
        std::string key;
        if (!p.string(key) || !p.eat(':')) bad("the header dict is malformed");
        if (key == "descr") {
            if (!p.string(descr)) bad("`descr` is not a string");
        } else if (key == "fortran_order") {
            if (p.word("True")) fortran = true;
            else if (p.word("False")) fortran = false;
            else bad("`fortran_order` is not True or False");
        } else if (key == "shape") {
            if (!p.eat('(')) bad("`shape` is not a tuple");
            Shape sh;
            while (!p.eat(')')) {
                p.ws();
                size_t start = p.i;
                while (p.i < header.size() && header[p.i] >= '0' && header[p.i] <= '9') ++p.i;
                if (p.i == start || p.i - start > 18) bad("`shape` holds something other than sizes");
                sh.push_back(std::stoll(std::string(header.substr(start, p.i - start))));
                if (!p.eat(',') && !(p.ws(), p.i < header.size() && header[p.i] == ')')) bad("`shape` is malformed");
            }
            shape = std::move(sh);
        } else {
            bad("unexpected key `" + key + "` in the header");
        }
        if (!p.eat(',') && !(p.ws(), p.i < header.size() && header[p.i] == '}')) bad("the header dict is malformed");
    }
    if (descr.empty() || !fortran || !shape) bad("the header lacks `descr`, `fortran_order` or `shape`");
    if (*fortran) throw NpyError{subject + " is in Fortran (column-major) order; only C order is supported"};
    std::optional<DType> dtype;
    for (DType t : {DType::Bool, DType::I8, DType::I32, DType::I64, DType::F16, DType::F32, DType::F64}) {
        std::string d = npy_descr(t);
        if (descr == d || (d[0] == '<' && descr == "=" + d.substr(1)) || (d[0] == '|' && descr == d.substr(1)) ||
            (d[0] == '|' && descr == "<" + d.substr(1)))
            dtype = t;
    }
    if (!dtype) {
        std::string why = descr.size() > 1 && descr[0] == '>' ? " (big-endian data is not supported)" : "";
        throw NpyError{subject + " has NumPy dtype `" + descr + "`" + why + "; supported: |b1, |i1, <i4, <i8, <f2, <f4, <f8"};
    }
    int64_t numel = 0;
    try {
        numel = checked_numel(*shape);
    } catch (const RuntimeError&) {
        bad("the shape " + shape_str(*shape) + " overflows");
    }
    uint64_t want = uint64_t(numel) * uint64_t(dtype_size(*dtype));
    if (numel != 0 && want / uint64_t(numel) != uint64_t(dtype_size(*dtype))) bad("the shape is too large");
    return {descr, *dtype, *shape, hstart + hlen, want};
}

}  // namespace

const char* npy_descr(DType t) {
    switch (t) {
    case DType::Bool: return "|b1";
    case DType::I8: return "|i1";
    case DType::I32: return "<i4";
    case DType::I64: return "<i8";
    case DType::F16: return "<f2";
    case DType::F32: return "<f4";
    case DType::F64: return "<f8";
    case DType::BF16: return nullptr;
    }
    return nullptr;
}

// Version 1.0 .npy bytes of `t` (which must not be bf16).
std::string encode_npy(const Tensor& t) {
    std::string shape = "(";
    for (size_t i = 0; i < t.shape().size(); ++i)
        shape += std::to_string(t.shape()[i]) + (t.shape().size() == 1 ? "," : i + 1 < t.shape().size() ? ", " : "");
    shape += ")";
    std::string dict = std::string("{'descr': '") + npy_descr(t.dtype()) + "', 'fortran_order': False, 'shape': " + shape + ", }";
    size_t total = 10 + dict.size() + 1;
    dict.append((64 - total % 64) % 64, ' ');
    dict.push_back('\n');
    std::string bytes = "\x93NUMPY";
    bytes.push_back(1);
    bytes.push_back(0);
    bytes.push_back(char(dict.size() & 0xff));
    bytes.push_back(char(dict.size() >> 8));
    bytes += dict;
    bytes.append(static_cast<const char*>(t.raw()), size_t(t.nbytes()));
    return bytes;
}

// The tensor held by .npy bytes; throws NpyError whose message begins with
// `subject` ("`a.npy`").
Tensor decode_npy(std::string_view data, const std::string& subject) {
    const NpyLayout layout = parse_npy_header(data, data.size(), subject);
    const uint64_t have = data.size() - layout.data_offset;
    if (have != layout.data_bytes)
        throw NpyError{subject + " is not a valid .npy file: it holds " + std::to_string(have) + " data bytes, but " + layout.descr + " " +
                       shape_str(layout.shape) + " needs " + std::to_string(layout.data_bytes)};
    Tensor t;
    try {
        t = Tensor::empty(layout.dtype, layout.shape);
    } catch (const RuntimeError& err) {
        throw NpyError{subject + ": " + err.what()};
    }
    if (have) std::memcpy(t.raw(), data.data() + layout.data_offset, have);
    if (layout.dtype == DType::Bool) {
        auto* q = static_cast<uint8_t*>(t.raw());
        for (int64_t i = 0; i < t.numel(); ++i) q[i] = q[i] != 0;
    }
    return t;
}

// The tensor of an .npz entry. Its .npy header is read first and must
// describe the size the archive declares, so that a lying size is an error
// before anything of that size is inflated.
Tensor decode_npz_entry(const ZipReader& zip, const ZipReader::Entry& e, std::string& scratch, const std::string& subject) {
    const NpyLayout layout = parse_npy_header(zip.head(e, kMaxNpyHeaderBytes), e.size, subject);
    if (e.size - layout.data_offset != layout.data_bytes)
        throw NpyError{subject + " declares " + std::to_string(e.size) + " bytes in the archive, but its .npy header describes " +
                       layout.descr + " " + shape_str(layout.shape) + ", " + std::to_string(layout.data_offset + layout.data_bytes) +
                       " bytes"};
    return decode_npy(zip.contents(e, scratch), subject);
}

}  // namespace nnc
