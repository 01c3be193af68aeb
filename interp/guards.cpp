// Guards of a trace: where each outer read was found, and checking it again.
#include "interp/guards.h"

#include "interp/flatten.h"
#include "interp/objects.h"

namespace nnc {

namespace {

// How many scopes out from `from` `target` is; -1 when it is not on the chain.
int depth_on_chain(const Scope* from, const Scope* target) {
    int depth = 0;
    for (const Scope* s = from; s; s = s->parent().get(), ++depth)
        if (s == target) return depth;
    return -1;
}

}  // namespace

Guard make_guard(const Scope* closure, Scope& owner, const std::string& name, const Value& value, bool input) {
    Guard g;
    g.depth = depth_on_chain(closure, &owner);
    if (g.depth < 0) g.owner = owner.weak_from_this();
    g.name = name;
    g.value = value;
    g.key = structure_key(value);
    g.input = input;
    return g;
}

bool same_place(const Guard& a, const Guard& b) {
    return a.name == b.name && a.depth == b.depth && (a.depth >= 0 || a.owner.lock() == b.owner.lock());
}

Value* locate(const Guard& g, const Scope* closure) {
    std::shared_ptr<Scope> owner = g.owner.lock();
    Scope* s = g.depth >= 0 ? const_cast<Scope*>(closure) : owner.get();
    for (int k = 0; s && k < g.depth; ++k) s = s->parent().get();
    if (!s) return nullptr;
    auto it = s->mutable_vars().find(g.name);
    return it == s->mutable_vars().end() ? nullptr : &it->second;
}

std::optional<std::string> broken_guard(const std::vector<Guard>& guards, const Scope* closure) {
    for (const Guard& g : guards) {
        const Value* now = locate(g, closure);
        if (!now) return "`" + g.name + "` is no longer defined where the trace read it";
        if (structure_key(*now) == g.key) continue;
        if (g.input) {
            const std::string was = type_name(g.value), is = type_name(*now);
            return "`" + g.name + "` changed " +
                   (was != is ? "from " + was + " to " + is : "the type of a tensor in it, or a value that is not a tensor");
        }
        const bool host = !g.value.is<std::shared_ptr<Object>>();
        return "`" + g.name + "` changed" + (host ? " from " + display(g.value) + " to " + display(*now) : "");
    }
    return std::nullopt;
}

}  // namespace nnc
