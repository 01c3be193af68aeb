// Matching values against type annotations, with symbolic dimensions
// unified across a signature.
#include "interp/annotations.h"

#include "interp/objects.h"

namespace nnc {

using ast::DimExpr;
using ast::TypeExpr;

std::string type_expr_str(const TypeExpr& t) {
    switch (t.kind) {
    case TypeExpr::Tensor: {
        std::string s(dtype_name(t.dtype));
        if (t.dims.empty()) return s;
        s += "[";
        for (size_t i = 0; i < t.dims.size(); ++i) {
            const DimExpr& d = t.dims[i];
            s += i ? ", " : "";
            s += d.kind == DimExpr::Known ? std::to_string(d.value) : d.kind == DimExpr::Symbol ? d.name : "_";
        }
        return s + "]";
    }
    case TypeExpr::Named: {
        std::string s;
        for (size_t i = 0; i < t.path.size(); ++i) s += (i ? "." : "") + t.path[i];
        return s;
    }
    case TypeExpr::Tuple: {
        std::string s = "(";
        for (size_t i = 0; i < t.elements.size(); ++i) s += (i ? ", " : "") + type_expr_str(t.elements[i]);
        return s + (t.elements.size() == 1 ? ",)" : ")");
    }
    }
    return "?";
}

namespace {

bool is_host_type(const TypeExpr& t) {
    if (t.kind != TypeExpr::Named || t.path.size() != 1) return false;
    const std::string& n = t.path[0];
    return n == "int" || n == "float" || n == "bool" || n == "str";
}

// The model class a named type refers to: `Lin`, `optim.Adam`; null when
// the name is bound to a value not known while checking.
const ModelClass* named_class(const TypeExpr& type, Scope& scope) {
    Value* named = scope.lookup(type.path[0]);
    for (size_t i = 1; named && i < type.path.size(); ++i) {
        if (named->is_unknown()) return nullptr;
        auto* mod = named->object<ModuleObject>();
        named = mod && mod->scope->defined_here(type.path[i]) ? mod->scope->lookup(type.path[i]) : nullptr;
    }
    if (!named)
        throw CompileError(type.range, "unknown type `" + type_expr_str(type) +
                                           "` (a type is int, float, bool, str, a tensor type such as f32[N], "
                                           "a tuple of types or a model)");
    if (named->is_unknown()) return nullptr;
    auto* cls = named->object<ModelClass>();
    if (!cls) throw CompileError(type.range, "`" + type_expr_str(type) + "` is not a type");
    return cls;
}

}  // namespace

std::optional<Dim> AnnotationMatcher::resolve_name(const std::string& name) const {
    if (auto it = bindings_.find(name); it != bindings_.end()) return it->second.dim;
    if (Value* v = scope_->lookup(name)) {
        if (v->is<int64_t>()) return Dim::known(v->as<int64_t>());
        if (v->is_unknown()) return Dim::any();
    }
    return std::nullopt;
}

std::string AnnotationMatcher::describe(const TypeExpr& type) const {
    std::string s = type_expr_str(type), with;
    for (const DimExpr& d : type.dims) {
        if (d.kind != DimExpr::Symbol) continue;
        auto dim = resolve_name(d.name);
        if (dim && dim->is_known() && with.find(d.name + " = ") == std::string::npos)
            with += (with.empty() ? " with " : ", ") + d.name + " = " + dim->str();
    }
    return s + with;
}

Value AnnotationMatcher::match(const TypeExpr& type, const Value& v, SourceRange where, const std::string& what) {
    if (v.is_unknown()) {
        // Its dimension names are still defined in the body (with unknown sizes).
        if (type.kind == TypeExpr::Tensor)
            for (const DimExpr& d : type.dims)
                if (d.kind == DimExpr::Symbol && !resolve_name(d.name)) bindings_.emplace(d.name, Binding{Dim::any(), where, what, Value(UnknownValue{}), 0});
        return v;
    }
    auto mismatch = [&]() -> CompileError {
        return CompileError(where, what + " has type " + type_name(v) + " but " + describe(type) + " is expected");
    };
    switch (type.kind) {
    case TypeExpr::Tensor: return match_tensor(type, v, where, what);
    case TypeExpr::Tuple: {
        auto* t = v.object<TupleObject>();
        if (!t || t->elements.size() != type.elements.size()) throw mismatch();
        std::vector<Value> out;
        for (size_t i = 0; i < t->elements.size(); ++i)
            out.push_back(match(type.elements[i], t->elements[i], where, "element " + std::to_string(i) + " of " + what));
        return make_tuple(std::move(out));
    }
    case TypeExpr::Named: break;
    }
    if (type.path.size() == 1) {
        const std::string& n = type.path[0];
        if (n == "int") {
            if (v.is<int64_t>()) return v;
            throw mismatch();
        }
        if (n == "float") {
            if (v.is<double>()) return v;
            if (v.is<int64_t>()) return Value(double(v.as<int64_t>()));
            throw mismatch();
        }
        if (n == "bool") {
            if (v.is<bool>()) return v;
            throw mismatch();
        }
        if (n == "str") {
            if (v.is<std::string>()) return v;
            throw mismatch();
        }
    }
    const ModelClass* cls = named_class(type, *scope_);
    auto* inst = v.object<ModelInstance>();
    if (cls && (!inst || inst->cls->def != cls->def)) throw mismatch();
    return v;
}

Value AnnotationMatcher::match_tensor(const TypeExpr& type, const Value& v, SourceRange where, const std::string& what) {
    Value value = v;
    if (v.is_number() && type.dims.empty()) {
        double x = v.is<bool>() ? v.as<bool>() : v.is<int64_t>() ? double(v.as<int64_t>()) : v.as<double>();
        value = Value(Tensor::scalar(x, type.dtype));
    }
    auto mismatch = [&](const std::string& why) {
        return CompileError(where, what + " has type " + type_name(value) + " but " + describe(type) + " is expected" + why);
    };
    if (!value.is_tensor()) throw mismatch("");
    TensorType t = value.tensor_type();
    if (t.dtype != type.dtype || t.rank() != static_cast<int64_t>(type.dims.size())) throw mismatch("");

    for (size_t i = 0; i < type.dims.size(); ++i) {
        const DimExpr& d = type.dims[i];
        const Dim& actual = t.dims[i];
        if (d.kind == DimExpr::Any) continue;
        if (d.kind == DimExpr::Known) {
            if (actual.is_known() && actual.value() != d.value)
                throw mismatch(" (dimension " + std::to_string(i) + " is " + actual.str() + ", not " +
                               std::to_string(d.value) + ")");
            continue;
        }
        auto bound = resolve_name(d.name);
        if (!bound) {
            bindings_.emplace(d.name, Binding{actual, where, what, value, static_cast<int64_t>(i)});
            continue;
        }
        if (bound->is_known() && actual.is_known() && bound->value() != actual.value()) {
            std::vector<Diagnostic> notes;
            auto it = bindings_.find(d.name);
            if (it != bindings_.end() && it->second.where != where)
                notes.push_back({Severity::Note, it->second.where,
                                 "`" + d.name + "` was bound to " + bound->str() + " here, by " + it->second.what, {}});
            throw CompileError(where,
                               what + " has type " + t.str() + " but " + describe(type) + " is expected (`" + d.name +
                                   "` is " + bound->str() + ", but dimension " + std::to_string(i) + " is " +
                                   actual.str() + ")",
                               std::move(notes));
        }
        if (bound->is_symbol() && actual.is_symbol() && bound->name() != actual.name())
            throw CompileError(where, what + " has type " + t.str() + " but " + describe(type) + " is expected (dimension " +
                                          std::to_string(i) + " is `" + actual.name() + "`, not `" + bound->name() + "`)");
    }
    return value;
}

void AnnotationMatcher::define_dimensions(Scope& scope, const SizeOf& size_of) const {
    for (const auto& [name, b] : bindings_) {
        if (scope.defined_here(name)) continue;
        if (b.dim.is_known()) scope.define(name, Value(b.dim.value()));
        else scope.define(name, b.tensor.is_tensor() ? size_of(b.tensor, b.axis) : Value(UnknownValue{}));
    }
}

Value AnnotationMatcher::abstract_value(const TypeExpr& type) {
    if (type.kind == TypeExpr::Tuple) {
        std::vector<Value> out;
        for (const auto& e : type.elements) out.push_back(abstract_value(e));
        return make_tuple(std::move(out));
    }
    if (type.kind == TypeExpr::Named) {
        if (!is_host_type(type)) named_class(type, *scope_);   // reports a type that does not exist
        return Value(UnknownValue{});
    }
    TensorType t{type.dtype, {}};
    for (const DimExpr& d : type.dims) {
        if (d.kind == DimExpr::Known) t.dims.push_back(Dim::known(d.value));
        else if (d.kind == DimExpr::Any) t.dims.push_back(Dim::any());
        else if (auto bound = resolve_name(d.name)) t.dims.push_back(*bound);
        else t.dims.push_back(Dim::symbol(d.name));
    }
    return Value(AbstractTensor{t});
}

}  // namespace nnc
