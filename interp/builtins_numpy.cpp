// NumPy's file formats: save_npy/load_npy for one tensor in a .npy file,
// save_npz/load_npz for several in a .npz archive (a zip of .npy files,
// stored or deflated, as np.savez and np.savez_compressed write them).
//
// Only C-order, little-endian arrays of the dtypes nnc has are read; bf16
// has no NumPy dtype. Files are written atomically and every read is
// validated: a corrupt file is an error naming the problem, never a crash.
#include <bit>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "interp/builtins.h"
#include "runtime/io/files.h"
#include "interp/interpreter.h"
#include "runtime/io/zip_archive.h"

namespace nnc {

static_assert(std::endian::native == std::endian::little, "file formats assume a little-endian host");

namespace {

// ---- The .npy format -----------------------------------------------------------

// A problem with .npy bytes; the message starts with the subject it was given.
struct NpyError {
    std::string message;
};

// The most of an .npz entry read for its .npy header before its declared
// size is trusted (NumPy itself reads no header over 10,000 bytes).
constexpr uint64_t kMaxNpyHeaderBytes = 1 << 16;

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

// The concrete tensor `v` (argument `arg`, or its element `element`), which
// NumPy can represent.
const Tensor& numpy_tensor(BuiltinArgs& a, std::string_view arg, const Value& v, std::optional<size_t> element = std::nullopt) {
    const std::string what = element ? "element " + std::to_string(*element) : "the tensor";
    if (!v.is<Tensor>()) a.fail(arg, "expected a tensor" + (element ? " as " + what : "") + ", got " + type_name(v));
    if (!npy_descr(v.as<Tensor>().dtype()))
        a.fail(arg, "NumPy has no bf16 dtype; convert " + what + " first with `cast(x, f32)`");
    return v.as<Tensor>();
}

// ---- Builtins --------------------------------------------------------------------

Value save_npy_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    if (in.mode() == Interpreter::Mode::Trace) throw TraceFailure{a.call_range(), "`save_npy` writes a file at every call"};
    if (in.mode() != Interpreter::Mode::Eager) return Value();
    const Tensor& t = numpy_tensor(a, "x", a.value("x"));
    std::string path = a.str("path");
    if (path.empty()) a.fail("path", "the path is empty");
    std::string error = write_file_atomically(path, encode_npy(t));
    if (!error.empty()) a.fail("path", error);
    return Value();
}

Value load_npy_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    if (in.mode() == Interpreter::Mode::Trace) throw TraceFailure{a.call_range(), "`load_npy` reads a file at every call"};
    if (in.mode() != Interpreter::Mode::Eager) throw UnknownArgument{};
    std::string path = a.str("path");
    std::string data, error;
    if (!read_whole_file(path, data, error)) a.fail("path", error);
    try {
        return Value(decode_npy(data, "`" + path + "`"));
    } catch (const NpyError& e) {
        a.fail("path", e.message);
    }
}

// save_npz(values, path, names = none): `values` a tuple or list of tensors,
// stored as `names[i]`.npy (NumPy's default names arr_0, arr_1, ... without).
Value save_npz_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    if (in.mode() == Interpreter::Mode::Trace) throw TraceFailure{a.call_range(), "`save_npz` writes a file at every call"};
    if (in.mode() != Interpreter::Mode::Eager) return Value();
    const std::vector<Value>* values = sequence_elements(a.value("values"));
    if (!values) a.fail("values", "expected a tuple or list of tensors, got " + type_name(a.value("values")));
    std::vector<std::string> names;
    if (a.is_none("names")) {
        for (size_t i = 0; i < values->size(); ++i) names.push_back("arr_" + std::to_string(i));
    } else {
        const std::vector<Value>* given = sequence_elements(a.value("names"));
        if (!given) a.fail("names", "expected a list of strings, got " + type_name(a.value("names")));
        if (given->size() != values->size())
            a.fail("names", "there are " + std::to_string(given->size()) + " names for " + std::to_string(values->size()) + " tensors");
        std::set<std::string> seen;
        for (const Value& n : *given) {
            if (!n.is<std::string>()) a.fail("names", "expected a list of strings, but it holds " + type_name(n));
            const std::string& s = n.as<std::string>();
            if (s.empty()) a.fail("names", "a name is empty");
            if (!seen.insert(s).second) a.fail("names", "the name `" + s + "` appears twice");
            names.push_back(s);
        }
    }
    std::string path = a.str("path");
    if (path.empty()) a.fail("path", "the path is empty");
    std::vector<std::string> files;
    for (size_t i = 0; i < values->size(); ++i)
        files.push_back(encode_npy(numpy_tensor(a, "values", (*values)[i], i)));
    std::vector<ZipMember> members;
    for (size_t i = 0; i < files.size(); ++i) members.push_back({names[i] + ".npy", files[i]});
    std::string archive;
    try {
        archive = write_zip(members);
    } catch (const ZipError& e) {
        a.fail("values", std::string("cannot write `") + path + "`: " + e.what());
    }
    std::string error = write_file_atomically(path, archive);
    if (!error.empty()) a.fail("path", error);
    return Value();
}

// load_npz(path, names = none): the archive's arrays in its order, or those
// `names` asks for (a string: that one tensor; a list: a tuple in its order).
Value load_npz_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    if (in.mode() == Interpreter::Mode::Trace) throw TraceFailure{a.call_range(), "`load_npz` reads a file at every call"};
    if (in.mode() != Interpreter::Mode::Eager) throw UnknownArgument{};
    const std::string path = a.str("path");
    std::vector<std::string> wanted;
    const bool single = a.value("names").is<std::string>();
    if (single) {
        wanted.push_back(a.str("names"));
    } else if (!a.is_none("names")) {
        const std::vector<Value>* given = sequence_elements(a.value("names"));
        if (!given) a.fail("names", "expected a string or a list of strings, got " + type_name(a.value("names")));
        for (const Value& n : *given) {
            if (!n.is<std::string>()) a.fail("names", "expected a list of strings, but it holds " + type_name(n));
            wanted.push_back(n.as<std::string>());
        }
    }
    std::string data, error;
    if (!read_whole_file(path, data, error)) a.fail("path", error);
    try {
        ZipReader zip(data);
        // An entry's array name: its file name without ".npy".
        auto array_name = [](const std::string& file) {
            return file.size() > 4 && file.ends_with(".npy") ? file.substr(0, file.size() - 4) : file;
        };
        std::vector<const ZipReader::Entry*> chosen;
        if (a.is_none("names")) {
            for (const auto& e : zip.entries()) chosen.push_back(&e);
        } else {
            for (const std::string& w : wanted) {
                const ZipReader::Entry* found = nullptr;
                for (const auto& e : zip.entries())
                    if (array_name(e.name) == w) found = &e;
                if (!found) {
                    std::string have;
                    for (const auto& e : zip.entries()) have += (have.empty() ? "`" : ", `") + array_name(e.name) + "`";
                    a.fail("names", "`" + path + "` holds no array `" + w + "` (it holds " + (have.empty() ? "none" : have) + ")");
                }
                chosen.push_back(found);
            }
        }
        std::vector<Value> out;
        std::string scratch;
        for (const ZipReader::Entry* e : chosen)
            out.push_back(Value(decode_npz_entry(zip, *e, scratch, "entry `" + e->name + "` of `" + path + "`")));
        if (single) return out[0];
        return make_tuple(std::move(out));
    } catch (const ZipError& e) {
        a.fail("path", "`" + path + "` is not a valid .npz file: " + e.what());
    } catch (const NpyError& e) {
        a.fail("path", e.message);
    }
}

const BuiltinSpec kNumpyBuiltins[] = {
    {"save_npy", "x, path", save_npy_builtin},
    {"load_npy", "path", load_npy_builtin},
    {"save_npz", "values, path, names = none", save_npz_builtin},
    {"load_npz", "path, names = none", load_npz_builtin},
};

}  // namespace

std::span<const BuiltinSpec> numpy_builtins() { return kNumpyBuiltins; }

}  // namespace nnc
