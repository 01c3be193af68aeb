// Guards of a trace: the values it read from scopes it did not create — a
// global, a variable captured by a nested fn — and folded into its IR. A
// cached trace is reused only while every name it read still holds the
// same value (host values compared by value, tensors and objects by
// identity), as TorchDynamo guards its graphs; otherwise the call is traced
// again. See lang/reference.md, "Compiled calls".
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
    Value value;
};

// Collects the guards of one trace in progress.
struct GuardRecorder {
    int root_epoch;              // scopes older than this are outside the trace
    const Scope* closure;        // the traced fn's closure (null for other callables)
    std::vector<Guard>* guards;
};

// Records that `name`, found in `owner`, was read while the traces in
// `recorders` were running, for each trace that `owner` is outside of.
void record_outer_read(std::vector<GuardRecorder>& recorders, Scope& owner, const std::string& name, const Value& value);

// The first guard that no longer holds for a call of a fn closing over
// `closure`, with a description of what changed; nullopt when all hold.
std::optional<std::string> broken_guard(const std::vector<Guard>& guards, const Scope* closure);

}  // namespace nnc
