// Guards of a trace: the names it read from scopes it did not create — a
// global, a variable captured by a nested fn — and what they held. A
// cached trace is reused only while every guard holds, as TorchDynamo
// guards its graphs; otherwise the call is traced again. A name whose
// tensors became inputs of the trace (captures.h) must keep its structure
// and types; any other (a number, a string, a fn) its value. See
// lang/reference.md, "Compiled calls".
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "interp/scope.h"
#include "interp/value.h"

namespace nnc {

struct Guard {
    // Where the name was found: `depth` scopes out from the traced fn's
    // closure (so a fn defined anew in each loop iteration looks in its own
    // closure), or, for a scope off that chain, `owner` itself.
    int depth = -1;
    std::weak_ptr<Scope> owner;
    std::string name;
    Value value;          // what it held (for messages)
    std::string key;      // structure_key(value): what must not change
    bool input = false;   // its tensors are inputs of the trace, read at every call
};

// A guard on `name` found in `owner`, located from `closure` (the traced
// fn's closure; null for other callables).
Guard make_guard(const Scope* closure, Scope& owner, const std::string& name, const Value& value, bool input);

// Whether two guards name the same variable.
bool same_place(const Guard& a, const Guard& b);

// The variable a guard names, for a call of a fn closing over `closure`;
// null when it no longer exists.
Value* locate(const Guard& g, const Scope* closure);

// The first guard that no longer holds for a call of a fn closing over
// `closure`, with a description of what changed; nullopt when all hold.
std::optional<std::string> broken_guard(const std::vector<Guard>& guards, const Scope* closure);

}  // namespace nnc
