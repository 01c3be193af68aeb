// Builtins over a model's structure, the primitives optimizers are written
// with in .nn: parameters(m) lists the `param` tensors of a model and its
// sub-models in declaration order; set_parameters(m, ps) replaces them.
#include "interp/builtins/builtins.h"
#include "interp/flatten.h"
#include "interp/interpreter.h"
#include "interp/objects.h"

namespace nnc {

namespace {

Value parameters_builtin(BuiltinArgs& a) {
    const Value& m = a.value("m");
    if (m.is_unknown()) throw UnknownArgument{};
    if (!m.object<ModelInstance>()) a.fail("m", "expected a model, got " + type_name(m));
    std::vector<Value> params;
    flatten(m, params, LeafFilter::Params);
    return make_list(std::move(params));
}

// Writes `values` into the param fields of the models in `v` (a model, or a
// tuple or list holding models), in parameters() order: the order flatten
// visits them, so models held in list and tuple fields are reached too.
void assign_params(BuiltinArgs& a, const Value& v, const std::vector<Value>& values, size_t& pos) {
    auto elements = [&](const std::vector<Value>& items) {
        for (const Value& e : items) assign_params(a, e, values, pos);
    };
    if (auto* t = v.object<TupleObject>()) elements(t->elements);
    if (auto* l = v.object<ListObject>()) elements(l->elements);
    auto* m = v.object<ModelInstance>();
    if (!m) return;
    for (auto& f : m->fields) {
        if (!f.value.is_tensor()) {
            assign_params(a, f.value, values, pos);
            continue;
        }
        if (f.kind != ModelInstance::FieldKind::Param) continue;
        if (pos >= values.size()) a.fail("values", "too few values for the model's parameters");
        const Value& e = values[pos++];
        if (e.is_unknown()) continue;   // `nnc check`: known only when run; the field keeps its type
        if (!e.is_tensor() || !(e.tensor_type().dtype == f.value.tensor_type().dtype) ||
            e.tensor_type().rank() != f.value.tensor_type().rank())
            a.fail("values", "parameter `" + f.name + "` has type " + f.value.tensor_type().str() + ", not " + type_name(e));
        f.value = e;
    }
}

Value set_parameters_builtin(BuiltinArgs& a) {
    const Value& m = a.value("m");
    if (m.is_unknown()) throw UnknownArgument{};
    auto* model = m.object<ModelInstance>();
    if (!model) a.fail("m", "expected a model, got " + type_name(m));
    if (a.interp().mode() == Interpreter::Mode::Trace && model->epoch < a.interp().trace_root_epoch())
        throw TraceFailure{a.call_range(), "the fn assigns the parameters of a model it was not given"};
    const Value& v = a.value("values");
    // Checking: a list built by a loop has a length only running knows; the fields keep their types.
    if (v.is_unknown()) return Value();
    auto* list = v.object<ListObject>();
    if (!list) a.fail("values", "expected a list of tensors, got " + type_name(v));
    size_t pos = 0;
    assign_params(a, m, list->elements, pos);
    if (pos != list->elements.size()) a.fail("values", "more values than the model has parameters");
    return Value();
}

const BuiltinSpec kModelBuiltins[] = {
    {"parameters", "m", parameters_builtin},
    {"set_parameters", "m, values", set_parameters_builtin},
};

}  // namespace

std::span<const BuiltinSpec> model_builtins() { return kModelBuiltins; }

}  // namespace nnc
