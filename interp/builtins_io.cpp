// Checkpoint builtins: save/load in the safetensors format.
//
// Names in a safetensors file: a tensor is stored as "tensor"; a model by
// the dotted paths of its `param` and `buffer` fields (sub-models, tuples
// and lists inside it recursively: `fc1.w`, `layers.0.b`); a tuple or list
// by index prefixes (`0.fc1.w`, `1`). Files are written atomically (a
// temporary file, fsync, rename, fsync of the directory), so a crash while
// saving never destroys the previous file. Every read is validated: a
// corrupt file is an error naming the problem, never a crash.
#include <algorithm>
#include <bit>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "interp/builtins.h"
#include "interp/files.h"
#include "interp/interpreter.h"
#include "interp/objects.h"

namespace nnc {

static_assert(std::endian::native == std::endian::little, "file formats assume a little-endian host");

namespace {

std::string shape_text(const Shape& s) { return shape_str(s); }

// ---- Naming the tensors of a value ---------------------------------------------

struct NamedLeaf {
    std::string name;
    Tensor tensor;
};

std::string join(const std::string& prefix, const std::string& name) { return prefix.empty() ? name : prefix + "." + name; }

// The tensors of a model: param and buffer fields; sub-models, tuples and
// lists recursively; other fields (ints, fns, plain tensor fields) skipped.
void model_leaves(BuiltinArgs& a, const ModelInstance& m, const std::string& prefix, std::vector<NamedLeaf>& out);

void value_leaves(BuiltinArgs& a, const Value& v, const std::string& prefix, std::vector<NamedLeaf>& out, bool in_model) {
    if (v.is_tensor()) {
        if (!v.is<Tensor>()) throw UnknownArgument{};
        out.push_back({prefix.empty() ? "tensor" : prefix, v.as<Tensor>()});
        return;
    }
    auto items = [&](const std::vector<Value>& elements) {
        for (size_t i = 0; i < elements.size(); ++i) value_leaves(a, elements[i], join(prefix, std::to_string(i)), out, in_model);
    };
    if (auto* t = v.object<TupleObject>()) return items(t->elements);
    if (auto* l = v.object<ListObject>()) return items(l->elements);
    if (auto* m = v.object<ModelInstance>()) return model_leaves(a, *m, prefix, out);
    if (v.is_unknown()) throw UnknownArgument{};
    if (in_model) return;   // static model fields (sizes, names) are not saved
    a.fail("value", "can only save tensors, models and tuples or lists of them; " +
                        (prefix.empty() ? std::string("the value") : "element `" + prefix + "`") + " is " + type_name(v));
}

void model_leaves(BuiltinArgs& a, const ModelInstance& m, const std::string& prefix, std::vector<NamedLeaf>& out) {
    for (const auto& f : m.fields) {
        if (f.value.is_tensor()) {
            if (f.kind == ModelInstance::FieldKind::Field) continue;
            if (!f.value.is<Tensor>()) throw UnknownArgument{};
            out.push_back({join(prefix, f.name), f.value.as<Tensor>()});
        } else if (f.value.object<ModelInstance>() || f.value.object<TupleObject>() || f.value.object<ListObject>()) {
            value_leaves(a, f.value, join(prefix, f.name), out, true);
        }
    }
}

// The same walk over `into`, recording each tensor's expected type.
struct Expected {
    std::string name;
    TensorType type;
};

void expected_leaves(const Value& v, const std::string& prefix, std::vector<Expected>& out, bool in_model) {
    if (v.is_tensor()) {
        out.push_back({prefix.empty() ? "tensor" : prefix, v.tensor_type()});
        return;
    }
    auto items = [&](const std::vector<Value>& elements) {
        for (size_t i = 0; i < elements.size(); ++i) expected_leaves(elements[i], join(prefix, std::to_string(i)), out, in_model);
    };
    if (auto* t = v.object<TupleObject>()) return items(t->elements);
    if (auto* l = v.object<ListObject>()) return items(l->elements);
    if (auto* m = v.object<ModelInstance>()) {
        for (const auto& f : m->fields) {
            if (f.value.is_tensor()) {
                if (f.kind != ModelInstance::FieldKind::Field) out.push_back({join(prefix, f.name), f.value.tensor_type()});
            } else {
                expected_leaves(f.value, join(prefix, f.name), out, true);
            }
        }
    }
    (void)in_model;
}

// A copy of `v` (models, tuples and lists copied, never modified) whose
// saved tensors are replaced by `tensors[name]`.
Value rebuild(const Value& v, const std::string& prefix, const std::map<std::string, Tensor>& tensors) {
    if (v.is_tensor()) return Value(tensors.at(prefix.empty() ? "tensor" : prefix));
    auto items = [&](const std::vector<Value>& elements) {
        std::vector<Value> out;
        for (size_t i = 0; i < elements.size(); ++i) out.push_back(rebuild(elements[i], join(prefix, std::to_string(i)), tensors));
        return out;
    };
    if (auto* t = v.object<TupleObject>()) return make_tuple(items(t->elements));
    if (auto* l = v.object<ListObject>()) return make_list(items(l->elements));
    if (auto* m = v.object<ModelInstance>()) {
        auto copy = std::make_shared<ModelInstance>(m->cls);
        copy->ctor_args = m->ctor_args;
        for (const auto& f : m->fields) {
            Value nv = f.value;
            if (f.value.is_tensor()) {
                if (f.kind != ModelInstance::FieldKind::Field) nv = Value(tensors.at(join(prefix, f.name)));
            } else {
                nv = rebuild(f.value, join(prefix, f.name), tensors);
            }
            copy->fields.push_back({f.name, f.kind, std::move(nv)});
        }
        return Value(std::shared_ptr<Object>(copy));
    }
    return v;
}

// ---- safetensors ---------------------------------------------------------------

const char* st_dtype(DType t) {
    switch (t) {
    case DType::Bool: return "BOOL";
    case DType::I8: return "I8";
    case DType::I32: return "I32";
    case DType::I64: return "I64";
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
    case DType::F32: return "F32";
    case DType::F64: return "F64";
    }
    return "?";
}

std::optional<DType> st_parse_dtype(const std::string& s) {
    for (DType t : {DType::Bool, DType::I8, DType::I32, DType::I64, DType::F16, DType::BF16, DType::F32, DType::F64})
        if (s == st_dtype(t)) return t;
    return std::nullopt;
}

void put_u64(std::string& out, uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(char((v >> (8 * i)) & 0xff));
}

uint64_t get_u64(const std::string& s, size_t at) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | uint8_t(s[at + i]);
    return v;
}

Value save_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    if (in.mode() == Interpreter::Mode::Trace) throw TraceFailure{a.call_range(), "`save` writes a file at every call"};
    std::vector<NamedLeaf> leaves;
    std::string path;
    try {
        value_leaves(a, a.value("value"), "", leaves, false);
        path = a.str("path");
    } catch (const UnknownArgument&) {
        if (in.mode() != Interpreter::Mode::Eager) return Value();
        throw;
    }
    if (in.mode() != Interpreter::Mode::Eager) return Value();
    if (path.empty()) a.fail("path", "the path is empty");

    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    uint64_t offset = 0;
    for (const NamedLeaf& l : leaves) {
        uint64_t n = uint64_t(l.tensor.nbytes());
        header[l.name] = {{"dtype", st_dtype(l.tensor.dtype())}, {"shape", l.tensor.shape()}, {"data_offsets", {offset, offset + n}}};
        offset += n;
    }
    header["__metadata__"] = {{"format", "nnc"}};
    std::string text = header.dump();
    while (text.size() % 8 != 0) text.push_back(' ');   // keeps the data 8-byte aligned
    std::string bytes;
    bytes.reserve(8 + text.size() + offset);
    put_u64(bytes, text.size());
    bytes += text;
    for (const NamedLeaf& l : leaves) bytes.append(static_cast<const char*>(l.tensor.raw()), size_t(l.tensor.nbytes()));
    std::string error = write_file_atomically(path, bytes);
    if (!error.empty()) a.fail("path", error);
    return Value();
}

struct FileTensor {
    std::string name;
    Tensor tensor;
};

// Parses and validates a safetensors file; tensors in file order.
std::vector<FileTensor> read_safetensors(BuiltinArgs& a, const std::string& path) {
    std::string data, error;
    if (!read_whole_file(path, data, error)) a.fail("path", error);
    auto bad = [&](const std::string& why) -> void { a.fail("path", "`" + path + "` is not a valid safetensors file: " + why); };
    if (data.size() < 8) bad("it has " + std::to_string(data.size()) + " bytes, fewer than the 8-byte header length");
    uint64_t hlen = get_u64(data, 0);
    if (hlen > data.size() - 8)
        bad("the header length " + std::to_string(hlen) + " exceeds the " + std::to_string(data.size() - 8) + " bytes after it");
    nlohmann::ordered_json header;
    try {
        header = nlohmann::ordered_json::parse(data.begin() + 8, data.begin() + 8 + std::ptrdiff_t(hlen));
    } catch (const nlohmann::json::exception& e) {
        bad(std::string("the header is not valid JSON (") + e.what() + ")");
    }
    if (!header.is_object()) bad("the header is not a JSON object");
    const uint64_t data_start = 8 + hlen, data_size = data.size() - data_start;

    struct Entry {
        std::string name;
        DType dtype;
        Shape shape;
        uint64_t begin, end;
    };
    std::vector<Entry> entries;
    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string& name = it.key();
        if (name == "__metadata__") {
            if (!it->is_object()) bad("`__metadata__` is not an object");
            continue;
        }
        const auto& e = it.value();
        std::string where = "tensor `" + name + "`";
        if (!e.is_object()) bad(where + " is not an object");
        if (!e.contains("dtype") || !e["dtype"].is_string()) bad(where + " has no dtype string");
        if (!e.contains("shape") || !e["shape"].is_array()) bad(where + " has no shape list");
        if (!e.contains("data_offsets") || !e["data_offsets"].is_array() || e["data_offsets"].size() != 2 ||
            !e["data_offsets"][0].is_number_unsigned() || !e["data_offsets"][1].is_number_unsigned())
            bad(where + " has no data_offsets pair of non-negative integers");
        std::string dname = e["dtype"].get<std::string>();
        auto dtype = st_parse_dtype(dname);
        if (!dtype) bad(where + " has dtype `" + dname + "`, not one of BOOL, I8, I32, I64, F16, BF16, F32, F64");
        Shape shape;
        for (const auto& d : e["shape"]) {
            if (!d.is_number_unsigned()) bad(where + " has a shape entry that is not a non-negative integer");
            uint64_t n = d.get<uint64_t>();
            if (n > uint64_t(INT64_MAX)) bad(where + " has a dimension that is too large");
            shape.push_back(int64_t(n));
        }
        uint64_t b = e["data_offsets"][0].get<uint64_t>(), en = e["data_offsets"][1].get<uint64_t>();
        if (b > en || en > data_size)
            bad(where + " has data_offsets [" + std::to_string(b) + ", " + std::to_string(en) + "] outside the " +
                std::to_string(data_size) + " data bytes");
        int64_t numel = 0;
        try {
            numel = checked_numel(shape);
        } catch (const RuntimeError&) {
            bad(where + " has shape " + shape_text(shape) + " whose size overflows");
        }
        uint64_t want = uint64_t(numel) * uint64_t(dtype_size(*dtype));
        if (numel != 0 && want / uint64_t(numel) != uint64_t(dtype_size(*dtype))) bad(where + " is too large");
        if (want != en - b)
            bad(where + " has " + std::to_string(en - b) + " data bytes, but " + dname + shape_text(shape) + " needs " +
                std::to_string(want));
        entries.push_back({name, *dtype, std::move(shape), b, en});
    }
    std::vector<size_t> order(entries.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return entries[x].begin < entries[y].begin; });
    for (size_t i = 1; i < order.size(); ++i) {
        const Entry &p = entries[order[i - 1]], &c = entries[order[i]];
        if (c.begin < p.end) bad("the data of tensors `" + p.name + "` and `" + c.name + "` overlap");
    }
    std::vector<FileTensor> out;
    for (const Entry& e : entries) {
        Tensor t;
        try {
            t = Tensor::empty(e.dtype, e.shape);
        } catch (const RuntimeError& err) {
            a.fail("path", std::string("cannot load tensor `") + e.name + "`: " + err.what());
        }
        if (e.end > e.begin) std::memcpy(t.raw(), data.data() + data_start + e.begin, e.end - e.begin);
        if (e.dtype == DType::Bool) {   // normalise to 0/1
            auto* p = static_cast<uint8_t*>(t.raw());
            for (int64_t i = 0; i < t.numel(); ++i) p[i] = p[i] != 0;
        }
        out.push_back({e.name, std::move(t)});
    }
    return out;
}

std::string file_type(const Tensor& t) { return t.type().str(); }

Value load_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    if (in.mode() == Interpreter::Mode::Trace) throw TraceFailure{a.call_range(), "`load` reads a file at every call"};
    const Value& into = a.value("into");
    if (in.mode() != Interpreter::Mode::Eager) {
        if (into.is_none() || into.is_unknown()) throw UnknownArgument{};
        return into;   // checking: the result has the type of `into`
    }
    std::string path = a.str("path");
    std::vector<FileTensor> file = read_safetensors(a, path);
    auto names = [&] {
        std::string s;
        for (size_t i = 0; i < file.size(); ++i) s += (i ? ", `" : "`") + file[i].name + "`";
        return s;
    };
    if (into.is_none()) {
        if (file.size() == 1) return Value(file[0].tensor);
        if (file.empty()) a.fail("path", "`" + path + "` holds no tensors");
        a.fail("path", "`" + path + "` holds " + std::to_string(file.size()) + " tensors (" + names() +
                           "); pass `into = ` a model or value of the same structure to load them all");
    }
    if (into.is_tensor()) {
        if (file.size() != 1)
            a.fail("into", "`" + path + "` holds " + std::to_string(file.size()) + " tensors" +
                               (file.empty() ? std::string() : " (" + names() + ")") + ", not a single tensor");
        TensorType want = into.tensor_type();
        if (!(want == file[0].tensor.type()))
            a.fail("into", "`into` has type " + want.str() + ", but the file's tensor `" + file[0].name + "` is " +
                               file_type(file[0].tensor));
        return Value(file[0].tensor);
    }
    if (!into.object<ModelInstance>() && !into.object<TupleObject>() && !into.object<ListObject>())
        a.fail("into", "expected a model, a tensor, or a tuple or list of them, got " + type_name(into));
    std::vector<Expected> expected;
    expected_leaves(into, "", expected, false);
    const bool is_model = into.object<ModelInstance>() != nullptr;
    const std::string what = is_model ? "the model" : "the value";
    std::map<std::string, Tensor> by_name;
    for (const FileTensor& f : file) by_name[f.name] = f.tensor;
    std::vector<std::string> problems;
    std::map<std::string, bool> used;
    for (const Expected& e : expected) {
        auto it = by_name.find(e.name);
        if (it == by_name.end()) {
            problems.push_back("`" + e.name + "` (" + e.type.str() + ") is missing from the file");
            continue;
        }
        used[e.name] = true;
        TensorType have = it->second.type();
        if (!(have == e.type))
            problems.push_back("`" + e.name + "` is " + e.type.str() + " in " + what + ", but " + have.str() +
                               " in the file");
    }
    for (const FileTensor& f : file)
        if (!used.count(f.name)) problems.push_back("`" + f.name + "` (" + file_type(f.tensor) + ") in the file is not in " + what);
    if (!problems.empty()) {
        std::string msg = "`" + path + "` does not match " + (is_model ? "model " + type_name(into) : std::string("the value")) + " (" + std::to_string(problems.size()) +
                          (problems.size() == 1 ? " problem" : " problems") + "):";
        for (const std::string& p : problems) msg += "\n  " + p;
        a.fail("into", msg);
    }
    return rebuild(into, "", by_name);
}

const BuiltinSpec kIoBuiltins[] = {
    {"save", "value, path", save_builtin},
    {"load", "path, into = none", load_builtin},
};

}  // namespace

std::span<const BuiltinSpec> io_builtins() { return kIoBuiltins; }

}  // namespace nnc
