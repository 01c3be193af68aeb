// Captures: turning what a trace reads from outside into its inputs.
#include "interp/captures.h"

#include "interp/flatten.h"
#include "interp/interpreter.h"

namespace nnc {

Value TraceFrame::read(Scope& owner, const std::string& name, const Value& value, SourceRange where) {
    Guard place = make_guard(closure, owner, name, value, false);
    for (const Capture& c : captures)
        if (same_place(c.where, place)) return c.shadow;
    std::vector<Value> leaves;
    flatten(value, leaves);
    if (leaves.empty() || outer_tensors == OuterTensors::Fold) {
        if (guards) {
            bool known = false;
            for (const Guard& g : *guards) known = known || same_place(g, place);
            if (!known) guards->push_back(std::move(place));
        }
        return value;
    }
    if (leaves.size() > kMaxCapturedLeaves)
        throw TraceFailure{where, "it reads `" + name + "`, which holds " + std::to_string(leaves.size()) +
                                      " tensors, from outside; pass what it needs as an argument"};
    Capture c;
    std::vector<Value> traced;
    for (const Value& leaf : leaves) {
        ir::Value* p = function->add_arg(function->body(), leaf.tensor_type());
        p->set_name_hint(name);
        c.params.push_back(p);
        traced.push_back(Value(AbstractTensor{p->type(), p}));
    }
    size_t pos = 0;
    c.shadow = unflatten(value, traced, pos, LeafFilter::AllTensors, &copies);
    set_trace_epoch(c.shadow, root_epoch);   // the trace may update a captured model, as one it was given
    c.structure = structure_key(c.shadow);
    c.outer = value;
    place.input = true;
    c.where = place;
    if (guards) guards->push_back(std::move(place));
    roots.push_back(c.shadow);
    captures.push_back(std::move(c));
    return captures.back().shadow;
}

std::vector<Value*> TraceFrame::root_field_slots(size_t count) {
    std::vector<Value*> slots;
    for (size_t i = 0; i < roots.size() && i < count; ++i)
        if (!roots[i].is_tensor()) leaf_slots(roots[i], slots);   // a tensor root is a name the trace cannot rebind
    return slots;
}

std::vector<std::pair<Value*, Value>> TraceFrame::capture_slots(size_t first) {
    std::vector<std::pair<Value*, Value>> out;
    for (size_t k = first; k < captures.size(); ++k) {
        if (captures[k].shadow.is_tensor()) continue;   // a name the trace cannot rebind
        std::vector<Value*> slots;
        leaf_slots(captures[k].shadow, slots);
        for (size_t i = 0; i < slots.size(); ++i)
            out.emplace_back(slots[i], Value(AbstractTensor{captures[k].params[i]->type(), captures[k].params[i]}));
    }
    return out;
}

}  // namespace nnc
