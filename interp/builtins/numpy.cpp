// NumPy's file formats: save_npy/load_npy for one tensor in a .npy file,
// save_npz/load_npz for several in a .npz archive (a zip of .npy files,
// stored or deflated, as np.savez and np.savez_compressed write them).
//
// The formats themselves are runtime/io/npy.h and zip_archive.h. Files are
// written atomically and every read is validated: a corrupt file is an
// error naming the problem, never a crash.
#include <bit>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "interp/builtins/builtins.h"
#include "runtime/io/files.h"
#include "runtime/io/npy.h"
#include "interp/interpreter.h"
#include "runtime/io/zip_archive.h"

namespace nnc {

namespace {

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
    const Tensor& t = numpy_tensor(a, "x", a.value("x"));
    std::string path = a.str("path");
    if (path.empty()) a.fail("path", "the path is empty");
    std::string error = write_file_atomically(path, encode_npy(t));
    if (!error.empty()) a.fail("path", error);
    return Value();
}

Value load_npy_builtin(BuiltinArgs& a) {
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
    {"save_npy", "x, path", save_npy_builtin, Effect::WritesFiles},
    {"load_npy", "path", load_npy_builtin, Effect::ReadsFiles},
    {"save_npz", "values, path, names = none", save_npz_builtin, Effect::WritesFiles},
    {"load_npz", "path, names = none", load_npz_builtin, Effect::ReadsFiles},
};

}  // namespace

std::span<const BuiltinSpec> numpy_builtins() { return kNumpyBuiltins; }

}  // namespace nnc
