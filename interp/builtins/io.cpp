// Checkpoint builtins: save/load in the safetensors format.
//
// Names in a safetensors file: a tensor is stored as "tensor"; a model by
// the dotted paths of its `param` and `buffer` fields (sub-models, tuples
// and lists inside it recursively: `fc1.w`, `layers.0.b`); a tuple or list
// by index prefixes (`0.fc1.w`, `1`); `__metadata__` (a top-level field of
// that name) is refused, as the format reserves it. Files are written
// atomically (see write_file_atomically), so a crash while saving never
// destroys the previous file. Every read is validated: a corrupt file is
// an error naming the problem, never a crash.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "interp/builtins/builtins.h"
#include "runtime/io/files.h"
#include "interp/interpreter.h"
#include "interp/objects.h"
#include "runtime/io/safetensors.h"

namespace nnc {

namespace {

// ---- Naming the tensors of a value ---------------------------------------------

std::string join(const std::string& prefix, const std::string& name) { return prefix.empty() ? name : prefix + "." + name; }

// The tensors of a model: param and buffer fields; sub-models, tuples and
// lists recursively; other fields (ints, fns, plain tensor fields) skipped.
void model_leaves(BuiltinArgs* a, const ModelInstance& m, const std::string& prefix, std::vector<NamedTensor>& out);

void value_leaves(BuiltinArgs* a, const Value& v, const std::string& prefix, std::vector<NamedTensor>& out, bool in_model) {
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
    if (in_model || !a) return;   // static model fields (sizes, names) are not saved
    a->fail("value", "can only save tensors, models and tuples or lists of them; " +
                        (prefix.empty() ? std::string("the value") : "element `" + prefix + "`") + " is " + type_name(v));
}

void model_leaves(BuiltinArgs* a, const ModelInstance& m, const std::string& prefix, std::vector<NamedTensor>& out) {
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
void expected_leaves(const Value& v, const std::string& prefix, std::vector<ExpectedTensor>& out, bool in_model) {
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

// Checking: what can be saved, and the path a string.
Value check_save(BuiltinArgs& a) {
    std::vector<NamedTensor> leaves;
    try {
        value_leaves(&a, a.value("value"), "", leaves, false);
        a.str("path");
    } catch (const UnknownArgument&) {
    }
    return Value();
}

Value save_builtin(BuiltinArgs& a) {
    std::vector<NamedTensor> leaves;
    value_leaves(&a, a.value("value"), "", leaves, false);
    const std::string path = a.str("path");
    if (path.empty()) a.fail("path", "the path is empty");

    std::string bytes;
    try {
        bytes = encode_safetensors(leaves);
    } catch (const RuntimeError& e) {
        a.fail("value", e.what());
    }
    std::string error = write_file_atomically(path, bytes);
    if (!error.empty()) a.fail("path", error);
    return Value();
}

// Reads and validates a safetensors file; tensors in file order.
std::vector<NamedTensor> read_safetensors(BuiltinArgs& a, const std::string& path) {
    std::string data, error;
    if (!read_whole_file(path, data, error)) a.fail("path", error);
    try {
        return decode_safetensors(data, path);
    } catch (const RuntimeError& e) {
        a.fail("path", e.what());
    }
}

std::string file_type(const Tensor& t) { return t.type().str(); }

// Checking: the result has the type of `into`.
Value check_load(BuiltinArgs& a) {
    const Value& into = a.value("into");
    if (into.is_none() || into.is_unknown()) throw UnknownArgument{};
    return into;
}

Value load_builtin(BuiltinArgs& a) {
    const Value& into = a.value("into");
    std::string path = a.str("path");
    std::vector<NamedTensor> file = read_safetensors(a, path);
    if (into.is_none()) {
        if (file.size() == 1) return Value(file[0].tensor);
        if (file.empty()) a.fail("path", "`" + path + "` holds no tensors");
        a.fail("path", "`" + path + "` holds " + std::to_string(file.size()) + " tensors (" + quoted_names(file) +
                           "); pass `into = ` a model or value of the same structure to load them all");
    }
    if (into.is_tensor()) {
        if (file.size() != 1)
            a.fail("into", "`" + path + "` holds " + std::to_string(file.size()) + " tensors" +
                               (file.empty() ? std::string() : " (" + quoted_names(file) + ")") + ", not a single tensor");
        TensorType want = into.tensor_type();
        if (!(want == file[0].tensor.type()))
            a.fail("into", "`into` has type " + want.str() + ", but the file's tensor " + quote_name(file[0].name) + " is " +
                               file_type(file[0].tensor));
        return Value(file[0].tensor);
    }
    if (!into.object<ModelInstance>() && !into.object<TupleObject>() && !into.object<ListObject>())
        a.fail("into", "expected a model, a tensor, or a tuple or list of them, got " + type_name(into));
    std::vector<ExpectedTensor> expected;
    expected_leaves(into, "", expected, false);
    const bool is_model = into.object<ModelInstance>() != nullptr;
    const std::string what = is_model ? "the model" : "the value";
    const std::vector<std::string> problems = checkpoint_mismatches(expected, file, what);
    std::map<std::string, Tensor> by_name;
    for (const NamedTensor& f : file) by_name[f.name] = f.tensor;
    if (!problems.empty()) a.fail("into", mismatch_message(path, is_model ? "model " + type_name(into) : what, problems));
    return rebuild(into, "", by_name);
}

const BuiltinSpec kIoBuiltins[] = {
    {"save", "value, path", save_builtin, Effect::WritesFiles, check_save},
    {"load", "path, into = none", load_builtin, Effect::ReadsFiles, check_load},
};

}  // namespace

std::span<const BuiltinSpec> io_builtins() { return kIoBuiltins; }

std::vector<NamedTensor> saved_tensors(const Value& v) {
    std::vector<NamedTensor> leaves;
    value_leaves(nullptr, v, "", leaves, false);
    return leaves;
}

}  // namespace nnc
