// Flattening values to tensor leaves and back.
#include "interp/flatten.h"

#include <cstdio>

#include "interp/objects.h"

namespace nnc {

namespace {

bool is_leaf(const ModelInstance::Field& f, LeafFilter filter) {
    if (!f.value.is_tensor()) return false;
    return filter == LeafFilter::AllTensors || f.kind == ModelInstance::FieldKind::Param;
}

}  // namespace

void flatten(const Value& v, std::vector<Value>& leaves, LeafFilter filter) {
    if (v.is_tensor()) {
        if (filter == LeafFilter::AllTensors) leaves.push_back(v);
        return;
    }
    if (auto* t = v.object<TupleObject>())
        for (const Value& e : t->elements) flatten(e, leaves, filter);
    if (auto* l = v.object<ListObject>())
        for (const Value& e : l->elements) flatten(e, leaves, filter);
    if (auto* m = v.object<ModelInstance>()) {
        for (const auto& f : m->fields) {
            if (is_leaf(f, filter)) leaves.push_back(f.value);
            else if (!f.value.is_tensor()) flatten(f.value, leaves, filter);
        }
    }
}

Value unflatten(const Value& like, std::span<const Value> leaves, size_t& pos, LeafFilter filter, CopyMemo* memo) {
    if (like.is_tensor()) return filter == LeafFilter::AllTensors ? leaves[pos++] : like;
    if (!like.is<std::shared_ptr<Object>>()) return like;
    const Object* original = like.as<std::shared_ptr<Object>>().get();
    if (memo) {
        if (auto it = memo->find(original); it != memo->end()) {
            std::vector<Value> repeated;
            flatten(like, repeated, filter);
            pos += repeated.size();
            return it->second;
        }
    }
    Value copy = like;
    if (auto* t = like.object<TupleObject>()) {
        std::vector<Value> out;
        for (const Value& e : t->elements) out.push_back(unflatten(e, leaves, pos, filter, memo));
        copy = make_tuple(std::move(out));
    } else if (auto* l = like.object<ListObject>()) {
        std::vector<Value> out;
        for (const Value& e : l->elements) out.push_back(unflatten(e, leaves, pos, filter, memo));
        copy = make_list(std::move(out));
    } else if (auto* m = like.object<ModelInstance>()) {
        auto model = std::make_shared<ModelInstance>(m->cls);
        model->ctor_args = m->ctor_args;
        if (memo) (*memo)[original] = Value(std::shared_ptr<Object>(model));   // before the fields: a field may refer back
        for (const auto& f : m->fields) {
            Value v = is_leaf(f, filter)        ? leaves[pos++]
                      : f.value.is_tensor() ? f.value
                                            : unflatten(f.value, leaves, pos, filter, memo);
            model->fields.push_back({f.name, f.kind, std::move(v)});
        }
        copy = Value(std::shared_ptr<Object>(model));
    } else {
        return like;
    }
    if (memo) (*memo)[original] = copy;
    return copy;
}

std::string alias_pattern(std::span<const Value* const> values) {
    std::map<const Object*, size_t> seen;
    size_t reached = 0;
    std::string pattern;
    std::function<void(const Value&)> visit = [&](const Value& v) {
        if (!v.is<std::shared_ptr<Object>>()) return;
        auto [it, first] = seen.emplace(v.as<std::shared_ptr<Object>>().get(), ++reached);
        if (!first) {
            pattern += std::to_string(reached) + "=" + std::to_string(it->second) + ";";
            return;
        }
        if (auto* t = v.object<TupleObject>())
            for (const Value& e : t->elements) visit(e);
        if (auto* l = v.object<ListObject>())
            for (const Value& e : l->elements) visit(e);
        if (auto* m = v.object<ModelInstance>())
            for (const auto& f : m->fields) visit(f.value);
    };
    for (const Value* v : values) visit(*v);
    return pattern;
}

void describe_leaves(const Value& v, const std::string& path, std::vector<LeafInfo>& out) {
    if (v.is_tensor()) out.push_back({path, true});
    auto items = [&](const std::vector<Value>& elements) {
        for (size_t i = 0; i < elements.size(); ++i)
            describe_leaves(elements[i], path + "[" + std::to_string(i) + "]", out);
    };
    if (auto* t = v.object<TupleObject>()) items(t->elements);
    if (auto* l = v.object<ListObject>()) items(l->elements);
    if (auto* m = v.object<ModelInstance>())
        for (const auto& f : m->fields) {
            if (f.value.is_tensor()) out.push_back({path + "." + f.name, f.kind == ModelInstance::FieldKind::Param});
            else describe_leaves(f.value, path + "." + f.name, out);
        }
}

void leaf_slots(Value& v, std::vector<Value*>& slots) {
    if (v.is_tensor()) {
        slots.push_back(&v);
        return;
    }
    auto visit = [&](std::vector<Value>& items) {
        for (Value& e : items) leaf_slots(e, slots);
    };
    if (auto* t = v.object<TupleObject>()) visit(t->elements);
    if (auto* l = v.object<ListObject>()) visit(l->elements);
    if (auto* m = v.object<ModelInstance>())
        for (auto& f : m->fields) leaf_slots(f.value, slots);
}

bool holds_model(const Value& v) {
    if (v.object<ModelInstance>()) return true;
    auto any = [](const std::vector<Value>& items) {
        for (const Value& e : items)
            if (holds_model(e)) return true;
        return false;
    };
    if (auto* t = v.object<TupleObject>()) return any(t->elements);
    if (auto* l = v.object<ListObject>()) return any(l->elements);
    return false;
}

std::string structure_key(const Value& v) {
    if (v.is_tensor()) return v.tensor_type().str();
    if (auto* t = v.object<TupleObject>()) {
        std::string s = "(";
        for (const Value& e : t->elements) s += structure_key(e) + ",";
        return s + ")";
    }
    if (auto* l = v.object<ListObject>()) {
        std::string s = "[";
        for (const Value& e : l->elements) s += structure_key(e) + ",";
        return s + "]";
    }
    if (auto* m = v.object<ModelInstance>()) {
        std::string s = m->cls->qualified_name + "{";
        for (const auto& [name, arg] : m->ctor_args) s += name + "=" + structure_key(arg) + ",";
        for (const auto& f : m->fields) s += f.name + ":" + structure_key(f.value) + ",";
        return s + "}";
    }
    if (v.is<std::string>()) return "\"" + v.as<std::string>() + "\"";
    if (v.is<double>()) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%a", v.as<double>());   // exact
        return buf;
    }
    if (v.is<std::shared_ptr<Object>>())   // fns, modules: by identity
        return type_name(v) + "@" + std::to_string(reinterpret_cast<uintptr_t>(v.as<std::shared_ptr<Object>>().get()));
    return type_name(v) + ":" + display(v);
}

}  // namespace nnc
