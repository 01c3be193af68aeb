// Guards of a trace: recording the outer reads and checking them again.
#include "interp/guards.h"

#include <cstring>

namespace nnc {

namespace {

// Whether a name still holds what the trace read: the same host value, or
// the same tensor storage, object or IR value.
bool same_guarded_value(const Value& a, const Value& b) {
    if (a.storage().index() != b.storage().index()) return false;
    if (a.is<double>()) {   // bitwise: -0.0 and NaN fold differently
        const double x = a.as<double>(), y = b.as<double>();
        return std::memcmp(&x, &y, sizeof x) == 0;
    }
    if (a.is<int64_t>()) return a.as<int64_t>() == b.as<int64_t>();
    if (a.is<bool>()) return a.as<bool>() == b.as<bool>();
    if (a.is<std::string>()) return a.as<std::string>() == b.as<std::string>();
    if (a.is<DType>()) return a.as<DType>() == b.as<DType>();
    if (a.is<RangeValue>()) {
        const RangeValue &r = a.as<RangeValue>(), &s = b.as<RangeValue>();
        return r.start == s.start && r.stop == s.stop && r.step == s.step;
    }
    if (a.is<Tensor>())
        return a.as<Tensor>().raw() == b.as<Tensor>().raw() && a.as<Tensor>().type() == b.as<Tensor>().type();
    if (a.is<AbstractTensor>()) return a.as<AbstractTensor>().ir == b.as<AbstractTensor>().ir;
    if (a.is<std::shared_ptr<Object>>()) return a.as<std::shared_ptr<Object>>() == b.as<std::shared_ptr<Object>>();
    return true;   // none, unknown
}

// How many scopes out from `from` `target` is; -1 when it is not on the chain.
int depth_on_chain(const Scope* from, const Scope* target) {
    int depth = 0;
    for (const Scope* s = from; s; s = s->parent().get(), ++depth)
        if (s == target) return depth;
    return -1;
}

const Value* find_here(const Scope* s, const std::string& name) {
    auto it = s->vars().find(name);
    return it == s->vars().end() ? nullptr : &it->second;
}

}  // namespace

void record_outer_read(std::vector<GuardRecorder>& recorders, Scope& owner, const std::string& name, const Value& value) {
    if (!owner.defined_here(name)) return;   // a field of a model: the trace's own copy or state
    for (GuardRecorder& r : recorders) {
        if (owner.epoch() >= r.root_epoch) continue;
        Guard g;
        g.depth = depth_on_chain(r.closure, &owner);
        if (g.depth < 0) g.owner = owner.weak_from_this();
        bool known = false;
        for (const Guard& e : *r.guards)
            known = known || (e.name == name && e.depth == g.depth &&
                              (g.depth >= 0 || e.owner.lock().get() == &owner));
        if (known) continue;
        g.name = name;
        g.value = value;
        r.guards->push_back(std::move(g));
    }
}

std::optional<std::string> broken_guard(const std::vector<Guard>& guards, const Scope* closure) {
    for (const Guard& g : guards) {
        std::shared_ptr<Scope> owner = g.owner.lock();
        const Scope* s = g.depth >= 0 ? closure : owner.get();
        for (int k = 0; s && k < g.depth; ++k) s = s->parent().get();
        const Value* now = s ? find_here(s, g.name) : nullptr;
        if (!now) return "`" + g.name + "` is no longer defined where the trace read it";
        if (!same_guarded_value(*now, g.value)) {
            const bool host = !g.value.is<Tensor>() && !g.value.is<std::shared_ptr<Object>>();
            return "`" + g.name + "` changed" + (host ? " from " + display(g.value) + " to " + display(*now) : "");
        }
    }
    return std::nullopt;
}

}  // namespace nnc
