// Value helpers: tensor types, type names for messages, and display for print.
#include "interp/value.h"

#include <cstdio>
#include <sstream>

#include "interp/objects.h"
#include "core/checked_size.h"
#include "runtime/format.h"

namespace nnc {

uint64_t RangeValue::length() const { return range_length(start, stop, step); }

int64_t RangeValue::at(uint64_t i) const {
    return static_cast<int64_t>(static_cast<uint64_t>(start) + i * static_cast<uint64_t>(step));
}

TensorType Value::tensor_type() const {
    if (auto* t = std::get_if<Tensor>(&v_)) return t->type();
    return std::get<AbstractTensor>(v_).type;
}

const std::vector<Value>* sequence_elements(const Value& v) {
    if (auto* t = v.object<TupleObject>()) return &t->elements;
    if (auto* l = v.object<ListObject>()) return &l->elements;
    return nullptr;
}

Value make_tuple(std::vector<Value> elements) { return make_object<TupleObject>(std::move(elements)); }
Value make_list(std::vector<Value> elements) { return make_object<ListObject>(std::move(elements)); }

std::string type_name(const Value& v) {
    struct Namer {
        std::string operator()(const NoneValue&) const { return "none"; }
        std::string operator()(bool) const { return "bool"; }
        std::string operator()(int64_t) const { return "int"; }
        std::string operator()(double) const { return "float"; }
        std::string operator()(const std::string&) const { return "str"; }
        std::string operator()(DType) const { return "dtype"; }
        std::string operator()(const RangeValue&) const { return "range"; }
        std::string operator()(const Tensor& t) const { return t.type().str(); }
        std::string operator()(const AbstractTensor& t) const { return t.type.str(); }
        std::string operator()(const UnknownValue&) const { return "unknown"; }
        std::string operator()(const std::shared_ptr<Object>& o) const {
            switch (o->kind) {
            case Object::Kind::Tuple: {
                std::string s = "(";
                auto& el = static_cast<TupleObject&>(*o).elements;
                for (size_t i = 0; i < el.size(); ++i) s += (i ? ", " : "") + type_name(el[i]);
                return s + (el.size() == 1 ? ",)" : ")");
            }
            case Object::Kind::List: return "list";
            case Object::Kind::Function: return "fn " + static_cast<FunctionObject&>(*o).qualified_name;
            case Object::Kind::Builtin: return "builtin " + static_cast<BuiltinObject&>(*o).name;
            case Object::Kind::BoundMethod: return "method";
            case Object::Kind::ModelClass: return "model class " + static_cast<ModelClass&>(*o).qualified_name;
            case Object::Kind::ModelInstance: return static_cast<ModelInstance&>(*o).cls->qualified_name;
            case Object::Kind::Module: return "module " + static_cast<ModuleObject&>(*o).name;
            case Object::Kind::Iterator: return "iterator";
            }
            return "object";
        }
    };
    return std::visit(Namer{}, v.storage());
}

namespace {

std::string join(const std::vector<Value>& items, const char* open, const char* close, bool one_tuple) {
    std::string s = open;
    for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + display(items[i]);
    if (one_tuple && items.size() == 1) s += ",";
    return s + close;
}

std::string display_model(const ModelInstance& m) {
    std::string s = m.cls->qualified_name + "(";
    for (size_t i = 0; i < m.fields.size(); ++i) {
        const auto& f = m.fields[i];
        s += (i ? ", " : "") + f.name + ": ";
        if (f.value.is_tensor()) s += f.value.tensor_type().str();
        else if (auto* sub = f.value.object<ModelInstance>()) s += display_model(*sub);
        else s += display(f.value);
    }
    return s + ")";
}

}  // namespace

std::string display(const Value& v) {
    if (v.is<std::string>()) return v.as<std::string>();
    if (v.is<bool>()) return v.as<bool>() ? "true" : "false";
    if (v.is<int64_t>()) return std::to_string(v.as<int64_t>());
    if (v.is<double>()) return format_number(v.as<double>(), DType::F64);
    if (v.is<Tensor>()) return format_tensor(v.as<Tensor>());
    if (v.is<RangeValue>()) {
        auto& r = v.as<RangeValue>();
        return std::to_string(r.start) + ".." + std::to_string(r.stop);
    }
    if (v.is<DType>()) return std::string(dtype_name(v.as<DType>()));
    if (v.is<AbstractTensor>()) return "<" + v.as<AbstractTensor>().type.str() + ">";
    if (v.is<UnknownValue>()) return "<unknown>";
    if (v.is_none()) return "none";
    if (auto* t = v.object<TupleObject>()) return join(t->elements, "(", ")", true);
    if (auto* l = v.object<ListObject>()) return join(l->elements, "[", "]", false);
    if (auto* m = v.object<ModelInstance>()) return display_model(*m);
    return "<" + type_name(v) + ">";
}

}  // namespace nnc
