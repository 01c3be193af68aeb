// Out-of-line members of the evaluator's heap objects.
#include "interp/objects.h"

namespace nnc {

ModelInstance::Field* ModelInstance::find(const std::string& name) {
    for (auto& f : fields)
        if (f.name == name) return &f;
    return nullptr;
}

void set_trace_epoch(const Value& v, int epoch) {
    if (auto* m = v.object<ModelInstance>()) {
        m->epoch = epoch;
        for (const auto& f : m->fields) set_trace_epoch(f.value, epoch);
    }
    if (auto* t = v.object<TupleObject>())
        for (const Value& e : t->elements) set_trace_epoch(e, epoch);
    if (auto* l = v.object<ListObject>())
        for (const Value& e : l->elements) set_trace_epoch(e, epoch);
}

}  // namespace nnc
